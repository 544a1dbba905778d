// The CreateRma use case (create_rma.h) against fakes, without a server or a
// database: the entitlement read before a number is taken, a bad request
// refused before anything is asked or written, inventory-svc's silence is
// UNAVAILABLE with nothing written, and a retry answered from the first call.
#include "rma-svc/create_rma.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/ids.h"
#include "common/testing/status_matchers.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CreateRmaTest : public RmaUseCaseTest {
 protected:
  CountingIds validation_numbers_{41};
  CreateRmaUseCase create_{Deps(), validation_numbers_};
};

TEST_F(CreateRmaTest, TheEntitlementIsReadAndTheRmaOpensUnderTheNextValidationNumber) {
  ASSERT_OK_AND_ASSIGN(v1::Rma r, create_.Run(tse_, nullptr, CreateRequest("r-1")));
  EXPECT_EQ(r.validation_number(), FormatValidationNumber(kValidationBase + 42));
  EXPECT_EQ(r.status(), v1::RMA_STATUS_PENDING);
  EXPECT_EQ(r.serial_number(), "JN11AAA0001");
  EXPECT_EQ(r.sku(), "EX4300-48T");  // from inventory-svc
  EXPECT_THAT(inventory_.asked, ElementsAre("JN11AAA0001"));  // normalized first
  EXPECT_THAT(validation_numbers_.scopes, ElementsAre("rma"));
  ASSERT_EQ(repo_.rmas.size(), 1u);
  EXPECT_EQ(repo_.published_now.size(), 1u);  // the request-opened e-mail
}

TEST_F(CreateRmaTest, ABadRequestAsksNothingAndWritesNothing) {
  v1::CreateRmaRequest no_serial = CreateRequest("r-1");
  no_serial.clear_serial_number();
  EXPECT_THAT(create_.Run(tse_, nullptr, no_serial),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("serial_number")));
  v1::CreateRmaRequest fire = CreateRequest("r-2");
  fire.set_damage_cause(v1::DAMAGE_CAUSE_FIRE);
  EXPECT_THAT(create_.Run(tse_, nullptr, fire),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("excluded")));
  v1::CreateRmaRequest bad_request_id = CreateRequest(std::string(129, 'x'));
  EXPECT_THAT(create_.Run(tse_, nullptr, bad_request_id),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_THAT(validation_numbers_.scopes, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.rmas, IsEmpty());
}

TEST_F(CreateRmaTest, WhenInventoryCannotAnswerTheCallIsUnavailableAndNothingIsWritten) {
  inventory_.answer = absl::UnavailableError("inventory-svc: connection refused");
  EXPECT_THAT(create_.Run(tse_, nullptr, CreateRequest("r-1")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(validation_numbers_.scopes, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.rmas, IsEmpty());
}

TEST_F(CreateRmaTest, AUnitOfAnotherAccountIsRefusedAndNothingIsWritten) {
  EntitlementView theirs = Covered();
  theirs.owner_account_id = "OTHER-9";
  inventory_.answer = theirs;
  EXPECT_THAT(create_.Run(tse_, nullptr, CreateRequest("r-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("installed base")));
  EXPECT_THAT(repo_.rmas, IsEmpty());
  EXPECT_THAT(repo_.published_now, IsEmpty());
}

TEST_F(CreateRmaTest, ARetryGetsTheFirstRmaAndTheSameIdWithAnotherRequestIsRefused) {
  ASSERT_OK_AND_ASSIGN(v1::Rma first, create_.Run(tse_, nullptr, CreateRequest("r-1")));
  ASSERT_OK_AND_ASSIGN(v1::Rma again, create_.Run(tse_, nullptr, CreateRequest("r-1")));
  EXPECT_EQ(again.validation_number(), first.validation_number());
  EXPECT_EQ(repo_.rmas.size(), 1u);
  v1::CreateRmaRequest other = CreateRequest("r-1");
  other.set_failure_description("another failure");
  EXPECT_THAT(create_.Run(tse_, nullptr, other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_EQ(repo_.rmas.size(), 1u);
}

// The key is kept on the RMA with the first answer (RepositoryStore::
// CreateOnce): a retry after the RMA changed gets that answer, not the RMA
// as it is now, and makes no second RMA even though the unit is free again.
TEST_F(CreateRmaTest, TheKeyIsKeptWithTheRmaAndAnswersAsFirstAfterTheRmaChanged) {
  ASSERT_OK_AND_ASSIGN(v1::Rma first, create_.Run(tse_, nullptr, CreateRequest("r-1")));
  ASSERT_EQ(repo_.create_keys.size(), 1u);
  EXPECT_EQ(repo_.create_keys.begin()->first.second, "r-1");
  EXPECT_EQ(repo_.create_keys.begin()->second.response, first.SerializeAsString());
  ASSERT_EQ(repo_.rmas.size(), 1u);
  Rma& stored = repo_.rmas.begin()->second;
  stored.status = Status::kCancelled;
  stored.version = 2;
  ASSERT_OK_AND_ASSIGN(v1::Rma again, create_.Run(tse_, nullptr, CreateRequest("r-1")));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(again.status(), v1::RMA_STATUS_PENDING);
  EXPECT_EQ(repo_.rmas.size(), 1u);
  // Without a request_id nothing is kept.
  ASSERT_OK(create_.Run(tse_, nullptr, CreateRequest("")).status());
  EXPECT_EQ(repo_.rmas.size(), 2u);
  EXPECT_EQ(repo_.create_keys.size(), 1u);
}

}  // namespace
}  // namespace aftercare::rma
