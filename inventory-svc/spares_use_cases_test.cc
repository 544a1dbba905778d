// The spare-pool use cases (spares_use_cases.h) against fakes: one spare
// per RMA however often rma-svc retries, a released spare back in the
// pool, and a returned unit taken in for certification (its source checked
// before any transaction).
#include "inventory-svc/spares_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class SparesUseCasesTest : public InventoryUseCaseTest {
 protected:
  v1::AllocateSpareRequest Allocate(const std::string& request_id) {
    v1::AllocateSpareRequest req;
    req.set_request_id(request_id);
    req.set_sku("EX4300-48T");
    req.set_rma_number("R21056835");
    return req;
  }

  AllocateSpareUseCase allocate_{Deps()};
  ReleaseSpareUseCase release_{Deps()};
  IntakeReturnedUnitUseCase intake_{Deps()};
};

TEST_F(SparesUseCasesTest, OneSparePerRmaAndAReleasedSpareIsBackInThePool) {
  Put("JN11SPR00001", UnitState::kSpare);
  Put("JN11SPR00002", UnitState::kSpare);
  ASSERT_OK_AND_ASSIGN(v1::Unit spare, allocate_.Run(service_, Allocate("a-1")));
  EXPECT_EQ(spare.state(), v1::UNIT_STATE_ALLOCATED);
  EXPECT_EQ(spare.allocated_rma_number(), "R21056835");
  ASSERT_OK_AND_ASSIGN(v1::Unit retry, allocate_.Run(service_, Allocate("a-1")));
  EXPECT_EQ(retry.serial_number(), spare.serial_number());
  int allocated = 0;
  for (const auto& [serial, u] : repo_.units) allocated += u.state == UnitState::kAllocated;
  EXPECT_EQ(allocated, 1);

  auto release = For<v1::ReleaseSpareRequest>("x-1", spare.serial_number());
  release.set_rma_number("R21056835");
  ASSERT_OK_AND_ASSIGN(v1::Unit back, release_.Run(service_, release));
  EXPECT_EQ(back.state(), v1::UNIT_STATE_SPARE);
  EXPECT_EQ(back.allocated_rma_number(), "");
}

TEST_F(SparesUseCasesTest, AReturnedUnitIsTakenInForCertificationAfterItsSourceIsChecked) {
  Put("JN11SPR00003", UnitState::kInService);
  auto intake = For<v1::IntakeReturnedUnitRequest>("i-1", "JN11SPR00003");
  intake.set_source(static_cast<v1::UnitSource>(99));
  intake.set_reference("R21056835");
  EXPECT_THAT(intake_.Run(service_, intake),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("source")));
  EXPECT_EQ(store_.writes(), 0);
  intake.set_source(v1::UNIT_SOURCE_RMA_RETURN);
  ASSERT_OK_AND_ASSIGN(v1::Unit returned, intake_.Run(service_, intake));
  EXPECT_EQ(returned.state(), v1::UNIT_STATE_RECEIVED);
  EXPECT_EQ(returned.source(), v1::UNIT_SOURCE_RMA_RETURN);
  EXPECT_EQ(returned.owner_account_id(), "");
  EXPECT_EQ(Stored("JN11SPR00003").state, UnitState::kReceived);
}

}  // namespace
}  // namespace aftercare::inventory
