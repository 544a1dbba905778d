#include "common/idempotency.h"
#include "common/ids.h"

#include <atomic>
#include <thread>

#include "aftercare/testing/v1/echo.pb.h"
#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestDatabase;
using ::aftercare::testing::v1::EchoRequest;
using ::aftercare::testing::v1::EchoResponse;

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(pool_, db::ConnectionPool::Create(db_->Options(8), nullptr));
    ASSERT_OK(db::ApplyMigrations(*pool_, {{"common", &db::CommonMigrations()}}));
    ASSERT_OK(db_->Execute("CREATE TABLE effects (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(64))"));
  }

  // A mutation: inserts a row and answers with its id (binary-safe bytes included).
  absl::StatusOr<EchoResponse> Mutate(const std::string& caller, const std::string& request_id,
                                      const EchoRequest& req) {
    return RunIdempotent<EchoResponse>(
        *pool_, clock_, {caller, request_id, "Echo"}, req, "mutate",
        [&](db::Connection& c) -> absl::StatusOr<EchoResponse> {
          auto& ins = c.Prepare("INSERT INTO effects (msg) VALUES (?)");
          ins.setString(1, req.message());
          ins.executeUpdate();
          std::unique_ptr<sql::ResultSet> rs(c.Prepare("SELECT LAST_INSERT_ID()").executeQuery());
          rs->next();
          EchoResponse resp;
          resp.set_message(std::string("id\0=", 4) + std::to_string(rs->getInt64(1)));
          return resp;
        });
  }

  std::string Effects() { return *db_->QueryValue("SELECT COUNT(*) FROM effects"); }

  FakeClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(IdempotencyTest, SameIdAndRequestReturnsTheStoredResponseAndChangesNothing) {
  EchoRequest req;
  req.set_message("hello");
  ASSERT_OK_AND_ASSIGN(EchoResponse first, Mutate("alice", "r-1", req));
  ASSERT_OK_AND_ASSIGN(EchoResponse again, Mutate("alice", "r-1", req));
  EXPECT_EQ(first.message(), again.message());
  EXPECT_EQ(Effects(), "1");
}

TEST_F(IdempotencyTest, SameIdWithADifferentRequestIsInvalidArgument) {
  EchoRequest a, b;
  a.set_message("hello");
  b.set_message("other");
  ASSERT_OK(Mutate("alice", "r-2", a));
  EXPECT_THAT(Mutate("alice", "r-2", b),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("request_id")));
  EXPECT_EQ(Effects(), "1");
}

// The key keeps 120 bytes of the subject, whole characters only: a subject
// of multi-byte characters longer than that must not make every write of
// its caller fail (the caller column is utf8mb4).
TEST_F(IdempotencyTest, ALongMultiByteSubjectStillWrites) {
  Principal p;
  p.role = Role::kCustomer;
  p.account_ids = {"ACME-001"};
  p.subject = "a";  // then 150 bytes of euro signs: byte 120 falls inside one
  for (int i = 0; i < 50; ++i) p.subject += "\xe2\x82\xac";
  const IdempotencyKey key = IdempotencyKey::For(p, "r-utf8", "Echo");
  EXPECT_TRUE(IsValidUtf8(key.caller));
  EchoRequest req;
  req.set_message("x");
  ASSERT_OK_AND_ASSIGN(EchoResponse first, Mutate(key.caller, "r-utf8", req));
  ASSERT_OK_AND_ASSIGN(EchoResponse again, Mutate(key.caller, "r-utf8", req));
  EXPECT_EQ(first.message(), again.message());
  EXPECT_EQ(Effects(), "1");
}

TEST_F(IdempotencyTest, IdsAreScopedPerCaller) {
  EchoRequest req;
  req.set_message("x");
  ASSERT_OK(Mutate("alice", "r-3", req));
  ASSERT_OK(Mutate("bob", "r-3", req));
  EXPECT_EQ(Effects(), "2");
}

TEST_F(IdempotencyTest, ConcurrentRetriesCommitTheBodyOnce) {
  EchoRequest req;
  req.set_message("concurrent");
  constexpr int kThreads = 16;
  std::vector<absl::StatusOr<EchoResponse>> results(kThreads, absl::UnknownError(""));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] { results[i] = Mutate("alice", "r-4", req); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ(r->message(), results[0]->message());
  }
  EXPECT_EQ(Effects(), "1");
}

// The body of a retry can fail because of the first call's own effects (it
// took the one item there was); the retry still gets the first answer.
TEST_F(IdempotencyTest, RetriesWhoseBodyNowFailsGetTheStoredResponse) {
  ASSERT_OK(db_->Execute("CREATE TABLE stock (id INT PRIMARY KEY, taken_by VARCHAR(64) NULL)"));
  ASSERT_OK(db_->Execute("INSERT INTO stock VALUES (1, NULL)"));
  EchoRequest req;
  req.set_message("take the last one");
  std::atomic<int> bodies{0};
  auto take = [&](const std::string& request_id) {
    return RunIdempotent<EchoResponse>(
        *pool_, clock_, {"alice", request_id, "Take"}, req, "take",
        [&](db::Connection& c) -> absl::StatusOr<EchoResponse> {
          bodies.fetch_add(1);
          auto& lock = c.Prepare("SELECT taken_by FROM stock WHERE id = 1 FOR UPDATE");
          std::unique_ptr<sql::ResultSet> rs(lock.executeQuery());
          rs->next();
          if (!rs->isNull(1)) return absl::FailedPreconditionError("out of stock");
          auto& upd = c.Prepare("UPDATE stock SET taken_by = ? WHERE id = 1");
          upd.setString(1, request_id);
          upd.executeUpdate();
          EchoResponse resp;
          resp.set_message("taken by " + request_id);
          return resp;
        });
  };
  // 16 concurrent calls with one request_id: the losers wait for the row
  // lock, find the item gone, and answer as the winner did.
  constexpr int kThreads = 16;
  std::vector<absl::StatusOr<EchoResponse>> results(kThreads, absl::UnknownError(""));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) threads.emplace_back([&, i] { results[i] = take("t-1"); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_OK(r);
    EXPECT_EQ(r->message(), "taken by t-1");
  }
  // A later retry, sequential: same answer; another request_id: the real error.
  ASSERT_OK_AND_ASSIGN(EchoResponse again, take("t-1"));
  EXPECT_EQ(again.message(), "taken by t-1");
  EXPECT_THAT(take("t-2"), StatusIs(absl::StatusCode::kFailedPrecondition, "out of stock"));
  EXPECT_EQ(*db_->QueryValue("SELECT taken_by FROM stock"), "t-1");
  EXPECT_EQ(*db_->QueryValue("SELECT COUNT(*) FROM idempotency_keys"), "1");
  EXPECT_GE(bodies.load(), kThreads + 2);
}

// A retry whose body would succeed again (it inserts another row) is rolled
// back at the key and answered from the store: one effect.
TEST_F(IdempotencyTest, SequentialRetryRollsBackTheRepeatedBody) {
  EchoRequest req;
  req.set_message("once");
  ASSERT_OK_AND_ASSIGN(EchoResponse first, Mutate("alice", "r-9", req));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(EchoResponse again, Mutate("alice", "r-9", req));
    EXPECT_EQ(again.message(), first.message());
  }
  EXPECT_EQ(Effects(), "1");
}

TEST_F(IdempotencyTest, AFailedCallStoresNothingAndCanBeRetried) {
  EchoRequest req;
  req.set_message("fails once");
  absl::StatusOr<EchoResponse> failed = RunIdempotent<EchoResponse>(
      *pool_, clock_, {"alice", "r-5", "Echo"}, req, "mutate",
      [&](db::Connection&) -> absl::StatusOr<EchoResponse> {
        return absl::FailedPreconditionError("not yet");
      });
  EXPECT_THAT(failed, StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(Mutate("alice", "r-5", req));
  EXPECT_EQ(Effects(), "1");
}

TEST_F(IdempotencyTest, RejectsMalformedRequestIdsAndPurgesOldKeys) {
  EchoRequest req;
  EXPECT_THAT(Mutate("alice", "has space", req), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Mutate("alice", std::string(129, 'a'), req),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK(Mutate("alice", "old", req));
  clock_.Advance(absl::Hours(49));
  ASSERT_OK(Mutate("alice", "new", req));
  ASSERT_OK_AND_ASSIGN(int64_t purged, PurgeIdempotencyKeys(*pool_, clock_.Now() - absl::Hours(48)));
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(*db_->QueryValue("SELECT request_id FROM idempotency_keys"), "new");
}

// A replay whose body now fails authorization gets that failure, never the
// stored answer: PERMISSION_DENIED, UNAUTHENTICATED. A NOT_FOUND — the thing
// is gone, or the call moved it out of this same caller's reach — still gets
// the answer (the key already binds it to the caller's rights).
TEST_F(IdempotencyTest, AnAuthorizationFailureNeverFallsBackToTheStoredResponse) {
  EchoRequest req;
  req.set_message("mine");
  ASSERT_OK(Mutate("alice", "r-auth", req));
  auto replay = [&](absl::Status failure) {
    return RunIdempotent<EchoResponse>(
        *pool_, clock_, {"alice", "r-auth", "Echo"}, req, "mutate",
        [&](db::Connection&) -> absl::StatusOr<EchoResponse> { return failure; });
  };
  EXPECT_THAT(replay(absl::PermissionDeniedError("role 'customer' may not call Echo")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(replay(absl::UnauthenticatedError("expired")),
              StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(EchoResponse stored, replay(absl::NotFoundError("unit JN1 not found")));
  EXPECT_EQ(stored.message().substr(0, 2), "id");
  EXPECT_EQ(Effects(), "1");
}

// The same subject under another role or scope is another caller: its
// request_id does not reach the first caller's answer.
TEST_F(IdempotencyTest, KeysAreBoundToRoleAndScopeNotOnlyToTheSubject) {
  Principal admin;
  admin.subject = "x";
  admin.role = Role::kAdmin;
  Principal customer = admin;
  customer.role = Role::kCustomer;
  customer.account_ids = {"A"};
  Principal customer_b = customer;
  customer_b.account_ids = {"B"};
  EchoRequest req;
  req.set_message("once");
  ASSERT_OK(Mutate(IdempotencyKey::For(admin, "r", "Echo").caller, "r", req));
  ASSERT_OK(Mutate(IdempotencyKey::For(customer, "r", "Echo").caller, "r", req));
  ASSERT_OK(Mutate(IdempotencyKey::For(customer_b, "r", "Echo").caller, "r", req));
  EXPECT_EQ(Effects(), "3");
  ASSERT_OK(Mutate(IdempotencyKey::For(customer, "r", "Echo").caller, "r", req));
  EXPECT_EQ(Effects(), "3");
}

}  // namespace
}  // namespace aftercare
