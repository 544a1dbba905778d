// RepositoryStore::CreateOnce (common/repository_store.h) over the fake store
// (common/testing/fake_store.h) and a repository that keeps a create's key
// on its rows, as CreateCase does: a new key writes the row with its key and
// answer; a replay gets that answer and writes nothing; another request with
// the key is INVALID_ARGUMENT; a failure the caller or the database gave up
// on, or an authorization failure, is answered without looking the key up; a
// key taken but not readable is ABORTED; no request_id keeps no key.
#include "common/repository_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "aftercare/testing/v1/echo.pb.h"
#include "common/policy.h"
#include "common/testing/fake_store.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::v1::EchoRequest;
using ::aftercare::testing::v1::EchoResponse;
using ::testing::HasSubstr;

struct Rows {
  std::vector<std::string> rows;
  std::map<std::pair<std::string, std::string>, StoredAnswer> keys;
  int finds = 0;
  bool hide_keys = false;  // find answers nothing (a key taken but unreadable)
};

class RowsStore : public RepositoryStore<Rows> {};

class CreateOnceTest : public ::testing::Test {
 protected:
  EchoRequest Req(const std::string& request_id, const std::string& message) {
    EchoRequest r;
    r.set_request_id(request_id);
    r.set_message(message);
    return r;
  }

  // Fails with `fail`, or inserts a row for `req` with the key and answer.
  absl::StatusOr<EchoResponse> Create(const EchoRequest& req, absl::Status fail = absl::OkStatus()) {
    return store_.CreateOnce<EchoResponse>(
        caller_, req, "Create", "create",
        [&](Rows& rows, const RowKey* key) -> absl::StatusOr<EchoResponse> {
          if (!fail.ok()) return fail;  // refused before its INSERT
          EchoResponse answer;
          answer.set_message(absl::StrCat("row ", rows.rows.size() + 1, ": ", req.message()));
          rows.rows.push_back(req.message());
          if (key != nullptr) {
            const auto k = std::make_pair(key->caller, key->request_id);
            if (rows.keys.count(k)) return absl::AbortedError(idempotency_internal::kRowKeyTaken);
            rows.keys[k] = StoredAnswer{key->request_hash, answer.SerializeAsString()};
          }
          return answer;
        },
        [](Rows& rows, const RowKey& key) -> absl::StatusOr<std::optional<StoredAnswer>> {
          ++rows.finds;
          auto it = rows.keys.find(std::make_pair(key.caller, key.request_id));
          if (rows.hide_keys || it == rows.keys.end()) return std::optional<StoredAnswer>();
          return std::optional<StoredAnswer>(it->second);
        });
  }

  Rows rows_;
  ::aftercare::testing::FakeStore<RowsStore, Rows> store_{&rows_};
  Principal caller_ = ::aftercare::testing::TestCaller(Role::kCustomer, "alice", {"ACME-001"});
};

TEST_F(CreateOnceTest, AReplayGetsTheFirstAnswerAndWritesNothing) {
  ASSERT_OK_AND_ASSIGN(EchoResponse first, Create(Req("r-1", "a")));
  EXPECT_EQ(first.message(), "row 1: a");
  ASSERT_EQ(rows_.keys.size(), 1u);
  EXPECT_EQ(rows_.keys.begin()->first.second, "r-1");
  ASSERT_OK_AND_ASSIGN(EchoResponse again, Create(Req("r-1", "a")));
  EXPECT_EQ(again.message(), "row 1: a");
  EXPECT_EQ(rows_.rows.size(), 1u);  // the replay's row was rolled back
  EXPECT_THAT(Create(Req("r-1", "b")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_EQ(rows_.rows.size(), 1u);
  // Keys are the caller's: another caller's r-1 is a new row.
  caller_ = ::aftercare::testing::TestCaller(Role::kCustomer, "bob", {"GLOBEX-7"});
  ASSERT_OK_AND_ASSIGN(EchoResponse bobs, Create(Req("r-1", "a")));
  EXPECT_EQ(bobs.message(), "row 2: a");
}

TEST_F(CreateOnceTest, AFailedBodyIsAnsweredFromAKeyAnEarlierCallCommitted) {
  ASSERT_OK(Create(Req("r-1", "a")).status());
  // The body now fails (its effects are there already): the stored answer.
  ASSERT_OK_AND_ASSIGN(EchoResponse again,
                       Create(Req("r-1", "a"), absl::FailedPreconditionError("gone")));
  EXPECT_EQ(again.message(), "row 1: a");
  // Given up on, or not allowed: the failure itself, without a look-up.
  const int finds = rows_.finds;
  EXPECT_THAT(Create(Req("r-1", "a"), absl::UnavailableError("database down")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(Create(Req("r-1", "a"), absl::DeadlineExceededError("late")),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(Create(Req("r-1", "a"), absl::PermissionDeniedError("not yours")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(rows_.finds, finds);
  // A failure without an earlier key: the failure, nothing kept.
  EXPECT_THAT(Create(Req("r-2", "a"), absl::FailedPreconditionError("refused")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("refused")));
  EXPECT_EQ(rows_.keys.size(), 1u);
  EXPECT_EQ(rows_.rows.size(), 1u);
}

TEST_F(CreateOnceTest, ATakenKeyThatCannotBeReadIsAbortedForARetry) {
  ASSERT_OK(Create(Req("r-1", "a")).status());
  rows_.hide_keys = true;
  EXPECT_THAT(Create(Req("r-1", "a")),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("in progress")));
}

TEST_F(CreateOnceTest, WithoutARequestIdNothingIsKeptAndABadOneWritesNothing) {
  ASSERT_OK(Create(Req("", "a")).status());
  ASSERT_OK(Create(Req("", "a")).status());
  EXPECT_EQ(rows_.rows.size(), 2u);
  EXPECT_TRUE(rows_.keys.empty());
  EXPECT_THAT(Create(Req(std::string(129, 'x'), "a")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_THAT(Create(Req("has space", "a")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  EXPECT_EQ(rows_.rows.size(), 2u);
  EXPECT_EQ(store_.writes(), 2);
}

}  // namespace
}  // namespace aftercare
