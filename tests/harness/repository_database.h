// A throwaway database with the shared tables and one service's schema, and
// one connection on it: what a repository contract test runs a MySQL
// repository on (<svc>/<svc>_repository_contract_integration_test.cc).
//
//   ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create({"rma", &Migrations()}));
//   MysqlRmaRepository mysql(db_->connection(), clock_);
//   db_->database().Execute("UPDATE ...");
#ifndef AFTERCARE_TESTS_HARNESS_REPOSITORY_DATABASE_H_
#define AFTERCARE_TESTS_HARNESS_REPOSITORY_DATABASE_H_

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/db/migrations.h"
#include "tests/harness/test_database.h"

namespace aftercare::testing {

class RepositoryDatabase {
 public:
  // A fresh database with common/'s migrations and then `service`'s (none
  // when its files are null).
  static absl::StatusOr<std::unique_ptr<RepositoryDatabase>> Create(
      db::MigrationSet service = {"", nullptr});

  TestDatabase& database() { return *database_; }
  db::ConnectionPool& pool() { return *pool_; }
  // A connection of the pool, autocommit on, held for the test.
  db::Connection& connection() { return **connection_; }

 private:
  RepositoryDatabase() = default;

  // In this order, so the connection goes back before the pool and the
  // database go.
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::optional<db::PooledConnection> connection_;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_REPOSITORY_DATABASE_H_
