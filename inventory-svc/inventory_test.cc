// Unit tests of the inventory-svc domain (inventory.h) with an in-memory
// repository: the state machine, certification, pricing band, warranty and
// support at sale, reservations with TTL, scope and installed base.
#include "inventory-svc/inventory.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/fake_inventory_repository.h"
#include "inventory-svc/inventory_policy.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

Principal P(Role role, std::string subject, std::vector<std::string> accounts = {},
            std::string partner = "", bool cpo = false) {
  Principal p;
  p.role = role;
  p.subject = std::move(subject);
  p.account_ids = std::move(accounts);
  p.partner_id = std::move(partner);
  p.cpo_channel = cpo;
  return p;
}

const std::vector<UnitState> kAllStates = {
    UnitState::kReceived, UnitState::kInCertification, UnitState::kCertified,
    UnitState::kReserved, UnitState::kSold,            UnitState::kQuarantined,
    UnitState::kScrapped, UnitState::kSpare,           UnitState::kAllocated,
    UnitState::kInService, UnitState::kAwaitingReturn};

PostalAddress UsSite() {
  PostalAddress a;
  a.region_code = "US";
  a.postal_code = "94089";
  a.locality = "Sunnyvale";
  a.address_lines = {"1133 Innovation Way"};
  return a;
}

class InventoryTest : public ::testing::Test {
 protected:
  InventoryTest() : codec_("0123456789abcdef0123456789abcdef"), inv_(clock_, {}, &codec_) {}

  void SetUp() override {
    const Product ex = Ex4300Product();
    ASSERT_OK(inv_.CreateProduct(admin_, ex, repo_).status());
    Product mx = ex;
    mx.sku = "MX480";
    mx.family = Family::kRouting;
    mx.series = "MX Series";
    mx.platform = "MX480";
    mx.list_price = {"USD", 9'999'999};
    mx.lifecycle = Lifecycle::kEndOfProduction;
    mx.end_of_production_time = absl::FromUnixSeconds(1700000000);
    mx.standard_warranty_months = 36;
    ASSERT_OK(inv_.CreateProduct(admin_, mx, repo_).status());
  }

  // Puts a unit straight into the repository in `state`.
  Unit Put(const std::string& serial, UnitState state, const std::string& sku = "EX4300-48T") {
    Unit u;
    u.serial = serial;
    u.sku = sku;
    u.state = state;
    u.source = Source::kDemoReturn;
    u.condition = Condition::kRefurbished;
    u.round = 1;
    u.version = 1;
    if (state == UnitState::kReserved) {
      u.reservation_id = "RSV-1";
      u.reserved_partner_id = "purewrx";
      u.reserved_at = clock_.Now();
      u.reserved_until = clock_.Now() + absl::Hours(1);
      u.reserved_price_minor = 100;
    }
    if (state == UnitState::kSold || state == UnitState::kInService ||
        state == UnitState::kAwaitingReturn) {
      u.owner_account_id = u.original_purchaser_account_id = "ACME-001";
      u.ship_time = clock_.Now();
      u.site = UsSite();
    }
    if (state == UnitState::kAllocated) u.allocated_rma = "R00000001";
    EXPECT_OK(repo_.InsertUnit(&u));
    return u;
  }

  absl::StatusOr<StepResult> Step(const std::string& serial, inventory::Step step, bool passed = true) {
    StepCommand cmd;
    cmd.serial = serial;
    cmd.step = step;
    cmd.passed = passed;
    if (step == Step::kComponentRepair) cmd.no_repair_needed = true;
    if (step == Step::kSoftwareUpdate) cmd.software_version = "21.4R3-S5";
    if (step == Step::kQualificationTest) cmd.test_report_reference = "QT-1";
    return inv_.RecordCertificationStep(logistics_, cmd, repo_);
  }

  // Receives and certifies a unit.
  Unit Certified(const std::string& serial, const std::string& sku = "EX4300-48T") {
    repo_.registry[serial] = GenuineSerial{serial, sku, clock_.Now()};
    ReceiveCommand r{serial, sku, Source::kDemoReturn, Condition::kUnspecified, ""};
    EXPECT_OK(inv_.ReceiveUnit(logistics_, r, repo_).status());
    for (int i = 1; i <= kStepCount; ++i) EXPECT_OK(Step(serial, static_cast<inventory::Step>(i)).status());
    auto unit = inv_.CertifyUnit(logistics_, serial, repo_);
    EXPECT_OK(unit.status());
    return unit.ok() ? *unit : Unit{};
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  Inventory inv_;
  FakeInventoryRepository repo_;
  Principal admin_ = P(Role::kAdmin, "admin-1");
  Principal logistics_ = P(Role::kLogistics, "lab-1");
  Principal partner_ = P(Role::kPartner, "pw-user", {}, "purewrx", true);
  Principal service_ = P(Role::kService, "rma-svc");
};

// --- Pricing ---------------------------------------------------------------------

TEST(CpoPriceTest, ExactIntegerPrices) {
  EXPECT_EQ(*CpoPrice(100000, 2000), 80000);
  EXPECT_EQ(*CpoPrice(100000, 2500), 75000);
  EXPECT_EQ(*CpoPrice(1234567, 2200), 1234567 - 271605);  // 271604.74 rounds half up
  EXPECT_EQ(*CpoPrice(99, 2000), 79);                     // 19.8 rounds to 20
}

TEST(CpoPriceTest, AlwaysInsideTheBand) {
  for (int64_t list = 20; list < 5000; ++list) {
    for (int32_t bps : {2000, 2137, 2250, 2499, 2500}) {
      auto price = CpoPrice(list, bps);
      ASSERT_OK(price.status()) << list << " " << bps;
      const int64_t discount = list - *price;
      EXPECT_GE(discount * 10000, list * 2000) << list << " " << bps;
      EXPECT_LE(discount * 10000, list * 2500) << list << " " << bps;
    }
  }
}

TEST(CpoPriceTest, RefusesDiscountsOutsideTheBand) {
  EXPECT_THAT(CpoPrice(100000, 1999), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CpoPrice(100000, 2501), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CpoPrice(-5, 2000), StatusIs(absl::StatusCode::kInvalidArgument));
  DiscountPolicy policy;
  EXPECT_OK(policy.Validate());
  policy.eop_refurbished = 2600;
  EXPECT_THAT(policy.Validate(), StatusIs(absl::StatusCode::kInvalidArgument));
  policy.eop_refurbished = 1500;
  EXPECT_THAT(policy.Validate(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(InventoryTest, ReservationFixesThePriceForLifecycleAndCondition) {
  Certified("JN0000001");
  ReserveCommand cmd{"JN0000001", "", "US", Condition::kUnspecified};
  ASSERT_OK_AND_ASSIGN(Unit u, inv_.ReserveUnit(partner_, cmd, repo_));
  EXPECT_EQ(u.reserved_discount_bps, 2200);  // current line, refurbished
  EXPECT_EQ(u.reserved_price_minor, *CpoPrice(1'234'567, 2200));
  Certified("JN0000002", "MX480");
  ReserveCommand mx{"JN0000002", "", "US", Condition::kUnspecified};
  ASSERT_OK_AND_ASSIGN(Unit m, inv_.ReserveUnit(partner_, mx, repo_));
  EXPECT_EQ(m.reserved_discount_bps, 2500);  // end of production, refurbished
  // 25% is 2'499'999.75: rounding up would leave the band, so the discount is 2'499'999.
  EXPECT_EQ(m.reserved_price_minor, 7'500'000);
}

TEST_F(InventoryTest, ProductValidationNamesTheField) {
  Product p = *repo_.FindProduct("EX4300-48T").value();
  p.sku = "EX2300-24T";
  p.list_price.amount_minor = -1;
  EXPECT_THAT(inv_.CreateProduct(admin_, p, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.list_price.amount_minor")));
  p.list_price.amount_minor = 1000;
  p.display_name = std::string(201, 'x');
  EXPECT_THAT(inv_.CreateProduct(admin_, p, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.display_name")));
  p.display_name = "";
  p.sku = "bad sku!";
  EXPECT_THAT(inv_.CreateProduct(admin_, p, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.sku")));
  EXPECT_EQ(repo_.products.size(), 2u);
  EXPECT_FALSE(InventoryPolicy().Allows("CreateProduct", Role::kLogistics));
  EXPECT_TRUE(InventoryPolicy().Allows("CreateProduct", Role::kAdmin));
}

// --- State machine ------------------------------------------------------------------

struct Op {
  const char* name;
  std::vector<UnitState> allowed;
  std::function<absl::Status(InventoryTest*, const std::string&)> run;
};

class StateMachineTest : public InventoryTest {
 public:
  std::vector<Op> Ops() {
    using S = UnitState;
    auto st = [](auto r) { return r.status(); };
    return {
        {"certify", {S::kInCertification},
         [=](InventoryTest* t, const std::string& s) { return st(static_cast<StateMachineTest*>(t)->inv_.CertifyUnit(logistics_, s, repo_)); }},
        // The CPO channel's moves by admin, who reaches every unit (a
        // partner does not even see units it may not reserve:
        // CpoPartnerReachesOnlyWhatItMaySee).
        {"reserve", {S::kCertified},
         [=](InventoryTest*, const std::string& s) { return st(inv_.ReserveUnit(admin_, {s, "", "US", Condition::kUnspecified}, repo_)); }},
        {"release", {S::kReserved},
         [=](InventoryTest*, const std::string& s) { return st(inv_.ReleaseReservation(admin_, s, repo_)); }},
        {"sell", {S::kReserved},
         [=](InventoryTest*, const std::string& s) {
           SellCommand c;
           c.serial = s;
           c.buyer_account_id = "ACME-001";
           return st(inv_.SellUnit(admin_, c, repo_));
         }},
        {"quarantine", {S::kReceived, S::kInCertification, S::kCertified, S::kSpare},
         [=](InventoryTest*, const std::string& s) { return st(inv_.QuarantineUnit(logistics_, s, "suspect", repo_)); }},
        {"scrap", {S::kReceived, S::kInCertification, S::kCertified, S::kQuarantined, S::kSpare},
         [=](InventoryTest*, const std::string& s) { return st(inv_.ScrapUnit(logistics_, s, "broken", repo_)); }},
        {"spare pool", {S::kCertified},
         [=](InventoryTest*, const std::string& s) { return st(inv_.MoveToSparePool(logistics_, s, repo_)); }},
        {"certification step", {S::kReceived, S::kInCertification},
         [=](InventoryTest*, const std::string& s) { return st(Step(s, Step::kSerialVerification)); }},
        {"register", {S::kSold},
         [=](InventoryTest*, const std::string& s) {
           RegisterCommand c;
           c.serial = s;
           c.site = UsSite();
           return st(inv_.RegisterProduct(admin_, c, repo_));
         }},
        {"site move", {S::kSold, S::kInService},
         [=](InventoryTest*, const std::string& s) {
           SiteMoveCommand c;
           c.serial = s;
           c.site = UsSite();
           return st(inv_.UpdateInstalledBase(admin_, c, repo_));
         }},
        {"transfer", {S::kSold, S::kInService},
         [=](InventoryTest*, const std::string& s) { return st(inv_.TransferOwnership(admin_, s, "OTHER-1", "", repo_)); }},
        {"contract", {S::kSold, S::kInService},
         [=](InventoryTest*, const std::string& s) {
           return st(inv_.CreateSupportContract(admin_, s, {SupportLevel::kCareCore, 12, ""}, repo_));
         }},
        {"intake", {S::kSold, S::kInService, S::kAwaitingReturn},
         [=](InventoryTest*, const std::string& s) {
           return st(inv_.IntakeReturnedUnit(service_, {s, Source::kRmaReturn, "", "R00000009"}, repo_));
         }},
        {"receive again", {S::kSold, S::kInService, S::kAwaitingReturn},
         [=](InventoryTest*, const std::string& s) {
           return st(inv_.ReceiveUnit(logistics_, {s, "EX4300-48T", Source::kStockRotation, Condition::kUnspecified, ""}, repo_));
         }},
        {"release spare", {S::kAllocated},
         [=](InventoryTest*, const std::string& s) { return st(inv_.ReleaseSpare(service_, s, "R00000001", repo_)); }},
    };
  }
};

TEST_F(StateMachineTest, EveryIllegalTransitionIsFailedPreconditionNamingTheState) {
  int checked = 0;
  int n = 0;
  for (const Op& op : Ops()) {
    for (UnitState state : kAllStates) {
      if (std::find(op.allowed.begin(), op.allowed.end(), state) != op.allowed.end()) continue;
      const std::string serial = absl::StrCat("SM", ++n, "X");
      Put(serial, state);
      const int64_t events_before = static_cast<int64_t>(repo_.events.size());
      absl::Status s = op.run(this, serial);
      EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                              HasSubstr(absl::StrCat(" is ", Name(state)))))
          << op.name << " from " << Name(state);
      EXPECT_EQ(repo_.units[serial].state, state) << op.name << " from " << Name(state);
      EXPECT_EQ(static_cast<int64_t>(repo_.events.size()), events_before);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
}

TEST_F(StateMachineTest, LegalTransitionsSucceedAndAreKeptInHistory) {
  Unit u = Certified("JN1000001");
  EXPECT_EQ(u.state, UnitState::kCertified);
  EXPECT_EQ(u.certificate_id, "CPO-JN1000001-1");
  EXPECT_EQ(u.certified_by, "lab-1");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"JN1000001", "", "US", Condition::kUnspecified}, repo_).status());
  ASSERT_OK(inv_.ReleaseReservation(partner_, "JN1000001", repo_).status());
  ASSERT_OK(inv_.MoveToSparePool(logistics_, "JN1000001", repo_).status());
  ASSERT_OK_AND_ASSIGN(Unit a, inv_.AllocateSpare(service_, "EX4300-48T", "R21056835", repo_));
  EXPECT_EQ(a.state, UnitState::kAllocated);
  EXPECT_EQ(a.allocated_rma, "R21056835");
  std::vector<UnitState> to;
  for (const auto& e : repo_.events) {
    if (e.serial == "JN1000001" && e.kind == kEventStateChange) to.push_back(e.to_state);
  }
  EXPECT_EQ(to, (std::vector<UnitState>{UnitState::kReceived, UnitState::kInCertification,
                                        UnitState::kCertified, UnitState::kReserved,
                                        UnitState::kCertified, UnitState::kSpare,
                                        UnitState::kAllocated}));
}

// --- Certification ------------------------------------------------------------------

TEST_F(InventoryTest, UnknownSerialQuarantines) {
  ASSERT_OK(inv_.ReceiveUnit(logistics_, {"FAKE0001", "EX4300-48T", Source::kOpenMarket, Condition::kUnspecified, ""}, repo_).status());
  ASSERT_OK_AND_ASSIGN(StepResult r, Step("FAKE0001", Step::kSerialVerification));
  EXPECT_FALSE(r.event.passed);
  EXPECT_EQ(r.unit.state, UnitState::kQuarantined);
  EXPECT_THAT(r.unit.quarantine_reason, HasSubstr("counterfeit"));
}

TEST_F(InventoryTest, SkuMismatchQuarantines) {
  repo_.registry["JN2000001"] = GenuineSerial{"JN2000001", "MX480", clock_.Now()};
  ASSERT_OK(inv_.ReceiveUnit(logistics_, {"JN2000001", "EX4300-48T", Source::kOpenMarket, Condition::kUnspecified, ""}, repo_).status());
  ASSERT_OK_AND_ASSIGN(StepResult r, Step("JN2000001", Step::kSerialVerification));
  EXPECT_EQ(r.unit.state, UnitState::kQuarantined);
  EXPECT_THAT(r.unit.quarantine_reason, HasSubstr("SKU mismatch"));
}

TEST_F(InventoryTest, StepsNeedSerialVerificationFirst) {
  ASSERT_OK(inv_.ReceiveUnit(logistics_, {"JN3000001", "EX4300-48T", Source::kDemoReturn, Condition::kUnspecified, ""}, repo_).status());
  EXPECT_THAT(Step("JN3000001", Step::kConfigurationReset),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("SERIAL_VERIFICATION")));
}

TEST_F(InventoryTest, CertifyNeedsAllSixStepsAndLatestSoftware) {
  repo_.registry["JN4000001"] = GenuineSerial{"JN4000001", "EX4300-48T", clock_.Now()};
  ASSERT_OK(inv_.ReceiveUnit(logistics_, {"JN4000001", "EX4300-48T", Source::kDemoReturn, Condition::kUnspecified, ""}, repo_).status());
  ASSERT_OK(Step("JN4000001", Step::kSerialVerification).status());
  ASSERT_OK(Step("JN4000001", Step::kComponentRepair).status());
  StepCommand sw;
  sw.serial = "JN4000001";
  sw.step = Step::kSoftwareUpdate;
  sw.software_version = "20.1R1";
  ASSERT_OK_AND_ASSIGN(StepResult old_sw, inv_.RecordCertificationStep(logistics_, sw, repo_));
  EXPECT_FALSE(old_sw.event.passed);
  ASSERT_OK(Step("JN4000001", Step::kConfigurationReset).status());
  ASSERT_OK(Step("JN4000001", Step::kPackagingAndLabeling).status());
  ASSERT_OK(Step("JN4000001", Step::kQualificationTest, /*passed=*/false).status());
  EXPECT_THAT(inv_.CertifyUnit(logistics_, "JN4000001", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       ::testing::AllOf(HasSubstr("SOFTWARE_UPDATE"), HasSubstr("QUALIFICATION_TEST"),
                                        HasSubstr("IN_CERTIFICATION"))));
  ASSERT_OK(Step("JN4000001", Step::kSoftwareUpdate).status());
  // The failed test: repair, then retest.
  ASSERT_OK(Step("JN4000001", Step::kQualificationTest).status());
  StepCommand repair;
  repair.serial = "JN4000001";
  repair.step = Step::kComponentRepair;
  repair.replaced_parts = {"PWR-MX480-AC"};
  ASSERT_OK(inv_.RecordCertificationStep(logistics_, repair, repo_).status());
  EXPECT_THAT(inv_.CertifyUnit(logistics_, "JN4000001", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("repaired after")));
  ASSERT_OK(Step("JN4000001", Step::kQualificationTest).status());
  ASSERT_OK_AND_ASSIGN(Unit u, inv_.CertifyUnit(logistics_, "JN4000001", repo_));
  EXPECT_EQ(u.state, UnitState::kCertified);
}

TEST_F(InventoryTest, OnlyLogisticsRecordsStepsAndCertifies) {
  for (const char* method : {"RecordCertificationStep", "CertifyUnit"}) {
    for (Role r : {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kTse, Role::kAdmin,
                   Role::kService}) {
      EXPECT_FALSE(InventoryPolicy().Allows(method, r)) << method << " " << RoleName(r);
    }
    EXPECT_TRUE(InventoryPolicy().Allows(method, Role::kLogistics)) << method;
  }
}

TEST_F(InventoryTest, ASecondRoundKeepsTheFirstInHistory) {
  Certified("JN6000001");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"JN6000001", "", "US", Condition::kUnspecified}, repo_).status());
  SellCommand sell;
  sell.serial = "JN6000001";
  sell.buyer_account_id = "ACME-001";
  ASSERT_OK(inv_.SellUnit(partner_, sell, repo_).status());
  ASSERT_OK(inv_.IntakeReturnedUnit(service_, {"JN6000001", Source::kTradeIn, "", "TMIP-1"}, repo_).status());
  ASSERT_OK(Step("JN6000001", Step::kSerialVerification).status());
  EXPECT_EQ(repo_.units["JN6000001"].round, 2);
  EXPECT_EQ(repo_.StepEvents("JN6000001", 1)->size(), 6u);
  EXPECT_EQ(repo_.StepEvents("JN6000001", 2)->size(), 1u);
  EXPECT_EQ(repo_.units["JN6000001"].owner_account_id, "");
}

// --- Selling: scope, TTL, warranty, support ---------------------------------------

TEST_F(InventoryTest, PartnerWithoutCpoChannelCannotReserveOrSell) {
  Certified("JN7000001");
  Principal plain = P(Role::kPartner, "p2", {}, "acme-reseller", false);
  EXPECT_THAT(inv_.ReserveUnit(plain, {"JN7000001", "", "US", Condition::kUnspecified}, repo_),
              StatusIs(absl::StatusCode::kPermissionDenied));
  Principal customer = P(Role::kCustomer, "c1", {"ACME-001"});
  EXPECT_THAT(inv_.ReserveUnit(customer, {"JN7000001", "", "US", Condition::kUnspecified}, repo_),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(repo_.units["JN7000001"].state, UnitState::kCertified);
}

TEST_F(InventoryTest, ShipToMustBeUs) {
  Certified("JN7000002");
  EXPECT_THAT(inv_.ReserveUnit(partner_, {"JN7000002", "", "CA", Condition::kUnspecified}, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ship_to_region_code")));
}

TEST_F(InventoryTest, ReservationExpiresWithoutAnyoneCallingAnything) {
  Certified("JN8000001");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"", "EX4300-48T", "US", Condition::kUnspecified}, repo_).status());
  Principal other = P(Role::kPartner, "o1", {}, "other-reseller", true);
  EXPECT_THAT(inv_.ReserveUnit(other, {"", "EX4300-48T", "US", Condition::kUnspecified}, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  clock_.Advance(absl::Hours(72));
  EXPECT_EQ(EffectiveState(repo_.units["JN8000001"], clock_.Now()), UnitState::kCertified);
  SellCommand late;
  late.serial = "JN8000001";
  late.buyer_account_id = "ACME-001";
  EXPECT_THAT(inv_.SellUnit(partner_, late, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is CERTIFIED")));
  ASSERT_OK_AND_ASSIGN(Unit u, inv_.ReserveUnit(other, {"", "EX4300-48T", "US", Condition::kUnspecified}, repo_));
  EXPECT_EQ(u.reserved_partner_id, "other-reseller");
}

// The claim brings the unit's price basis; the catalog is read apart only to
// say why nothing was reserved.
TEST_F(InventoryTest, ReserveBySkuTellsAnUnknownSkuFromAnEmptyShelf) {
  const ReserveCommand unknown{"", "NOSUCH-1", "US", Condition::kUnspecified};
  EXPECT_THAT(inv_.ReserveUnit(partner_, unknown, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not in the catalog")));
  const ReserveCommand by_sku{"", "EX4300-48T", "US", Condition::kUnspecified};
  EXPECT_THAT(inv_.ReserveUnit(partner_, by_sku, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is available")));

  // A CERTIFIED unit whose SKU is no longer in the catalog is not reserved.
  Certified("JN8100001");
  const Product product = repo_.products.at("EX4300-48T");
  repo_.products.erase("EX4300-48T");
  EXPECT_THAT(inv_.ReserveUnit(partner_, by_sku, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not in the catalog")));
  EXPECT_EQ(repo_.units.at("JN8100001").state, UnitState::kCertified);

  // A product added between the claim's read and the catalog's: retry.
  class ClaimBeforeTheCatalog : public FakeInventoryRepository {
   public:
    absl::StatusOr<std::optional<ClaimedUnit>> ClaimAvailableUnit(const std::string& sku,
                                                                  Condition c,
                                                                  absl::Time now) override {
      auto claimed = FakeInventoryRepository::ClaimAvailableUnit(sku, c, now);
      if (claimed.ok() && claimed->has_value()) (*claimed)->price.reset();
      return claimed;
    }
  } late;
  late.units = repo_.units;
  late.products = repo_.products;
  late.products.emplace(product.sku, product);
  EXPECT_THAT(inv_.ReserveUnit(partner_, by_sku, late),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("retry")));
  EXPECT_EQ(late.units.at("JN8100001").state, UnitState::kCertified);

  // With its product back, the unit is reserved at the product's price.
  repo_.products.emplace(product.sku, product);
  CpoPriceBasis basis;
  ASSERT_OK_AND_ASSIGN(Unit u, inv_.ReserveUnit(partner_, by_sku, repo_, &basis));
  EXPECT_EQ(u.serial, "JN8100001");
  EXPECT_EQ(basis.list_price.amount_minor, product.list_price.amount_minor);
  EXPECT_EQ(basis.lifecycle, product.lifecycle);
  EXPECT_EQ(u.reserved_price_minor,
            *CpoPrice(product.list_price.amount_minor, u.reserved_discount_bps));
}

TEST_F(InventoryTest, CurrentLineSaleCarriesTheWarrantyOfNewHardware) {
  Certified("JN9000001");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"JN9000001", "", "US", Condition::kUnspecified}, repo_).status());
  SellCommand sell;
  sell.serial = "JN9000001";
  sell.buyer_account_id = "ACME-001";
  ASSERT_OK_AND_ASSIGN(SaleResult r, inv_.SellUnit(partner_, sell, repo_));
  EXPECT_EQ(r.unit.warranty_kind, WarrantyKind::kStandard);
  EXPECT_EQ(*r.unit.warranty_end, AddMonths(clock_.Now(), 12));
  EXPECT_EQ(r.unit.original_purchaser_account_id, "ACME-001");
  EXPECT_EQ(r.unit.sale_price_minor, *CpoPrice(1'234'567, 2200));
  EXPECT_TRUE(r.entitlement.entitled);
  EXPECT_EQ(r.entitlement.replacement_business_days, 0);
  // Current-line support can be added later, by a partner of the owning
  // account; a partner without it does not even see the unit.
  const size_t contracts = repo_.contracts.size();
  EXPECT_THAT(inv_.CreateSupportContract(partner_, "JN9000001", {SupportLevel::kNextBusinessDay, 12, ""}, repo_),
              StatusIs(absl::StatusCode::kNotFound, "unit JN9000001 not found"));
  EXPECT_EQ(repo_.contracts.size(), contracts);
  Principal acme_partner = P(Role::kPartner, "pw-user", {"ACME-001"}, "purewrx", true);
  ASSERT_OK(inv_.CreateSupportContract(acme_partner, "JN9000001", {SupportLevel::kNextBusinessDay, 12, ""}, repo_).status());
}

TEST_F(InventoryTest, CpoPartnerReachesOnlyWhatItMaySee) {
  // What GetUnit hides from a CPO partner, reserving, releasing and selling
  // hide the same way: NOT_FOUND with the message of a missing unit.
  Certified("JN9100001");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"JN9100001", "", "US", Condition::kUnspecified}, repo_).status());
  Principal other = P(Role::kPartner, "o1", {}, "other-reseller", true);
  const auto not_found = StatusIs(absl::StatusCode::kNotFound, "unit JN9100001 not found");
  EXPECT_THAT(inv_.GetUnit(other, "JN9100001", repo_), not_found);
  EXPECT_THAT(inv_.ReleaseReservation(other, "JN9100001", repo_), not_found);
  SellCommand sell;
  sell.serial = "JN9100001";
  sell.buyer_account_id = "ACME-001";
  EXPECT_THAT(inv_.SellUnit(other, sell, repo_), not_found);
  EXPECT_THAT(inv_.ReserveUnit(other, {"JN9100001", "", "US", Condition::kUnspecified}, repo_),
              not_found);
  EXPECT_EQ(repo_.units["JN9100001"].reserved_partner_id, "purewrx");
  EXPECT_EQ(EffectiveState(repo_.units["JN9100001"], clock_.Now()), UnitState::kReserved);
  // A unit still in the depot is not on offer: not found for partners.
  Put("JN9100002", UnitState::kInCertification);
  EXPECT_THAT(inv_.ReserveUnit(partner_, {"JN9100002", "", "US", Condition::kUnspecified}, repo_),
              StatusIs(absl::StatusCode::kNotFound, "unit JN9100002 not found"));
  EXPECT_THAT(inv_.GetUnit(partner_, "JN9100002", repo_), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(InventoryTest, EndOfProductionSaleTwelveMonthsAndSupportOnlyAtSale) {
  Certified("JN9000002", "MX480");
  ASSERT_OK(inv_.ReserveUnit(partner_, {"JN9000002", "", "US", Condition::kUnspecified}, repo_).status());
  SellCommand sell;
  sell.serial = "JN9000002";
  sell.buyer_account_id = "ACME-001";
  sell.support_options = {{SupportLevel::kSameDay, 12, ""}};
  EXPECT_THAT(inv_.SellUnit(partner_, sell, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("support_options[0].level")));
  sell.support_options = {{SupportLevel::kNextBusinessDay, 12, ""}};
  EXPECT_THAT(inv_.SellUnit(partner_, sell, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pre_approval_reference")));
  sell.support_options = {{SupportLevel::kNextBusinessDay, 12, "PA-77"}};
  ASSERT_OK_AND_ASSIGN(SaleResult r, inv_.SellUnit(partner_, sell, repo_));
  EXPECT_EQ(r.unit.warranty_kind, WarrantyKind::kCpoEndOfProduction);
  EXPECT_EQ(*r.unit.warranty_end, AddMonths(clock_.Now(), 12));
  EXPECT_EQ(r.entitlement.replacement_business_days, 20);
  ASSERT_EQ(r.contracts.size(), 1u);
  EXPECT_TRUE(r.contracts[0].purchased_at_sale);
  EXPECT_TRUE(r.entitlement.advance_replacement);
  EXPECT_THAT(inv_.CreateSupportContract(admin_, "JN9000002", {SupportLevel::kCareCore, 12, ""}, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("only at the time")));
}

TEST(AddMonthsTest, ClampsToTheEndOfTheMonth) {
  absl::Time jan31 = absl::FromCivil(absl::CivilSecond(2027, 1, 31, 10, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(AddMonths(jan31, 1),
            absl::FromCivil(absl::CivilSecond(2027, 2, 28, 10, 0, 0), absl::UTCTimeZone()));
  EXPECT_EQ(AddMonths(jan31, 12),
            absl::FromCivil(absl::CivilSecond(2028, 1, 31, 10, 0, 0), absl::UTCTimeZone()));
}

// --- Installed base and entitlement ---------------------------------------------------

TEST_F(InventoryTest, CustomerSeesOnlyItsOwnInstalledBase) {
  Put("JNA000001", UnitState::kInService);  // ACME-001
  Principal mine = P(Role::kCustomer, "c1", {"ACME-001"});
  Principal other = P(Role::kCustomer, "c2", {"GLOBEX-002"});
  EXPECT_OK(inv_.GetUnit(mine, "JNA000001", repo_).status());
  EXPECT_THAT(inv_.GetUnit(other, "JNA000001", repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(inv_.GetEntitlement(other, {"JNA000001", "", ""}, repo_),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(inv_.ListInstalledBase(other, "ACME-001", 10, "", repo_),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto page, inv_.ListInstalledBase(mine, "ACME-001", 10, "", repo_));
  EXPECT_EQ(page.items.size(), 1u);
  EXPECT_FALSE(InventoryPolicy().Allows("ListUnits", Role::kCustomer));
}

TEST_F(InventoryTest, SiteMoveNeedsAcceptanceOfTheLevelThatCanBeServed) {
  Put("JNB000001", UnitState::kInService);
  ASSERT_OK(inv_.CreateSupportContract(admin_, "JNB000001", {SupportLevel::kNextBusinessDay, 12, ""}, repo_).status());
  SiteMoveCommand move;
  move.serial = "JNB000001";
  move.site.region_code = "ZA";
  move.site.locality = "Cape Town";
  ASSERT_OK_AND_ASSIGN(SiteMoveResult r, inv_.UpdateInstalledBase(admin_, move, repo_));
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.contracted_level, SupportLevel::kNextBusinessDay);
  EXPECT_EQ(r.offered_level, SupportLevel::kCareCorePlus);
  EXPECT_EQ(repo_.units["JNB000001"].site.region_code, "US");
  move.accepted_level = SupportLevel::kCareCorePlus;
  ASSERT_OK_AND_ASSIGN(SiteMoveResult ok, inv_.UpdateInstalledBase(admin_, move, repo_));
  EXPECT_TRUE(ok.applied);
  EXPECT_EQ(repo_.units["JNB000001"].site.region_code, "ZA");
  EXPECT_EQ(repo_.contracts.begin()->second.level, SupportLevel::kCareCorePlus);
}

TEST_F(InventoryTest, GreyMarketHasNoEntitlementUntilReinstated) {
  Put("JNC000001", UnitState::kInService);
  repo_.units["JNC000001"].warranty_end = clock_.Now() + absl::Hours(24 * 300);
  ASSERT_OK(inv_.FlagGreyMarket(admin_, "JNC000001", "bought from a broker", repo_).status());
  ASSERT_OK_AND_ASSIGN(Entitlement e, inv_.GetEntitlement(admin_, {"JNC000001", "", ""}, repo_));
  EXPECT_TRUE(e.unit.grey_market);
  EXPECT_FALSE(e.entitled);
  EXPECT_FALSE(InventoryPolicy().Allows("ReinstateUnit", Role::kCareAgent));
  ASSERT_OK(inv_.ReinstateUnit(service_, "JNC000001", "2027-0101-00001", "INSP-1", repo_).status());
  ASSERT_OK_AND_ASSIGN(Entitlement after, inv_.GetEntitlement(admin_, {"JNC000001", "", ""}, repo_));
  EXPECT_TRUE(after.entitled);
  EXPECT_THAT(inv_.ReinstateUnit(service_, "JNC000001", "2027-0101-00001", "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(InventoryTest, SwapMovesOwnerAndCoverageToTheReplacement) {
  Unit bad = Put("JND000001", UnitState::kInService);
  repo_.units["JND000001"].ssrn = "SSRN00000042";
  repo_.units["JND000001"].warranty_end = clock_.Now() + absl::Hours(1000);
  ASSERT_OK(inv_.CreateSupportContract(admin_, "JND000001", {SupportLevel::kSameDay, 12, ""}, repo_).status());
  Put("JND000002", UnitState::kAllocated);  // allocated to R00000001
  SwapCommand cmd{"JND000001", "JND000002", "R00000002", std::nullopt};
  EXPECT_THAT(inv_.SwapInstalledBase(service_, cmd, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ALLOCATED")));
  cmd.rma_number = "R00000001";
  ASSERT_OK_AND_ASSIGN(SwapResult r, inv_.SwapInstalledBase(service_, cmd, repo_));
  EXPECT_EQ(r.replacement.state, UnitState::kInService);
  EXPECT_EQ(r.replacement.owner_account_id, "ACME-001");
  EXPECT_EQ(r.replacement.ssrn, "SSRN00000042");
  EXPECT_EQ(r.defective.state, UnitState::kAwaitingReturn);
  ASSERT_OK_AND_ASSIGN(Entitlement e, inv_.GetEntitlement(admin_, {"", "SSRN00000042", ""}, repo_));
  EXPECT_EQ(e.unit.serial, "JND000002");
  ASSERT_EQ(e.contracts.size(), 1u);
  EXPECT_TRUE(e.advance_replacement);
}

TEST_F(InventoryTest, PageTokenIsBoundToItsFilters) {
  for (int i = 0; i < 5; ++i) Put(absl::StrCat("JNE00000", i), UnitState::kReceived);
  UnitFilter f;
  f.state = UnitState::kReceived;
  ASSERT_OK_AND_ASSIGN(auto first, inv_.ListUnits(admin_, f, 2, "", repo_));
  ASSERT_FALSE(first.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(auto second, inv_.ListUnits(admin_, f, 2, first.next_page_token, repo_));
  EXPECT_EQ(second.items[0].serial, "JNE000002");
  f.state = UnitState::kCertified;
  EXPECT_THAT(inv_.ListUnits(admin_, f, 2, first.next_page_token, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST_F(InventoryTest, UpdateProductChecksEtagMaskAndResult) {
  ASSERT_OK_AND_ASSIGN(Product p, inv_.GetProduct(admin_, "EX4300-48T", repo_));
  Product patch;
  patch.sku = "EX4300-48T";
  patch.list_price = {"USD", 2'000'000};
  EXPECT_THAT(inv_.UpdateProduct(admin_, patch, {"list_price"}, "v99", repo_),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("etag")));
  EXPECT_THAT(inv_.UpdateProduct(admin_, patch, {"sku"}, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  EXPECT_THAT(inv_.UpdateProduct(admin_, patch, {}, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("update_mask")));
  patch.lifecycle = Lifecycle::kEndOfProduction;
  EXPECT_THAT(inv_.UpdateProduct(admin_, patch, {"lifecycle"}, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("end_of_production_time")));
  ASSERT_OK_AND_ASSIGN(Product updated, inv_.UpdateProduct(admin_, patch, {"list_price"}, Etag(p.version), repo_));
  EXPECT_EQ(updated.list_price.amount_minor, 2'000'000);
  EXPECT_EQ(updated.lifecycle, Lifecycle::kCurrent);
  EXPECT_EQ(updated.version, p.version + 1);
  EXPECT_THAT(inv_.UpdateProduct(admin_, patch, {"list_price"}, Etag(p.version), repo_),
              StatusIs(absl::StatusCode::kAborted));
}

TEST_F(InventoryTest, OffersShowCountsPricesAndWarrantyPerLifecycle) {
  Certified("JNF000001");
  Certified("JNF000002", "MX480");
  ASSERT_OK_AND_ASSIGN(auto page, inv_.ListCpoOffers(partner_, {}, true, 10, "", repo_));
  ASSERT_EQ(page.items.size(), 2u);
  const Offer& ex = page.items[0];
  EXPECT_EQ(ex.product.sku, "EX4300-48T");
  EXPECT_EQ(ex.available, 1);
  ASSERT_EQ(ex.lines.size(), 1u);
  EXPECT_EQ(ex.lines[0].price_minor, *CpoPrice(1'234'567, 2200));
  EXPECT_EQ(ex.warranty_kind, WarrantyKind::kStandard);
  EXPECT_EQ(ex.support_levels.size(), 4u);
  const Offer& mx = page.items[1];
  EXPECT_EQ(mx.warranty_kind, WarrantyKind::kCpoEndOfProduction);
  EXPECT_EQ(mx.warranty_months, 12);
  EXPECT_EQ(mx.support_levels.size(), 3u);
}

TEST_F(InventoryTest, TransferKeepsTheOriginalPurchaserAndMovesContracts) {
  Put("JNG000001", UnitState::kInService);
  ASSERT_OK(inv_.CreateSupportContract(admin_, "JNG000001", {SupportLevel::kCareCore, 12, ""}, repo_).status());
  EXPECT_FALSE(InventoryPolicy().Allows("TransferOwnership", Role::kCustomer));
  EXPECT_THAT(inv_.TransferOwnership(admin_, "JNG000001", "GLOBEX-002", "v7", repo_),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(Unit u, inv_.TransferOwnership(admin_, "JNG000001", "GLOBEX-002", "", repo_));
  EXPECT_EQ(u.owner_account_id, "GLOBEX-002");
  EXPECT_EQ(u.original_purchaser_account_id, "ACME-001");
  EXPECT_EQ(repo_.contracts.begin()->second.account_id, "GLOBEX-002");
}

}  // namespace
}  // namespace aftercare::inventory
