// Integration tests of inventory-svc: the real service on port 0, real gRPC,
// a fresh MariaDB database per test, and a FakeClock.
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/sync.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "common/db/sql_time.h"
#include "inventory-svc/fake_inventory_repository.h"
#include "inventory-svc/inventory_spec.h"
#include "inventory-svc/mysql_inventory_repository.h"
#include "tests/harness/test_service.h"

namespace aftercare::inventory {
namespace {

namespace pb = ::aftercare::inventory::v1;
using ::aftercare::testing::GrpcStatusIs;
using ::aftercare::testing::CallAs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;
using Stub = pb::InventoryService::Stub;

constexpr char kSku[] = "EX4300-48T";

class InventoryIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto svc = TestService::Start(Spec(), {.clock = &clock_, .flags = {{"db_pool_size", "8"}}});
    ASSERT_TRUE(svc.ok()) << svc.status();
    svc_ = *std::move(svc);
    stub_ = pb::InventoryService::NewStub(svc_->channel());
    admin_ = Tok(Role::kAdmin, "admin-1");
    logistics_ = Tok(Role::kLogistics, "lab-1");
    partner_ = Tok(Role::kPartner, "purewrx-user", {}, "purewrx", true);
    service_ = Tok(Role::kService, "rma-svc");
    customer_ = Tok(Role::kCustomer, "acme-user", {"ACME-001"});
  }

  // A token valid at the fake clock's time (TestService::Token uses real time).
  std::string Tok(Role role, const std::string& subject, std::vector<std::string> accounts = {},
                  const std::string& partner = "", bool cpo = false) {
    return TestService::Token(role, subject, std::move(accounts), partner, cpo, clock_.Now(),
                              absl::Hours(24 * 365));
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& req, Resp* resp) {
    return CallAs(stub_.get(), method, token, req, resp);
  }

  int64_t Count(const std::string& sql) {
    auto v = svc_->database().QueryValue(sql);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }

  void CreateProduct(const std::string& sku, pb::Lifecycle lifecycle, int64_t list_minor) {
    pb::CreateProductRequest req;
    req.set_request_id("create-" + sku);
    pb::Product* p = req.mutable_product();
    p->set_sku(sku);
    p->set_display_name(sku + " switch");
    p->set_family(pb::PRODUCT_FAMILY_SWITCHING);
    p->set_series("EX Series");
    p->set_platform("EX4300");
    p->mutable_list_price()->set_currency_code("USD");
    p->mutable_list_price()->set_amount_minor(list_minor);
    p->set_lifecycle(lifecycle);
    if (lifecycle == pb::LIFECYCLE_END_OF_PRODUCTION) {
      p->mutable_end_of_production_time()->set_seconds(1700000000);
    }
    p->set_latest_software_release("21.4R3-S5");
    p->set_standard_warranty_months(12);
    pb::Product resp;
    ASSERT_TRUE(Call(&Stub::CreateProduct, admin_, req, &resp).ok());
  }

  // Loads genuine serials through the client stream, `per_message` per message.
  grpc::Status LoadSerials(const std::vector<std::string>& serials, const std::string& sku,
                           const std::string& request_id, pb::LoadGenuineSerialsResponse* resp,
                           int per_message = 1000, const std::string& token = "") {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, token.empty() ? admin_ : token);
    auto writer = stub_->LoadGenuineSerials(&ctx, resp);
    pb::LoadGenuineSerialsRequest msg;
    msg.set_request_id(request_id);
    for (size_t i = 0; i < serials.size(); ++i) {
      auto* e = msg.add_entries();
      e->set_serial_number(serials[i]);
      e->set_sku(sku);
      if (msg.entries_size() == per_message || i + 1 == serials.size()) {
        if (!writer->Write(msg)) break;
        msg.Clear();
      }
    }
    writer->WritesDone();
    return writer->Finish();
  }

  void Receive(const std::string& serial, const std::string& sku = kSku) {
    pb::ReceiveUnitRequest req;
    req.set_request_id("rcv-" + serial);
    req.set_serial_number(serial);
    req.set_sku(sku);
    req.set_source(pb::UNIT_SOURCE_DEMO_RETURN);
    pb::Unit unit;
    grpc::Status s = Call(&Stub::ReceiveUnit, logistics_, req, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(unit.state(), pb::UNIT_STATE_RECEIVED);
  }

  grpc::Status RecordStep(const std::string& serial, pb::CertificationStep step,
                          pb::RecordCertificationStepResponse* resp) {
    pb::RecordCertificationStepRequest req;
    req.set_request_id(absl::StrCat("step-", serial, "-", step));
    req.set_serial_number(serial);
    req.set_step(step);
    req.set_passed(true);
    if (step == pb::CERTIFICATION_STEP_COMPONENT_REPAIR) req.set_no_repair_needed(true);
    if (step == pb::CERTIFICATION_STEP_SOFTWARE_UPDATE) req.set_software_version("21.4R3-S5");
    if (step == pb::CERTIFICATION_STEP_QUALIFICATION_TEST) req.set_test_report_reference("QT-" + serial);
    return Call(&Stub::RecordCertificationStep, logistics_, req, resp);
  }

  // Receives, runs the six steps and certifies (serials must be registered).
  void Certify(const std::string& serial, const std::string& sku = kSku) {
    Receive(serial, sku);
    for (int step = 1; step <= 6; ++step) {
      pb::RecordCertificationStepResponse r;
      grpc::Status s = RecordStep(serial, static_cast<pb::CertificationStep>(step), &r);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_TRUE(r.event().passed()) << r.event().detail();
    }
    pb::CertifyUnitRequest req;
    req.set_request_id("cert-" + serial);
    req.set_serial_number(serial);
    pb::Unit unit;
    grpc::Status s = Call(&Stub::CertifyUnit, logistics_, req, &unit);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(unit.state(), pb::UNIT_STATE_CERTIFIED);
  }

  grpc::Status Reserve(const std::string& token, const std::string& serial, const std::string& sku,
                       const std::string& request_id, pb::Reservation* out) {
    pb::ReserveUnitRequest req;
    req.set_request_id(request_id);
    if (!serial.empty()) req.set_serial_number(serial);
    if (!sku.empty()) req.set_sku(sku);
    req.set_ship_to_region_code("US");
    return Call(&Stub::ReserveUnit, token, req, out);
  }

  pb::Unit GetUnit(const std::string& serial, const std::string& token = "") {
    pb::GetUnitRequest req;
    req.set_serial_number(serial);
    pb::Unit unit;
    grpc::Status s = Call(&Stub::GetUnit, token.empty() ? admin_ : token, req, &unit);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return unit;
  }

  FakeClock clock_{absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()))};
  std::unique_ptr<TestService> svc_;
  std::unique_ptr<Stub> stub_;
  std::string admin_, logistics_, partner_, service_, customer_;
};

TEST_F(InventoryIntegrationTest, OperatorWalkReceiveCertifyReserveSellEntitlement) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 1'234'567);
  // The registry, streamed: 2,500 serials in three messages.
  std::vector<std::string> serials;
  for (int i = 0; i < 2500; ++i) serials.push_back(absl::StrFormat("JN%08d", i));
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials(serials, kSku, "load-1", &loaded).ok());
  EXPECT_EQ(loaded.received_count(), 2500);
  EXPECT_EQ(loaded.inserted_count(), 2500);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM genuine_serials"), 2500);

  const std::string serial = "JN00000042";
  Certify(serial);
  pb::Unit certified = GetUnit(serial);
  EXPECT_EQ(certified.certificate_id(), "CPO-JN00000042-1");
  EXPECT_EQ(certified.certified_by(), "lab-1");

  pb::ListCpoOffersRequest offers_req;
  offers_req.set_in_stock_only(true);
  pb::ListCpoOffersResponse offers;
  ASSERT_TRUE(Call(&Stub::ListCpoOffers, partner_, offers_req, &offers).ok());
  ASSERT_EQ(offers.offers_size(), 1);
  EXPECT_EQ(offers.offers(0).available_count(), 1);
  EXPECT_EQ(offers.offers(0).lines(0).cpo_price().amount_minor(), 1'234'567 - 271'605);

  pb::Reservation reservation;
  grpc::Status reserved = Reserve(partner_, serial, "", "rsv-1", &reservation);
  ASSERT_TRUE(reserved.ok()) << reserved.error_message();
  EXPECT_EQ(reservation.price().amount_minor(), 1'234'567 - 271'605);
  EXPECT_EQ(reservation.discount_basis_points(), 2200);
  EXPECT_EQ(reservation.partner_id(), "purewrx");
  EXPECT_EQ(reservation.expire_time().seconds() - reservation.create_time().seconds(), 72 * 3600);

  pb::SellUnitRequest sell;
  sell.set_request_id("sell-1");
  sell.set_serial_number(serial);
  sell.set_buyer_account_id("ACME-001");
  auto* option = sell.add_support_options();
  option->set_level(pb::SUPPORT_LEVEL_NEXT_BUSINESS_DAY);
  option->set_term_months(36);
  pb::SellUnitResponse sold;
  grpc::Status s = Call(&Stub::SellUnit, partner_, sell, &sold);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(sold.unit().state(), pb::UNIT_STATE_SOLD);
  EXPECT_EQ(sold.unit().sale_price().amount_minor(), 1'234'567 - 271'605);
  ASSERT_EQ(sold.contracts_size(), 1);

  // The customer of ACME-001 looks its entitlement up three ways.
  pb::GetEntitlementRequest by_serial;
  by_serial.set_serial_number(serial);
  pb::Entitlement ent;
  ASSERT_TRUE(Call(&Stub::GetEntitlement, customer_, by_serial, &ent).ok());
  EXPECT_EQ(ent.original_purchaser_account_id(), "ACME-001");
  EXPECT_EQ(ent.owner_account_id(), "ACME-001");
  EXPECT_EQ(ent.warranty_status(), pb::WARRANTY_STATUS_ACTIVE);
  EXPECT_EQ(ent.warranty_kind(), pb::WARRANTY_KIND_STANDARD);
  EXPECT_EQ(ent.series(), "EX Series");
  EXPECT_EQ(ent.platform(), "EX4300");
  EXPECT_EQ(ent.sku(), kSku);
  EXPECT_EQ(ent.list_price().amount_minor(), 1'234'567);
  EXPECT_TRUE(ent.within_doa_window());
  EXPECT_TRUE(ent.entitled());
  EXPECT_TRUE(ent.advance_replacement());
  EXPECT_FALSE(ent.grey_market());
  EXPECT_EQ(ent.ship_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  pb::GetEntitlementRequest by_ssrn;
  by_ssrn.set_ssrn(ent.ssrn());
  pb::Entitlement ent2;
  ASSERT_TRUE(Call(&Stub::GetEntitlement, customer_, by_ssrn, &ent2).ok());
  EXPECT_EQ(ent2.serial_number(), serial);
  pb::GetEntitlementRequest by_contract;
  by_contract.set_contract_id(sold.contracts(0).contract_id());
  pb::Entitlement ent3;
  ASSERT_TRUE(Call(&Stub::GetEntitlement, service_, by_contract, &ent3).ok());
  EXPECT_EQ(ent3.serial_number(), serial);

  // The unit is in the buyer's installed base, and its history has every step.
  pb::ListInstalledBaseRequest base_req;
  base_req.set_account_id("ACME-001");
  pb::ListInstalledBaseResponse base;
  ASSERT_TRUE(Call(&Stub::ListInstalledBase, customer_, base_req, &base).ok());
  ASSERT_EQ(base.units_size(), 1);
  EXPECT_EQ(base.units(0).serial_number(), serial);
  pb::ListUnitEventsRequest hist_req;
  hist_req.set_serial_number(serial);
  pb::ListUnitEventsResponse hist;
  ASSERT_TRUE(Call(&Stub::ListUnitEvents, admin_, hist_req, &hist).ok());
  int steps = 0;
  for (const auto& e : hist.events()) steps += e.kind() == "CERTIFICATION_STEP" ? 1 : 0;
  EXPECT_EQ(steps, 6);
  EXPECT_EQ(hist.events(hist.events_size() - 2).to_state(), pb::UNIT_STATE_SOLD);
}

// FindEntitlementFacts reads the unit, its product and its contracts in one
// statement (a join); the interface's default reads them one by one. Both
// must give the same facts: with no contract, with several (by id, not by
// insertion order), for an unknown serial; and the join stays on indexes.
TEST_F(InventoryIntegrationTest, EntitlementFactsInOneStatementMatchTheThreeReads) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 1'234'567);
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"JNF0000001", "JNF0000002"}, kSku, "load-facts", &loaded).ok());
  Receive("JNF0000001");
  Receive("JNF0000002");
  ASSERT_TRUE(svc_->database()
                  .Execute("INSERT INTO support_contracts (id, serial, account_id, level, start_us,"
                           " end_us, purchased_at_sale, pre_approval_reference) VALUES"
                           " (900002, 'JNF0000001', 'ACME-001', 'NEXT_DAY', 1000, 2000, 1, 'PA-2'),"
                           " (900001, 'JNF0000001', 'ACME-001', 'CORE', 500, 3000, 0, '')")
                  .ok());
  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(svc_->database().Options(1), nullptr));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool->Acquire());
  MysqlInventoryRepository repo(*conn);
  for (const char* serial : {"JNF0000001", "JNF0000002", "JNF0000009"}) {
    SCOPED_TRACE(serial);
    ASSERT_OK_AND_ASSIGN(std::optional<EntitlementFacts> joined, repo.FindEntitlementFacts(serial));
    ASSERT_OK_AND_ASSIGN(std::optional<EntitlementFacts> apart,
                         repo.InventoryRepository::FindEntitlementFacts(serial));
    ASSERT_EQ(joined.has_value(), apart.has_value());
    if (!joined) continue;
    EXPECT_EQ(joined->unit.serial, apart->unit.serial);
    EXPECT_EQ(joined->unit.id, apart->unit.id);
    EXPECT_EQ(joined->unit.state, apart->unit.state);
    EXPECT_EQ(joined->unit.version, apart->unit.version);
    EXPECT_EQ(joined->unit.receive_time, apart->unit.receive_time);
    EXPECT_EQ(joined->unit.update_time, apart->unit.update_time);
    ASSERT_TRUE(joined->product.has_value());
    ASSERT_TRUE(apart->product.has_value());
    EXPECT_EQ(joined->product->sku, kSku);
    EXPECT_EQ(joined->product->list_price.amount_minor, apart->product->list_price.amount_minor);
    EXPECT_EQ(joined->product->lifecycle, apart->product->lifecycle);
    EXPECT_EQ(joined->product->standard_warranty_months, apart->product->standard_warranty_months);
    EXPECT_EQ(joined->product->update_time, apart->product->update_time);
    ASSERT_EQ(joined->contracts.size(), apart->contracts.size());
    for (size_t i = 0; i < joined->contracts.size(); ++i) {
      EXPECT_EQ(joined->contracts[i].id, apart->contracts[i].id);
      EXPECT_EQ(joined->contracts[i].level, apart->contracts[i].level);
      EXPECT_EQ(joined->contracts[i].start, apart->contracts[i].start);
      EXPECT_EQ(joined->contracts[i].end, apart->contracts[i].end);
      EXPECT_EQ(joined->contracts[i].purchased_at_sale, apart->contracts[i].purchased_at_sale);
      EXPECT_EQ(joined->contracts[i].pre_approval_reference,
                apart->contracts[i].pre_approval_reference);
    }
  }
  ASSERT_OK_AND_ASSIGN(std::optional<EntitlementFacts> two, repo.FindEntitlementFacts("JNF0000001"));
  ASSERT_EQ(two->contracts.size(), 2u);
  EXPECT_EQ(two->contracts[0].id, 900001);
  EXPECT_EQ(two->contracts[1].id, 900002);
  ASSERT_OK_AND_ASSIGN(std::optional<EntitlementFacts> none, repo.FindEntitlementFacts("JNF0000002"));
  EXPECT_TRUE(none->contracts.empty());

  // The plan: the unit by its unique serial, the product by its key, the
  // contracts by idx_contracts_serial; no table scan.
  std::unique_ptr<sql::Statement> explain((*conn).raw().createStatement());
  std::unique_ptr<sql::ResultSet> plan(explain->executeQuery(
      "EXPLAIN SELECT u.id, p.sku, c.id FROM units u LEFT JOIN products p ON p.sku = u.sku"
      " LEFT JOIN support_contracts c ON c.serial = u.serial WHERE u.serial = 'JNF0000001'"
      " ORDER BY c.id"));
  int rows = 0;
  while (plan->next()) {
    ++rows;
    const std::string table = plan->getString("table");
    const std::string type = plan->getString("type");
    SCOPED_TRACE(table);
    EXPECT_NE(type, "ALL");
    EXPECT_NE(type, "index");
    if (table == "c") {
      EXPECT_EQ(plan->getString("key"), "idx_contracts_serial");
    }
  }
  EXPECT_EQ(rows, 3);
}

// "An expired reservation counts as CERTIFIED" is decided by
// ReservationExpired in C++ and by the repository's SQL. Both must put the
// same units on the same side, at the boundary too: a reservation ending
// exactly now has expired, one ending a microsecond later has not. The same
// questions go to the MySQL repository and to the fake (which uses
// EffectiveState), and to the gauge's count by state.
TEST_F(InventoryIntegrationTest, ReservationExpiryIsOneRuleInSqlAndInTheDomain) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 1'234'567);
  const std::vector<std::string> serials = {"JNX0000001", "JNX0000002", "JNX0000003",
                                            "JNX0000004", "JNX0000005"};
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials(serials, kSku, "load-expiry", &loaded).ok());
  for (const std::string& serial : serials) Receive(serial);
  const absl::Time now = clock_.Now();
  const int64_t now_us = db::ToMicros(now);
  auto reserve = [&](const std::string& serial, int64_t until_us) {
    ASSERT_TRUE(svc_->database()
                    .Execute(absl::StrCat("UPDATE units SET state = 'RESERVED', reservation_id = 'r-",
                                          serial, "', reserved_partner_id = 'purewrx',"
                                          " reserved_at_us = ", now_us - 1000,
                                          ", reserved_until_us = ", until_us, " WHERE serial = '",
                                          serial, "'"))
                    .ok());
  };
  ASSERT_TRUE(svc_->database()
                  .Execute("UPDATE units SET state = 'CERTIFIED' WHERE serial = 'JNX0000001'")
                  .ok());
  reserve("JNX0000002", now_us - 1);  // expired a microsecond ago
  reserve("JNX0000003", now_us);      // expires now: expired
  reserve("JNX0000004", now_us + 1);  // a microsecond left: reserved
  // JNX0000005 stays RECEIVED.

  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(svc_->database().Options(2), nullptr));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool->Acquire());
  MysqlInventoryRepository mysql(*conn);
  FakeInventoryRepository fake;
  std::map<UnitState, int64_t> by_domain;
  for (const std::string& serial : serials) {
    ASSERT_OK_AND_ASSIGN(std::optional<Unit> u, mysql.FindUnit(serial, false));
    ASSERT_TRUE(u.has_value()) << serial;
    fake.units[serial] = *u;
    ++by_domain[EffectiveState(*u, now)];
  }
  EXPECT_EQ(EffectiveState(fake.units["JNX0000003"], now), UnitState::kCertified);
  EXPECT_EQ(EffectiveState(fake.units["JNX0000004"], now), UnitState::kReserved);

  auto serials_of = [](const std::vector<Unit>& units) {
    std::vector<std::string> out;
    for (const Unit& u : units) out.push_back(u.serial);
    return out;
  };
  for (UnitState state : {UnitState::kCertified, UnitState::kReserved}) {
    SCOPED_TRACE(Name(state));
    UnitFilter f;
    f.sku = kSku;
    f.state = state;
    ASSERT_OK_AND_ASSIGN(std::vector<Unit> from_sql, mysql.ListUnits(f, "", 50, now));
    ASSERT_OK_AND_ASSIGN(std::vector<Unit> from_fake, fake.ListUnits(f, "", 50, now));
    EXPECT_EQ(serials_of(from_sql), serials_of(from_fake));
  }
  UnitFilter certified;
  certified.state = UnitState::kCertified;
  ASSERT_OK_AND_ASSIGN(std::vector<Unit> available, mysql.ListUnits(certified, "", 50, now));
  EXPECT_THAT(serials_of(available), ::testing::ElementsAre("JNX0000001", "JNX0000002", "JNX0000003"));

  ASSERT_OK_AND_ASSIGN(std::vector<StockCount> sql_stock, mysql.CountAvailable(kSku, now));
  ASSERT_OK_AND_ASSIGN(std::vector<StockCount> fake_stock, fake.CountAvailable(kSku, now));
  ASSERT_EQ(sql_stock.size(), fake_stock.size());
  for (size_t i = 0; i < sql_stock.size(); ++i) {
    EXPECT_EQ(sql_stock[i].condition, fake_stock[i].condition);
    EXPECT_EQ(sql_stock[i].count, fake_stock[i].count);
  }

  MysqlInventoryStore store(pool.get(), &clock_);
  ASSERT_OK_AND_ASSIGN(auto by_sql, store.CountByState(now));
  EXPECT_EQ(by_sql, by_domain);
  EXPECT_EQ(by_sql[UnitState::kCertified], 3);
  EXPECT_EQ(by_sql[UnitState::kReserved], 1);

  // The sweeper releases exactly the expired two, and they stay available.
  ASSERT_OK_AND_ASSIGN(int released, store.SweepExpiredReservations(now, 100));
  EXPECT_EQ(released, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units WHERE state = 'RESERVED'"), 1);
}

TEST_F(InventoryIntegrationTest, ReservationExpiresAfterTtlWithoutAnyCall) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"TTL00001"}, kSku, "load-ttl", &loaded).ok());
  Certify("TTL00001");
  pb::Reservation first;
  ASSERT_TRUE(Reserve(partner_, "", kSku, "rsv-a", &first).ok());
  EXPECT_EQ(first.serial_number(), "TTL00001");
  const std::string other = Tok(Role::kPartner, "other-user", {}, "other-reseller", true);
  pb::Reservation second;
  EXPECT_THAT(Reserve(other, "", kSku, "rsv-b", &second),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("no CERTIFIED unit")));
  clock_.Advance(absl::Hours(71));
  EXPECT_EQ(GetUnit("TTL00001").state(), pb::UNIT_STATE_RESERVED);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(GetUnit("TTL00001").state(), pb::UNIT_STATE_CERTIFIED);
  // The first partner can no longer sell; the other one can reserve.
  pb::SellUnitRequest sell;
  sell.set_request_id("sell-late");
  sell.set_serial_number("TTL00001");
  sell.set_buyer_account_id("ACME-001");
  pb::SellUnitResponse sold;
  EXPECT_THAT(Call(&Stub::SellUnit, partner_, sell, &sold),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("is CERTIFIED")));
  ASSERT_TRUE(Reserve(other, "", kSku, "rsv-c", &second).ok());
  EXPECT_EQ(second.serial_number(), "TTL00001");
  EXPECT_EQ(second.partner_id(), "other-reseller");

  // The sweeper records an expiry in the history; a live reservation stays.
  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(svc_->database().Options(), nullptr));
  MysqlInventoryStore store(pool.get(), &clock_);
  ASSERT_OK_AND_ASSIGN(int swept, store.SweepExpiredReservations(clock_.Now(), 100));
  EXPECT_EQ(swept, 0);
  clock_.Advance(absl::Hours(73));
  ASSERT_OK_AND_ASSIGN(swept, store.SweepExpiredReservations(clock_.Now(), 100));
  EXPECT_EQ(swept, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units WHERE state = 'CERTIFIED'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_events WHERE detail LIKE 'reservation % expired'"), 1);
}

TEST_F(InventoryIntegrationTest, SixtyFourConcurrentReserversEachUnitToExactlyOne) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  constexpr int kUnits = 12;
  constexpr int kReservers = 64;
  std::vector<std::string> serials;
  for (int i = 0; i < kUnits; ++i) serials.push_back(absl::StrFormat("POOL%04d", i));
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials(serials, kSku, "load-pool", &loaded).ok());
  for (const auto& s : serials) Certify(s);

  std::vector<std::string> tokens;
  for (int i = 0; i < kReservers; ++i) {
    tokens.push_back(Tok(Role::kPartner, absl::StrCat("reseller-", i), {}, absl::StrCat("reseller-", i), true));
  }
  aftercare::Mutex mu;
  std::map<std::string, std::vector<int>> winners;  // serial -> reservers
  std::vector<grpc::Status> failures;
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kReservers; ++i) {
    threads.emplace_back([&, i] {
      ready++;
      while (ready.load() < kReservers) std::this_thread::yield();
      pb::Reservation r;
      grpc::Status s = Reserve(tokens[i], "", kSku, absl::StrCat("race-", i), &r);
      aftercare::MutexLock lock(&mu);
      if (s.ok()) {
        winners[r.serial_number()].push_back(i);
      } else {
        failures.push_back(s);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.size(), static_cast<size_t>(kUnits));
  for (const auto& [serial, who] : winners) EXPECT_EQ(who.size(), 1u) << serial;
  ASSERT_EQ(failures.size(), static_cast<size_t>(kReservers - kUnits));
  for (const auto& f : failures) {
    EXPECT_EQ(f.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << f.error_message();
    EXPECT_THAT(f.error_message(), HasSubstr("no CERTIFIED unit of SKU EX4300-48T"));
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units WHERE state = 'RESERVED'"), kUnits);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT reserved_partner_id) FROM units WHERE state = 'RESERVED'"),
            kUnits);

  // Then 64 callers race for one specific unit, after its reservation expired.
  clock_.Advance(absl::Hours(73));
  std::atomic<int> ok{0}, refused{0}, other{0};
  ready = 0;
  threads.clear();
  for (int i = 0; i < kReservers; ++i) {
    threads.emplace_back([&, i] {
      ready++;
      while (ready.load() < kReservers) std::this_thread::yield();
      pb::Reservation r;
      grpc::Status s = Reserve(tokens[i], "POOL0003", "", absl::StrCat("one-", i), &r);
      if (s.ok()) {
        ok++;
      } else if (s.error_code() == grpc::StatusCode::NOT_FOUND &&
                 s.error_message() == "unit POOL0003 not found") {
        refused++;  // another partner's reservation: out of this partner's reach
      } else {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), kReservers - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(InventoryIntegrationTest, SparesAreAllocatedOnceUnderConcurrency) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  std::vector<std::string> serials = {"SPARE001", "SPARE002", "SPARE003"};
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials(serials, kSku, "load-spares", &loaded).ok());
  for (const auto& s : serials) {
    Certify(s);
    pb::MoveToSparePoolRequest req;
    req.set_request_id("spare-" + s);
    req.set_serial_number(s);
    pb::Unit u;
    ASSERT_TRUE(Call(&Stub::MoveToSparePool, logistics_, req, &u).ok());
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      pb::AllocateSpareRequest req;
      req.set_request_id(absl::StrCat("alloc-", i));
      req.set_sku(kSku);
      req.set_rma_number(absl::StrFormat("R%08d", 1000 + i));
      pb::Unit u;
      if (Call(&Stub::AllocateSpare, service_, req, &u).ok()) ok++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT allocated_rma) FROM units WHERE state = 'ALLOCATED'"), 3);
}

TEST_F(InventoryIntegrationTest, RmaSwapMovesTheInstalledBaseAndIntakeReturnsTheUnit) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  pb::RegisterProductRequest reg;
  reg.set_request_id("reg-1");
  reg.set_serial_number("CUST0001");
  reg.set_sku(kSku);
  reg.set_account_id("ACME-001");
  reg.mutable_site()->set_region_code("US");
  pb::Unit registered;
  ASSERT_TRUE(Call(&Stub::RegisterProduct, admin_, reg, &registered).ok());
  EXPECT_EQ(registered.state(), pb::UNIT_STATE_IN_SERVICE);
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"SPARE100"}, kSku, "load-s", &loaded).ok());
  Certify("SPARE100");
  pb::MoveToSparePoolRequest mv;
  mv.set_request_id("mv");
  mv.set_serial_number("SPARE100");
  pb::Unit u;
  ASSERT_TRUE(Call(&Stub::MoveToSparePool, logistics_, mv, &u).ok());
  pb::AllocateSpareRequest alloc;
  alloc.set_request_id("alloc");
  alloc.set_sku(kSku);
  alloc.set_rma_number("R21056835");
  ASSERT_TRUE(Call(&Stub::AllocateSpare, service_, alloc, &u).ok());
  EXPECT_EQ(u.serial_number(), "SPARE100");
  pb::SwapInstalledBaseRequest swap;
  swap.set_request_id("swap");
  swap.set_defective_serial_number("CUST0001");
  swap.set_replacement_serial_number("SPARE100");
  swap.set_rma_number("R21056835");
  pb::SwapInstalledBaseResponse swapped;
  grpc::Status s = Call(&Stub::SwapInstalledBase, service_, swap, &swapped);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(swapped.replacement_unit().owner_account_id(), "ACME-001");
  EXPECT_EQ(swapped.replacement_unit().ssrn(), registered.ssrn());
  EXPECT_EQ(swapped.defective_unit().state(), pb::UNIT_STATE_AWAITING_RETURN);
  pb::IntakeReturnedUnitRequest intake;
  intake.set_request_id("intake");
  intake.set_serial_number("CUST0001");
  intake.set_source(pb::UNIT_SOURCE_RMA_RETURN);
  intake.set_reference("R21056835");
  ASSERT_TRUE(Call(&Stub::IntakeReturnedUnit, service_, intake, &u).ok());
  EXPECT_EQ(u.state(), pb::UNIT_STATE_RECEIVED);
  EXPECT_EQ(u.source(), pb::UNIT_SOURCE_RMA_RETURN);
  // A logistics user may not call the RMA-facing RPCs.
  EXPECT_THAT(Call(&Stub::AllocateSpare, logistics_, alloc, &u),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("logistics")));
}

TEST_F(InventoryIntegrationTest, ScopeRules) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  for (const char* serial : {"ACME0001", "GLOB0001"}) {
    pb::RegisterProductRequest reg;
    reg.set_request_id(absl::StrCat("reg-", serial));
    reg.set_serial_number(serial);
    reg.set_sku(kSku);
    reg.set_account_id(std::string(serial) == "ACME0001" ? "ACME-001" : "GLOBEX-002");
    reg.mutable_site()->set_region_code("US");
    pb::Unit u;
    ASSERT_TRUE(Call(&Stub::RegisterProduct, admin_, reg, &u).ok());
  }
  pb::GetUnitRequest get;
  get.set_serial_number("GLOB0001");
  pb::Unit u;
  EXPECT_THAT(Call(&Stub::GetUnit, customer_, get, &u), GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("GLOB0001")));
  get.set_serial_number("ACME0001");
  EXPECT_TRUE(Call(&Stub::GetUnit, customer_, get, &u).ok());
  pb::GetEntitlementRequest ent_req;
  ent_req.set_serial_number("GLOB0001");
  pb::Entitlement ent;
  EXPECT_THAT(Call(&Stub::GetEntitlement, customer_, ent_req, &ent),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  pb::ListInstalledBaseRequest base_req;
  base_req.set_account_id("GLOBEX-002");
  pb::ListInstalledBaseResponse base;
  EXPECT_THAT(Call(&Stub::ListInstalledBase, customer_, base_req, &base),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  base_req.set_account_id("ACME-001");
  ASSERT_TRUE(Call(&Stub::ListInstalledBase, customer_, base_req, &base).ok());
  ASSERT_EQ(base.units_size(), 1);
  EXPECT_EQ(base.units(0).serial_number(), "ACME0001");

  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"CPO00001"}, kSku, "load", &loaded).ok());
  Certify("CPO00001");
  const std::string no_cpo = Tok(Role::kPartner, "acme-reseller-user", {}, "acme-reseller", false);
  pb::Reservation r;
  EXPECT_THAT(Reserve(no_cpo, "CPO00001", "", "r1", &r),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("CPO")));
  EXPECT_EQ(GetUnit("CPO00001").state(), pb::UNIT_STATE_CERTIFIED);

  // Only an admin loads the genuine-serial registry.
  EXPECT_THAT(LoadSerials({"CPO00009"}, kSku, "load-by-lab", &loaded, 1000, logistics_),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("logistics")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM genuine_serials WHERE serial = 'CPO00009'"), 0);

  // A customer cannot certify or record steps.
  Receive("CPO00002");
  pb::RecordCertificationStepRequest step;
  step.set_request_id("cust-step");
  step.set_serial_number("CPO00002");
  step.set_step(pb::CERTIFICATION_STEP_SERIAL_VERIFICATION);
  pb::RecordCertificationStepResponse step_resp;
  EXPECT_THAT(Call(&Stub::RecordCertificationStep, customer_, step, &step_resp),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("customer")));
  pb::CertifyUnitRequest cert;
  cert.set_request_id("cust-cert");
  cert.set_serial_number("CPO00002");
  EXPECT_THAT(Call(&Stub::CertifyUnit, customer_, cert, &u),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("customer")));
  EXPECT_EQ(GetUnit("CPO00002").state(), pb::UNIT_STATE_RECEIVED);
  // No token at all.
  grpc::ClientContext anon;
  pb::Unit anon_unit;
  EXPECT_EQ(stub_->GetUnit(&anon, get, &anon_unit).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(InventoryIntegrationTest, BadInputIsInvalidArgumentNamingTheFieldAndWritesNothing) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  Receive("GOOD0001");
  const std::string kCounts =
      "SELECT CONCAT((SELECT COUNT(*) FROM units), '/', (SELECT COUNT(*) FROM unit_events), '/',"
      " (SELECT COUNT(*) FROM products), '/', (SELECT COUNT(*) FROM genuine_serials), '/',"
      " (SELECT COUNT(*) FROM idempotency_keys), '/', (SELECT COUNT(*) FROM support_contracts))";
  const std::string before = *svc_->database().QueryValue(kCounts);

  auto receive = [&](auto mutate, const char* field) {
    pb::ReceiveUnitRequest req;
    req.set_request_id(absl::StrCat("bad-", field));
    req.set_serial_number("NEW00001");
    req.set_sku(kSku);
    req.set_source(pb::UNIT_SOURCE_DEMO_RETURN);
    mutate(req);
    pb::Unit u;
    EXPECT_THAT(Call(&Stub::ReceiveUnit, logistics_, req, &u),
                GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr(field)));
  };
  receive([](pb::ReceiveUnitRequest& r) { r.set_serial_number(""); }, "serial_number");
  receive([](pb::ReceiveUnitRequest& r) { r.set_serial_number("AB CD"); }, "serial_number");
  receive([](pb::ReceiveUnitRequest& r) { r.set_serial_number(std::string(41, 'A')); }, "serial_number");
  receive([](pb::ReceiveUnitRequest& r) { r.set_sku("NO-SUCH-SKU"); }, "sku");
  receive([](pb::ReceiveUnitRequest& r) { r.set_source(static_cast<pb::UnitSource>(99)); }, "source");
  receive([](pb::ReceiveUnitRequest& r) { r.set_condition(static_cast<pb::UnitCondition>(7)); }, "condition");
  receive([](pb::ReceiveUnitRequest& r) { r.set_note(std::string(5000, 'n')); }, "note");
  receive([](pb::ReceiveUnitRequest& r) { r.set_note(std::string("a\x01b")); }, "note");

  pb::CreateProductRequest prod;
  prod.set_request_id("bad-product");
  prod.mutable_product()->set_sku("EX2300-24T");
  prod.mutable_product()->set_family(pb::PRODUCT_FAMILY_SWITCHING);
  prod.mutable_product()->mutable_list_price()->set_currency_code("USD");
  prod.mutable_product()->mutable_list_price()->set_amount_minor(-100);
  prod.mutable_product()->set_lifecycle(pb::LIFECYCLE_CURRENT);
  prod.mutable_product()->set_latest_software_release("21.4R3");
  prod.mutable_product()->set_standard_warranty_months(12);
  pb::Product p;
  EXPECT_THAT(Call(&Stub::CreateProduct, admin_, prod, &p),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("product.list_price.amount_minor")));
  prod.mutable_product()->mutable_list_price()->set_amount_minor(100000);
  prod.mutable_product()->set_display_name(std::string(300, 'x'));
  EXPECT_THAT(Call(&Stub::CreateProduct, admin_, prod, &p),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("product.display_name")));
  prod.mutable_product()->set_display_name("");
  prod.mutable_product()->set_family(static_cast<pb::ProductFamily>(42));
  EXPECT_THAT(Call(&Stub::CreateProduct, admin_, prod, &p),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("product.family")));

  pb::RecordCertificationStepRequest step;
  step.set_request_id("bad-step");
  step.set_serial_number("GOOD0001");
  step.set_step(static_cast<pb::CertificationStep>(42));
  pb::RecordCertificationStepResponse step_resp;
  EXPECT_THAT(Call(&Stub::RecordCertificationStep, logistics_, step, &step_resp),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("step")));

  // A stream whose second message has a malformed serial writes none of the first.
  std::vector<std::string> serials = {"REG00001", "REG00002", "REG00003", "bad serial"};
  pb::LoadGenuineSerialsResponse loaded;
  EXPECT_THAT(LoadSerials(serials, kSku, "bad-load", &loaded, /*per_message=*/2),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("entries[3].serial_number")));

  pb::ListUnitsRequest list;
  list.set_page_token("garbage");
  pb::ListUnitsResponse units;
  EXPECT_THAT(Call(&Stub::ListUnits, admin_, list, &units),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
  list.set_page_token("");
  list.set_page_size(-1);
  EXPECT_THAT(Call(&Stub::ListUnits, admin_, list, &units),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_size")));

  pb::ReserveUnitRequest reserve;
  reserve.set_request_id("bad-reserve");
  reserve.set_sku(kSku);
  reserve.set_ship_to_region_code("DE");
  pb::Reservation r;
  EXPECT_THAT(Call(&Stub::ReserveUnit, partner_, reserve, &r),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("ship_to_region_code")));

  EXPECT_EQ(*svc_->database().QueryValue(kCounts), before);
}

TEST_F(InventoryIntegrationTest, SameRequestIdReturnsTheFirstResultAndChangesNothing) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  pb::ReceiveUnitRequest req;
  req.set_request_id("receive-once");
  req.set_serial_number("IDEM0001");
  req.set_sku(kSku);
  req.set_source(pb::UNIT_SOURCE_TRADE_IN);
  pb::Unit first, second;
  ASSERT_TRUE(Call(&Stub::ReceiveUnit, logistics_, req, &first).ok());
  const int64_t events = Count("SELECT COUNT(*) FROM unit_events");
  clock_.Advance(absl::Minutes(5));
  ASSERT_TRUE(Call(&Stub::ReceiveUnit, logistics_, req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM unit_events"), events);
  // The same id with another request is refused.
  req.set_serial_number("IDEM0002");
  EXPECT_THAT(Call(&Stub::ReceiveUnit, logistics_, req, &second),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units"), 1);

  // Reserving by SKU twice with one id reserves one unit.
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"IDEM1001", "IDEM1002"}, kSku, "load-idem", &loaded).ok());
  pb::LoadGenuineSerialsResponse again;
  ASSERT_TRUE(LoadSerials({"IDEM1001", "IDEM1002"}, kSku, "load-idem", &again).ok());
  EXPECT_EQ(again.inserted_count(), 2);  // the stored first answer
  Certify("IDEM1001");
  Certify("IDEM1002");
  pb::Reservation r1, r2;
  ASSERT_TRUE(Reserve(partner_, "", kSku, "reserve-once", &r1).ok());
  ASSERT_TRUE(Reserve(partner_, "", kSku, "reserve-once", &r2).ok());
  EXPECT_EQ(r1.reservation_id(), r2.reservation_id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM units WHERE state = 'RESERVED'"), 1);
}

// The statements of one reservation by SKU, counted from the server's general
// log for the connection that ran it: the product, the claim (SELECT ... FOR
// UPDATE SKIP LOCKED), the unit's UPDATE, its event, the idempotency key with
// the response, COMMIT — six (it was ten: the product read three times, the
// event's id read back, and START TRANSACTION, which a connection with
// autocommit off does not need).
// The claim reads the unit's price basis in its own statement: the product,
// the claim, the unit's update, its history row, the key, COMMIT was six.
TEST_F(InventoryIntegrationTest, ReserveBySkuIsOneTransactionOfFiveStatementsWithoutProductLock) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"STMT0001", "STMT0002"}, kSku, "load-stmt", &loaded).ok());
  Certify("STMT0001");
  Certify("STMT0002");
  pb::Reservation r;
  grpc::Status s;
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> tx,
                       svc_->database().TransactionWriting("INSERT INTO idempotency_keys%", [&] {
                         s = Reserve(partner_, "", kSku, "stmt-count", &r);
                       }));
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.serial_number(), "STMT0001");
  EXPECT_THAT(absl::StrJoin(tx, "\n"), ::testing::Not(::testing::HasSubstr("START TRANSACTION")));
  EXPECT_EQ(tx.size(), 5u) << absl::StrJoin(tx, "\n");
  int claims = 0, product_reads = 0;
  for (const std::string& l : tx) {
    claims += absl::StrContains(l, "FROM units u FORCE INDEX") ? 1 : 0;
    product_reads += absl::StrContains(l, "FROM products WHERE") ? 1 : 0;
  }
  EXPECT_EQ(claims, 1) << absl::StrJoin(tx, "\n");
  EXPECT_EQ(product_reads, 0) << absl::StrJoin(tx, "\n");
  EXPECT_EQ(r.list_price().amount_minor(), 500'000);
  EXPECT_EQ(r.list_price().currency_code(), "USD");

  // The claim reads the product without locking it: while another
  // transaction holds the product's row, a reservation by SKU goes through
  // at the committed list price (a JOIN under SKIP LOCKED would skip the
  // unit and answer that none is available; a locking read would wait).
  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(svc_->database().Options(1), nullptr));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection holder, pool->Acquire(db::CommitMode::kTransaction));
  holder->Execute(absl::StrCat("UPDATE products SET list_price_minor = 1 WHERE sku = '", kSku, "'"));
  pb::Reservation second;
  s = Reserve(partner_, "", kSku, "stmt-count-2", &second);
  holder->Execute("ROLLBACK");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.serial_number(), "STMT0002");
  EXPECT_EQ(second.list_price().amount_minor(), 500'000);
  EXPECT_EQ(second.price().amount_minor(), r.price().amount_minor());

  // Nothing left: a known SKU is out of stock, an unknown one is not in the
  // catalog (the catalog read apart, on this path only).
  EXPECT_THAT(Reserve(partner_, "", kSku, "stmt-none", &second),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("available")));
  EXPECT_THAT(Reserve(partner_, "", "NOSUCH-SKU", "stmt-unknown", &second),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("not in the catalog")));
}

TEST_F(InventoryIntegrationTest, KeysetPaginationAcrossPagesAndTokenBoundToFilters) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  for (int i = 0; i < 7; ++i) Receive(absl::StrFormat("PAGE%04d", 7 - i));
  std::vector<std::string> seen;
  pb::ListUnitsRequest req;
  req.set_page_size(3);
  req.set_state(pb::UNIT_STATE_RECEIVED);
  int pages = 0;
  do {
    pb::ListUnitsResponse resp;
    grpc::Status s = Call(&Stub::ListUnits, admin_, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& u : resp.units()) seen.push_back(u.serial_number());
    if (pages == 0) {
      // A token reused with another filter is refused.
      pb::ListUnitsRequest other = req;
      other.set_page_token(resp.next_page_token());
      other.set_state(pb::UNIT_STATE_CERTIFIED);
      pb::ListUnitsResponse bad;
      EXPECT_THAT(Call(&Stub::ListUnits, admin_, other, &bad),
                  GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
    }
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(seen[i], absl::StrFormat("PAGE%04d", i + 1));
}

TEST_F(InventoryIntegrationTest, ListFiltersOnSkuStateSourceFamilyAndLifecycle) {
  CreateProduct(kSku, pb::LIFECYCLE_CURRENT, 500'000);
  CreateProduct("EX9208", pb::LIFECYCLE_END_OF_PRODUCTION, 900'000);
  pb::UpdateProductRequest upd;
  upd.set_request_id("upd-family");
  upd.mutable_product()->set_sku("EX9208");
  upd.mutable_product()->set_family(pb::PRODUCT_FAMILY_ROUTING);
  upd.mutable_update_mask()->add_paths("family");
  pb::Product updated;
  ASSERT_TRUE(Call(&Stub::UpdateProduct, admin_, upd, &updated).ok());
  EXPECT_EQ(updated.family(), pb::PRODUCT_FAMILY_ROUTING);
  pb::LoadGenuineSerialsResponse loaded;
  ASSERT_TRUE(LoadSerials({"FLT00001", "FLT00002"}, kSku, "l1", &loaded).ok());
  ASSERT_TRUE(LoadSerials({"FLT00003"}, "EX9208", "l2", &loaded).ok());
  Certify("FLT00001");
  Certify("FLT00002");
  Certify("FLT00003", "EX9208");
  Receive("FLT00004");
  pb::Reservation r;
  ASSERT_TRUE(Reserve(partner_, "FLT00002", "", "r-flt", &r).ok());

  auto serials = [&](pb::ListUnitsRequest req, const std::string& token) {
    std::vector<std::string> out;
    pb::ListUnitsResponse resp;
    grpc::Status s = Call(&Stub::ListUnits, token, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& u : resp.units()) out.push_back(u.serial_number());
    return out;
  };
  using V = std::vector<std::string>;
  pb::ListUnitsRequest req;
  req.set_sku(kSku);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00001", "FLT00002", "FLT00004"}));
  req.set_state(pb::UNIT_STATE_CERTIFIED);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00001"}));
  req.set_state(pb::UNIT_STATE_RESERVED);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00002"}));
  req.Clear();
  req.set_family(pb::PRODUCT_FAMILY_ROUTING);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00003"}));
  req.Clear();
  req.set_lifecycle(pb::LIFECYCLE_CURRENT);
  req.set_state(pb::UNIT_STATE_RECEIVED);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00004"}));
  req.Clear();
  req.set_source(pb::UNIT_SOURCE_DEMO_RETURN);
  req.set_family(pb::PRODUCT_FAMILY_SWITCHING);
  req.set_page_size(2);
  EXPECT_EQ(serials(req, admin_), (V{"FLT00001", "FLT00002"}));
  // A CPO partner sees available units only; a customer may not list stock.
  req.Clear();
  EXPECT_EQ(serials(req, partner_), (V{"FLT00001", "FLT00003"}));
  req.set_state(pb::UNIT_STATE_RECEIVED);
  pb::ListUnitsResponse denied;
  EXPECT_THAT(Call(&Stub::ListUnits, partner_, req, &denied),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("CERTIFIED")));
  EXPECT_THAT(Call(&Stub::ListUnits, customer_, req, &denied),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("customer")));
  // Products and offers filter the same way.
  pb::ListProductsRequest products;
  products.set_lifecycle(pb::LIFECYCLE_END_OF_PRODUCTION);
  pb::ListProductsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListProducts, customer_, products, &listed).ok());
  ASSERT_EQ(listed.products_size(), 1);
  EXPECT_EQ(listed.products(0).sku(), "EX9208");
  pb::ListCpoOffersRequest offers;
  offers.set_family(pb::PRODUCT_FAMILY_ROUTING);
  offers.set_in_stock_only(true);
  pb::ListCpoOffersResponse offered;
  ASSERT_TRUE(Call(&Stub::ListCpoOffers, partner_, offers, &offered).ok());
  ASSERT_EQ(offered.offers_size(), 1);
  EXPECT_EQ(offered.offers(0).warranty_kind(), pb::WARRANTY_KIND_CPO_END_OF_PRODUCTION);
  EXPECT_EQ(offered.offers(0).lines(0).discount_basis_points(), 2500);
  EXPECT_EQ(offered.offers(0).lines(0).cpo_price().amount_minor(), 675'000);
}

}  // namespace
}  // namespace aftercare::inventory
