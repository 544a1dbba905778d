// The installed-base use cases (installed_base_use_cases.h) against fakes:
// times, enums and support options parsed before any transaction; a unit
// registered to its account; ownership moved only with the etag; a grey
// market flag; a support contract bought once; an RMA swap.
#include "inventory-svc/installed_base_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class InstalledBaseUseCasesTest : public InventoryUseCaseTest {
 protected:
  RegisterProductUseCase register_{Deps()};
  UpdateInstalledBaseUseCase move_{Deps()};
  TransferOwnershipUseCase transfer_{Deps()};
  FlagGreyMarketUseCase flag_{Deps()};
  CreateSupportContractUseCase contract_{Deps()};
  SwapInstalledBaseUseCase swap_{Deps()};
};

TEST_F(InstalledBaseUseCasesTest, BadTimesEnumsAndOptionsOpenNoTransaction) {
  Put("JN11IB000001", UnitState::kInService);
  auto reg = For<v1::RegisterProductRequest>("g-1", "JN11IB000002");
  reg.mutable_ship_time()->set_seconds(-99999999999);
  EXPECT_THAT(register_.Run(admin_, reg),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ship_time")));
  auto move = For<v1::UpdateInstalledBaseRequest>("m-1", "JN11IB000001");
  move.set_accepted_support_level(static_cast<v1::SupportLevel>(99));
  EXPECT_THAT(move_.Run(customer_, move),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("accepted_support_level")));
  auto contract = For<v1::CreateSupportContractRequest>("k-1", "JN11IB000001");
  contract.mutable_option()->set_level(static_cast<v1::SupportLevel>(99));
  EXPECT_THAT(contract_.Run(admin_, contract),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("option.level")));
  v1::SwapInstalledBaseRequest swap;
  swap.set_request_id("w-1");
  swap.mutable_ship_time()->set_seconds(-99999999999);
  EXPECT_THAT(swap_.Run(service_, swap),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ship_time")));
  EXPECT_EQ(store_.writes(), 0);
}

TEST_F(InstalledBaseUseCasesTest, AUnitIsRegisteredFlaggedAndTransferredWithItsEtag) {
  Genuine("JN11IB000003");
  auto reg = For<v1::RegisterProductRequest>("g-1", "JN11IB000003");
  reg.set_sku("EX4300-48T");
  reg.set_account_id("ACME-001");
  reg.mutable_site()->set_region_code("US");
  reg.mutable_site()->set_postal_code("94089");
  reg.mutable_site()->set_locality("Sunnyvale");
  reg.mutable_site()->add_address_lines("1133 Innovation Way");
  ASSERT_OK_AND_ASSIGN(v1::Unit registered, register_.Run(admin_, reg));
  EXPECT_EQ(registered.owner_account_id(), "ACME-001");
  EXPECT_EQ(registered.state(), v1::UNIT_STATE_IN_SERVICE);

  auto flag = For<v1::FlagGreyMarketRequest>("f-1", "JN11IB000003");
  flag.set_reason("bought from an unauthorized reseller");
  ASSERT_OK_AND_ASSIGN(v1::Unit flagged, flag_.Run(admin_, flag));
  EXPECT_TRUE(flagged.grey_market());

  auto transfer = For<v1::TransferOwnershipRequest>("t-1", "JN11IB000003");
  transfer.set_new_account_id("GLOBEX-9");
  transfer.set_etag(registered.etag());  // stale: the flag changed the unit
  EXPECT_THAT(transfer_.Run(admin_, transfer), StatusIs(absl::StatusCode::kAborted));
  transfer.set_etag(flagged.etag());
  ASSERT_OK_AND_ASSIGN(v1::Unit moved, transfer_.Run(admin_, transfer));
  EXPECT_EQ(moved.owner_account_id(), "GLOBEX-9");
  EXPECT_EQ(Stored("JN11IB000003").owner_account_id, "GLOBEX-9");
}

TEST_F(InstalledBaseUseCasesTest, AContractIsBoughtOnceAndAnSwapMovesTheInstalledBase) {
  Put("JN11IB000004", UnitState::kInService);
  auto contract = For<v1::CreateSupportContractRequest>("k-1", "JN11IB000004");
  contract.mutable_option()->set_level(v1::SUPPORT_LEVEL_NEXT_BUSINESS_DAY);
  contract.mutable_option()->set_term_months(12);
  ASSERT_OK_AND_ASSIGN(v1::SupportContract bought, contract_.Run(admin_, contract));
  EXPECT_EQ(bought.serial_number(), "JN11IB000004");
  EXPECT_EQ(bought.account_id(), "ACME-001");
  EXPECT_TRUE(bought.advance_replacement());
  ASSERT_OK_AND_ASSIGN(v1::SupportContract retry, contract_.Run(admin_, contract));
  EXPECT_EQ(retry.contract_id(), bought.contract_id());
  EXPECT_EQ(repo_.contracts.size(), 1u);

  Put("JN11IB000005", UnitState::kAllocated);
  v1::SwapInstalledBaseRequest swap;
  swap.set_request_id("w-1");
  swap.set_defective_serial_number("JN11IB000004");
  swap.set_replacement_serial_number("JN11IB000005");
  swap.set_rma_number("R00000001");
  ASSERT_OK_AND_ASSIGN(v1::SwapInstalledBaseResponse swapped, swap_.Run(service_, swap));
  EXPECT_EQ(swapped.replacement_unit().owner_account_id(), "ACME-001");
  EXPECT_EQ(swapped.replacement_unit().state(), v1::UNIT_STATE_IN_SERVICE);
  EXPECT_NE(swapped.defective_unit().state(), v1::UNIT_STATE_IN_SERVICE);
}

}  // namespace
}  // namespace aftercare::inventory
