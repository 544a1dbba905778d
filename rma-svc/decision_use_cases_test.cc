// CancelRma and RejectRma (decision_use_cases.h) against fakes: a stale
// etag or another account's RMA changes nothing, a decision is recorded
// once with its reason, and a decided RMA takes no other decision.
#include "rma-svc/decision_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "rma-svc/create_rma.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class DecisionUseCasesTest : public RmaUseCaseTest {
 protected:
  DecisionUseCasesTest() {
    auto created = create_.Run(customer_, nullptr, CreateRequest("create-1"));
    EXPECT_OK(created.status());
    if (created.ok()) rma_ = *created;
  }

  v1::CancelRmaRequest Cancel(const std::string& request_id, const std::string& etag) {
    v1::CancelRmaRequest req;
    req.set_request_id(request_id);
    req.set_name(rma_.validation_number());
    req.set_reason("the PSU was reseated and works");
    req.set_etag(etag);
    return req;
  }

  v1::RejectRmaRequest Reject(const std::string& request_id, const std::string& etag) {
    v1::RejectRmaRequest req;
    req.set_request_id(request_id);
    req.set_name(rma_.validation_number());
    req.set_reason("physical damage (water) is not covered");
    req.set_etag(etag);
    return req;
  }

  Rma Stored() { return repo_.rmas.begin()->second; }

  CountingIds validation_numbers_{0};
  CreateRmaUseCase create_{Deps(), validation_numbers_};
  CancelRmaUseCase cancel_{Deps()};
  RejectRmaUseCase reject_{Deps()};
  v1::Rma rma_;
};

TEST_F(DecisionUseCasesTest, AStaleEtagOrAnotherAccountChangesNothing) {
  EXPECT_THAT(cancel_.Run(customer_, Cancel("c-1", "\"v99\"")),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(cancel_.Run(other_customer_, Cancel("c-1", rma_.etag())),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(reject_.Run(tse_, Reject("r-1", "\"v99\"")), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(Stored().status, Status::kPending);
}

TEST_F(DecisionUseCasesTest, ACancellationIsRecordedOnceWithItsReason) {
  ASSERT_OK_AND_ASSIGN(v1::Rma cancelled, cancel_.Run(customer_, Cancel("c-1", rma_.etag())));
  EXPECT_EQ(cancelled.status(), v1::RMA_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.cancellation_reason(), "the PSU was reseated and works");
  EXPECT_NE(cancelled.etag(), rma_.etag());
  EXPECT_EQ(Stored().status, Status::kCancelled);
  // A retry (its etag is stale by now) gets the first answer.
  ASSERT_OK_AND_ASSIGN(v1::Rma retry, cancel_.Run(customer_, Cancel("c-1", rma_.etag())));
  EXPECT_EQ(retry.SerializeAsString(), cancelled.SerializeAsString());
  // A cancelled request is not rejected afterwards.
  EXPECT_THAT(reject_.Run(tse_, Reject("r-1", cancelled.etag())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Stored().status, Status::kCancelled);
}

TEST_F(DecisionUseCasesTest, ARejectionIsRecordedOnceWithTheReasonTheCustomerIsTold) {
  ASSERT_OK_AND_ASSIGN(v1::Rma rejected, reject_.Run(tse_, Reject("r-1", rma_.etag())));
  EXPECT_EQ(rejected.status(), v1::RMA_STATUS_REJECTED);
  EXPECT_THAT(rejected.rejection_reason(), HasSubstr("water"));
  EXPECT_EQ(Stored().status, Status::kRejected);
  ASSERT_OK_AND_ASSIGN(v1::Rma retry, reject_.Run(tse_, Reject("r-1", rma_.etag())));
  EXPECT_EQ(retry.SerializeAsString(), rejected.SerializeAsString());
  EXPECT_THAT(cancel_.Run(customer_, Cancel("c-1", rejected.etag())),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace aftercare::rma
