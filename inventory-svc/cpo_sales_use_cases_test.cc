// The CPO sales use cases (cpo_sales_use_cases.h) against fakes: a
// reservation answers its CPO and list prices and is made once however
// often it is retried, a released unit is stock again, and a sale's support
// options are parsed before the transaction.
#include "inventory-svc/cpo_sales_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class CpoSalesUseCasesTest : public InventoryUseCaseTest {
 protected:
  v1::ReserveUnitRequest BySku(const std::string& request_id) {
    v1::ReserveUnitRequest req;
    req.set_request_id(request_id);
    req.set_sku("EX4300-48T");
    req.set_ship_to_region_code("US");
    return req;
  }

  ReserveUnitUseCase reserve_{Deps()};
  ReleaseReservationUseCase release_{Deps()};
  SellUnitUseCase sell_{Deps()};
};

TEST_F(CpoSalesUseCasesTest, AReservationIsMadeOnceWithItsPricesAndReleasedBackToStock) {
  Put("JN11CPO00001", UnitState::kCertified);
  Put("JN11CPO00002", UnitState::kCertified);
  auto bad = BySku("r-1");
  bad.set_condition(static_cast<v1::UnitCondition>(99));
  EXPECT_THAT(reserve_.Run(partner_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("condition")));
  EXPECT_EQ(store_.writes(), 0);

  ASSERT_OK_AND_ASSIGN(v1::Reservation first, reserve_.Run(partner_, BySku("r-1")));
  EXPECT_EQ(first.partner_id(), "purewrx");
  EXPECT_EQ(first.list_price().amount_minor(), 1'234'567);
  EXPECT_GT(first.price().amount_minor(), 0);
  EXPECT_LT(first.price().amount_minor(), first.list_price().amount_minor());
  EXPECT_TRUE(first.has_expire_time());
  ASSERT_OK_AND_ASSIGN(v1::Reservation retry, reserve_.Run(partner_, BySku("r-1")));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  int reserved = 0;
  for (const auto& [serial, u] : repo_.units) reserved += u.state == UnitState::kReserved;
  EXPECT_EQ(reserved, 1);

  ASSERT_OK_AND_ASSIGN(
      v1::Unit released,
      release_.Run(partner_, For<v1::ReleaseReservationRequest>("x-1", first.serial_number())));
  EXPECT_EQ(released.state(), v1::UNIT_STATE_CERTIFIED);
  EXPECT_FALSE(released.has_reservation());
}

TEST_F(CpoSalesUseCasesTest, ASaleParsesItsSupportOptionsFirstAndAnswersTheEntitlement) {
  Put("JN11CPO00003", UnitState::kReserved);
  auto sell = For<v1::SellUnitRequest>("s-1", "JN11CPO00003");
  sell.set_buyer_account_id("ACME-001");
  sell.add_support_options()->set_level(static_cast<v1::SupportLevel>(99));
  EXPECT_THAT(sell_.Run(partner_, sell),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("support_options[0].level")));
  EXPECT_EQ(store_.writes(), 0);

  sell.clear_support_options();
  ASSERT_OK_AND_ASSIGN(v1::SellUnitResponse sold, sell_.Run(partner_, sell));
  EXPECT_EQ(sold.unit().owner_account_id(), "ACME-001");
  EXPECT_EQ(sold.unit().sold_by_partner_id(), "purewrx");
  EXPECT_EQ(sold.entitlement().serial_number(), "JN11CPO00003");
  EXPECT_EQ(sold.entitlement().owner_account_id(), "ACME-001");
  ASSERT_OK_AND_ASSIGN(v1::SellUnitResponse retry, sell_.Run(partner_, sell));
  EXPECT_EQ(retry.SerializeAsString(), sold.SerializeAsString());
  EXPECT_NE(Stored("JN11CPO00003").state, UnitState::kReserved);
}

}  // namespace
}  // namespace aftercare::inventory
