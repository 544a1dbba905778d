// licensing-svc against the real rma-svc (and the inventory-svc that rma-svc
// needs), all three in-process on MariaDB, over gRPC, with one FakeClock:
// licensing-svc asks rma-svc (GrpcRmaDirectory, role service) whether an RMA
// may be used for a transfer.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "aftercare/licensing/v1/licensing_service.grpc.pb.h"
#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/inventory_spec.h"
#include "licensing-svc/license_signer.h"
#include "licensing-svc/licensing_spec.h"
#include "licensing-svc/verifier/license_key_verifier.h"
#include "rma-svc/rma_spec.h"
#include "tests/harness/test_service.h"

#include <fstream>

namespace aftercare::licensing {
namespace {

namespace inv = ::aftercare::inventory::v1;
namespace rpb = ::aftercare::rma::v1;
namespace pb = ::aftercare::licensing::v1;
using ::aftercare::testing::GrpcStatusIs;
using ::aftercare::testing::PickFreePort;
using ::aftercare::testing::CallAs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;
using InvStub = inv::InventoryService::Stub;
using RmaStub = rpb::RmaService::Stub;
using LicStub = pb::LicensingService::Stub;

constexpr char kSku[] = "EX4300-48T";

class LicensingWithRmaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = Tok(Role::kAdmin, "admin-1");
    tse_ = Tok(Role::kTse, "tse-1");
    logistics_ = Tok(Role::kLogistics, "depot-1");
    customer_ = Tok(Role::kCustomer, "acme-user", {"ACME-001"});
    other_customer_ = Tok(Role::kCustomer, "globex-user", {"GLOBEX-7"});

    const int inv_port = PickFreePort();
    auto inv_svc = TestService::Start(
        inventory::Spec(), {.clock = &clock_,
                            .flags = {{"grpc_port", std::to_string(inv_port)},
                                      {"reservation_sweep_interval", "0"}}});
    ASSERT_TRUE(inv_svc.ok()) << inv_svc.status();
    inv_ = *std::move(inv_svc);
    inv_stub_ = inv::InventoryService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", inv_port), grpc::InsecureChannelCredentials()));

    const int rma_port = PickFreePort();
    auto rma_svc = TestService::Start(
        rma::Spec(), {.clock = &clock_,
                      .flags = {{"grpc_port", std::to_string(rma_port)},
                                {"inventory_target", absl::StrCat("127.0.0.1:", inv_port)},
                                {"return_sweep_interval", "0"}}});
    ASSERT_TRUE(rma_svc.ok()) << rma_svc.status();
    rma_ = *std::move(rma_svc);
    rma_stub_ = rpb::RmaService::NewStub(rma_->channel());

    auto pem = GenerateEd25519PrivateKeyPem();
    ASSERT_TRUE(pem.ok());
    key_file_ = ::testing::TempDir() + "/licensing_rma_it_" + std::to_string(::getpid()) + ".pem";
    {
      std::ofstream out(key_file_);
      out << *pem;
    }
    auto lic_svc = TestService::Start(
        Spec(), {.clock = &clock_,
                 .flags = {{"rma_target", absl::StrCat("127.0.0.1:", rma_port)},
                           {"license_signing_key_files", key_file_}}});
    ASSERT_TRUE(lic_svc.ok()) << lic_svc.status();
    lic_ = *std::move(lic_svc);
    lic_stub_ = pb::LicensingService::NewStub(lic_->channel());

    SeedInventory();
  }

  void TearDown() override {
    lic_.reset();
    rma_.reset();
    inv_.reset();
    std::remove(key_file_.c_str());
  }

  std::string Tok(Role role, const std::string& subject, std::vector<std::string> accounts = {}) {
    return TestService::Token(role, subject, std::move(accounts), "", false, clock_.Now(),
                              absl::Hours(24 * 365));
  }

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& req, Resp* resp) {
    return CallAs(stub, method, token, req, resp);
  }

  void Ok(const grpc::Status& s) { ASSERT_TRUE(s.ok()) << s.error_message(); }

  // --- inventory-svc: a product, customer units with contracts, one spare ---

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
    p->mutable_list_price()->set_amount_minor(1234567);
    p->set_lifecycle(inv::LIFECYCLE_CURRENT);
    p->set_latest_software_release("21.4R3-S5");
    p->set_standard_warranty_months(12);
    inv::Product product;
    Ok(Call(inv_stub_.get(), &InvStub::CreateProduct, admin_, req, &product));
    for (const char* serial : {"JN11CUST0001", "JN11CUST0002", "JN11CUST0003"}) {
      RegisterUnit(serial);
    }
    AddSpare("JN11SPARE001");
  }

  void RegisterUnit(const std::string& serial) {
    inv::RegisterProductRequest reg;
    reg.set_request_id("reg-" + serial);
    reg.set_serial_number(serial);
    reg.set_sku(kSku);
    reg.set_account_id("ACME-001");
    reg.mutable_site()->set_region_code("US");
    reg.mutable_site()->set_locality("Austin");
    reg.mutable_site()->add_address_lines("1 Main Street");
    inv::Unit unit;
    Ok(Call(inv_stub_.get(), &InvStub::RegisterProduct, admin_, reg, &unit));
    inv::CreateSupportContractRequest c;
    c.set_request_id("contract-" + serial);
    c.set_serial_number(serial);
    c.mutable_option()->set_level(inv::SUPPORT_LEVEL_NEXT_BUSINESS_DAY);
    c.mutable_option()->set_term_months(12);
    inv::SupportContract contract;
    Ok(Call(inv_stub_.get(), &InvStub::CreateSupportContract, admin_, c, &contract));
  }

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
      Ok(writer->Finish());
    }
    inv::ReceiveUnitRequest rcv;
    rcv.set_request_id("rcv-" + serial);
    rcv.set_serial_number(serial);
    rcv.set_sku(kSku);
    rcv.set_source(inv::UNIT_SOURCE_STOCK_ROTATION);
    inv::Unit unit;
    Ok(Call(inv_stub_.get(), &InvStub::ReceiveUnit, logistics_, rcv, &unit));
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
      Ok(Call(inv_stub_.get(), &InvStub::RecordCertificationStep, logistics_, req, &r));
    }
    inv::CertifyUnitRequest cert;
    cert.set_request_id("cert-" + serial);
    cert.set_serial_number(serial);
    Ok(Call(inv_stub_.get(), &InvStub::CertifyUnit, logistics_, cert, &unit));
    inv::MoveToSparePoolRequest mv;
    mv.set_request_id("spare-" + serial);
    mv.set_serial_number(serial);
    Ok(Call(inv_stub_.get(), &InvStub::MoveToSparePool, logistics_, mv, &unit));
  }

  // --- rma-svc ---

  rpb::Rma CreateRma(const std::string& serial, rpb::RmaType type) {
    rpb::CreateRmaRequest req;
    req.set_request_id("create-" + serial);
    req.set_serial_number(serial);
    req.set_account_id("ACME-001");
    req.set_technical_case_id("2026-0904-00017");
    req.set_type(type);
    req.set_failure_description("Switch reboots every few minutes; PFE errors in the logs");
    req.set_damage_cause(rpb::DAMAGE_CAUSE_HARDWARE_FAILURE);
    auto* a = req.mutable_ship_to();
    a->set_region_code("US");
    a->set_locality("Austin");
    a->set_administrative_area("TX");
    a->set_postal_code("78701");
    a->add_address_lines("1 Main Street");
    a->set_recipient("ACME NOC");
    req.set_contact_email("noc@acme.example");
    rpb::Rma rma;
    grpc::Status s = Call(rma_stub_.get(), &RmaStub::CreateRma, tse_, req, &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  rpb::Rma Approve(const std::string& name) {
    rpb::ApproveRmaRequest req;
    req.set_request_id("approve-" + name);
    req.set_name(name);
    rpb::Rma rma;
    grpc::Status s = Call(rma_stub_.get(), &RmaStub::ApproveRma, tse_, req, &rma);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return rma;
  }

  rpb::Rma GetRma(const std::string& name) {
    rpb::GetRmaRequest req;
    req.set_name(name);
    rpb::Rma rma;
    EXPECT_TRUE(Call(rma_stub_.get(), &RmaStub::GetRma, tse_, req, &rma).ok());
    return rma;
  }

  // Waits (real time) for the spare allocated through rma-svc's outbox.
  rpb::Rma WaitForSpare(const std::string& name) {
    const absl::Time end = absl::Now() + absl::Seconds(20);
    rpb::Rma rma;
    while (absl::Now() < end) {
      rma = GetRma(name);
      if (!rma.replacement_serial_number().empty()) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return rma;
  }

  // --- licensing-svc ---

  pb::License BuyAndActivate(const std::string& serial, const std::string& tag) {
    pb::CreateEntitlementRequest req;
    req.set_request_id("buy-" + tag);
    req.set_account_id("ACME-001");
    pb::LicenseProduct* p = req.mutable_product();
    p->set_sku("S-EX-A-C2-P");
    p->set_feature("advanced-routing");
    p->set_capacity(48);
    p->set_term_type(pb::TERM_TYPE_SUBSCRIPTION);
    p->set_term_months(12);
    p->set_licensing_system(pb::LICENSING_SYSTEM_JUNOS);
    p->set_unlock_key_required(true);
    pb::CreateEntitlementResponse bought;
    EXPECT_TRUE(Call(lic_stub_.get(), &LicStub::CreateEntitlement, admin_, req, &bought).ok());
    pb::ActivateLicenseRequest act;
    act.set_request_id("act-" + tag);
    act.set_activation_code(bought.activation_code());
    act.set_device_serial(serial);
    pb::ActivateLicenseResponse activated;
    grpc::Status s = Call(lic_stub_.get(), &LicStub::ActivateLicense, customer_, act, &activated);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return activated.license();
  }

  grpc::Status Transfer(const std::string& token, const std::string& name,
                        const std::string& request_id, pb::RmaTransfer* out) {
    pb::TransferLicensesRequest req;
    req.set_request_id(request_id);
    req.set_rma_number(name);
    return Call(lic_stub_.get(), &LicStub::TransferLicenses, token, req, out);
  }

  pb::KeyVerdict Verify(const std::string& key, const std::string& serial) {
    pb::VerifyLicenseKeyRequest req;
    req.set_license_key(key);
    req.set_device_serial(serial);
    pb::VerifyLicenseKeyResponse resp;
    EXPECT_TRUE(Call(lic_stub_.get(), &LicStub::VerifyLicenseKey, customer_, req, &resp).ok());
    return resp.verdict();
  }

  FakeClock clock_{absl::FromUnixSeconds(1788480000)};  // 2026-09-04
  std::string key_file_;
  std::unique_ptr<TestService> inv_, rma_, lic_;
  std::unique_ptr<InvStub> inv_stub_;
  std::unique_ptr<RmaStub> rma_stub_;
  std::unique_ptr<LicStub> lic_stub_;
  std::string admin_, tse_, logistics_, customer_, other_customer_;
};

TEST_F(LicensingWithRmaTest, TransferChecksTheRealRmaThenMovesTheKeys) {
  pb::License old_lic = BuyAndActivate("JN11CUST0001", "1");
  rpb::Rma created = CreateRma("JN11CUST0001", rpb::RMA_TYPE_ADVANCE_REPLACEMENT);
  ASSERT_EQ(created.status(), rpb::RMA_STATUS_PENDING);
  pb::RmaTransfer t;
  // Pending: only a validation number exists, and it is refused with the reason.
  EXPECT_THAT(Transfer(customer_, created.validation_number(), "t-pending", &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("PENDING")));

  rpb::Rma approved = Approve(created.validation_number());
  ASSERT_FALSE(approved.rma_number().empty());
  rpb::Rma with_spare = WaitForSpare(approved.rma_number());
  ASSERT_EQ(with_spare.replacement_serial_number(), "JN11SPARE001");

  // Another account's customer cannot use it.
  EXPECT_THAT(Transfer(other_customer_, approved.rma_number(), "t-other", &t),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, ::testing::_));

  ASSERT_TRUE(Transfer(customer_, approved.rma_number(), "t-1", &t).ok());
  EXPECT_EQ(t.from_serial(), "JN11CUST0001");
  EXPECT_EQ(t.to_serial(), "JN11SPARE001");
  ASSERT_EQ(t.licenses_size(), 1);
  EXPECT_EQ(t.licenses(0).old_license_id(), old_lic.license_id());
  EXPECT_EQ(Verify(old_lic.license_key(), "JN11CUST0001"), pb::KEY_VERDICT_REVOKED);
  pb::GetLicenseRequest get;
  get.set_license_id(t.licenses(0).new_license_id());
  pb::License new_lic;
  ASSERT_TRUE(Call(lic_stub_.get(), &LicStub::GetLicense, customer_, get, &new_lic).ok());
  EXPECT_EQ(Verify(new_lic.license_key(), "JN11SPARE001"), pb::KEY_VERDICT_VALID);

  pb::RmaTransfer again;
  ASSERT_TRUE(Transfer(customer_, approved.rma_number(), "t-2", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), t.SerializeAsString());
}

TEST_F(LicensingWithRmaTest, CancelledAndRepairRmasCannotBeUsed) {
  BuyAndActivate("JN11CUST0002", "2");
  BuyAndActivate("JN11CUST0003", "3");
  rpb::Rma cancelled = CreateRma("JN11CUST0002", rpb::RMA_TYPE_ADVANCE_REPLACEMENT);
  rpb::CancelRmaRequest cancel;
  cancel.set_request_id("cancel-1");
  cancel.set_name(cancelled.validation_number());
  cancel.set_reason("customer fixed it");
  rpb::Rma out;
  ASSERT_TRUE(Call(rma_stub_.get(), &RmaStub::CancelRma, customer_, cancel, &out).ok());
  pb::RmaTransfer t;
  EXPECT_THAT(Transfer(customer_, cancelled.validation_number(), "c-1", &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("CANCELLED")));

  // Return-to-factory: approved, but no replacement unit is ever allocated.
  rpb::Rma repair = CreateRma("JN11CUST0003", rpb::RMA_TYPE_RETURN_TO_FACTORY);
  rpb::Rma approved = Approve(repair.validation_number());
  ASSERT_FALSE(approved.rma_number().empty());
  EXPECT_THAT(Transfer(customer_, approved.rma_number(), "c-2", &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION,
                           HasSubstr("no replacement serial")));
  EXPECT_THAT(Transfer(customer_, "R99999999", "c-3", &t),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, ::testing::_));
  EXPECT_EQ(*lic_->database().QueryValue("SELECT COUNT(*) FROM rma_transfers"), "0");
}

}  // namespace
}  // namespace aftercare::licensing
