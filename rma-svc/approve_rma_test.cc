// The ApproveRma use case (approve_rma.h) against fakes, without a server or
// a database: the decision taken on the entitlement inventory-svc gives at
// approval time, the RMA number taken only for an RMA the caller reaches,
// and nothing written when the entitlement is gone or cannot be read.
#include "rma-svc/approve_rma.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/ids.h"
#include "common/testing/status_matchers.h"
#include "rma-svc/create_rma.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ApproveRmaTest : public RmaUseCaseTest {
 protected:
  ApproveRmaTest() {
    auto created = create_.Run(tse_, nullptr, CreateRequest("create-1"));
    EXPECT_OK(created.status());
    if (created.ok()) rma_ = *created;
    inventory_.asked.clear();
  }

  v1::ApproveRmaRequest Approve(const std::string& request_id) {
    v1::ApproveRmaRequest req;
    req.set_request_id(request_id);
    req.set_name(rma_.validation_number());
    req.set_etag(rma_.etag());
    return req;
  }

  Rma Stored() { return repo_.rmas.begin()->second; }

  CountingIds validation_numbers_{0};
  CountingIds rma_numbers_{99};
  CreateRmaUseCase create_{Deps(), validation_numbers_};
  ApproveRmaUseCase approve_{Deps(), rma_numbers_};
  v1::Rma rma_;
};

TEST_F(ApproveRmaTest, TheEntitlementIsReadAgainAndTheRmaGetsTheNextRmaNumber) {
  ASSERT_OK_AND_ASSIGN(v1::Rma r, approve_.Run(tse_, nullptr, Approve("a-1")));
  EXPECT_EQ(r.status(), v1::RMA_STATUS_APPROVED);
  EXPECT_EQ(r.rma_number(), FormatRmaNumber(kRmaBase + 100));
  EXPECT_EQ(r.approved_by(), "tse-1");
  EXPECT_THAT(inventory_.asked, ElementsAre("JN11AAA0001"));
  EXPECT_THAT(rma_numbers_.scopes, ElementsAre("rma"));
  EXPECT_EQ(Stored().status, Status::kApproved);
  EXPECT_EQ(repo_.CountEvents("allocate"), 1);  // the spare, through the outbox
}

TEST_F(ApproveRmaTest, AnEntitlementLostSinceTheRequestIsRefusedAndTheRmaStaysPending) {
  EntitlementView sold_on = Covered();
  sold_on.owner_account_id = "OTHER-9";
  inventory_.answer = sold_on;
  EXPECT_THAT(approve_.Run(tse_, nullptr, Approve("a-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("installed base")));
  EXPECT_EQ(Stored().status, Status::kPending);
  EXPECT_TRUE(Stored().rma_number.empty());
}

TEST_F(ApproveRmaTest, WhenInventoryCannotAnswerNothingIsDecided) {
  inventory_.answer = absl::UnavailableError("inventory-svc: deadline exceeded");
  EXPECT_THAT(approve_.Run(tse_, nullptr, Approve("a-1")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(rma_numbers_.scopes, IsEmpty());
  EXPECT_EQ(Stored().status, Status::kPending);
}

TEST_F(ApproveRmaTest, AnRmaOutOfTheCallersReachIsNotFoundBeforeAnythingIsAsked) {
  const int writes = store_.writes();
  EXPECT_THAT(approve_.Run(other_customer_, nullptr, Approve("a-1")),
              StatusIs(absl::StatusCode::kNotFound));
  v1::ApproveRmaRequest unknown = Approve("a-2");
  unknown.set_name(FormatValidationNumber(kValidationBase + 77));
  EXPECT_THAT(approve_.Run(tse_, nullptr, unknown), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(approve_.Run(tse_, nullptr, Approve(std::string(129, 'x'))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_THAT(rma_numbers_.scopes, IsEmpty());
  EXPECT_EQ(store_.writes(), writes);
}

TEST_F(ApproveRmaTest, ARetryGetsTheFirstApprovalAndASecondApprovalIsRefused) {
  ASSERT_OK_AND_ASSIGN(v1::Rma first, approve_.Run(tse_, nullptr, Approve("a-1")));
  ASSERT_OK_AND_ASSIGN(v1::Rma again, approve_.Run(tse_, nullptr, Approve("a-1")));
  EXPECT_EQ(again.rma_number(), first.rma_number());
  // A second approval under a new request id finds the RMA approved.
  EXPECT_THAT(approve_.Run(tse_, nullptr, Approve("a-2")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("APPROVED")));
  EXPECT_EQ(Stored().rma_number, first.rma_number());
}

}  // namespace
}  // namespace aftercare::rma
