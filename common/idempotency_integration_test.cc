#include "common/idempotency.h"

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

TEST_F(IdempotencyTest, IdsAreScopedPerCaller) {
  EchoRequest req;
  req.set_message("x");
  ASSERT_OK(Mutate("alice", "r-3", req));
  ASSERT_OK(Mutate("bob", "r-3", req));
  EXPECT_EQ(Effects(), "2");
}

TEST_F(IdempotencyTest, ConcurrentRetriesRunTheBodyOnce) {
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

}  // namespace
}  // namespace aftercare
