#include "common/db/lease.h"

#include <atomic>
#include <thread>

#include "common/db/transaction.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::TestDatabase;

class LeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create(db_->Options(4), nullptr));
    ASSERT_OK(db_->Execute(kLeaseTableDdl));
  }

  bool Acquire(Lease& lease) {
    auto conn = pool_->Acquire();
    EXPECT_TRUE(conn.ok()) << conn.status();
    return conn.ok() && lease.TryAcquire(**conn);
  }

  // Runs Fence + a write in one transaction, as the outbox does.
  bool FencedWrite(Lease& lease) {
    auto done = RunTransaction<bool>(*pool_, "fenced", [&](Connection& c) -> absl::StatusOr<bool> {
      if (!lease.Fence(c)) return false;
      c.Execute("UPDATE aftercare_leases SET holder = holder WHERE name = 'x'");
      return true;
    });
    return done.ok() && *done;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(LeaseTest, OneHolderAtATimeAndANewHolderGetsTheNextFence) {
  Lease a("outbox", "a", absl::Seconds(30));
  Lease b("outbox", "b", absl::Seconds(30));
  ASSERT_TRUE(Acquire(a));
  EXPECT_EQ(a.fence(), 1);
  EXPECT_FALSE(Acquire(b));   // held and not expired
  EXPECT_TRUE(Acquire(a));    // renewed by its holder: same fence
  EXPECT_EQ(a.fence(), 1);
  EXPECT_TRUE(FencedWrite(a));

  // a stops renewing (killed): its lease expires, b takes it over.
  ASSERT_OK(db_->Execute("UPDATE aftercare_leases SET expires_at_us = 1 WHERE name = 'outbox'"));
  ASSERT_TRUE(Acquire(b));
  EXPECT_EQ(b.fence(), 2);
  // a comes back (a long pause): its fenced writes are refused.
  EXPECT_FALSE(FencedWrite(a));
  EXPECT_FALSE(a.held());
  EXPECT_FALSE(Acquire(a));
  EXPECT_TRUE(FencedWrite(b));
}

TEST_F(LeaseTest, AReleasedLeaseIsFreeAtOnceAndLeasesAreIndependentByName) {
  Lease a("outbox", "a", absl::Hours(1));
  Lease b("outbox", "b", absl::Hours(1));
  Lease other("migrations", "b", absl::Hours(1));
  ASSERT_TRUE(Acquire(a));
  EXPECT_TRUE(Acquire(other));
  EXPECT_FALSE(Acquire(b));
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection conn, pool_->Acquire());
    a.Release(*conn);
  }
  EXPECT_TRUE(Acquire(b));
  EXPECT_EQ(b.fence(), 2);
}

TEST_F(LeaseTest, ConcurrentClaimersOfAFreeLeaseMakeOneHolder) {
  constexpr int kClaimers = 12;
  std::atomic<int> holders{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaimers; ++i) {
    threads.emplace_back([&, i] {
      auto pool = ConnectionPool::Create(db_->Options(1), nullptr);
      if (!pool.ok()) return;
      Lease lease("outbox", "claimer-" + std::to_string(i), absl::Minutes(1));
      auto conn = (*pool)->Acquire();
      if (conn.ok() && lease.TryAcquire(**conn)) ++holders;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(holders.load(), 1);
  EXPECT_EQ(*db_->QueryValue("SELECT fence FROM aftercare_leases WHERE name = 'outbox'"), "1");
}

TEST(LeaseHolderIdTest, IsUniquePerCallAndNamesThePrefix) {
  const std::string a = LeaseHolderId("rma"), b = LeaseHolderId("rma");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("rma@", 0), 0u) << a;
}

// A server on a fixed port keeps its id across restarts (it takes its own
// lease back at once); on port 0 every process is another holder.
TEST(LeaseHolderIdTest, AnInstanceOnAFixedPortKeepsItsId) {
  EXPECT_EQ(InstanceHolderId("rma", 50053), InstanceHolderId("rma", 50053));
  EXPECT_NE(InstanceHolderId("rma", 50053), InstanceHolderId("rma", 50054));
  EXPECT_NE(InstanceHolderId("rma", 0), InstanceHolderId("rma", 0));
  EXPECT_EQ(InstanceHolderId("rma", 50053).rfind("rma@", 0), 0u);
}

}  // namespace
}  // namespace aftercare::db
