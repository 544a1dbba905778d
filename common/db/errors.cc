#include "common/db/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/logging.h"

namespace aftercare::db {
namespace {
constexpr char kRetryablePayload[] = "type.aftercare/db.retryable";
}  // namespace

bool IsConnectionError(int code) {
  switch (code) {
    case 1040:  // too many connections
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

absl::Status FromSqlException(const sql::SQLException& e, absl::string_view context) {
  const int code = e.getErrorCode();
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
