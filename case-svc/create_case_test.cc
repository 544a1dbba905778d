// The CreateCase use case (create_case.h) against fakes, without a server or
// a database: the product looked up on behalf of the case's account, a
// failed lookup left to the outbox, a bad request refused before anything
// is asked or written, and a retry answered from the first call.
#include "case-svc/create_case.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "case-svc/use_case_fakes.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace pb = ::aftercare::cases::v1;

Principal Customer(std::vector<std::string> accounts) {
  return ::aftercare::testing::TestCaller(Role::kCustomer, "alice", std::move(accounts));
}

class CreateCaseTest : public ::testing::Test {
 protected:
  CreateCaseTest()
      : codec_("0123456789abcdef0123"),
        domain_(clock_, CaseOptions{}, &codec_),
        store_(&repo_),
        create_(domain_, store_, inventory_, clock_) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 11, 16, 9, 0, 0), absl::UTCTimeZone()));
  }

  pb::CreateCaseRequest Request(const std::string& request_id, const std::string& serial = "") {
    pb::CreateCaseRequest req;
    req.set_request_id(request_id);
    pb::Case* c = req.mutable_case_();
    c->set_request_type(pb::REQUEST_TYPE_OTHER);
    c->set_priority(pb::PRIORITY_P3);
    c->set_follow_up_method(pb::FOLLOW_UP_METHOD_EMAIL);
    c->set_summary("the PSU fan is loud");
    c->set_serial_number(serial);
    return req;
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  Cases domain_;
  FakeCaseRepository repo_;
  TestCaseStore store_;
  FakeInventory inventory_;
  CreateCaseUseCase create_;
  Principal alice_ = Customer({"ACME-001"});
};

TEST_F(CreateCaseTest, TheProductIsLookedUpForTheCasesAccountAndTheNumberIsTheDays) {
  ASSERT_OK_AND_ASSIGN(pb::Case c, create_.Run(alice_, nullptr, Request("r-1", "JN11AAAA0001")));
  EXPECT_EQ(c.case_id(), "2026-1116-00042");
  EXPECT_THAT(store_.days, ElementsAre("2026-11-16"));
  EXPECT_THAT(inventory_.asked, ElementsAre("JN11AAAA0001||ACME-001"));
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_FILLED);
  EXPECT_EQ(c.product_platform(), "MX204");
  EXPECT_EQ(c.account_id(), "ACME-001");
  ASSERT_EQ(repo_.cases.count("2026-1116-00042"), 1u);
  EXPECT_THAT(repo_.outbox, IsEmpty());
}

TEST_F(CreateCaseTest, AFailedLookupStillCreatesTheCaseAndLeavesTheProductToTheOutbox) {
  inventory_.product = absl::UnavailableError("inventory-svc is down");
  ASSERT_OK_AND_ASSIGN(pb::Case c, create_.Run(alice_, nullptr, Request("r-1", "JN11AAAA0001")));
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_PENDING);
  ASSERT_EQ(repo_.outbox.size(), 1u);
  EXPECT_EQ(repo_.outbox[0].type, "lookup");
  EXPECT_EQ(repo_.outbox[0].case_id, c.case_id());
}

TEST_F(CreateCaseTest, ACaseWithoutSerialAsksInventoryNothing) {
  ASSERT_OK_AND_ASSIGN(pb::Case c, create_.Run(alice_, nullptr, Request("r-1")));
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_NOT_REQUESTED);
}

TEST_F(CreateCaseTest, ABadRequestAsksNothingAndWritesNothing) {
  pb::CreateCaseRequest no_summary = Request("r-1", "JN11AAAA0001");
  no_summary.mutable_case_()->clear_summary();
  EXPECT_THAT(create_.Run(alice_, nullptr, no_summary),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("summary")));
  pb::CreateCaseRequest bad_id = Request(std::string(200, 'x'));
  EXPECT_THAT(create_.Run(alice_, nullptr, bad_id),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  pb::CreateCaseRequest other_account = Request("r-2");
  other_account.mutable_case_()->set_account_id("GLOBEX-7");
  EXPECT_FALSE(create_.Run(alice_, nullptr, other_account).ok());
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_THAT(store_.days, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.cases, IsEmpty());
}

TEST_F(CreateCaseTest, ARetryGetsTheFirstCaseAndCreatesNoOther) {
  ASSERT_OK_AND_ASSIGN(pb::Case first, create_.Run(alice_, nullptr, Request("r-1")));
  ASSERT_OK_AND_ASSIGN(pb::Case again, create_.Run(alice_, nullptr, Request("r-1")));
  EXPECT_EQ(again.case_id(), first.case_id());
  EXPECT_EQ(repo_.cases.size(), 1u);
  // The same request_id with another request is refused.
  pb::CreateCaseRequest other = Request("r-1");
  other.mutable_case_()->set_summary("something else");
  EXPECT_THAT(create_.Run(alice_, nullptr, other),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_EQ(repo_.cases.size(), 1u);
}

// The key is kept with the case (RowKey, RepositoryStore::CreateOnce), and
// its answer is the one first given, also after the case changed.
TEST_F(CreateCaseTest, TheKeyIsKeptWithTheCaseAndAnswersAsFirstAfterTheCaseChanged) {
  ASSERT_OK_AND_ASSIGN(pb::Case first, create_.Run(alice_, nullptr, Request("r-1")));
  ASSERT_EQ(repo_.create_keys.size(), 1u);
  EXPECT_EQ(repo_.create_keys.begin()->first.second, "r-1");
  EXPECT_EQ(repo_.create_keys.begin()->second.response, first.SerializeAsString());
  Case& stored = repo_.cases.at(first.case_id());
  stored.status = CaseStatus::kInProgress;
  stored.version = 2;
  ASSERT_OK_AND_ASSIGN(pb::Case again, create_.Run(alice_, nullptr, Request("r-1")));
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(repo_.cases.size(), 1u);
  // Without a request_id nothing is kept, and every call creates a case.
  ASSERT_OK(create_.Run(alice_, nullptr, Request("")).status());
  ASSERT_OK(create_.Run(alice_, nullptr, Request("")).status());
  EXPECT_EQ(repo_.cases.size(), 3u);
  EXPECT_EQ(repo_.create_keys.size(), 1u);
}

}  // namespace
}  // namespace aftercare::cases
