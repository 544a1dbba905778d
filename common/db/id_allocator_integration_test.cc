#include "common/db/id_allocator.h"

#include <set>
#include <thread>

#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::TestDatabase;

TEST(IdAllocatorTest, TwoProcessesUnderConcurrencyNeverShareANumber) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool_a, ConnectionPool::Create(db->Options(4), nullptr));
  ASSERT_OK_AND_ASSIGN(auto pool_b, ConnectionPool::Create(db->Options(4), nullptr));
  ASSERT_OK(ApplyMigrations(*pool_a, {{"common", &CommonMigrations()}}));
  IdAllocator a(pool_a.get(), "case", 7);
  IdAllocator b(pool_b.get(), "case", 7);

  constexpr int kThreads = 20, kEach = 10;
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      IdAllocator& alloc = t % 2 == 0 ? a : b;
      for (int i = 0; i < kEach; ++i) {
        auto id = alloc.Next("2026-11-21");
        if (id.ok()) got[t].push_back(*id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& ids : got) {
    ASSERT_EQ(ids.size(), static_cast<size_t>(kEach));
    for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);  // increasing per caller
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_GE(*all.begin(), 1);
}

TEST(IdAllocatorTest, EachScopeStartsAtOne) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(2), nullptr));
  ASSERT_OK(ApplyMigrations(*pool, {{"common", &CommonMigrations()}}));
  IdAllocator alloc(pool.get(), "case", 5);
  EXPECT_EQ(*alloc.Next("2026-11-21"), 1);
  EXPECT_EQ(*alloc.Next("2026-11-21"), 2);
  EXPECT_EQ(*alloc.Next("2026-11-22"), 1);
  EXPECT_EQ(*alloc.Next("2026-11-21"), 3);
}

}  // namespace
}  // namespace aftercare::db
