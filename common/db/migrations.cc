#include "common/db/migrations.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "common/db/connection_pool.h"
#include "common/db/errors.h"
#include "common/db/lease.h"
#include "common/db/sql_time.h"
#include "common/logging.h"

namespace aftercare::db {
namespace {

// How long a runner's claim lasts without renewal (renewed before each
// file): a runner killed mid-way holds the others off this long at most.
constexpr absl::Duration kMigrationLeaseTtl = absl::Minutes(2);

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace

std::vector<std::string> SplitSqlStatements(absl::string_view script) {
  std::vector<std::string> out;
  std::string current;
  enum class S { kCode, kSingle, kDouble, kBacktick, kLineComment, kBlockComment } state = S::kCode;
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    char next = i + 1 < script.size() ? script[i + 1] : '\0';
    switch (state) {
      case S::kCode:
        if (c == '\'') state = S::kSingle;
        else if (c == '"') state = S::kDouble;
        else if (c == '`') state = S::kBacktick;
        else if (c == '-' && next == '-') { state = S::kLineComment; ++i; continue; }
        else if (c == '#') { state = S::kLineComment; continue; }
        else if (c == '/' && next == '*') { state = S::kBlockComment; ++i; continue; }
        else if (c == ';') {
          std::string stmt(absl::StripAsciiWhitespace(current));
          if (!stmt.empty()) out.push_back(std::move(stmt));
          current.clear();
          continue;
        }
        break;
      case S::kSingle:
        if (c == '\\') { current.push_back(c); current.push_back(next); ++i; continue; }
        if (c == '\'') state = S::kCode;
        break;
      case S::kDouble:
        if (c == '\\') { current.push_back(c); current.push_back(next); ++i; continue; }
        if (c == '"') state = S::kCode;
        break;
      case S::kBacktick:
        if (c == '`') state = S::kCode;
        break;
      case S::kLineComment:
        if (c == '\n') { state = S::kCode; current.push_back('\n'); }
        continue;
      case S::kBlockComment:
        if (c == '*' && next == '/') { state = S::kCode; ++i; current.push_back(' '); }
        continue;
    }
    current.push_back(c);
  }
  std::string stmt(absl::StripAsciiWhitespace(current));
  if (!stmt.empty()) out.push_back(std::move(stmt));
  return out;
}

absl::StatusOr<MigrationReport> ApplyMigrations(ConnectionPool& pool,
                                                const std::vector<MigrationSet>& sets,
                                                absl::Duration lock_timeout) {
  auto conn_or = pool.Acquire();
  if (!conn_or.ok()) return conn_or.status();
  PooledConnection conn = *std::move(conn_or);
  // A lease row, not GET_LOCK: a named lock is node-local on a Galera
  // cluster, so two runners on two nodes would both hold it.
  Lease lease("migrations", LeaseHolderId("migrate"), kMigrationLeaseTtl);
  MigrationReport report;
  bool locked = false;
  try {
    conn->Execute(kLeaseTableDdl);
    const absl::Time give_up = absl::Now() + lock_timeout;
    while (!lease.TryAcquire(*conn)) {
      if (absl::Now() >= give_up) {
        return absl::DeadlineExceededError(
            "another migration runner holds the 'migrations' lease (aftercare_leases)");
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
    locked = true;
    conn->Execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component VARCHAR(64) NOT NULL,"
        " version INT NOT NULL,"
        " name VARCHAR(255) NOT NULL,"
        " checksum CHAR(64) NOT NULL,"
        " applied_at_us BIGINT NOT NULL,"
        " PRIMARY KEY (component, version)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");

    absl::Status failure;
    for (const MigrationSet& set : sets) {
      int last_version = 0;
      for (const MigrationFile& file : *set.files) {
        if (file.version <= last_version) {
          failure = absl::FailedPreconditionError(absl::StrCat(
              "migrations of ", set.component, " are not in increasing order at ", file.name));
          break;
        }
        last_version = file.version;
        const std::string checksum = Sha256Hex(file.sql);
        auto& find = conn->Prepare(
            "SELECT checksum FROM schema_migrations WHERE component = ? AND version = ?");
        find.setString(1, set.component);
        find.setInt(2, file.version);
        std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
        if (rs->next()) {
          if (std::string(rs->getString(1)) != checksum) {
            failure = absl::FailedPreconditionError(absl::StrCat(
                "migration ", set.component, "/", file.name,
                " was changed after it was applied; add a new migration instead"));
            break;
          }
          ++report.already_applied;
          continue;
        }
        if (!lease.TryAcquire(*conn)) {  // renewed before each file
          failure = absl::AbortedError(absl::StrCat(
              "lost the 'migrations' lease before ", set.component, "/", file.name,
              " (a file took longer than ", absl::FormatDuration(kMigrationLeaseTtl), ")"));
          break;
        }
        for (const std::string& stmt : SplitSqlStatements(file.sql)) conn->Execute(stmt);
        auto& record = conn->Prepare(
            "INSERT INTO schema_migrations (component, version, name, checksum, applied_at_us)"
            " VALUES (?, ?, ?, ?, ?)");
        record.setString(1, set.component);
        record.setInt(2, file.version);
        record.setString(3, std::string(file.name));
        record.setString(4, checksum);
        record.setInt64(5, ToMicros(absl::Now()));
        record.executeUpdate();
        ++report.applied;
        LogInfo("migration applied", {{"component", set.component}, {"file", std::string(file.name)}});
      }
      if (!failure.ok()) break;
    }
    lease.Release(*conn);
    if (!failure.ok()) return failure;
    return report;
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e.getErrorCode())) {
      conn->MarkBroken();  // the lease expires on its own
    } else if (locked) {
      try {
        lease.Release(*conn);
      } catch (const sql::SQLException&) {
        conn->MarkBroken();
      }
    }
    return FromSqlException(e, "apply migrations", pool);
  }
}

absl::StatusOr<SchemaCheck> CheckSchema(ConnectionPool& pool, const std::vector<MigrationSet>& sets) {
  constexpr int kNoSuchTable = 1146;  // ER_NO_SUCH_TABLE
  auto conn_or = pool.Acquire();
  if (!conn_or.ok()) return conn_or.status();
  PooledConnection conn = *std::move(conn_or);
  SchemaCheck check;
  try {
    for (const MigrationSet& set : sets) {
      const int expected = set.files->empty() ? 0 : set.files->back().version;
      auto& applied = conn->Prepare(
          "SELECT COUNT(*) FROM schema_migrations WHERE component = ? AND version <= ?");
      applied.setString(1, set.component);
      applied.setInt(2, expected);
      std::unique_ptr<sql::ResultSet> rs(applied.executeQuery());
      rs->next();
      const int count = rs->getInt(1);
      if (count < static_cast<int>(set.files->size())) {
        check.problem = absl::StrCat(
            "the database schema of ", set.component, " is behind this binary: ", count, " of ",
            set.files->size(), " migrations applied (up to version ", expected,
            "): run the migrations (--migrate, or --migrate_only as a Job or init container)");
        return check;
      }
      auto& newer = conn->Prepare(
          "SELECT version, name FROM schema_migrations WHERE component = ? AND version > ?"
          " ORDER BY version");
      newer.setString(1, set.component);
      newer.setInt(2, expected);
      std::unique_ptr<sql::ResultSet> later(newer.executeQuery());
      while (later->next()) {
        const int version = later->getInt(1);
        const std::string name = later->getString(2);
        if (IsBreakingMigration(name)) {
          check.problem = absl::StrCat("the database schema of ", set.component,
                                       " has a breaking migration newer than this binary (", name,
                                       "): roll this binary forward");
          return check;
        }
        check.note = absl::StrCat("the database schema of ", set.component, " is at version ",
                                  version, ", ahead of this binary's ", expected,
                                  " with compatible migrations only: serving");
      }
    }
    check.current = true;
    return check;
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == kNoSuchTable) {
      check.problem = "the database has no schema (no schema_migrations table): run the migrations "
                      "(--migrate, or --migrate_only as a Job or init container)";
      return check;
    }
    if (IsConnectionError(e.getErrorCode())) conn->MarkBroken();
    return FromSqlException(e, "check the schema version", pool);
  }
}

bool IsBreakingMigration(absl::string_view file_name) {
  return absl::EndsWith(file_name, ".breaking.sql");
}

}  // namespace aftercare::db

namespace aftercare::db {
namespace common_schema {
const std::vector<MigrationFile>& Migrations();  // generated from common/db/migrations
}  // namespace common_schema

const std::vector<MigrationFile>& CommonMigrations() { return common_schema::Migrations(); }

}  // namespace aftercare::db
