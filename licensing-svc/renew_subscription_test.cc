// Unit tests of RenewSubscriptionUseCase (renew_subscription.h) against the
// in-memory store: a bad request writes nothing, a renewal extends the term
// from its end and answers the welcome letter, and a retry extends nothing
// again.
#include "licensing-svc/renew_subscription.h"

#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class RenewSubscriptionTest : public LicensingUseCaseTest {
 protected:
  static v1::RenewSubscriptionRequest Request(const std::string& request_id,
                                              const std::string& entitlement_id) {
    v1::RenewSubscriptionRequest req;
    req.set_request_id(request_id);
    req.set_entitlement_id(entitlement_id);
    req.set_term_months(12);
    req.set_order_reference("SO-R1");
    req.add_notification_emails("buyer@acme.example");
    return req;
  }

  absl::Time TermEnd(const std::string& entitlement_id) {
    return *store_.state().entitlements.at(entitlement_id).term_end;
  }

  RenewSubscriptionUseCase use_case_{domain_, store_};
};

TEST_F(RenewSubscriptionTest, ABadRequestOrAPerpetualLicenseExtendsNothing) {
  const Bought sub = Buy(12);
  const Bought perpetual = Buy(0);
  const absl::Time end = TermEnd(sub.entitlement_id);
  v1::RenewSubscriptionRequest bad_email = Request("r-1", sub.entitlement_id);
  bad_email.add_notification_emails("not an address");
  EXPECT_THAT(use_case_.Run(admin_, bad_email),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notification_emails[1]")));
  v1::RenewSubscriptionRequest too_long = Request("r-1", sub.entitlement_id);
  too_long.set_term_months(121);
  EXPECT_THAT(use_case_.Run(admin_, too_long),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("term_months")));
  EXPECT_THAT(use_case_.Run(admin_, Request("r-1", perpetual.entitlement_id)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("only subscriptions")));
  EXPECT_EQ(NewWrites(), 0);
  EXPECT_EQ(TermEnd(sub.entitlement_id), end);
  EXPECT_TRUE(store_.state().renewals.empty());
}

TEST_F(RenewSubscriptionTest, ExtendsTheTermOnceAndAnswersTheWelcomeLetter) {
  const Bought sub = Buy(12);
  const absl::Time end = TermEnd(sub.entitlement_id);
  ASSERT_OK_AND_ASSIGN(v1::RenewSubscriptionResponse first,
                       use_case_.Run(admin_, Request("r-1", sub.entitlement_id)));
  const absl::Time extended = TermEnd(sub.entitlement_id);
  EXPECT_GT(extended, end + absl::Hours(24 * 360));
  EXPECT_EQ(first.entitlement().entitlement_id(), sub.entitlement_id);
  ASSERT_OK_AND_ASSIGN(absl::Time answered,
                       FromTimestamp(first.entitlement().term_end_time(), "term_end_time"));
  EXPECT_EQ(answered, extended);
  EXPECT_EQ(first.welcome_letter().kind(), "WELCOME_LETTER");
  EXPECT_EQ(first.welcome_letter().entitlement_id(), sub.entitlement_id);
  EXPECT_THAT(first.welcome_letter().body(), HasSubstr("SO-R1"));
  ASSERT_EQ(store_.state().published.size(), 1u);

  // A retry: the first answer, and the term is not extended twice.
  ASSERT_OK_AND_ASSIGN(v1::RenewSubscriptionResponse retry,
                       use_case_.Run(admin_, Request("r-1", sub.entitlement_id)));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(TermEnd(sub.entitlement_id), extended);
  EXPECT_EQ(store_.state().renewals.size(), 1u);
  EXPECT_EQ(store_.state().published.size(), 1u);
  EXPECT_EQ(NewWrites(), 1);
}

}  // namespace
}  // namespace aftercare::licensing
