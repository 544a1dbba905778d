// Unit tests of the rules of rma-svc (rma.h) against the in-memory
// repository: no database, no gRPC.
#include "rma-svc/rma.h"

#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rma-svc/fake_rma_repository.h"
#include "rma-svc/rma_policy.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

Principal P(Role role, const std::string& subject = "user", std::vector<std::string> accounts = {}) {
  return ::aftercare::testing::TestCaller(role, subject, std::move(accounts));
}

class RmaTest : public ::testing::Test {
 protected:
  // Friday 2026-09-04 10:00 UTC; Monday 2026-09-07 is Labor Day.
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 9, 4, 10, 0, 0), absl::UTCTimeZone())};
  PageTokenCodec codec_{"0123456789abcdef0123456789abcdef"};
  Rmas rmas_{clock_, &codec_, RmaOptions{}};
  FakeRmaRepository repo_;
  Principal tse_ = P(Role::kTse, "tse-1");
  Principal agent_ = P(Role::kCareAgent, "agent-1");
  Principal logistics_ = P(Role::kLogistics, "depot-1");
  Principal customer_ = P(Role::kCustomer, "cust-1", {"ACME-001"});
  Principal other_customer_ = P(Role::kCustomer, "cust-2", {"OTHER-9"});

  void SetUp() override {
    ReturnLocation us;
    us.code = "US-SVL";
    us.name = "RMA Returns Depot Sunnyvale";
    us.theater = "NA";
    us.address.region_code = "US";
    us.address.locality = "Sunnyvale";
    us.served_region_codes = {"US"};
    repo_.locations.push_back(us);
  }

  static EntitlementView Covered(const std::string& serial = "JN11AAA0001") {
    return CoveredEntitlement(serial);
  }

  static CreateCommand Cmd(RmaType type = RmaType::kAdvanceReplacement,
                           const std::string& serial = "jn11aaa0001") {
    CreateCommand c;
    c.serial = serial;
    c.account_id = "ACME-001";
    c.technical_case_id = "2026-0904-00001";
    c.type = type;
    c.failure_description = "PSU 1 failed; fans at full speed";
    c.damage_cause = DamageCause::kHardwareFailure;
    c.ship_to.region_code = "US";
    c.ship_to.locality = "Austin";
    c.ship_to.address_lines = {"1 Main Street"};
    c.contact_email = "noc@acme.example";
    return c;
  }

  Rma Open(RmaType type = RmaType::kAdvanceReplacement, const std::string& serial = "JN11AAA0001",
           int64_t seq = 1) {
    CreateCommand c = Cmd(type, serial);
    EXPECT_OK(rmas_.ValidateCreate(tse_, &c));
    auto r = rmas_.Create(tse_, c, Covered(c.serial), seq, repo_);
    EXPECT_OK(r.status());
    return r.ok() ? *r : Rma{};
  }

  Rma Approved(RmaType type = RmaType::kAdvanceReplacement, const std::string& serial = "JN11AAA0001",
               int64_t seq = 1) {
    Rma r = Open(type, serial, seq);
    auto a = rmas_.Approve(tse_, r.validation_number, "", Covered(r.serial), seq, repo_);
    EXPECT_OK(a.status());
    return a.ok() ? *a : Rma{};
  }

  Rma Shipped(const std::string& serial = "JN11AAA0001", int64_t seq = 1) {
    Rma r = Approved(RmaType::kAdvanceReplacement, serial, seq);
    EXPECT_OK(rmas_.RecordSpare(r.validation_number, "JN11SPARE" + std::to_string(seq), repo_));
    auto s = rmas_.ShipReplacement(logistics_, r.rma_number, "UPS", "1Z999AA10123456784", repo_);
    EXPECT_OK(s.status());
    return s.ok() ? *s : Rma{};
  }
};

TEST_F(RmaTest, TseOpensAPendingRequestWithAValidationNumber) {
  Rma r = Open();
  EXPECT_EQ(r.validation_number, "V10000001");
  EXPECT_EQ(r.status, Status::kPending);
  EXPECT_EQ(r.serial, "JN11AAA0001");  // normalized
  EXPECT_EQ(r.sku, "EX4300-48T");
  EXPECT_TRUE(r.rma_number.empty());
  ASSERT_EQ(repo_.notifications.size(), 1u);
  EXPECT_EQ(repo_.notifications[0].template_name, "rma_request_opened");
  EXPECT_EQ(repo_.notifications[0].recipient, "noc@acme.example");
  EXPECT_EQ(repo_.notifications[0].copy_to_case_id, "2026-0904-00001");
}

// The request-opened notification is the RMA's first: its deliveries are
// written in the creating transaction (handed over as it commits), not
// through an outbox event; later ones keep the outbox and its order.
TEST_F(RmaTest, TheOpenedNotificationIsPublishedInTheCreatingTransaction) {
  Rma r = Open();
  ASSERT_EQ(repo_.published_now.size(), 1u);
  EXPECT_EQ(repo_.published_now[0].template_name, "rma_request_opened");
  EXPECT_EQ(repo_.published_now[0].id, repo_.notifications[0].id);
  EXPECT_EQ(repo_.published_now[0].validation_number, r.validation_number);
  EXPECT_EQ(repo_.published_now[0].account_id, "ACME-001");
  ASSERT_TRUE(repo_.notifications[0].deliver_time.has_value());
  EXPECT_EQ(*repo_.notifications[0].deliver_time, repo_.notifications[0].create_time);
  ASSERT_OK(rmas_.Approve(tse_, r.validation_number, "", Covered(r.serial), 1, repo_).status());
  EXPECT_EQ(repo_.published_now.size(), 1u);
  ASSERT_EQ(repo_.notifications.size(), 2u);
  EXPECT_FALSE(repo_.notifications[1].deliver_time.has_value());
}

TEST_F(RmaTest, OnlyTseOrAdminOpenRequests) {
  for (Role r : {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kLogistics,
                 Role::kService}) {
    EXPECT_FALSE(RmaPolicy().Allows("CreateRma", r)) << RoleName(r);
  }
  EXPECT_TRUE(RmaPolicy().Allows("CreateRma", Role::kTse));
  CreateCommand c = Cmd();
  EXPECT_OK(rmas_.ValidateCreate(P(Role::kAdmin), &c));
}

TEST_F(RmaTest, BadInputNamesTheField) {
  struct Case {
    std::function<void(CreateCommand&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](CreateCommand& c) { c.serial = "bad serial"; }, "serial_number"},
      {[](CreateCommand& c) { c.account_id = ""; }, "account_id"},
      {[](CreateCommand& c) { c.technical_case_id = "a b"; }, "technical_case_id"},
      {[](CreateCommand& c) { c.type = RmaType::kUnspecified; }, "type"},
      {[](CreateCommand& c) { c.failure_description = ""; }, "failure_description"},
      {[](CreateCommand& c) { c.damage_cause = DamageCause::kUnspecified; }, "damage_cause"},
      {[](CreateCommand& c) { c.ship_to.region_code = "usa"; }, "ship_to.region_code"},
      {[](CreateCommand& c) { c.ship_to.address_lines.clear(); }, "ship_to.address_lines"},
      {[](CreateCommand& c) { c.contact_email = "not-an-email"; }, "contact_email"},
  };
  for (const Case& k : cases) {
    CreateCommand c = Cmd();
    k.mutate(c);
    EXPECT_THAT(rmas_.ValidateCreate(tse_, &c),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(k.field)))
        << k.field;
  }
  EXPECT_TRUE(repo_.rmas.empty());
}

TEST_F(RmaTest, FireAndActsOfGodAreRefusedWithTheReason) {
  for (DamageCause d : {DamageCause::kFire, DamageCause::kFlood, DamageCause::kHurricane,
                        DamageCause::kEarthquake, DamageCause::kLightning,
                        DamageCause::kOtherActOfGod}) {
    CreateCommand c = Cmd();
    c.damage_cause = d;
    ASSERT_OK(rmas_.ValidateCreate(tse_, &c));
    EXPECT_THAT(rmas_.Create(tse_, c, Covered(), 1, repo_),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("acts of God")));
  }
  EXPECT_TRUE(repo_.rmas.empty());
  EXPECT_OK(rmas_.CheckDamage(DamageCause::kHardwareFailure));
}

TEST_F(RmaTest, EntitlementDecidesTheType) {
  EntitlementView e = Covered();
  EXPECT_OK(rmas_.CheckEntitlement(RmaType::kAdvanceReplacement, "ACME-001", e));
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kAdvanceReplacement, "OTHER-9", e),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("installed base")));
  EntitlementView grey = e;
  grey.grey_market = true;
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kReturnToFactory, "ACME-001", grey),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("grey market")));
  EntitlementView stock = e;
  stock.installed = false;
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kReturnToFactory, "ACME-001", stock),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not installed")));
  EntitlementView late = e;
  late.within_doa_window = false;
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kDoa, "ACME-001", late),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("30 days")));
  EntitlementView expired = e;
  expired.warranty_active = false;
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kStandardWarranty, "ACME-001", expired),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not in warranty")));
  EXPECT_OK(rmas_.CheckEntitlement(RmaType::kReturnToFactory, "ACME-001", expired));
  EntitlementView core = e;
  core.advance_replacement = false;
  core.best_support_level = "SUPPORT_LEVEL_CARE_CORE";
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kAdvanceReplacement, "ACME-001", core),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("advance replacement")));
  EntitlementView none = expired;
  none.entitled = false;
  EXPECT_THAT(rmas_.CheckEntitlement(RmaType::kReturnToFactory, "ACME-001", none),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("neither")));
}

TEST_F(RmaTest, OneOpenRmaPerUnit) {
  Open();
  CreateCommand c = Cmd();
  ASSERT_OK(rmas_.ValidateCreate(tse_, &c));
  EXPECT_THAT(rmas_.Create(tse_, c, Covered(), 2, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already has open RMA")));
}

TEST_F(RmaTest, CustomerAmendsAndCancelsOnlyWhilePendingAndOnlyTheirOwn) {
  Rma r = Open();
  AmendCommand a;
  a.name = r.validation_number;
  a.etag = Etag(r.version);
  a.mask = {"failure_description"};
  a.failure_description = "PSU 1 and PSU 2 failed";
  ASSERT_OK(rmas_.PrepareAmend(customer_, &a, repo_).status());
  EXPECT_THAT(rmas_.PrepareAmend(other_customer_, &a, repo_),
              StatusIs(absl::StatusCode::kNotFound));
  auto amended = rmas_.Amend(customer_, a, Covered(), repo_);
  ASSERT_OK(amended.status());
  EXPECT_EQ(amended->failure_description, "PSU 1 and PSU 2 failed");
  // The old etag is stale now.
  EXPECT_THAT(rmas_.Amend(customer_, a, Covered(), repo_), StatusIs(absl::StatusCode::kAborted));
  // Amending to a type the unit is not covered for is refused.
  AmendCommand to_doa = a;
  to_doa.etag = Etag(amended->version);
  to_doa.mask = {"type"};
  to_doa.type = RmaType::kDoa;
  EntitlementView late = Covered();
  late.within_doa_window = false;
  EXPECT_THAT(rmas_.Amend(customer_, to_doa, late, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("30 days")));
  EXPECT_THAT(rmas_.Cancel(other_customer_, r.validation_number, "", "", repo_),
              StatusIs(absl::StatusCode::kNotFound));
  auto cancelled = rmas_.Cancel(customer_, r.validation_number, "fixed by reseat", "", repo_);
  ASSERT_OK(cancelled.status());
  EXPECT_EQ(cancelled->status, Status::kCancelled);
  AmendCommand after = a;
  after.etag = Etag(cancelled->version);
  EXPECT_THAT(rmas_.Amend(customer_, after, Covered(), repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CANCELLED")));
  EXPECT_THAT(rmas_.Cancel(customer_, r.validation_number, "", "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CANCELLED")));
}

TEST_F(RmaTest, OnlyTseAndCareAgentApproveOrReject) {
  Rma r = Open();
  for (Role role : {Role::kCustomer, Role::kPartner, Role::kLogistics, Role::kAdmin,
                    Role::kService}) {
    EXPECT_FALSE(RmaPolicy().Allows("ApproveRma", role)) << RoleName(role);
    EXPECT_FALSE(RmaPolicy().Allows("RejectRma", role)) << RoleName(role);
  }
  auto a = rmas_.Approve(agent_, r.validation_number, "", Covered(), 7, repo_);
  ASSERT_OK(a.status());
  EXPECT_EQ(a->rma_number, "R20000007");
  EXPECT_EQ(a->status, Status::kApproved);
}

TEST_F(RmaTest, RejectNeedsAReasonAndEndsTheRequest) {
  Rma r = Open();
  EXPECT_THAT(rmas_.Reject(tse_, r.validation_number, "", "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  auto rej = rmas_.Reject(tse_, r.validation_number, "unit is physically damaged", "", repo_);
  ASSERT_OK(rej.status());
  EXPECT_EQ(rej->status, Status::kRejected);
  EXPECT_EQ(rej->rejection_reason, "unit is physically damaged");
  EXPECT_THAT(rmas_.Approve(tse_, r.validation_number, "", Covered(), 1, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REJECTED")));
}

TEST_F(RmaTest, LookupsTakeEitherNumberAndCustomersSeeOnlyTheirAccounts) {
  Rma r = Approved();
  ASSERT_OK_AND_ASSIGN(Rma by_v, rmas_.Get(customer_, r.validation_number, repo_));
  ASSERT_OK_AND_ASSIGN(Rma by_r, rmas_.Get(customer_, r.rma_number, repo_));
  EXPECT_EQ(by_v.id, by_r.id);
  ASSERT_OK_AND_ASSIGN(Rma padded, rmas_.Get(P(Role::kService), "R00020000001", repo_));
  EXPECT_EQ(padded.id, r.id);
  EXPECT_THAT(rmas_.Get(other_customer_, r.rma_number, repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(rmas_.Get(customer_, "R99999999", repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(rmas_.Get(customer_, "X123", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
}

TEST_F(RmaTest, AdvanceReplacementStateMachine) {
  Rma r = Open();
  // Nothing ships, arrives or closes before approval.
  EXPECT_THAT(rmas_.ShipReplacement(logistics_, r.validation_number, "UPS", "1Z1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  EXPECT_THAT(rmas_.Close(tse_, r.validation_number, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  auto a = rmas_.Approve(tse_, r.validation_number, "", Covered(), 1, repo_);
  ASSERT_OK(a.status());
  EXPECT_EQ(repo_.CountEvents("allocate"), 1);
  // Approved but no spare allocated yet.
  EXPECT_THAT(rmas_.ShipReplacement(logistics_, a->rma_number, "UPS", "1Z1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not allocated a spare")));
  EXPECT_THAT(rmas_.Receive(logistics_, a->rma_number, r.serial, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  EXPECT_THAT(rmas_.Cancel(customer_, a->rma_number, "", "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  ASSERT_OK(rmas_.RecordSpare(r.validation_number, "JN11SPARE1", repo_));
  ASSERT_OK(rmas_.RecordSpare(r.validation_number, "JN11OTHER", repo_));  // repeated delivery
  EXPECT_EQ(repo_.rmas.begin()->second.replacement_serial, "JN11SPARE1");
  EXPECT_THAT(rmas_.RecordRepair(logistics_, a->rma_number, "x", "21.4", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  auto s = rmas_.ShipReplacement(logistics_, a->rma_number, "UPS", "1Z999", repo_);
  ASSERT_OK(s.status());
  EXPECT_EQ(s->status, Status::kReplacementShipped);
  EXPECT_EQ(repo_.CountEvents("swap"), 1);
  EXPECT_THAT(rmas_.ShipReplacement(logistics_, a->rma_number, "UPS", "1Z999", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REPLACEMENT_SHIPPED")));
  EXPECT_THAT(rmas_.Close(tse_, a->rma_number, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REPLACEMENT_SHIPPED")));
  ASSERT_OK_AND_ASSIGN(ReceiveResult got, rmas_.Receive(logistics_, a->rma_number, "jn11aaa0001", "", repo_));
  EXPECT_TRUE(got.accepted);
  EXPECT_EQ(got.rma.status, Status::kReceived);
  EXPECT_EQ(repo_.CountEvents("intake"), 1);
  auto c = rmas_.Close(logistics_, a->rma_number, "", repo_);
  ASSERT_OK(c.status());
  EXPECT_EQ(c->status, Status::kClosed);
  EXPECT_THAT(rmas_.Close(logistics_, a->rma_number, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CLOSED")));
  // One notification per transition: opened, approved, shipped, received, closed.
  std::vector<std::string> templates;
  for (const auto& n : repo_.notifications) templates.push_back(n.template_name);
  EXPECT_THAT(templates, ::testing::ElementsAre("rma_request_opened", "rma_approved",
                                                "replacement_shipped", "return_received",
                                                "rma_closed"));
  EXPECT_EQ(repo_.CountEvents("notify:"), 5);
}

TEST_F(RmaTest, ReturnToFactoryStateMachine) {
  Rma a = Approved(RmaType::kReturnToFactory);
  EXPECT_EQ(repo_.CountEvents("allocate"), 0);
  EXPECT_THAT(rmas_.ShipReplacement(logistics_, a.rma_number, "UPS", "1Z1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  EXPECT_THAT(rmas_.RecordRepair(logistics_, a.rma_number, "replaced PSU", "21.4R3", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  EXPECT_THAT(rmas_.ShipRepaired(logistics_, a.rma_number, "UPS", "1Z1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  ASSERT_OK_AND_ASSIGN(ReceiveResult got, rmas_.Receive(logistics_, a.rma_number, a.serial, "", repo_));
  EXPECT_EQ(got.rma.status, Status::kReceived);
  EXPECT_EQ(repo_.CountEvents("intake"), 0);  // the unit goes back to the customer
  EXPECT_THAT(rmas_.Close(tse_, a.rma_number, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("RECEIVED")));
  EXPECT_THAT(rmas_.RecordRepair(logistics_, a.rma_number, "", "21.4R3", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("repair_summary")));
  auto rep = rmas_.RecordRepair(logistics_, a.rma_number, "replaced PSU 1", "21.4R3-S5", repo_);
  ASSERT_OK(rep.status());
  EXPECT_EQ(rep->software_version, "21.4R3-S5");
  auto sh = rmas_.ShipRepaired(logistics_, a.rma_number, "FedEx", "7712 3456", repo_);
  ASSERT_OK(sh.status());
  EXPECT_EQ(sh->status, Status::kRepairShipped);
  ASSERT_OK_AND_ASSIGN(Rma closed, rmas_.Close(tse_, a.rma_number, "", repo_));
  EXPECT_EQ(closed.status, Status::kClosed);
}

TEST_F(RmaTest, DoaFollowsTheReplacementMachineAndStandardWarrantyTheRepairMachine) {
  Rma doa = Approved(RmaType::kDoa, "JN11DOA00001", 1);
  EXPECT_EQ(repo_.CountEvents("allocate"), 1);
  ASSERT_OK(rmas_.RecordSpare(doa.validation_number, "JN11SPARE9", repo_));
  ASSERT_OK_AND_ASSIGN(Rma shipped,
                       rmas_.ShipReplacement(logistics_, doa.rma_number, "DHL", "JD0001", repo_));
  EXPECT_EQ(shipped.status, Status::kReplacementShipped);
  EXPECT_FALSE(shipped.return_due_date.empty());
  Rma sw = Approved(RmaType::kStandardWarranty, "JN11SW000001", 2);
  EXPECT_EQ(repo_.CountEvents("allocate"), 1);  // no spare for a warranty repair
  EXPECT_THAT(rmas_.ShipReplacement(logistics_, sw.rma_number, "DHL", "JD0002", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  ASSERT_OK_AND_ASSIGN(ReceiveResult got, rmas_.Receive(logistics_, sw.rma_number, sw.serial, "", repo_));
  EXPECT_EQ(got.rma.status, Status::kReceived);
  ASSERT_OK_AND_ASSIGN(Rma repaired,
                       rmas_.RecordRepair(logistics_, sw.rma_number, "reseated DIMM", "22.2R1", repo_));
  EXPECT_EQ(repaired.status, Status::kRepaired);
}

TEST_F(RmaTest, OnlyLogisticsReceivesAndShips) {
  for (Role role : {Role::kTse, Role::kCareAgent, Role::kCustomer, Role::kAdmin}) {
    for (const char* m : {"ReceiveReturn", "ShipReplacement", "ShipRepairedUnit", "RecordRepair"}) {
      EXPECT_FALSE(RmaPolicy().Allows(m, role)) << m << " " << RoleName(role);
      EXPECT_TRUE(RmaPolicy().Allows(m, Role::kLogistics)) << m;
    }
  }
}

TEST_F(RmaTest, ReceivingNeedsAnRmaNumberAndRecordsASerialMismatch) {
  Rma s = Shipped();
  EXPECT_THAT(rmas_.Receive(logistics_, s.validation_number, s.serial, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_THAT(rmas_.Receive(logistics_, "", s.serial, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_THAT(rmas_.Receive(logistics_, "R29999999", s.serial, "", repo_),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(ReceiveResult wrong,
                       rmas_.Receive(logistics_, s.rma_number, "JN11WRONG01", "box 7", repo_));
  EXPECT_FALSE(wrong.accepted);
  ASSERT_TRUE(wrong.exception.has_value());
  EXPECT_EQ(wrong.exception->received_serial, "JN11WRONG01");
  EXPECT_EQ(wrong.exception->expected_serial, s.serial);
  EXPECT_EQ(wrong.rma.status, Status::kReplacementShipped);
  EXPECT_EQ(repo_.CountEvents("intake"), 0);
  ASSERT_OK_AND_ASSIGN(Rma again, rmas_.Get(tse_, s.rma_number, repo_));
  ASSERT_EQ(again.receipt_exceptions.size(), 1u);
  EXPECT_EQ(again.status, Status::kReplacementShipped);
  EXPECT_EQ(repo_.notifications.back().template_name, "receipt_exception");
}

TEST_F(RmaTest, ReturnClockSkipsTheHolidayWeekend) {
  // Shipped Friday 2026-09-04; Labor Day Monday 2026-09-07 is not a business
  // day, so the tenth business day is Monday 2026-09-21 (not Friday 09-18).
  Rma s = Shipped();
  EXPECT_EQ(s.return_due_date, "2026-09-21");
  EXPECT_EQ(*s.return_due_time,
            absl::FromCivil(absl::CivilDay(2026, 9, 22), absl::UTCTimeZone()));
  EXPECT_FALSE(s.Overdue(absl::FromCivil(absl::CivilSecond(2026, 9, 21, 23, 59, 59),
                                         absl::UTCTimeZone())));
  EXPECT_TRUE(s.Overdue(absl::FromCivil(absl::CivilDay(2026, 9, 22), absl::UTCTimeZone())));
}

TEST_F(RmaTest, NonReturnIsChargedOnceAtListPrice) {
  Rma s = Shipped();
  clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 9, 21, 23, 0, 0), absl::UTCTimeZone()));
  ASSERT_OK_AND_ASSIGN(bool early, rmas_.ChargeIfOverdue(s.id, repo_));
  EXPECT_FALSE(early);
  clock_.Set(absl::FromCivil(absl::CivilDay(2026, 9, 22), absl::UTCTimeZone()));
  ASSERT_OK_AND_ASSIGN(bool first, rmas_.ChargeIfOverdue(s.id, repo_));
  ASSERT_OK_AND_ASSIGN(bool second, rmas_.ChargeIfOverdue(s.id, repo_));
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(Rma charged, rmas_.Get(tse_, s.rma_number, repo_));
  EXPECT_EQ(*charged.charge_minor, 1234567);
  EXPECT_EQ(repo_.CountEvents("notify:non_return_charged"), 1);
  // A charged, unreturned replacement can be closed.
  ASSERT_OK_AND_ASSIGN(Rma closed, rmas_.Close(agent_, s.rma_number, "", repo_));
  EXPECT_EQ(closed.status, Status::kClosed);
}

TEST_F(RmaTest, ReturnLabelUsesTheLocationOfTheShipToCountry) {
  Rma r = Open();
  EXPECT_THAT(rmas_.GetReturnLabel(customer_, r.validation_number, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  Rma a = *rmas_.Approve(tse_, r.validation_number, "", Covered(), 1, repo_);
  ASSERT_OK_AND_ASSIGN(ReturnLabel l, rmas_.GetReturnLabel(customer_, a.rma_number, repo_));
  EXPECT_EQ(l.rma_number, "R20000001");
  EXPECT_EQ(l.location.code, "US-SVL");
  EXPECT_EQ(l.barcode_payload, "RMA|R20000001|SN|JN11AAA0001|LOC|US-SVL");
  EXPECT_THAT(l.instructions, HasSubstr("R20000001"));
  EXPECT_THAT(rmas_.GetReturnLabel(other_customer_, a.rma_number, repo_),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(RmaTest, ListsAreScopedAndPaged) {
  for (int i = 1; i <= 5; ++i) Open(RmaType::kReturnToFactory, "JN11AAA000" + std::to_string(i), i);
  RmaFilter f;
  EXPECT_THAT(rmas_.List(P(Role::kCustomer, "c", {"A", "B"}), f, 10, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account_id")));
  f.account_id = "OTHER-9";
  EXPECT_THAT(rmas_.List(customer_, f, 10, "", repo_), StatusIs(absl::StatusCode::kNotFound));
  f.account_id.clear();
  ASSERT_OK_AND_ASSIGN(auto p1, rmas_.List(customer_, f, 2, "", repo_));
  ASSERT_EQ(p1.items.size(), 2u);
  ASSERT_FALSE(p1.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(auto p2, rmas_.List(customer_, f, 2, p1.next_page_token, repo_));
  ASSERT_OK_AND_ASSIGN(auto p3, rmas_.List(customer_, f, 2, p2.next_page_token, repo_));
  EXPECT_EQ(p3.items.size(), 1u);
  EXPECT_TRUE(p3.next_page_token.empty());
  EXPECT_EQ(p2.items[0].validation_number, "V10000003");
  RmaFilter other = f;
  other.status = Status::kApproved;
  EXPECT_THAT(rmas_.List(customer_, other, 2, p1.next_page_token, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_FALSE(RmaPolicy().Allows("ListOverdueReturns", Role::kCustomer));
}

}  // namespace
}  // namespace aftercare::rma
