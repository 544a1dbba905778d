// RmaQueries (rma_queries.h), the use cases of rma-svc's reads, against
// fakes: another account's RMA answers like an unknown one, a bad filter is
// refused before reading, and the overdue flag and list follow the clock.
#include "rma-svc/rma_queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "rma-svc/logistics_use_cases.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class RmaQueriesTest : public RmaUseCaseTest {
 protected:
  RmaQueriesTest() : rma_(ApprovedRma()) {}

  template <typename Req>
  Req Named(const std::string& name) {
    Req req;
    req.set_name(name);
    return req;
  }

  // The replacement ships today; the defective unit is due back later.
  void ShipReplacement() {
    ASSERT_OK(domain_.RecordSpare(rma_.validation_number(), "JN11SPARE001", repo_));
    v1::ShipReplacementRequest ship;
    ship.set_request_id("ship-1");
    ship.set_name(rma_.rma_number());
    ship.set_carrier("UPS");
    ship.set_tracking_number("1Z999AA10123456784");
    ASSERT_OK(ShipReplacementUseCase(Deps()).Run(P(Role::kLogistics, "depot-1"), ship).status());
  }

  RmaQueries queries_{Deps()};
  v1::Rma rma_;
};

TEST_F(RmaQueriesTest, GetRmaAnswersAnotherAccountLikeAnUnknownRmaAndFlagsOverdueAtNow) {
  ASSERT_OK_AND_ASSIGN(v1::Rma mine,
                       queries_.GetRma(customer_, Named<v1::GetRmaRequest>(rma_.rma_number())));
  EXPECT_EQ(mine.validation_number(), rma_.validation_number());
  EXPECT_FALSE(mine.overdue());
  const absl::Status theirs =
      queries_.GetRma(other_customer_, Named<v1::GetRmaRequest>(rma_.rma_number())).status();
  const absl::Status unknown =
      queries_.GetRma(other_customer_, Named<v1::GetRmaRequest>("R29999999")).status();
  EXPECT_EQ(theirs.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);

  ShipReplacement();
  ASSERT_OK_AND_ASSIGN(v1::Rma shipped,
                       queries_.GetRma(customer_, Named<v1::GetRmaRequest>(rma_.rma_number())));
  ASSERT_TRUE(shipped.has_return_due_time());
  EXPECT_FALSE(shipped.overdue());
  clock_.Set(absl::FromUnixSeconds(shipped.return_due_time().seconds()) + absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(v1::Rma late,
                       queries_.GetRma(customer_, Named<v1::GetRmaRequest>(rma_.rma_number())));
  EXPECT_TRUE(late.overdue());

  v1::ListOverdueReturnsRequest overdue;
  ASSERT_OK_AND_ASSIGN(v1::ListOverdueReturnsResponse listed,
                       queries_.ListOverdueReturns(tse_, overdue));
  ASSERT_EQ(listed.rmas_size(), 1);
  EXPECT_EQ(listed.rmas(0).rma_number(), rma_.rma_number());
  EXPECT_TRUE(listed.rmas(0).overdue());
}

TEST_F(RmaQueriesTest, ListRmasChecksItsFilterBeforeReadingAndShowsOnlyTheCallersAccounts) {
  v1::ListRmasRequest bad_status;
  bad_status.set_status(static_cast<v1::RmaStatus>(99));
  EXPECT_THAT(queries_.ListRmas(customer_, bad_status),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  v1::ListRmasRequest bad_type;
  bad_type.set_type(static_cast<v1::RmaType>(99));
  EXPECT_THAT(queries_.ListRmas(customer_, bad_type),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("type")));

  v1::ListRmasRequest approved;
  approved.set_status(v1::RMA_STATUS_APPROVED);
  ASSERT_OK_AND_ASSIGN(v1::ListRmasResponse mine, queries_.ListRmas(customer_, approved));
  ASSERT_EQ(mine.rmas_size(), 1);
  EXPECT_EQ(mine.rmas(0).rma_number(), rma_.rma_number());
  absl::StatusOr<v1::ListRmasResponse> theirs = queries_.ListRmas(other_customer_, approved);
  ASSERT_OK(theirs.status());
  EXPECT_EQ(theirs->rmas_size(), 0);
  approved.set_status(v1::RMA_STATUS_PENDING);
  ASSERT_OK_AND_ASSIGN(v1::ListRmasResponse pending, queries_.ListRmas(customer_, approved));
  EXPECT_EQ(pending.rmas_size(), 0);
}

TEST_F(RmaQueriesTest, NotificationsAndTheReturnLabelAreTheAccountsOnly) {
  ASSERT_OK_AND_ASSIGN(v1::ListNotificationsResponse notes,
                       queries_.ListNotifications(
                           customer_, Named<v1::ListNotificationsRequest>(rma_.rma_number())));
  ASSERT_GE(notes.notifications_size(), 1);
  for (const v1::Notification& n : notes.notifications()) {
    EXPECT_EQ(n.validation_number(), rma_.validation_number());
    EXPECT_THAT(n.subject(), Not(IsEmpty()));
  }
  EXPECT_THAT(queries_.ListNotifications(other_customer_,
                                         Named<v1::ListNotificationsRequest>(rma_.rma_number())),
              StatusIs(absl::StatusCode::kNotFound));

  ASSERT_OK_AND_ASSIGN(
      v1::ReturnLabel label,
      queries_.GetReturnLabel(customer_, Named<v1::GetReturnLabelRequest>(rma_.rma_number())));
  EXPECT_EQ(label.rma_number(), rma_.rma_number());
  EXPECT_EQ(label.serial_number(), "JN11AAA0001");
  EXPECT_EQ(label.return_location().location_code(), "US-SVL");
  EXPECT_EQ(label.ship_from().locality(), "Austin");
  EXPECT_THAT(label.barcode_payload(), HasSubstr(rma_.rma_number()));
  EXPECT_THAT(
      queries_.GetReturnLabel(other_customer_, Named<v1::GetReturnLabelRequest>(rma_.rma_number())),
      StatusIs(absl::StatusCode::kNotFound));

  v1::ListReturnLocationsRequest where;
  where.set_region_code("US");
  ASSERT_OK_AND_ASSIGN(v1::ListReturnLocationsResponse depots,
                       queries_.ListReturnLocations(customer_, where));
  ASSERT_EQ(depots.return_locations_size(), 1);
  EXPECT_EQ(depots.return_locations(0).location_code(), "US-SVL");
  EXPECT_EQ(depots.return_locations(0).address().locality(), "Sunnyvale");
}

}  // namespace
}  // namespace aftercare::rma
