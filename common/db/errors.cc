#include "common/db/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/db/connection_pool.h"
#include "common/errors.h"
#include "common/logging.h"

namespace aftercare::db {
namespace {
constexpr char kRetryablePayload[] = "type.aftercare/db.retryable";
constexpr int kErrTls = 2026;
}  // namespace

bool InsertUnlessDuplicate(sql::PreparedStatement& insert) {
  try {
    insert.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != kErrDuplicateKey) throw;
    return false;
  }
  return true;
}

bool IsConnectionError(int code) {
  switch (code) {
    case 1040:  // too many connections
    case 1047:  // a Galera node not in the primary component ("WSREP has not yet
                // prepared node for application use"): go to another node
    case 1053:  // server shutdown in progress
    case 1927:  // connection was killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to server
    case 2005:  // unknown host
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2026:  // SSL connection error
    case 2055:  // lost connection at '%s'
    case 4031:  // disconnected by the server because of inactivity
      return true;
    default:
      return false;
  }
}

const char* SqlErrorKind(int code) {
  switch (code) {
    case kErrTls: return "tls";
    case kErrDeadlock:
    case kErrLockWaitTimeout: return "conflict";
    case kErrDuplicateKey: return "duplicate";
    case 1146:  // table doesn't exist
    case 1054:  // unknown column
    case 1049:  // unknown database
      return "schema";
    case 1451:  // a child row references it (foreign key)
    case 1452:  // no parent row (foreign key)
    case 1048:  // column cannot be NULL
    case 4025:  // CHECK constraint failed
      return "constraint";
    default:
      return IsConnectionError(code) ? "connection" : "other";
  }
}

absl::Status DatabaseUnavailable(absl::Status status) {
  return WithRetryDelay(WithReason(std::move(status), kReasonDatabaseUnavailable),
                        kDatabaseRetryDelay);
}

absl::Status MarkRetryable(absl::Status status) {
  status.SetPayload(kRetryablePayload, absl::Cord("1"));
  return status;
}

bool IsRetryable(const absl::Status& status) {
  return status.GetPayload(kRetryablePayload).has_value();
}

absl::Status FromSqlException(const sql::SQLException& e, absl::string_view context,
                              ConnectionPool& pool) {
  const int code = e.getErrorCode();
  pool.CountError(SqlErrorKind(code));
  switch (code) {
    case kErrDuplicateKey:
      return absl::AlreadyExistsError(absl::StrCat(context, ": already exists"));
    case kErrDeadlock:
    case kErrLockWaitTimeout:
      return MarkRetryable(absl::AbortedError(
          absl::StrCat(context, ": conflicting concurrent update, retry the request")));
    default:
      break;
  }
  if (IsConnectionError(code)) {
    LogWarning("database unavailable", {{"context", std::string(context)},
                                         {"mysql_error", code},
                                         {"detail", e.what()}});
    return DatabaseUnavailable(
        absl::UnavailableError(absl::StrCat(context, ": database unavailable, retry later")));
  }
  LogError("database error", {{"context", std::string(context)},
                              {"mysql_error", code},
                              {"sql_state", e.getSQLState()},
                              {"detail", e.what()}});
  return absl::InternalError(absl::StrCat(context, ": database error ", code));
}

}  // namespace aftercare::db
