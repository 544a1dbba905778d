// Versioned schema migrations. Each component (the shared tables of common/,
// then each service) has numbered SQL files `NNNN_description.sql`, compiled
// into the binary (cmake/Migrations.cmake). ApplyMigrations runs the missing
// ones in order under the 'migrations' lease (common/db/lease.h, a row that
// a Galera cluster serializes too), so concurrent runners — two replicas
// starting together, or a Kubernetes Job — apply each file once,
// and records them in `schema_migrations` with a checksum: a file edited
// after it was applied is refused.
//
//   RETURN_IF_ERROR(ApplyMigrations(pool, {{"common", CommonMigrations()},
//                                          {"inventory", inventory::Migrations()}}));
#ifndef AFTERCARE_COMMON_DB_MIGRATIONS_H_
#define AFTERCARE_COMMON_DB_MIGRATIONS_H_

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aftercare::db {

class ConnectionPool;

struct MigrationFile {
  int version;
  absl::string_view name;
  absl::string_view sql;
};

struct MigrationSet {
  std::string component;
  const std::vector<MigrationFile>* files;
};

// The tables every service has: idempotency keys, outbox, id blocks.
const std::vector<MigrationFile>& CommonMigrations();

// Splits a SQL script into statements at `;` outside quotes and comments.
std::vector<std::string> SplitSqlStatements(absl::string_view script);

struct MigrationReport {
  int applied = 0;
  int already_applied = 0;
};

absl::StatusOr<MigrationReport> ApplyMigrations(ConnectionPool& pool,
                                                const std::vector<MigrationSet>& sets,
                                                absl::Duration lock_timeout = absl::Seconds(60));

// Whether a replica built with `sets` may serve on this database: every
// migration it knows is applied, and nothing newer is breaking. Migrations
// are expand-only by default (add tables and columns; the previous release
// keeps working while a rollout replaces it), so a database ahead of the
// binary is fine; a migration that breaks the previous release (drops or
// renames what it reads) is named `NNNN_description.breaking.sql`, and a
// binary older than it must not serve. A database without
// `schema_migrations` is behind.
struct SchemaCheck {
  bool current = false;  // may serve
  std::string problem;   // why not: one line for the log
  std::string note;      // serving, but worth one log line (ahead of the binary)
};
absl::StatusOr<SchemaCheck> CheckSchema(ConnectionPool& pool, const std::vector<MigrationSet>& sets);

// True for a migration file the previous release cannot run against.
bool IsBreakingMigration(absl::string_view file_name);

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_MIGRATIONS_H_
