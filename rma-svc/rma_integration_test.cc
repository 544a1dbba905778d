// Integration tests of rma-svc: the real service and a real inventory-svc,
// both in-process on MariaDB, called over gRPC, sharing one FakeClock that
// starts on Friday 2026-09-04 (the Friday before Labor Day).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/create_channel.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/inventory_spec.h"
#include "common/db/sql_time.h"
#include "rma-svc/fake_rma_repository.h"
#include "rma-svc/mysql_rma_repository.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_spec.h"
#include "rma-svc/rma_sweeper.h"
#include "tests/harness/test_service.h"

namespace aftercare::rma {
namespace {

namespace inv = ::aftercare::inventory::v1;
namespace pb = ::aftercare::rma::v1;
using ::aftercare::testing::GrpcStatusIs;
using ::aftercare::testing::PickFreePort;
using ::aftercare::testing::CallAs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;
using RmaStub = pb::RmaService::Stub;
using InvStub = inv::InventoryService::Stub;

constexpr char kSku[] = "EX4300-48T";
constexpr int64_t kListPrice = 1234567;
constexpr char kCustomerUnit[] = "JN11CUST0001";

class RmaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inv_port_ = PickFreePort();
    auto inv_svc = TestService::Start(
        inventory::Spec(), {.clock = &clock_,
                            .flags = {{"grpc_port", std::to_string(inv_port_)},
                                      {"reservation_sweep_interval", "0"}}});
    ASSERT_TRUE(inv_svc.ok()) << inv_svc.status();
    inv_ = *std::move(inv_svc);
    inv_stub_ = inv::InventoryService::NewStub(
        grpc::CreateChannel(InventoryAddress(), grpc::InsecureChannelCredentials()));
    admin_ = Tok(Role::kAdmin, "admin-1");
    tse_ = Tok(Role::kTse, "tse-1");
    agent_ = Tok(Role::kCareAgent, "agent-1");
    logistics_ = Tok(Role::kLogistics, "depot-1");
    service_ = Tok(Role::kService, "svc:licensing");
    customer_ = Tok(Role::kCustomer, "acme-user", {"ACME-001"});
    other_customer_ = Tok(Role::kCustomer, "globex-user", {"GLOBEX-7"});
    StartRma();
    SeedInventory();
  }

  void TearDown() override {
    rma_runtime_.reset();
    rma_.reset();
    inv_runtime_.reset();
    inv_.reset();
  }

  std::string InventoryAddress() const { return absl::StrCat("127.0.0.1:", inv_port_); }

  void StartRma() {
    auto svc = TestService::Start(Spec(), {.clock = &clock_,
                                           .flags = {{"inventory_target", InventoryAddress()},
                                                     {"return_sweep_interval", "0"}}});
    ASSERT_TRUE(svc.ok()) << svc.status();
    rma_ = *std::move(svc);
    stub_ = pb::RmaService::NewStub(rma_->channel());
  }

  std::string Tok(Role role, const std::string& subject, std::vector<std::string> accounts = {}) {
    return TestService::Token(role, subject, std::move(accounts), "", false, clock_.Now(),
                              absl::Hours(24 * 365));
  }

  template <typename Stub, typename Req, typename Resp>
  grpc::Status CallOn(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& req, Resp* resp) {
    return CallAs(stub, method, token, req, resp);
  }
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (RmaStub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& req, Resp* resp) {
    return CallOn(stub_.get(), method, token, req, resp);
  }
  template <typename Req, typename Resp>
  grpc::Status Inv(grpc::Status (InvStub::*method)(grpc::ClientContext*, const Req&, Resp*),
                   const std::string& token, const Req& req, Resp* resp) {
    return CallOn(inv_stub_.get(), method, token, req, resp);
  }

  int64_t RmaCount(const std::string& sql) {
    auto v = rma_->database().QueryValue(sql);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }
  int64_t InvCount(const std::string& sql) {
    auto v = inv_->database().QueryValue(sql);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }

  // --- inventory-svc data ----------------------------------------------------

  void SeedInventory() {
    inv::CreateProductRequest req;
    req.set_request_id("product");
    inv::Product* p = req.mutable_product();
    p->set_sku(kSku);
    p->set_display_name("EX4300 48-port switch");
    p->set_family(inv::PRODUCT_FAMILY_SWITCHING);
    p->set_series("EX Series");
    p->set_platform("EX4300");
    p->mutable_list_price()->set_currency_code("USD");
    p->mutable_list_price()->set_amount_minor(kListPrice);
    p->set_lifecycle(inv::LIFECYCLE_CURRENT);
    p->set_latest_software_release("21.4R3-S5");
    p->set_standard_warranty_months(12);
    inv::Product product;
    grpc::Status s = Inv(&InvStub::CreateProduct, admin_, req, &product);
    ASSERT_TRUE(s.ok()) << s.error_message();
    RegisterUnit(kCustomerUnit, "ACME-001", /*advance_replacement=*/true);
  }

  void RegisterUnit(const std::string& serial, const std::string& account, bool advance_replacement) {
    inv::RegisterProductRequest reg;
    reg.set_request_id("reg-" + serial);
    reg.set_serial_number(serial);
    reg.set_sku(kSku);
    reg.set_account_id(account);
    reg.mutable_site()->set_region_code("US");
    reg.mutable_site()->set_locality("Austin");
    reg.mutable_site()->add_address_lines("1 Main Street");
    inv::Unit unit;
    grpc::Status s = Inv(&InvStub::RegisterProduct, admin_, reg, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (!advance_replacement) return;
    inv::CreateSupportContractRequest c;
    c.set_request_id("contract-" + serial);
    c.set_serial_number(serial);
    c.mutable_option()->set_level(inv::SUPPORT_LEVEL_NEXT_BUSINESS_DAY);
    c.mutable_option()->set_term_months(12);
    inv::SupportContract contract;
    s = Inv(&InvStub::CreateSupportContract, admin_, c, &contract);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Puts a certified unit into the depot spare pool.
  void AddSpare(const std::string& serial) {
    {
      grpc::ClientContext ctx;
      TestService::Authorize(ctx, admin_);
      inv::LoadGenuineSerialsResponse resp;
      auto writer = inv_stub_->LoadGenuineSerials(&ctx, &resp);
      inv::LoadGenuineSerialsRequest msg;
      msg.set_request_id("load-" + serial);
      auto* e = msg.add_entries();
      e->set_serial_number(serial);
      e->set_sku(kSku);
      writer->Write(msg);
      writer->WritesDone();
      grpc::Status s = writer->Finish();
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    inv::ReceiveUnitRequest rcv;
    rcv.set_request_id("rcv-" + serial);
    rcv.set_serial_number(serial);
    rcv.set_sku(kSku);
    rcv.set_source(inv::UNIT_SOURCE_STOCK_ROTATION);
    inv::Unit unit;
    grpc::Status s = Inv(&InvStub::ReceiveUnit, logistics_, rcv, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (int step = 1; step <= 6; ++step) {
      inv::RecordCertificationStepRequest req;
      req.set_request_id(absl::StrCat("step-", serial, "-", step));
      req.set_serial_number(serial);
      req.set_step(static_cast<inv::CertificationStep>(step));
      req.set_passed(true);
      if (step == 2) req.set_no_repair_needed(true);
      if (step == 3) req.set_software_version("21.4R3-S5");
      if (step == 6) req.set_test_report_reference("QT-" + serial);
      inv::RecordCertificationStepResponse r;
      s = Inv(&InvStub::RecordCertificationStep, logistics_, req, &r);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    inv::CertifyUnitRequest cert;
    cert.set_request_id("cert-" + serial);
    cert.set_serial_number(serial);
    s = Inv(&InvStub::CertifyUnit, logistics_, cert, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
    inv::MoveToSparePoolRequest mv;
    mv.set_request_id("spare-" + serial);
    mv.set_serial_number(serial);
    s = Inv(&InvStub::MoveToSparePool, logistics_, mv, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  inv::Unit Unit(const std::string& serial) {
    inv::GetUnitRequest req;
    req.set_serial_number(serial);
    inv::Unit unit;
    grpc::Status s = Inv(&InvStub::GetUnit, admin_, req, &unit);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return unit;
  }

  // --- rma-svc calls -----------------------------------------------------------

  pb::CreateRmaRequest CreateReq(pb::RmaType type, const std::string& request_id,
                                 const std::string& serial = kCustomerUnit) {
    pb::CreateRmaRequest req;
    req.set_request_id(request_id);
    req.set_serial_number(serial);
    req.set_account_id("ACME-001");
    req.set_technical_case_id("2026-0904-00017");
    req.set_type(type);
    req.set_failure_description("Switch reboots every few minutes; PFE errors in the logs");
    req.set_damage_cause(pb::DAMAGE_CAUSE_HARDWARE_FAILURE);
    auto* a = req.mutable_ship_to();
    a->set_region_code("US");
    a->set_locality("Austin");
    a->set_administrative_area("TX");
    a->set_postal_code("78701");
    a->add_address_lines("1 Main Street");
    a->set_recipient("ACME NOC");
    req.set_contact_email("noc@acme.example");
    return req;
  }

  pb::Rma Create(pb::RmaType type, const std::string& request_id = "create-1") {
    pb::Rma rma;
    grpc::Status s = Call(&RmaStub::CreateRma, tse_, CreateReq(type, request_id), &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  pb::Rma Approve(const std::string& name, const std::string& request_id = "approve-1") {
    pb::ApproveRmaRequest req;
    req.set_request_id(request_id);
    req.set_name(name);
    pb::Rma rma;
    grpc::Status s = Call(&RmaStub::ApproveRma, tse_, req, &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  pb::Rma Get(const std::string& name, const std::string& token = "") {
    pb::GetRmaRequest req;
    req.set_name(name);
    pb::Rma rma;
    grpc::Status s = Call(&RmaStub::GetRma, token.empty() ? tse_ : token, req, &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  // Waits (real time) until `done()` holds.
  bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time end = absl::Now() + timeout;
    while (absl::Now() < end) {
      if (done()) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return done();
  }

  pb::Rma WaitForSpare(const std::string& name) {
    pb::Rma rma;
    EXPECT_TRUE(WaitFor([&] {
      rma = Get(name);
      return !rma.replacement_serial_number().empty();
    })) << "no spare allocated";
    return rma;
  }

  pb::Rma Ship(const std::string& name, const std::string& request_id = "ship-1") {
    pb::ShipReplacementRequest req;
    req.set_request_id(request_id);
    req.set_name(name);
    req.set_carrier("UPS");
    req.set_tracking_number("1Z999AA10123456784");
    pb::Rma rma;
    grpc::Status s = Call(&RmaStub::ShipReplacement, logistics_, req, &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  // An advance replacement approved, its spare allocated and shipped.
  pb::Rma ShippedReplacement() {
    AddSpare("JN11SPARE001");
    pb::Rma created = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT);
    pb::Rma approved = Approve(created.validation_number());
    WaitForSpare(approved.rma_number());
    return Ship(approved.rma_number());
  }

  // Friday 2026-09-04 10:00 UTC.
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 9, 4, 10, 0, 0), absl::UTCTimeZone())};
  int inv_port_ = 0;
  std::unique_ptr<TestService> inv_;
  std::unique_ptr<ServiceRuntime> inv_runtime_;  // inventory-svc restarted on inv_'s database
  std::unique_ptr<TestService> rma_;
  std::unique_ptr<ServiceRuntime> rma_runtime_;  // rma-svc restarted on rma_'s database
  std::unique_ptr<RmaStub> stub_;
  std::unique_ptr<InvStub> inv_stub_;
  std::string admin_, tse_, agent_, logistics_, service_, customer_, other_customer_;
};

TEST_F(RmaIntegrationTest, AdvanceReplacementFromRequestToClose) {
  AddSpare("JN11SPARE001");
  pb::Rma created = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT);
  EXPECT_EQ(created.status(), pb::RMA_STATUS_PENDING);
  EXPECT_THAT(created.validation_number(), ::testing::StartsWith("V"));
  EXPECT_TRUE(created.rma_number().empty());
  EXPECT_EQ(created.sku(), kSku);
  EXPECT_EQ(created.list_price().amount_minor(), kListPrice);
  // The customer sees it by validation number.
  const pb::Rma pending = Get(created.validation_number(), customer_);
  EXPECT_EQ(pending.status(), pb::RMA_STATUS_PENDING);
  // What has not happened yet is absent, not 1970-01-01T00:00:00Z.
  for (const pb::Rma* r : std::vector<const pb::Rma*>{&created, &pending}) {
    EXPECT_TRUE(r->has_create_time());
    EXPECT_FALSE(r->has_approve_time());
    EXPECT_FALSE(r->has_return_due_time());
    EXPECT_FALSE(r->has_charge_time());
    EXPECT_FALSE(r->has_receive_time());
    EXPECT_FALSE(r->has_repair_time());
    EXPECT_FALSE(r->has_close_time());
    EXPECT_FALSE(r->has_replacement_shipment());
  }

  pb::Rma approved = Approve(created.validation_number());
  EXPECT_EQ(approved.status(), pb::RMA_STATUS_APPROVED);
  EXPECT_TRUE(approved.has_approve_time());
  EXPECT_FALSE(approved.has_close_time());
  EXPECT_THAT(approved.rma_number(), ::testing::MatchesRegex("R[0-9]{8}"));
  // The spare comes from inventory-svc through the outbox.
  pb::Rma with_spare = WaitForSpare(approved.rma_number());
  EXPECT_EQ(with_spare.replacement_serial_number(), "JN11SPARE001");
  EXPECT_EQ(Unit("JN11SPARE001").state(), inv::UNIT_STATE_ALLOCATED);
  EXPECT_EQ(Unit("JN11SPARE001").allocated_rma_number(), approved.rma_number());
  // The contract licensing-svc relies on: a service reads it by RMA number.
  pb::Rma for_licensing = Get(approved.rma_number(), service_);
  EXPECT_EQ(for_licensing.status(), pb::RMA_STATUS_APPROVED);
  EXPECT_EQ(for_licensing.serial_number(), kCustomerUnit);
  EXPECT_EQ(for_licensing.account_id(), "ACME-001");
  EXPECT_EQ(for_licensing.type(), pb::RMA_TYPE_ADVANCE_REPLACEMENT);

  // Return label for the ship-to country.
  pb::GetReturnLabelRequest lreq;
  lreq.set_name(approved.rma_number());
  pb::ReturnLabel label;
  ASSERT_TRUE(Call(&RmaStub::GetReturnLabel, customer_, lreq, &label).ok());
  EXPECT_EQ(label.rma_number(), approved.rma_number());
  EXPECT_EQ(label.return_location().location_code(), "US-SVL");
  EXPECT_EQ(label.barcode_payload(),
            absl::StrCat("RMA|", approved.rma_number(), "|SN|", kCustomerUnit, "|LOC|US-SVL"));

  // Shipped on Friday 2026-09-04: Labor Day (Mon 09-07) is skipped, so the
  // defective unit is due on Monday 2026-09-21.
  pb::Rma shipped = Ship(approved.rma_number());
  EXPECT_EQ(shipped.status(), pb::RMA_STATUS_REPLACEMENT_SHIPPED);
  EXPECT_EQ(shipped.return_due_date(), "2026-09-21");
  EXPECT_EQ(shipped.replacement_shipment().tracking_number(), "1Z999AA10123456784");
  // The installed base moves to the replacement (inventory-svc, outbox).
  ASSERT_TRUE(WaitFor([&] { return Unit(kCustomerUnit).state() == inv::UNIT_STATE_AWAITING_RETURN; }));
  inv::Unit replacement = Unit("JN11SPARE001");
  EXPECT_EQ(replacement.state(), inv::UNIT_STATE_IN_SERVICE);
  EXPECT_EQ(replacement.owner_account_id(), "ACME-001");

  // The wrong unit arrives: recorded, not accepted.
  pb::ReceiveReturnRequest wrong;
  wrong.set_request_id("rcv-wrong");
  wrong.set_rma_number(approved.rma_number());
  wrong.set_serial_number("JN11NOTMINE1");
  pb::ReceiveReturnResponse got;
  ASSERT_TRUE(Call(&RmaStub::ReceiveReturn, logistics_, wrong, &got).ok());
  EXPECT_FALSE(got.accepted());
  EXPECT_EQ(got.exception().received_serial_number(), "JN11NOTMINE1");
  EXPECT_EQ(got.rma().status(), pb::RMA_STATUS_REPLACEMENT_SHIPPED);
  EXPECT_EQ(Get(approved.rma_number()).receipt_exceptions_size(), 1);
  // A validation number is not enough to receive.
  pb::ReceiveReturnRequest by_v = wrong;
  by_v.set_request_id("rcv-v");
  by_v.set_rma_number(created.validation_number());
  by_v.set_serial_number(kCustomerUnit);
  EXPECT_THAT(Call(&RmaStub::ReceiveReturn, logistics_, by_v, &got),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("rma_number")));

  pb::ReceiveReturnRequest right = wrong;
  right.set_request_id("rcv-right");
  right.set_serial_number(kCustomerUnit);
  ASSERT_TRUE(Call(&RmaStub::ReceiveReturn, logistics_, right, &got).ok());
  EXPECT_TRUE(got.accepted());
  EXPECT_EQ(got.rma().status(), pb::RMA_STATUS_RECEIVED);
  // The received unit goes to inventory-svc as an RMA return.
  ASSERT_TRUE(WaitFor([&] { return Unit(kCustomerUnit).state() == inv::UNIT_STATE_RECEIVED; }));
  EXPECT_EQ(Unit(kCustomerUnit).source(), inv::UNIT_SOURCE_RMA_RETURN);

  pb::CloseRmaRequest close;
  close.set_request_id("close-1");
  close.set_name(approved.rma_number());
  pb::Rma closed;
  ASSERT_TRUE(Call(&RmaStub::CloseRma, logistics_, close, &closed).ok());
  EXPECT_EQ(closed.status(), pb::RMA_STATUS_CLOSED);

  // Every transition produced a notification, delivered through the outbox.
  pb::ListNotificationsRequest nreq;
  nreq.set_name(approved.rma_number());
  pb::ListNotificationsResponse notes;
  ASSERT_TRUE(WaitFor([&] {
    notes.Clear();
    if (!Call(&RmaStub::ListNotifications, customer_, nreq, &notes).ok()) return false;
    for (const auto& n : notes.notifications()) {
      if (!n.has_deliver_time()) return false;
    }
    return true;
  }));
  std::vector<std::string> templates;
  for (const auto& n : notes.notifications()) {
    templates.push_back(n.template_());
    EXPECT_EQ(n.recipient(), "noc@acme.example");
    EXPECT_EQ(n.copy_to_case_id(), "2026-0904-00017");
  }
  EXPECT_THAT(templates, ::testing::ElementsAre("rma_request_opened", "rma_approved",
                                                "replacement_shipped", "receipt_exception",
                                                "return_received", "rma_closed"));
}

TEST_F(RmaIntegrationTest, ReturnToFactoryIsReceivedRepairedAndShippedBack) {
  pb::Rma created = Create(pb::RMA_TYPE_RETURN_TO_FACTORY);
  pb::Rma approved = Approve(created.validation_number());
  EXPECT_TRUE(approved.replacement_serial_number().empty());
  pb::RecordRepairRequest repair;
  repair.set_request_id("repair-1");
  repair.set_name(approved.rma_number());
  repair.set_repair_summary("Replaced PFE board 711-0123");
  repair.set_software_version("21.4R3-S4");
  pb::Rma out;
  // Not received yet.
  EXPECT_THAT(Call(&RmaStub::RecordRepair, logistics_, repair, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("APPROVED")));
  pb::ReceiveReturnRequest rcv;
  rcv.set_request_id("rcv-1");
  rcv.set_rma_number(approved.rma_number());
  rcv.set_serial_number(kCustomerUnit);
  pb::ReceiveReturnResponse got;
  ASSERT_TRUE(Call(&RmaStub::ReceiveReturn, logistics_, rcv, &got).ok());
  EXPECT_EQ(got.rma().status(), pb::RMA_STATUS_RECEIVED);
  repair.set_request_id("repair-2");
  ASSERT_TRUE(Call(&RmaStub::RecordRepair, logistics_, repair, &out).ok());
  EXPECT_EQ(out.status(), pb::RMA_STATUS_REPAIRED);
  EXPECT_EQ(out.software_version(), "21.4R3-S4");
  pb::ShipRepairedUnitRequest ship;
  ship.set_request_id("back-1");
  ship.set_name(approved.rma_number());
  ship.set_carrier("FedEx");
  ship.set_tracking_number("7712 3456 7890");
  ASSERT_TRUE(Call(&RmaStub::ShipRepairedUnit, logistics_, ship, &out).ok());
  EXPECT_EQ(out.status(), pb::RMA_STATUS_REPAIR_SHIPPED);
  // Replacement steps do not apply to a repair.
  pb::ShipReplacementRequest repl;
  repl.set_request_id("repl");
  repl.set_name(approved.rma_number());
  repl.set_carrier("UPS");
  repl.set_tracking_number("1Z1");
  EXPECT_THAT(Call(&RmaStub::ShipReplacement, logistics_, repl, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("REPAIR_SHIPPED")));
  pb::CloseRmaRequest close;
  close.set_request_id("close");
  close.set_name(approved.rma_number());
  ASSERT_TRUE(Call(&RmaStub::CloseRma, tse_, close, &out).ok());
  EXPECT_EQ(out.status(), pb::RMA_STATUS_CLOSED);
  // The unit stayed in the customer's installed base.
  EXPECT_EQ(Unit(kCustomerUnit).owner_account_id(), "ACME-001");
}

// CreateRma's statements, counted from the server's general log (the
// transaction of the connection that wrote the RMA with its key, to its
// COMMIT; TestDatabase::TransactionWriting): the request-opened notification's deliveries
// are written in the transaction, so no outbox event (and no outbox pass and
// delivery transaction) follows the call.
TEST_F(RmaIntegrationTest, CreateRmaIsOneTransactionOfFourStatementsAndNoOutboxEvent) {
  const std::string request_id =
      absl::StrCat("stmts-", getpid(), "-", absl::ToUnixMicros(absl::Now()));
  pb::Rma created;
  grpc::Status s;
  absl::StatusOr<std::vector<std::string>> txn = rma_->database().TransactionWriting(
      absl::StrCat("INSERT INTO rmas%", request_id, "%"), [&] {
        s = Call(&RmaStub::CreateRma, tse_, CreateReq(pb::RMA_TYPE_ADVANCE_REPLACEMENT, request_id),
                 &created);
      });
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(txn.ok()) << txn.status();
  const std::string all = absl::StrJoin(*txn, "\n");
  EXPECT_THAT(all, ::testing::Not(HasSubstr("START TRANSACTION")));
  EXPECT_EQ(txn->back(), "COMMIT") << all;
  // The RMA with its key and answer (its id by RETURNING; the unique index
  // on open_serial holds the one-open-RMA rule), its notification (id by
  // RETURNING), every delivery in one INSERT … SELECT (the e-mail, the case
  // note, the account's webhooks), COMMIT (no START TRANSACTION: autocommit
  // is off on the connection).
  EXPECT_EQ(txn->size(), 4u) << all;
  EXPECT_THAT(all, ::testing::Not(HasSubstr("INSERT INTO idempotency_keys")));
  EXPECT_EQ(RmaCount(absl::StrCat("SELECT COUNT(*) FROM rmas WHERE request_id = '", request_id,
                                  "' AND validation_number = '", created.validation_number(), "'")),
            1);
  EXPECT_THAT(all, ::testing::Not(HasSubstr("LAST_INSERT_ID")));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("rma_serial_locks")));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("outbox_events")));
  EXPECT_THAT(all, HasSubstr("INSERT IGNORE INTO notification_deliveries"));
  // Nothing is left for the outbox; the deliveries are there as the call returns.
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM outbox_events"), 0);
  EXPECT_EQ(RmaCount(absl::StrCat("SELECT COUNT(*) FROM notification_deliveries WHERE event_key"
                                  " LIKE 'rma-", created.validation_number(), "-n%'")),
            2);  // the contact's e-mail and the technical case's note
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rma_notifications WHERE delivered_at_us IS NULL"), 0);
}

TEST_F(RmaIntegrationTest, RefusalsWriteNothing) {
  pb::Rma out;
  // Fire and acts of God.
  pb::CreateRmaRequest fire = CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "fire");
  fire.set_damage_cause(pb::DAMAGE_CAUSE_FLOOD);
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, fire, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("acts of God")));
  // A unit of another account, an unknown unit.
  RegisterUnit("JN11GLOBEX01", "GLOBEX-7", false);
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_,
                   CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "other", "JN11GLOBEX01"), &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("installed base")));
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_,
                   CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "unknown", "JN11NOPE0001"), &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("not known")));
  // Advance replacement without a contract that includes it.
  pb::CreateRmaRequest ar = CreateReq(pb::RMA_TYPE_ADVANCE_REPLACEMENT, "ar-globex", "JN11GLOBEX01");
  ar.set_account_id("GLOBEX-7");
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, ar, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("advance replacement")));
  // Bad input names the field.
  pb::CreateRmaRequest bad = CreateReq(pb::RMA_TYPE_DOA, "bad");
  bad.set_contact_email("nobody");
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, bad, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("contact_email")));
  bad = CreateReq(pb::RMA_TYPE_DOA, "bad2");
  bad.set_type(static_cast<pb::RmaType>(42));
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, bad, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("type")));
  // Roles.
  EXPECT_THAT(Call(&RmaStub::CreateRma, customer_, CreateReq(pb::RMA_TYPE_DOA, "c"), &out),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("customer")));
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 0);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM outbox_events"), 0);

  pb::Rma created = Create(pb::RMA_TYPE_DOA);
  pb::ApproveRmaRequest approve;
  approve.set_request_id("a");
  approve.set_name(created.validation_number());
  for (const std::string& t : {logistics_, customer_, service_}) {
    EXPECT_THAT(Call(&RmaStub::ApproveRma, t, approve, &out),
                GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("may not call ApproveRma")));
  }
  pb::ShipReplacementRequest ship;
  ship.set_request_id("s");
  ship.set_name(created.validation_number());
  ship.set_carrier("UPS");
  ship.set_tracking_number("1Z1");
  EXPECT_THAT(Call(&RmaStub::ShipReplacement, tse_, ship, &out),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("may not call ShipReplacement")));
  EXPECT_THAT(Call(&RmaStub::ShipReplacement, logistics_, ship, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("PENDING")));
}

TEST_F(RmaIntegrationTest, CustomersSeeOnlyTheirAccountsRmas) {
  pb::Rma created = Create(pb::RMA_TYPE_RETURN_TO_FACTORY);
  pb::GetRmaRequest get;
  get.set_name(created.validation_number());
  pb::Rma out;
  EXPECT_THAT(Call(&RmaStub::GetRma, other_customer_, get, &out),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  pb::ListRmasRequest list;
  pb::ListRmasResponse page;
  ASSERT_TRUE(Call(&RmaStub::ListRmas, other_customer_, list, &page).ok());
  EXPECT_EQ(page.rmas_size(), 0);
  list.set_account_id("ACME-001");
  EXPECT_THAT(Call(&RmaStub::ListRmas, other_customer_, list, &page),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  ASSERT_TRUE(Call(&RmaStub::ListRmas, customer_, list, &page).ok());
  EXPECT_EQ(page.rmas_size(), 1);
  pb::CancelRmaRequest cancel;
  cancel.set_request_id("cancel");
  cancel.set_name(created.validation_number());
  EXPECT_THAT(Call(&RmaStub::CancelRma, other_customer_, cancel, &out),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  // The customer amends and then cancels their pending request.
  pb::UpdateRmaRequest amend;
  amend.set_request_id("amend");
  amend.set_name(created.validation_number());
  amend.set_etag(created.etag());
  amend.mutable_rma()->set_contact_email("ops@acme.example");
  amend.mutable_update_mask()->add_paths("contact_email");
  ASSERT_TRUE(Call(&RmaStub::UpdateRma, customer_, amend, &out).ok());
  EXPECT_EQ(out.contact_email(), "ops@acme.example");
  amend.set_request_id("amend-again");
  EXPECT_THAT(Call(&RmaStub::UpdateRma, customer_, amend, &out),
              GrpcStatusIs(grpc::StatusCode::ABORTED, HasSubstr("etag")));
  ASSERT_TRUE(Call(&RmaStub::CancelRma, customer_, cancel, &out).ok());
  EXPECT_EQ(out.status(), pb::RMA_STATUS_CANCELLED);
}

TEST_F(RmaIntegrationTest, SameRequestIdReturnsTheFirstResult) {
  AddSpare("JN11SPARE001");
  pb::Rma first = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT, "same");
  pb::Rma second = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT, "same");
  EXPECT_EQ(first.validation_number(), second.validation_number());
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 1);
  pb::CreateRmaRequest other = CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "same");
  pb::Rma out;
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, other, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  pb::Rma a1 = Approve(first.validation_number(), "approve-same");
  pb::Rma a2 = Approve(first.validation_number(), "approve-same");
  EXPECT_EQ(a1.rma_number(), a2.rma_number());
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM outbox_events WHERE event_type = 'inventory.AllocateSpare'"), 1);
  // A second approval with another request_id is refused by the state machine.
  pb::ApproveRmaRequest again;
  again.set_request_id("approve-other");
  again.set_name(first.validation_number());
  EXPECT_THAT(Call(&RmaStub::ApproveRma, tse_, again, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("APPROVED")));
}

// CreateRma keeps its key on the RMA's row (migration 0005): a replay after
// the RMA changed gets the first answer, another request with the id is
// refused, concurrent calls with one id make one RMA, another method's key
// stops CreateRma, and a key kept in idempotency_keys (as before 0005) is
// still answered.
TEST_F(RmaIntegrationTest, CreateRmaKeepsItsKeyOnTheRmaAndAnswersReplaysFromIt) {
  pb::Rma first = Create(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-1");
  pb::CancelRmaRequest cancel;
  cancel.set_request_id("key-cancel");
  cancel.set_name(first.validation_number());
  pb::Rma out;
  ASSERT_TRUE(Call(&RmaStub::CancelRma, tse_, cancel, &out).ok());
  ASSERT_EQ(out.status(), pb::RMA_STATUS_CANCELLED);
  // The unit is free again, yet the replay makes no RMA: it gets the first answer.
  pb::Rma again = Create(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-1");
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(again.status(), pb::RMA_STATUS_PENDING);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 1);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = 'key-1'"), 0);
  pb::CreateRmaRequest other = CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-1");
  other.set_failure_description("another failure");
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, other, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 1);

  // Eight concurrent calls with one id: one RMA, one answer.
  std::vector<pb::Rma> answers(8);
  std::vector<grpc::Status> statuses(8);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        auto stub = pb::RmaService::NewStub(rma_->channel());
        statuses[i] = CallAs(stub.get(), &RmaStub::CreateRma, tse_,
                             CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-race"), &answers[i]);
      });
    }
    for (auto& t : threads) t.join();
  }
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(answers[i].validation_number(), answers[0].validation_number());
  }
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 2);

  // Another method's key first: CreateRma with it is refused, writes nothing.
  ASSERT_TRUE(Call(&RmaStub::CancelRma, tse_,
                   [&] {
                     pb::CancelRmaRequest c;
                     c.set_request_id("key-shared");
                     c.set_name(answers[0].validation_number());
                     return c;
                   }(),
                   &out)
                  .ok());
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_, CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-shared"),
                   &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 2);

  // A CreateRma key as a version before migration 0005 kept it.
  ASSERT_OK(rma_->database().Execute(absl::StrCat(
      "INSERT INTO idempotency_keys (caller, request_id, method, request_hash, response,"
      " created_at_us) SELECT request_caller, request_id, 'CreateRma', request_hash,"
      " request_response, 0 FROM rmas WHERE validation_number = '",
      first.validation_number(), "'")));
  ASSERT_OK(rma_->database().Execute(absl::StrCat(
      "UPDATE rmas SET request_caller = NULL, request_id = NULL, request_hash = NULL,"
      " request_response = NULL WHERE validation_number = '",
      first.validation_number(), "'")));
  again = Create(pb::RMA_TYPE_RETURN_TO_FACTORY, "key-1");
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 2);
}

TEST_F(RmaIntegrationTest, ConcurrentRequestsForOneUnitOpenOneRma) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([this, i, &ok] {
      pb::Rma out;
      pb::CreateRmaRequest req = CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, absl::StrCat("dup-", i));
      auto stub = pb::RmaService::NewStub(rma_->channel());
      grpc::Status s = CallAs(stub.get(), &RmaStub::CreateRma, tse_, req, &out);
      if (s.ok()) {
        ++ok;
      } else {
        EXPECT_TRUE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                    s.error_code() == grpc::StatusCode::ABORTED)
            << s.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 1);
}

TEST_F(RmaIntegrationTest, NonReturnIsChargedExactlyOnceBySeveralSweepers) {
  pb::Rma shipped = ShippedReplacement();
  ASSERT_EQ(shipped.return_due_date(), "2026-09-21");
  PageTokenCodec codec("0123456789abcdef0123456789abcdef");
  Rmas domain(clock_, &codec, RmaOptions{});
  // Four sweepers, as four replicas would run them, on their own stores.
  std::vector<std::unique_ptr<MysqlRmaStore>> stores;
  std::vector<std::unique_ptr<ReturnSweeper>> sweepers;
  for (int i = 0; i < 4; ++i) {
    stores.push_back(std::make_unique<MysqlRmaStore>(&rma_->runtime().pool(), &clock_));
    sweepers.push_back(std::make_unique<ReturnSweeper>(&domain, stores.back().get(), &clock_, nullptr));
  }
  // The last minute of the due day: not yet.
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 9, 21, 23, 59, 0), absl::UTCTimeZone()));
  ASSERT_OK_AND_ASSIGN(int early, sweepers[0]->SweepOnce());
  EXPECT_EQ(early, 0);
  EXPECT_FALSE(Get(shipped.rma_number()).overdue());
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 9, 22, 0, 0, 1), absl::UTCTimeZone()));
  std::atomic<int> charged{0};
  std::vector<std::thread> threads;
  for (auto& s : sweepers) {
    threads.emplace_back([&s, &charged] {
      for (int round = 0; round < 3; ++round) {
        auto n = s->SweepOnce();
        if (n.ok()) charged += *n;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(charged.load(), 1);
  pb::Rma after = Get(shipped.rma_number());
  EXPECT_TRUE(after.overdue());
  EXPECT_EQ(after.non_return_charge().amount_minor(), kListPrice);
  EXPECT_EQ(after.non_return_charge().currency_code(), "USD");
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rma_notifications WHERE template = 'non_return_charged'"), 1);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM outbox_events WHERE event_type = 'rma.Notification'"
                     " AND payload LIKE '%non_return_charged%'"),
            1);
  // It is listed as overdue.
  pb::ListOverdueReturnsRequest oreq;
  pb::ListOverdueReturnsResponse overdue;
  ASSERT_TRUE(Call(&RmaStub::ListOverdueReturns, agent_, oreq, &overdue).ok());
  ASSERT_EQ(overdue.rmas_size(), 1);
  EXPECT_EQ(overdue.rmas(0).rma_number(), shipped.rma_number());
  pb::ListRmasRequest lreq;
  lreq.set_overdue(true);
  lreq.set_account_id("ACME-001");
  pb::ListRmasResponse listed;
  ASSERT_TRUE(Call(&RmaStub::ListRmas, customer_, lreq, &listed).ok());
  EXPECT_EQ(listed.rmas_size(), 1);
}

// A refusal of inventory-svc that no retry can change (here: the customer's
// unit was scrapped meanwhile, so it cannot be swapped out of the installed
// base) dead-letters the outbox event at once, with inventory's reason, and
// the RMA's later events (the shipment's notification) are delivered after
// it instead of waiting behind it for ever.
TEST_F(RmaIntegrationTest, APermanentlyRefusedSwapIsDeadLetteredAndTheRmasLaterEventsGoOn) {
  AddSpare("JN11SPARE001");
  pb::Rma created = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT);
  pb::Rma approved = Approve(created.validation_number());
  WaitForSpare(approved.rma_number());
  ASSERT_OK(inv_->database().Execute(
      absl::StrCat("UPDATE units SET state = 'SCRAPPED' WHERE serial = '", kCustomerUnit, "'")));
  Ship(approved.rma_number());
  const std::string swap = "event_type = 'inventory.SwapInstalledBase'";
  ASSERT_TRUE(WaitFor([&] {
    return RmaCount("SELECT COUNT(*) FROM outbox_events WHERE " + swap +
                    " AND dead_at_us IS NOT NULL") == 1;
  })) << "the refused swap was not dead-lettered";
  EXPECT_EQ(RmaCount("SELECT attempts FROM outbox_events WHERE " + swap), 1);
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM outbox_events WHERE " + swap +
                     " AND delivered_at_us IS NULL AND last_error LIKE '%FAILED_PRECONDITION%'"),
            1);
  ASSERT_TRUE(WaitFor([&] {
    return RmaCount("SELECT COUNT(*) FROM outbox_events WHERE event_type = 'rma.Notification'"
                    " AND delivered_at_us IS NOT NULL AND id > (SELECT id FROM outbox_events"
                    " WHERE " + swap + ")") == 1;
  })) << "the shipment's notification waited behind the dead swap";
  EXPECT_EQ(Unit("JN11SPARE001").state(), inv::UNIT_STATE_ALLOCATED);  // nothing swapped
}

// "Overdue" is decided by Rma::Overdue in C++ and by the repository's SQL
// (the list filter, the sweeper's query and its charge). At a microsecond
// before the due time, at it, and a microsecond after, the MySQL repository,
// the fake (which asks Overdue) and Overdue itself give the same answer.
TEST_F(RmaIntegrationTest, OverdueIsOneRuleInSqlAndInTheDomain) {
  pb::Rma shipped = ShippedReplacement();
  const int64_t due_us = db::ToMicros(clock_.Now()) + 3'600'000'000;
  ASSERT_OK(rma_->database().Execute(absl::StrCat(
      "UPDATE rmas SET return_due_us = ", due_us, " WHERE rma_number = '", shipped.rma_number(), "'")));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, rma_->runtime().pool().Acquire());
  MysqlRmaRepository mysql(*conn, clock_);
  ASSERT_OK_AND_ASSIGN(std::optional<Rma> stored, mysql.FindByRmaNumber(shipped.rma_number(), false));
  ASSERT_TRUE(stored.has_value());
  FakeRmaRepository fake;
  fake.rmas[stored->id] = *stored;
  RmaFilter overdue;
  overdue.overdue = true;
  for (int64_t offset_us : {-1, 0, 1}) {
    SCOPED_TRACE(offset_us);
    const absl::Time now = db::FromMicros(due_us + offset_us);
    const bool expected = offset_us >= 0;
    EXPECT_EQ(stored->Overdue(now), expected);
    ASSERT_OK_AND_ASSIGN(std::vector<Rma> from_sql, mysql.ListRmas(overdue, 0, 50, now));
    ASSERT_OK_AND_ASSIGN(std::vector<Rma> from_fake, fake.ListRmas(overdue, 0, 50, now));
    EXPECT_EQ(from_sql.size(), expected ? 1u : 0u);
    EXPECT_EQ(from_fake.size(), from_sql.size());
    ASSERT_OK_AND_ASSIGN(std::vector<int64_t> uncharged, mysql.OverdueUncharged(now, 50));
    ASSERT_OK_AND_ASSIGN(std::vector<int64_t> fake_uncharged, fake.OverdueUncharged(now, 50));
    EXPECT_EQ(uncharged.size(), expected ? 1u : 0u);
    EXPECT_EQ(fake_uncharged, uncharged);
  }
  // The charge itself asks the same: not a microsecond early, then once.
  ASSERT_OK_AND_ASSIGN(bool early, mysql.ChargeIfDue(stored->id, db::FromMicros(due_us - 1)));
  EXPECT_FALSE(early);
  ASSERT_OK_AND_ASSIGN(bool on_time, mysql.ChargeIfDue(stored->id, db::FromMicros(due_us)));
  EXPECT_TRUE(on_time);
}

TEST_F(RmaIntegrationTest, RestartsLoseNothingAndDoubleNothing) {
  AddSpare("JN11SPARE001");
  pb::Rma created = Create(pb::RMA_TYPE_ADVANCE_REPLACEMENT);
  pb::Rma approved = Approve(created.validation_number());
  pb::Rma with_spare = WaitForSpare(approved.rma_number());

  // inventory-svc goes down. A new request cannot be checked: UNAVAILABLE,
  // nothing written. The shipment is recorded and its swap waits.
  inv_->Stop();
  pb::Rma refused;
  EXPECT_THAT(Call(&RmaStub::CreateRma, tse_,
                   CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "while-down", "JN11OTHER001"), &refused),
              GrpcStatusIs(grpc::StatusCode::UNAVAILABLE, HasSubstr("inventory-svc")));
  EXPECT_EQ(RmaCount("SELECT COUNT(*) FROM rmas"), 1);
  pb::Rma shipped = Ship(approved.rma_number());
  ASSERT_TRUE(WaitFor([&] {
    return RmaCount("SELECT COUNT(*) FROM outbox_events WHERE event_type ="
                    " 'inventory.SwapInstalledBase' AND delivered_at_us IS NULL AND attempts > 0") == 1;
  })) << "the swap was not attempted while inventory-svc was down";

  // rma-svc restarts too, in the middle of it (a stopping runtime hands its
  // outbox lease over; make sure it is free, as the lease of a dead process
  // would be once expired).
  rma_->Stop();
  ASSERT_OK(rma_->database().Execute(
      "UPDATE aftercare_leases SET expires_at_us = 0 WHERE name = 'outbox'"));
  auto inv_rt = ServiceRuntime::Create(
      inventory::Spec(),
      aftercare::testing::TestConfig(inventory::Spec(), inv_->database(),
                                     {{"grpc_port", std::to_string(inv_port_)},
                                      {"reservation_sweep_interval", "0"}}),
      &clock_);
  ASSERT_TRUE(inv_rt.ok()) << inv_rt.status();
  inv_runtime_ = *std::move(inv_rt);
  ASSERT_OK(inv_runtime_->Start());
  ASSERT_EQ(inv_runtime_->grpc_port(), inv_port_);
  auto rma_rt = ServiceRuntime::Create(
      Spec(),
      aftercare::testing::TestConfig(Spec(), rma_->database(),
                                     {{"inventory_target", InventoryAddress()},
                                      {"return_sweep_interval", "0"}}),
      &clock_);
  ASSERT_TRUE(rma_rt.ok()) << rma_rt.status();
  rma_runtime_ = *std::move(rma_rt);
  ASSERT_OK(rma_runtime_->Start());
  stub_ = pb::RmaService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", rma_runtime_->grpc_port()),
                                               grpc::InsecureChannelCredentials()));
  // Time passes (the retries back off on the service clock).
  ASSERT_TRUE(WaitFor([&] {
    clock_.Advance(absl::Seconds(30));
    return RmaCount("SELECT COUNT(*) FROM outbox_events WHERE delivered_at_us IS NULL") == 0;
  })) << "the outbox did not drain after the restarts; lease "
         << *rma_->database().QueryValue(
                "SELECT CONCAT(holder, ' fence ', fence, ' until ', expires_at_us)"
                " FROM aftercare_leases WHERE name = 'outbox'")
         << " pending "
         << *rma_->database().QueryValue(
                "SELECT GROUP_CONCAT(CONCAT(id, ':', event_type, ':', attempts, ':', next_attempt_at_us)) "
                "FROM outbox_events WHERE delivered_at_us IS NULL");
  EXPECT_EQ(Unit(kCustomerUnit).state(), inv::UNIT_STATE_AWAITING_RETURN);
  EXPECT_EQ(Unit("JN11SPARE001").state(), inv::UNIT_STATE_IN_SERVICE);
  EXPECT_EQ(Unit("JN11SPARE001").owner_account_id(), "ACME-001");
  const std::string swaps =
      "SELECT COUNT(*) FROM unit_events WHERE detail LIKE 'replaced by %'";
  const std::string allocations =
      "SELECT COUNT(*) FROM unit_events WHERE detail LIKE 'allocated to RMA %'";
  EXPECT_EQ(InvCount(swaps), 1);
  EXPECT_EQ(InvCount(allocations), 1);

  // A delivery whose answer was lost is delivered again: inventory-svc
  // answers from its request_id, nothing doubles, the spare stays the same.
  ASSERT_OK(rma_->database().Execute(
      "UPDATE outbox_events SET delivered_at_us = NULL, next_attempt_at_us = 0"
      " WHERE event_type IN ('inventory.AllocateSpare', 'inventory.SwapInstalledBase')"));
  ASSERT_TRUE(WaitFor([&] {
    return RmaCount("SELECT COUNT(*) FROM outbox_events WHERE delivered_at_us IS NULL") == 0;
  }));
  EXPECT_EQ(InvCount(swaps), 1);
  EXPECT_EQ(InvCount(allocations), 1);
  EXPECT_EQ(InvCount("SELECT COUNT(*) FROM units WHERE state = 'ALLOCATED'"), 0);
  pb::Rma after = Get(approved.rma_number());
  EXPECT_EQ(after.replacement_serial_number(), with_spare.replacement_serial_number());
  EXPECT_EQ(after.status(), pb::RMA_STATUS_REPLACEMENT_SHIPPED);
  EXPECT_EQ(after.return_due_date(), shipped.return_due_date());
}

// An outbox event whose payload does not parse is dead-lettered: not retried
// for ever (holding its RMA's later events back), not marked delivered
// (common/outbox.h).
TEST_F(RmaIntegrationTest, AnUnreadableOutboxPayloadIsDeadLetteredNotRetried) {
  // Field 1, 5 bytes announced, none there: no message parses from it.
  for (const char* type :
       {kEventAllocateSpare, kEventSwapInstalledBase, kEventIntake, kEventNotification}) {
    ASSERT_TRUE(rma_->database()
                    .Execute(absl::StrCat("INSERT INTO outbox_events (aggregate_type, aggregate_id,"
                                          " event_type, payload, created_at_us, next_attempt_at_us)"
                                          " VALUES ('rma', 'poison-", type, "', '", type,
                                          "', X'0A05', 0, 0)"))
                    .ok());
  }
  const std::string poison = "aggregate_id LIKE 'poison-%'";
  EXPECT_TRUE(WaitFor([&] {
    return RmaCount(absl::StrCat("SELECT COUNT(*) FROM outbox_events WHERE ", poison,
                                 " AND dead_at_us IS NOT NULL")) == 4;
  }));
  EXPECT_EQ(RmaCount(absl::StrCat("SELECT COUNT(*) FROM outbox_events WHERE ", poison,
                                  " AND delivered_at_us IS NULL AND attempts = 1"
                                  " AND last_error LIKE 'payload of % is not a %'")),
            4);
}

TEST_F(RmaIntegrationTest, ListsFilterAndPageWithKeysets) {
  for (int i = 1; i <= 4; ++i) {
    std::string serial = absl::StrCat("JN11PAGE000", i);
    RegisterUnit(serial, "ACME-001", false);
    pb::Rma r;
    ASSERT_TRUE(Call(&RmaStub::CreateRma, tse_,
                     CreateReq(pb::RMA_TYPE_RETURN_TO_FACTORY, "page-" + serial, serial), &r)
                    .ok());
  }
  pb::ListRmasRequest req;
  req.set_page_size(3);
  req.set_status(pb::RMA_STATUS_PENDING);
  req.set_type(pb::RMA_TYPE_RETURN_TO_FACTORY);
  pb::ListRmasResponse p1, p2;
  ASSERT_TRUE(Call(&RmaStub::ListRmas, agent_, req, &p1).ok());
  ASSERT_EQ(p1.rmas_size(), 3);
  ASSERT_FALSE(p1.next_page_token().empty());
  req.set_page_token(p1.next_page_token());
  ASSERT_TRUE(Call(&RmaStub::ListRmas, agent_, req, &p2).ok());
  ASSERT_EQ(p2.rmas_size(), 1);
  EXPECT_TRUE(p2.next_page_token().empty());
  std::set<std::string> seen;
  for (const auto& r : p1.rmas()) seen.insert(r.validation_number());
  for (const auto& r : p2.rmas()) seen.insert(r.validation_number());
  EXPECT_EQ(seen.size(), 4u);
  req.set_type(pb::RMA_TYPE_DOA);
  EXPECT_THAT(Call(&RmaStub::ListRmas, agent_, req, &p2),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
  pb::ListRmasRequest by_serial;
  by_serial.set_serial_number("jn11page0002");
  ASSERT_TRUE(Call(&RmaStub::ListRmas, agent_, by_serial, &p2).ok());
  ASSERT_EQ(p2.rmas_size(), 1);
  EXPECT_EQ(p2.rmas(0).serial_number(), "JN11PAGE0002");
}

TEST_F(RmaIntegrationTest, ReturnLocationsByCountryAndTheater) {
  pb::ListReturnLocationsRequest req;
  req.set_region_code("DE");
  pb::ListReturnLocationsResponse resp;
  ASSERT_TRUE(Call(&RmaStub::ListReturnLocations, customer_, req, &resp).ok());
  ASSERT_EQ(resp.return_locations_size(), 1);
  EXPECT_EQ(resp.return_locations(0).location_code(), "NL-AMS");
  EXPECT_EQ(resp.return_locations(0).theater(), "EMEA_EU");
  req.Clear();
  req.set_theater("APAC");
  req.set_page_size(2);
  ASSERT_TRUE(Call(&RmaStub::ListReturnLocations, customer_, req, &resp).ok());
  EXPECT_EQ(resp.return_locations_size(), 2);
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  pb::ListReturnLocationsResponse rest;
  ASSERT_TRUE(Call(&RmaStub::ListReturnLocations, customer_, req, &rest).ok());
  EXPECT_EQ(rest.return_locations_size(), 1);
  req.Clear();
  req.set_region_code("usa");
  EXPECT_THAT(Call(&RmaStub::ListReturnLocations, customer_, req, &resp),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("region_code")));
}

}  // namespace
}  // namespace aftercare::rma
