// InventoryQueries (inventory_queries.h), the use cases of inventory-svc's
// reads, against the in-memory repository: another account's unit or
// entitlement answers like an unknown one, a list's enums are checked
// before reading, a unit is shown as at the clock's now, and a CPO partner
// sees only available stock.
#include "inventory-svc/inventory_queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class InventoryQueriesTest : public InventoryUseCaseTest {
 protected:
  template <typename Req>
  static Req BySerial(const std::string& serial) {
    Req req;
    req.set_serial_number(serial);
    return req;
  }

  InventoryQueries queries_{domain_, store_, clock_};
};

TEST_F(InventoryQueriesTest, AUnitAndItsEntitlementAreTheOwnersAndAnswerOthersLikeUnknown) {
  Put("JN11QRY00001", UnitState::kInService);
  ASSERT_OK_AND_ASSIGN(v1::Unit mine,
                       queries_.GetUnit(customer_, BySerial<v1::GetUnitRequest>("jn11qry00001")));
  EXPECT_EQ(mine.serial_number(), "JN11QRY00001");
  EXPECT_EQ(mine.state(), v1::UNIT_STATE_IN_SERVICE);
  EXPECT_EQ(mine.owner_account_id(), "ACME-001");
  const absl::Status theirs =
      queries_.GetUnit(stranger_, BySerial<v1::GetUnitRequest>("JN11QRY00001")).status();
  const absl::Status unknown =
      queries_.GetUnit(stranger_, BySerial<v1::GetUnitRequest>("JN11QRY99999")).status();
  EXPECT_EQ(theirs.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(
      v1::Entitlement entitled,
      queries_.GetEntitlement(customer_, BySerial<v1::GetEntitlementRequest>("JN11QRY00001")));
  EXPECT_EQ(entitled.sku(), "EX4300-48T");
  EXPECT_EQ(entitled.warranty_status(), v1::WARRANTY_STATUS_ACTIVE);
  EXPECT_THAT(
      queries_.GetEntitlement(stranger_, BySerial<v1::GetEntitlementRequest>("JN11QRY00001")),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(queries_.GetEntitlement(customer_, v1::GetEntitlementRequest()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("exactly one of")));

  ASSERT_OK_AND_ASSIGN(
      v1::ListUnitEventsResponse history,
      queries_.ListUnitEvents(admin_, BySerial<v1::ListUnitEventsRequest>("JN11QRY00001")));
  EXPECT_EQ(history.events_size(), 0);  // put straight into the repository
  EXPECT_THAT(
      queries_.ListUnitEvents(stranger_, BySerial<v1::ListUnitEventsRequest>("JN11QRY00001")),
      StatusIs(absl::StatusCode::kNotFound));

  v1::ListInstalledBaseRequest base;
  base.set_account_id("ACME-001");
  ASSERT_OK_AND_ASSIGN(v1::ListInstalledBaseResponse installed,
                       queries_.ListInstalledBase(customer_, base));
  ASSERT_EQ(installed.units_size(), 1);
  EXPECT_EQ(installed.units(0).serial_number(), "JN11QRY00001");
  EXPECT_THAT(queries_.ListInstalledBase(stranger_, base), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(InventoryQueriesTest, AnExpiredReservationShowsAsCertifiedAtTheClocksNow) {
  Put("JN11QRY00002", UnitState::kReserved);
  ASSERT_OK_AND_ASSIGN(v1::Unit reserved,
                       queries_.GetUnit(admin_, BySerial<v1::GetUnitRequest>("JN11QRY00002")));
  EXPECT_EQ(reserved.state(), v1::UNIT_STATE_RESERVED);
  EXPECT_EQ(reserved.reservation().reservation_id(), "RSV-1");
  clock_.Advance(absl::Hours(1) + absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(v1::Unit lapsed,
                       queries_.GetUnit(admin_, BySerial<v1::GetUnitRequest>("JN11QRY00002")));
  EXPECT_EQ(lapsed.state(), v1::UNIT_STATE_CERTIFIED);
  EXPECT_FALSE(lapsed.has_reservation());
  v1::ListUnitsRequest certified;
  certified.set_state(v1::UNIT_STATE_CERTIFIED);
  ASSERT_OK_AND_ASSIGN(v1::ListUnitsResponse listed, queries_.ListUnits(admin_, certified));
  ASSERT_EQ(listed.units_size(), 1);
  EXPECT_EQ(listed.units(0).state(), v1::UNIT_STATE_CERTIFIED);
}

TEST_F(InventoryQueriesTest, ListsCheckTheirEnumsBeforeReading) {
  v1::ListUnitsRequest units;
  units.set_source(static_cast<v1::UnitSource>(99));
  EXPECT_THAT(queries_.ListUnits(admin_, units),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("source")));
  v1::ListProductsRequest products;
  products.set_lifecycle(static_cast<v1::Lifecycle>(99));
  EXPECT_THAT(queries_.ListProducts(admin_, products),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lifecycle")));
  v1::ListCpoOffersRequest offers;
  offers.set_family(static_cast<v1::ProductFamily>(99));
  EXPECT_THAT(queries_.ListCpoOffers(admin_, offers),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("family")));

  products.set_lifecycle(v1::LIFECYCLE_CURRENT);
  ASSERT_OK_AND_ASSIGN(v1::ListProductsResponse current, queries_.ListProducts(admin_, products));
  ASSERT_EQ(current.products_size(), 1);
  EXPECT_EQ(current.products(0).sku(), "EX4300-48T");
  v1::GetProductRequest get;
  get.set_sku("EX4300-48T");
  ASSERT_OK_AND_ASSIGN(v1::Product product, queries_.GetProduct(customer_, get));
  EXPECT_EQ(product.list_price().amount_minor(), 1'234'567);
  Genuine("JN11QRY00001");
  ASSERT_OK_AND_ASSIGN(
      v1::GenuineSerial genuine,
      queries_.GetGenuineSerial(admin_, BySerial<v1::GetGenuineSerialRequest>("JN11QRY00001")));
  EXPECT_EQ(genuine.sku(), "EX4300-48T");
}

}  // namespace
}  // namespace aftercare::inventory
