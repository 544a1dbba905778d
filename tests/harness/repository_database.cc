#include "tests/harness/repository_database.h"

#include <utility>
#include <vector>

#include "common/status.h"

namespace aftercare::testing {

absl::StatusOr<std::unique_ptr<RepositoryDatabase>> RepositoryDatabase::Create(
    db::MigrationSet service) {
  std::unique_ptr<RepositoryDatabase> out(new RepositoryDatabase());
  ASSIGN_OR_RETURN(out->database_, TestDatabase::Create());
  ASSIGN_OR_RETURN(out->pool_, db::ConnectionPool::Create(out->database_->Options(2), nullptr));
  std::vector<db::MigrationSet> sets = {{"common", &db::CommonMigrations()}};
  if (service.files != nullptr) sets.push_back(std::move(service));
  RETURN_IF_ERROR(db::ApplyMigrations(*out->pool_, sets).status());
  ASSIGN_OR_RETURN(db::PooledConnection conn, out->pool_->Acquire());
  out->connection_.emplace(std::move(conn));
  return out;
}

}  // namespace aftercare::testing
