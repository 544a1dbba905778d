// Structured errors: the google.rpc error details (google/rpc/error_details.proto)
// that a client reads from the grpc-status-details-bin trailer to tell which
// field failed, which precondition is unmet and when to retry.
//
// The details are data on the absl::Status, not parsed from its message: the
// constructors below attach them as payloads whose type URL is the detail's
// ("type.googleapis.com/google.rpc.BadRequest"), they survive RETURN_IF_ERROR
// and ASSIGN_OR_RETURN, and ToGrpcStatus (common/status.h) turns them into a
// google.rpc.Status with
//   - an ErrorInfo on every error: `reason` (UPPER_SNAKE_CASE, the code's name
//     unless a constructor set a more precise one) and `domain` (ErrorDomain():
//     the service's proto package without its version, "aftercare.inventory"),
//   - the payloads' details (BadRequest, PreconditionFailure, ...),
//   - a RetryInfo on UNAVAILABLE and RESOURCE_EXHAUSTED (kDefaultRetryDelay
//     unless the code that knew better set one).
// docs/ERRORS.md lists the reasons.
//
//   if (req.quantity() < 1) return InvalidField("quantity", "must be at least 1");
//   return FailedPrecondition("UNIT_STATE", "units/" + serial, "the unit is not in stock");
//   return WithRetryDelay(WithReason(absl::UnavailableError("..."), "DATABASE_UNAVAILABLE"),
//                         absl::Seconds(2));
#ifndef AFTERCARE_COMMON_ERRORS_H_
#define AFTERCARE_COMMON_ERRORS_H_

#include <grpcpp/support/status.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace aftercare {

// The reasons set by common/ (a service may add its own; docs/ERRORS.md).
inline constexpr char kReasonInvalidField[] = "INVALID_FIELD";
inline constexpr char kReasonMalformedRequest[] = "MALFORMED_REQUEST";
inline constexpr char kReasonMissingToken[] = "MISSING_TOKEN";
inline constexpr char kReasonInvalidToken[] = "INVALID_TOKEN";
inline constexpr char kReasonTokenExpired[] = "TOKEN_EXPIRED";
inline constexpr char kReasonNoPolicy[] = "NO_POLICY";
inline constexpr char kReasonRoleNotAllowed[] = "ROLE_NOT_ALLOWED";
inline constexpr char kReasonServerOverloaded[] = "SERVER_OVERLOADED";
inline constexpr char kReasonServerShuttingDown[] = "SERVER_SHUTTING_DOWN";
inline constexpr char kReasonDatabaseUnavailable[] = "DATABASE_UNAVAILABLE";
inline constexpr char kReasonDatabaseBusy[] = "DATABASE_BUSY";
inline constexpr char kReasonDependencyUnavailable[] = "DEPENDENCY_UNAVAILABLE";

// The retry delay of an UNAVAILABLE or RESOURCE_EXHAUSTED error that did not set one.
inline constexpr absl::Duration kDefaultRetryDelay = absl::Seconds(1);

// Sets the ErrorInfo domain of this process ("aftercare.inventory"); called
// once at start-up (ServiceRuntime), before the server serves. Until then it
// is "aftercare".
void SetErrorDomain(std::string domain);
// The ErrorInfo domain of this process.
std::string ErrorDomain();

// --- Constructors -------------------------------------------------------------

// A string argument of the functions below: a literal, std::string,
// std::string_view or absl::string_view (the installed Abseil's own type).
class ErrorText {
 public:
  ErrorText(const char* s) : v_(s) {}         // NOLINT: implicit
  ErrorText(const std::string& s) : v_(s) {}  // NOLINT: implicit
  ErrorText(std::string_view s) : v_(s) {}    // NOLINT: implicit
#ifndef ABSL_USES_STD_STRING_VIEW
  ErrorText(absl::string_view s) : v_(s.data(), s.size()) {}  // NOLINT: implicit
#endif
  std::string_view view() const { return v_; }
  std::string str() const { return std::string(v_); }

 private:
  std::string_view v_;
};

// INVALID_ARGUMENT "<field> <rule>" with a BadRequest violation {field, rule}
// and the reason INVALID_FIELD. A rule written ": ..." gives the message
// "<field>: ..." (and the description without the colon). `field` is the request field's path in
// the proto's snake_case ("case.mis_shipment.lines[2].quantity").
//   InvalidField("page_size", "must not be negative")
absl::Status InvalidField(ErrorText field, ErrorText rule);

// INVALID_ARGUMENT `message` about several fields together ("exactly one of
// serial_number and sku is required"): one BadRequest violation per field,
// each described by `message`, and the reason INVALID_FIELD.
absl::Status InvalidFields(std::initializer_list<ErrorText> fields, ErrorText message);

// FAILED_PRECONDITION `description` with a PreconditionFailure violation
// {type, subject, description}: `type` says which kind of precondition
// (UPPER_SNAKE_CASE, e.g. "UNIT_STATE"), `subject` what it is about
// ("units/JN11A2B3C"), both chosen by the caller.
absl::Status FailedPrecondition(ErrorText type, ErrorText subject, ErrorText description);

// Adds a BadRequest field violation to `status` (kept if it already has one:
// violations accumulate) and, when it has no reason yet, INVALID_FIELD.
absl::Status WithFieldViolation(absl::Status status, ErrorText field, ErrorText description);

// Sets the ErrorInfo reason (UPPER_SNAKE_CASE) and optional metadata of `status`.
absl::Status WithReason(absl::Status status, ErrorText reason,
                        const std::map<std::string, std::string>& metadata = {});

// Sets the RetryInfo delay of `status` (meant for UNAVAILABLE and RESOURCE_EXHAUSTED).
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// Gives an UNAVAILABLE status caused by another service of the suite its
// reason (DEPENDENCY_UNAVAILABLE, metadata {"dependency": name}) and RetryInfo.
absl::Status DependencyUnavailable(absl::Status status, ErrorText dependency,
                                   absl::Duration retry_delay = kDefaultRetryDelay);

// --- Reading --------------------------------------------------------------------

// The detail of type `Detail` attached to `status`, if any.
template <typename Detail>
std::optional<Detail> GetDetail(const absl::Status& status) {
  Detail detail;
  const auto payload =  // absl::optional<absl::Cord>
      status.GetPayload("type.googleapis.com/" + Detail::descriptor()->full_name());
  if (!payload.has_value() || !detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

// The reason ToGrpcStatus gives a status with no reason of its own: the
// code's name ("NOT_FOUND").
std::string DefaultReason(absl::StatusCode code);

// The google.rpc.Status ToGrpcStatus sends for `status` (not OK): its code,
// message and details as described at the top of this file.
google::rpc::Status ToRpcStatus(const absl::Status& status);

// Returns `status` with ToRpcStatus's details when it carries none (statuses
// made by gRPC itself or by code that builds a grpc::Status directly); used
// by the server interceptor so that every error has an ErrorInfo.
grpc::Status WithDefaultDetails(const grpc::Status& status);

// Decodes the details a client received (grpc::Status::error_details()); the
// detail of type `Detail`, if any.
template <typename Detail>
std::optional<Detail> FindDetail(const grpc::Status& status) {
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(status.error_details())) return std::nullopt;
  for (const auto& any : rpc.details()) {
    Detail detail;
    if (any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_ERRORS_H_
