// InventoryRepositoryContractTest: the same cases against MariaDB
// (MysqlInventoryRepository) and against FakeInventoryRepository, the
// repository inventory-svc's use-case tests run on: units and products read
// back as the API shows them; the unit list's filters (the state is the
// effective one: an expired reservation is CERTIFIED) and keyset pages; the
// product list; stock counts; which unit a reservation or an RMA claims.
#include <optional>
#include <string>
#include <vector>

#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/fake_inventory_repository.h"
#include "inventory-svc/inventory_spec.h"
#include "inventory-svc/inventory_view.h"
#include "inventory-svc/mysql_inventory_repository.h"
#include "tests/harness/repository_database.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::RepositoryDatabase;
using ::testing::ElementsAreArray;

class InventoryRepositoryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create({"inventory", &Migrations()}));
    mysql_ = std::make_unique<MysqlInventoryRepository>(db_->connection());
    repos_ = {mysql_.get(), &fake_};
  }

  Product MakeProduct(const std::string& sku, Family family, Lifecycle lifecycle) const {
    Product p;
    p.sku = sku;
    p.display_name = sku + " chassis";
    p.family = family;
    p.series = "Series";
    p.platform = sku.substr(0, 5);
    p.list_price = {"USD", 1'234'567};
    p.lifecycle = lifecycle;
    if (lifecycle == Lifecycle::kEndOfProduction) p.end_of_production_time = clock_.Now();
    p.latest_software_release = "21.4R3-S5";
    p.standard_warranty_months = 12;
    p.create_time = p.update_time = clock_.Now();
    p.version = 1;
    return p;
  }

  // Unit i: SKUs, states, sources, conditions and owners vary with i.
  Unit MakeUnit(int i) const {
    static const UnitState kStates[] = {UnitState::kCertified, UnitState::kReserved,
                                        UnitState::kReserved,  UnitState::kInService,
                                        UnitState::kSpare,     UnitState::kAllocated,
                                        UnitState::kReceived,  UnitState::kCertified};
    Unit u;
    u.serial = absl::StrCat("JN11C0NTR", 100 + i);
    u.sku = i % 3 == 2 ? "MX480-BASE" : "EX4300-48T";
    u.state = kStates[i % 8];
    u.source = i % 2 == 0 ? Source::kDemoReturn : Source::kTradeIn;
    u.condition = i % 4 < 2 ? Condition::kRefurbished : Condition::kNew;
    u.round = 1;
    if (u.state == UnitState::kCertified || u.state == UnitState::kReserved) {
      u.certificate_id = absl::StrCat("CERT-", i);
      u.certified_by = "lab-1";
      u.certify_time = clock_.Now();
    }
    if (u.state == UnitState::kReserved) {
      u.reservation_id = absl::StrCat("RSV-", i);
      u.reserved_partner_id = "purewrx";
      u.reserved_at = clock_.Now() - absl::Hours(2);
      // Every other reservation has run out: it counts as CERTIFIED.
      u.reserved_until = clock_.Now() + absl::Hours(i % 16 < 8 ? -1 : 1);
      u.reserved_price_minor = 987'654;
      u.reserved_discount_bps = 1500;
    }
    if (u.state == UnitState::kInService) {
      u.owner_account_id = u.original_purchaser_account_id = i % 16 < 8 ? "ACME-001" : "GLOBEX-9";
      u.site.region_code = "US";
      u.site.locality = "Sunnyvale";
      u.site.address_lines = {"1 Main St"};
      u.ssrn = absl::StrCat("SSRN-", i);
      u.ship_time = clock_.Now();
      u.sale_price_minor = 1'000'000;
      u.currency_code = "USD";
      u.sold_by_partner_id = "purewrx";
      u.warranty_kind = WarrantyKind::kStandard;
      u.warranty_end = clock_.Now() + absl::Hours(24 * 365);
    }
    if (u.state == UnitState::kAllocated) u.allocated_rma = absl::StrCat("R0000000", i);
    u.receive_time = u.update_time = clock_.Now() + absl::Seconds(i);
    u.version = 1;
    return u;
  }

  static std::vector<std::string> Serials(const std::vector<Unit>& units) {
    std::vector<std::string> out;
    for (const Unit& u : units) out.push_back(u.serial);
    return out;
  }

  static std::vector<std::string> Pages(InventoryRepository& repo, const UnitFilter& f,
                                        absl::Time now) {
    std::vector<std::string> out;
    std::string after;
    for (int page = 0; page < 40; ++page) {
      absl::StatusOr<std::vector<Unit>> got = repo.ListUnits(f, after, 2, now);
      EXPECT_OK(got.status());
      if (!got.ok()) break;
      for (const Unit& u : *got) out.push_back(u.serial);
      if (got->size() < 2) break;
      after = got->back().serial;
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<RepositoryDatabase> db_;
  std::unique_ptr<MysqlInventoryRepository> mysql_;
  FakeInventoryRepository fake_;
  std::vector<InventoryRepository*> repos_;
};

TEST_F(InventoryRepositoryContractTest, UnitsAndProductsAreTheSameInMysqlAndInTheFake) {
  const std::vector<Product> products = {
      MakeProduct("EX4300-48T", Family::kSwitching, Lifecycle::kCurrent),
      MakeProduct("MX480-BASE", Family::kRouting, Lifecycle::kEndOfProduction),
      MakeProduct("SRX300", Family::kSecurity, Lifecycle::kCurrent)};
  constexpr int kUnits = 24;
  for (InventoryRepository* repo : repos_) {
    for (const Product& p : products) ASSERT_OK(repo->InsertProduct(p));
    std::vector<GenuineSerial> registry;
    for (int i = 0; i < kUnits; ++i) {
      const Unit u = MakeUnit(i);
      registry.push_back(GenuineSerial{u.serial, u.sku, clock_.Now()});
    }
    ASSERT_OK(repo->UpsertGenuineSerials(registry).status());
    for (int i = 0; i < kUnits; ++i) {
      Unit u = MakeUnit(i);
      ASSERT_OK(repo->InsertUnit(&u));
    }
  }
  const absl::Time now = clock_.Now();

  // Each unit reads back as the API shows it, by serial and by SSRN.
  for (int i = 0; i < kUnits; ++i) {
    const Unit made = MakeUnit(i);
    ASSERT_OK_AND_ASSIGN(std::optional<Unit> m, mysql_->FindUnit(made.serial, false));
    ASSERT_OK_AND_ASSIGN(std::optional<Unit> f, fake_.FindUnit(made.serial, false));
    ASSERT_TRUE(m.has_value() && f.has_value()) << made.serial;
    EXPECT_EQ(ToProto(*m, now).DebugString(), ToProto(*f, now).DebugString());
    EXPECT_EQ(ToProto(*m, now).DebugString(), ToProto(made, now).DebugString())
        << "written != read for " << made.serial;
    if (!made.ssrn.empty()) {
      ASSERT_OK_AND_ASSIGN(std::optional<Unit> ms, mysql_->FindUnitBySsrn(made.ssrn));
      ASSERT_OK_AND_ASSIGN(std::optional<Unit> fs, fake_.FindUnitBySsrn(made.ssrn));
      ASSERT_TRUE(ms.has_value() && fs.has_value());
      EXPECT_EQ(ms->serial, fs->serial);
    }
  }
  for (const Product& p : products) {
    ASSERT_OK_AND_ASSIGN(std::optional<Product> m, mysql_->FindProduct(p.sku));
    ASSERT_OK_AND_ASSIGN(std::optional<Product> f, fake_.FindProduct(p.sku));
    ASSERT_TRUE(m.has_value() && f.has_value());
    EXPECT_EQ(ToProto(*m).DebugString(), ToProto(*f).DebugString());
    EXPECT_EQ(ToProto(*m).DebugString(), ToProto(p).DebugString()) << "written != read";
  }

  // The unit list: every filter, whole and in pages of two.
  std::vector<UnitFilter> filters(10);
  filters[1].sku = "MX480-BASE";
  filters[2].state = UnitState::kCertified;  // with the expired reservations
  filters[3].state = UnitState::kReserved;   // only the live ones
  filters[4].source = Source::kTradeIn;
  filters[5].family = Family::kRouting;
  filters[6].lifecycle = Lifecycle::kCurrent;
  filters[7].owner_account_id = "ACME-001";
  filters[8].sku = "EX4300-48T";
  filters[8].state = UnitState::kCertified;
  filters[8].source = Source::kDemoReturn;
  filters[9].family = Family::kSecurity;
  for (size_t i = 0; i < filters.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<Unit> m, mysql_->ListUnits(filters[i], "", 100, now));
    ASSERT_OK_AND_ASSIGN(std::vector<Unit> f, fake_.ListUnits(filters[i], "", 100, now));
    EXPECT_THAT(Serials(f), ElementsAreArray(Serials(m))) << "filter " << i;
    EXPECT_EQ(m.empty(), i == 9) << "filter " << i;
    EXPECT_THAT(Pages(fake_, filters[i], now), ElementsAreArray(Serials(m))) << "filter " << i;
    EXPECT_THAT(Pages(*mysql_, filters[i], now), ElementsAreArray(Serials(m))) << "filter " << i;
  }

  // The product list, with and without "in stock only", and stock counts.
  std::vector<ProductFilter> product_filters(3);
  product_filters[1].family = Family::kRouting;
  product_filters[2].lifecycle = Lifecycle::kCurrent;
  for (const ProductFilter& pf : product_filters) {
    for (bool in_stock : {false, true}) {
      std::vector<std::vector<std::string>> skus(2);
      for (size_t r = 0; r < repos_.size(); ++r) {
        ASSERT_OK_AND_ASSIGN(std::vector<Product> got,
                             repos_[r]->ListProducts(pf, "", 100, in_stock, now));
        for (const Product& p : got) skus[r].push_back(p.sku);
      }
      EXPECT_THAT(skus[1], ElementsAreArray(skus[0])) << "in stock only: " << in_stock;
    }
  }
  for (const char* sku : {"EX4300-48T", "MX480-BASE", "SRX300"}) {
    std::vector<std::vector<std::pair<Condition, int64_t>>> counts(2);
    for (size_t r = 0; r < repos_.size(); ++r) {
      ASSERT_OK_AND_ASSIGN(std::vector<StockCount> got, repos_[r]->CountAvailable(sku, now));
      for (const StockCount& c : got) counts[r].emplace_back(c.condition, c.count);
    }
    EXPECT_EQ(counts[1], counts[0]) << sku;
  }

  // Claims pick the same unit: a reservation's (either condition or a
  // preferred one), a spare, the unit of an RMA.
  for (Condition c : {Condition::kUnspecified, Condition::kNew, Condition::kRefurbished}) {
    ASSERT_OK_AND_ASSIGN(std::optional<ClaimedUnit> m,
                         mysql_->ClaimAvailableUnit("EX4300-48T", c, now));
    ASSERT_OK_AND_ASSIGN(std::optional<ClaimedUnit> f,
                         fake_.ClaimAvailableUnit("EX4300-48T", c, now));
    ASSERT_TRUE(m.has_value() && f.has_value());
    EXPECT_EQ(m->unit.serial, f->unit.serial) << "condition " << static_cast<int>(c);
    EXPECT_EQ(m->unit.version, f->unit.version) << "condition " << static_cast<int>(c);
    // ... with the product's price basis read in the same call.
    ASSERT_TRUE(m->price.has_value() && f->price.has_value());
    EXPECT_EQ(m->price->list_price.amount_minor, f->price->list_price.amount_minor);
    EXPECT_EQ(m->price->list_price.currency_code, f->price->list_price.currency_code);
    EXPECT_EQ(m->price->lifecycle, f->price->lifecycle);
    EXPECT_EQ(m->price->lifecycle, Lifecycle::kCurrent);
  }
  ASSERT_OK_AND_ASSIGN(std::optional<ClaimedUnit> eop,
                       mysql_->ClaimAvailableUnit("MX480-BASE", Condition::kUnspecified, now));
  ASSERT_TRUE(eop.has_value() && eop->price.has_value());
  EXPECT_EQ(eop->unit.sku, "MX480-BASE");
  EXPECT_EQ(eop->price->lifecycle, Lifecycle::kEndOfProduction);
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> spare, mysql_->ClaimSpare("EX4300-48T"));
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> fake_spare, fake_.ClaimSpare("EX4300-48T"));
  ASSERT_TRUE(spare.has_value() && fake_spare.has_value());
  EXPECT_EQ(spare->serial, fake_spare->serial);
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> none, mysql_->ClaimSpare("SRX300"));
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> fake_none, fake_.ClaimSpare("SRX300"));
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(fake_none.has_value());
  const Unit allocated = MakeUnit(5);
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> by_rma, mysql_->FindUnitByRma(allocated.allocated_rma));
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> fake_by_rma,
                       fake_.FindUnitByRma(allocated.allocated_rma));
  ASSERT_TRUE(by_rma.has_value() && fake_by_rma.has_value());
  EXPECT_EQ(by_rma->serial, fake_by_rma->serial);
}

TEST_F(InventoryRepositoryContractTest, AClaimedUnitWhoseSkuIsNotInTheCatalogHasNoPriceBasis) {
  for (InventoryRepository* repo : repos_) {
    Unit u = MakeUnit(0);  // CERTIFIED
    u.sku = "NOT-IN-CATALOG";
    ASSERT_OK(repo->InsertUnit(&u));
    ASSERT_OK_AND_ASSIGN(
        std::optional<ClaimedUnit> c,
        repo->ClaimAvailableUnit("NOT-IN-CATALOG", Condition::kUnspecified, clock_.Now()));
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->unit.serial, u.serial);
    EXPECT_FALSE(c->price.has_value());
  }
}

TEST_F(InventoryRepositoryContractTest, AStaleVersionOrAKnownSkuIsRefusedAlike) {
  const Product p = MakeProduct("EX4300-48T", Family::kSwitching, Lifecycle::kCurrent);
  Unit u = MakeUnit(0);
  for (InventoryRepository* repo : repos_) {
    ASSERT_OK(repo->InsertProduct(p));
    EXPECT_THAT(repo->InsertProduct(p), StatusIs(absl::StatusCode::kAlreadyExists));
    ASSERT_OK(repo->UpsertGenuineSerials({GenuineSerial{u.serial, u.sku, clock_.Now()}}).status());
    Unit copy = u;
    ASSERT_OK(repo->InsertUnit(&copy));
    Unit again = u;
    EXPECT_THAT(repo->InsertUnit(&again), StatusIs(absl::StatusCode::kAlreadyExists));
    copy.version = 2;
    copy.state = UnitState::kQuarantined;
    copy.quarantine_reason = "counterfeit label";
    ASSERT_OK(repo->SaveUnit(copy));
    EXPECT_THAT(repo->SaveUnit(copy), StatusIs(absl::StatusCode::kAborted));
    Product changed = p;
    changed.version = 2;
    changed.latest_software_release = "23.2R1";
    ASSERT_OK(repo->UpdateProduct(changed, 1));
    EXPECT_THAT(repo->UpdateProduct(changed, 1), StatusIs(absl::StatusCode::kAborted));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> m, mysql_->FindUnit(u.serial, false));
  ASSERT_OK_AND_ASSIGN(std::optional<Unit> f, fake_.FindUnit(u.serial, false));
  EXPECT_EQ(ToProto(*m, clock_.Now()).DebugString(), ToProto(*f, clock_.Now()).DebugString());
  EXPECT_EQ(m->quarantine_reason, "counterfeit label");
}

TEST_F(InventoryRepositoryContractTest, HistoryAndContractsAreTheSameInMysqlAndInTheFake) {
  const Product p = MakeProduct("EX4300-48T", Family::kSwitching, Lifecycle::kCurrent);
  const Unit u = MakeUnit(0);
  for (InventoryRepository* repo : repos_) {
    ASSERT_OK(repo->InsertProduct(p));
    ASSERT_OK(repo->UpsertGenuineSerials({GenuineSerial{u.serial, u.sku, clock_.Now()}}).status());
    Unit copy = u;
    ASSERT_OK(repo->InsertUnit(&copy));
    for (int i = 0; i < 9; ++i) {
      UnitEvent e;
      e.serial = u.serial;
      e.round = 1 + i / 5;
      e.time = clock_.Now() + absl::Seconds(i);
      e.actor = "lab-1";
      e.actor_role = "logistics";
      e.kind = i % 3 == 0 ? kEventStateChange : kEventStep;
      e.from_state = i % 3 == 0 ? UnitState::kReceived : UnitState::kUnspecified;
      e.to_state = i % 3 == 0 ? UnitState::kInCertification : UnitState::kUnspecified;
      e.step = i % 3 == 0 ? Step::kUnspecified : static_cast<Step>(1 + i % 4);
      e.passed = i % 2 == 0;
      e.detail = absl::StrCat("note ", i);
      if (i % 4 == 3) {
        ASSERT_OK(repo->AppendEventWithoutId(e));
      } else {
        ASSERT_OK(repo->AppendEvent(&e));
      }
    }
    for (int i = 0; i < 3; ++i) {
      Contract c;
      c.serial = u.serial;
      c.account_id = i == 2 ? "GLOBEX-9" : "ACME-001";
      c.level = static_cast<SupportLevel>(1 + i);
      c.start = clock_.Now() + absl::Hours(24 * i);
      c.end = c.start + absl::Hours(24 * 365);
      c.purchased_at_sale = i == 0;
      c.pre_approval_reference = i == 1 ? "PA-77" : "";
      ASSERT_OK(repo->InsertContract(&c));
      if (i == 1) {
        c.end = c.end + absl::Hours(24 * 30);
        c.level = SupportLevel::kSameDay;
        ASSERT_OK(repo->UpdateContract(c));
      }
    }
  }
  auto events = [](const std::vector<UnitEvent>& list) {
    std::vector<std::string> out;
    for (const UnitEvent& e : list) {
      v1::UnitEvent proto;
      ToProto(e, &proto);
      proto.clear_event_id();
      out.push_back(proto.DebugString());
    }
    return out;
  };
  for (int64_t after : {0, 3}) {
    ASSERT_OK_AND_ASSIGN(std::vector<UnitEvent> m, mysql_->ListEvents(u.serial, after, 4));
    ASSERT_OK_AND_ASSIGN(std::vector<UnitEvent> f, fake_.ListEvents(u.serial, after, 4));
    EXPECT_THAT(events(f), ElementsAreArray(events(m))) << "after " << after;
    EXPECT_EQ(m.size(), 4u);
  }
  for (int round : {1, 2}) {
    ASSERT_OK_AND_ASSIGN(std::vector<UnitEvent> m, mysql_->StepEvents(u.serial, round));
    ASSERT_OK_AND_ASSIGN(std::vector<UnitEvent> f, fake_.StepEvents(u.serial, round));
    EXPECT_THAT(events(f), ElementsAreArray(events(m))) << "round " << round;
    EXPECT_FALSE(m.empty());
  }
  auto contracts = [&](const std::vector<Contract>& list) {
    std::vector<std::string> out;
    for (const Contract& c : list) {
      v1::SupportContract proto;
      ToProto(c, clock_.Now(), &proto);
      out.push_back(absl::StrCat(proto.DebugString(), c.purchased_at_sale, c.pre_approval_reference));
    }
    return out;
  };
  ASSERT_OK_AND_ASSIGN(std::vector<Contract> m, mysql_->ContractsOf(u.serial));
  ASSERT_OK_AND_ASSIGN(std::vector<Contract> f, fake_.ContractsOf(u.serial));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_THAT(contracts(f), ElementsAreArray(contracts(m)));
  EXPECT_EQ(m[1].level, SupportLevel::kSameDay);
  ASSERT_OK_AND_ASSIGN(std::optional<Contract> one, mysql_->FindContract(m[2].id));
  ASSERT_OK_AND_ASSIGN(std::optional<Contract> fake_one, fake_.FindContract(f[2].id));
  ASSERT_TRUE(one.has_value() && fake_one.has_value());
  EXPECT_EQ(contracts({*one}), contracts({*fake_one}));
}

}  // namespace
}  // namespace aftercare::inventory
