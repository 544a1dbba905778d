// The one place where MySQL errors become absl::Status (errors are mapped once,
// at the boundary, never per call site):
//   1062 duplicate key           → ALREADY_EXISTS
//   1213 deadlock, 1205 lock wait → ABORTED, marked retryable (RunTransaction retries it)
//   2002/2003/2006/2013/…        → UNAVAILABLE (the connection is dropped)
//   anything else                 → INTERNAL (details go to the log, not the client)
// and where each one is counted in aftercare_db_errors_total{kind} (SqlErrorKind).
#ifndef AFTERCARE_COMMON_DB_ERRORS_H_
#define AFTERCARE_COMMON_DB_ERRORS_H_

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace aftercare::db {

class ConnectionPool;

constexpr int kErrDuplicateKey = 1062;
constexpr int kErrDeadlock = 1213;
constexpr int kErrLockWaitTimeout = 1205;

// Runs an INSERT: false, and nothing written, when the row would repeat a
// unique key (1062); any other error is thrown as before, for the boundary.
//   if (!db::InsertUnlessDuplicate(s)) return absl::AlreadyExistsError(...);
bool InsertUnlessDuplicate(sql::PreparedStatement& insert);

// True for client/server errors after which the connection cannot be reused.
bool IsConnectionError(int mysql_error_code);

// The `kind` label of aftercare_db_errors_total for a MySQL error number:
//   connection  2002/2003/2006/2013 and the other IsConnectionError codes
//   tls         2026 (TLS handshake or verification failed)
//   conflict    1213 deadlock, 1205 lock wait timeout
//   duplicate   1062 duplicate key
//   schema      1146 no such table, 1054 unknown column, 1049 unknown database
//   constraint  1451/1452 foreign key, 1048 NOT NULL, 4025 CHECK
//   other       anything else
// ("pool_timeout", no free pooled connection, is counted by the pool.)
const char* SqlErrorKind(int mysql_error_code);

// Every value of the `kind` label, each exported at 0 from the start.
inline constexpr const char* kSqlErrorKinds[] = {"connection", "tls",        "conflict",     "duplicate",
                                          "schema",     "constraint", "pool_timeout", "other"};

// Maps an exception thrown by Connector/C++ and counts it in `pool`'s
// aftercare_db_errors_total{kind}; `context` says what was being done
// ("reserve unit") and appears in the log line, not in the client message.
absl::Status FromSqlException(const sql::SQLException& e, absl::string_view context,
                              ConnectionPool& pool);

// The RetryInfo delay of DATABASE_UNAVAILABLE: a lost database usually
// comes back (restart, failover) within seconds, and each retry costs a
// connection attempt of up to --mysql_connect_timeout.
inline constexpr absl::Duration kDatabaseRetryDelay = absl::Seconds(2);

// Gives an UNAVAILABLE status about the database its ErrorInfo reason
// (DATABASE_UNAVAILABLE) and RetryInfo (kDatabaseRetryDelay).
absl::Status DatabaseUnavailable(absl::Status status);

// Marks a status as a transient transaction conflict that a fresh attempt of
// the whole transaction can resolve.
absl::Status MarkRetryable(absl::Status status);
bool IsRetryable(const absl::Status& status);

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_ERRORS_H_
