// Status helpers shared by every layer of the suite: the RETURN_IF_ERROR /
// ASSIGN_OR_RETURN macros (the installed Abseil has none) and the one place
// where absl::Status becomes grpc::Status.
//
//   absl::StatusOr<Unit> LoadUnit(...) {
//     ASSIGN_OR_RETURN(auto row, repo.Find(serial));
//     RETURN_IF_ERROR(CheckState(row));
//     return row;
//   }
#ifndef AFTERCARE_COMMON_STATUS_H_
#define AFTERCARE_COMMON_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace aftercare {

// Maps an absl code to the gRPC code with the same meaning (explicit switch).
grpc::StatusCode ToGrpcCode(absl::StatusCode code);
// Maps a gRPC code to the absl code with the same meaning.
absl::StatusCode FromGrpcCode(grpc::StatusCode code);

// Converts a status for the wire: the code, the message as is, and the
// google.rpc details of common/errors.h (its payloads, plus an ErrorInfo on
// every error and a RetryInfo on UNAVAILABLE / RESOURCE_EXHAUSTED) in the
// grpc-status-details-bin trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);
// Converts a status received from another service: code and message only
// (the other service's details describe its request, not ours).
absl::Status FromGrpcStatus(const grpc::Status& status);

namespace status_internal {
inline absl::Status AsStatus(absl::Status s) { return s; }
template <typename T>
absl::Status AsStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
}  // namespace status_internal

}  // namespace aftercare

#define AFTERCARE_STATUS_CONCAT_INNER(a, b) a##b
#define AFTERCARE_STATUS_CONCAT(a, b) AFTERCARE_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status or StatusOr) is not OK.
#define RETURN_IF_ERROR(expr)                                                 \
  do {                                                                        \
    absl::Status _aftercare_status = ::aftercare::status_internal::AsStatus(expr); \
    if (!_aftercare_status.ok()) return _aftercare_status;                    \
  } while (0)

// Evaluates `rexpr` (a StatusOr<T>); on error returns its status, otherwise
// moves the value into `lhs` (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  AFTERCARE_ASSIGN_OR_RETURN_IMPL(AFTERCARE_STATUS_CONCAT(_aftercare_sor_, __LINE__), lhs, rexpr)

#define AFTERCARE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();         \
  lhs = std::move(tmp).value()

#endif  // AFTERCARE_COMMON_STATUS_H_
