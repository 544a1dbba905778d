#include "common/db/migrations.h"

#include <thread>

#include "common/db/connection_pool.h"
#include "common/db/lease.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestDatabase;

const std::vector<MigrationFile>& Sample() {
  static const auto* files = new std::vector<MigrationFile>{
      {1, "0001_units.sql", "CREATE TABLE units (serial VARCHAR(40) PRIMARY KEY);\n"
                            "INSERT INTO units VALUES ('A1; not a split');"},
      {2, "0002_more.sql", "ALTER TABLE units ADD COLUMN sku VARCHAR(40) NULL;"},
  };
  return *files;
}

TEST(MigrationsTest, AppliesInOrderOnceAndReRunsAsANoOp) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  std::vector<MigrationSet> sets = {{"common", &CommonMigrations()}, {"sample", &Sample()}};
  ASSERT_OK_AND_ASSIGN(MigrationReport first, ApplyMigrations(*pool, sets));
  EXPECT_EQ(first.applied, static_cast<int>(CommonMigrations().size()) + 2);
  ASSERT_OK_AND_ASSIGN(MigrationReport second, ApplyMigrations(*pool, sets));
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.already_applied, first.applied);
  EXPECT_EQ(*db->QueryValue("SELECT serial FROM units"), "A1; not a split");
  EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM schema_migrations WHERE component = 'sample'"), "2");
}

// Readiness asks CheckSchema whether this binary may serve (issue 15).
TEST(MigrationsTest, CheckSchemaFollowsWhatIsApplied) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  std::vector<MigrationSet> sets = {{"common", &CommonMigrations()}, {"sample", &Sample()}};

  ASSERT_OK_AND_ASSIGN(SchemaCheck empty, CheckSchema(*pool, sets));
  EXPECT_FALSE(empty.current);
  EXPECT_THAT(empty.problem, ::testing::HasSubstr("the database has no schema"));

  std::vector<MigrationSet> first_only = {{"common", &CommonMigrations()}};
  ASSERT_OK(ApplyMigrations(*pool, first_only));
  ASSERT_OK_AND_ASSIGN(SchemaCheck behind, CheckSchema(*pool, sets));
  EXPECT_FALSE(behind.current);
  EXPECT_THAT(behind.problem, ::testing::HasSubstr("schema of sample is behind this binary: 0 of 2"));

  ASSERT_OK(ApplyMigrations(*pool, sets));
  ASSERT_OK_AND_ASSIGN(SchemaCheck current, CheckSchema(*pool, sets));
  EXPECT_TRUE(current.current) << current.problem;
  EXPECT_EQ(current.note, "");

  // A newer release added a table: the older binary keeps serving.
  ASSERT_OK(db->Execute("INSERT INTO schema_migrations VALUES"
                        " ('sample', 3, '0003_add_table.sql', REPEAT('0', 64), 0)"));
  ASSERT_OK_AND_ASSIGN(SchemaCheck ahead, CheckSchema(*pool, sets));
  EXPECT_TRUE(ahead.current) << ahead.problem;
  EXPECT_THAT(ahead.note, ::testing::HasSubstr("at version 3, ahead of this binary's 2"));

  // Then dropped a column this binary reads.
  ASSERT_OK(db->Execute("INSERT INTO schema_migrations VALUES"
                        " ('sample', 4, '0004_drop_sku.breaking.sql', REPEAT('0', 64), 0)"));
  ASSERT_OK_AND_ASSIGN(SchemaCheck broken, CheckSchema(*pool, sets));
  EXPECT_FALSE(broken.current);
  EXPECT_THAT(broken.problem, ::testing::HasSubstr("0004_drop_sku.breaking.sql"));
}

TEST(MigrationsTest, ConcurrentRunnersApplyEachFileOnce) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  std::vector<MigrationSet> sets = {{"common", &CommonMigrations()}, {"sample", &Sample()}};
  constexpr int kRunners = 6;
  std::vector<absl::StatusOr<MigrationReport>> results(kRunners, absl::UnknownError(""));
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] {
      auto pool = ConnectionPool::Create(db->Options(1), nullptr);
      if (!pool.ok()) {
        results[i] = pool.status();
        return;
      }
      results[i] = ApplyMigrations(**pool, sets);
    });
  }
  for (auto& t : threads) t.join();
  int applied = 0;
  for (const auto& r : results) {
    ASSERT_OK(r);
    applied += r->applied;
  }
  EXPECT_EQ(applied, static_cast<int>(CommonMigrations().size()) + 2);
  EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM units"), "1");
}

// The runners' mutual exclusion is the 'migrations' lease row (a named lock
// would be node-local on a Galera cluster): while another runner holds it,
// nothing is applied; once it expires (its runner died), the next one goes on.
TEST(MigrationsTest, WaitsForTheMigrationsLeaseAndTakesItOnceExpired) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  ASSERT_OK(db->Execute(kLeaseTableDdl));
  ASSERT_OK(db->Execute("INSERT INTO aftercare_leases VALUES ('migrations', 'another-runner', 1,"
                        " UNIX_TIMESTAMP(NOW(6)) * 1000000 + 3600000000)"));
  EXPECT_THAT(ApplyMigrations(*pool, {{"sample", &Sample()}}, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kDeadlineExceeded, ::testing::HasSubstr("migrations")));
  EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM information_schema.TABLES"
                            " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'units'"),
            "0");
  ASSERT_OK(db->Execute("UPDATE aftercare_leases SET expires_at_us = 1"));
  ASSERT_OK_AND_ASSIGN(MigrationReport report,
                       ApplyMigrations(*pool, {{"sample", &Sample()}}, absl::Seconds(1)));
  EXPECT_EQ(report.applied, 2);
  // Released when done: the next runner does not wait.
  EXPECT_EQ(*db->QueryValue("SELECT expires_at_us FROM aftercare_leases WHERE name = 'migrations'"),
            "0");
}

TEST(MigrationsTest, RefusesAFileChangedAfterItWasApplied) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  ASSERT_OK(ApplyMigrations(*pool, {{"sample", &Sample()}}));
  std::vector<MigrationFile> edited = Sample();
  edited[1].sql = "ALTER TABLE units ADD COLUMN sku VARCHAR(80) NULL;";
  EXPECT_THAT(ApplyMigrations(*pool, {{"sample", &edited}}),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("0002_more.sql")));
}

}  // namespace
}  // namespace aftercare::db
