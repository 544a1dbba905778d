// Conversions between the API's protobuf types and the domain's, shared by
// the services' gRPC layers: enum numbers checked against the API's
// definition, and google.protobuf.Timestamp <-> absl::Time.
//
//   ASSIGN_OR_RETURN(Priority p, FromEnum<Priority>(req.priority(), pb::Priority_IsValid, "priority"));
//   ASSIGN_OR_RETURN(absl::Time ship, FromTimestamp(req.ship_time(), "ship_time"));
//   SetTime(unit.create_time, out->mutable_create_time());
#ifndef AFTERCARE_COMMON_PROTO_CONVERT_H_
#define AFTERCARE_COMMON_PROTO_CONVERT_H_

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/errors.h"

namespace aftercare {

// Converts a proto enum number; INVALID_ARGUMENT "<field> has an unknown
// value N" for numbers the API does not define.
template <typename E>
absl::StatusOr<E> FromEnum(int value, bool (*is_valid)(int), absl::string_view field) {
  if (!is_valid(value)) {
    return InvalidField(field, absl::StrCat("has an unknown value ", value));
  }
  return static_cast<E>(value);
}

// The time of `t`; INVALID_ARGUMENT "<field> is not a valid timestamp"
// outside 0001…9999 UTC as the Timestamp type defines it (and before 1970,
// which the suite never accepts).
absl::StatusOr<absl::Time> FromTimestamp(const google::protobuf::Timestamp& t,
                                         absl::string_view field);

// Writes `t`, to the microsecond the database keeps, into `out`.
void SetTime(absl::Time t, google::protobuf::Timestamp* out);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_PROTO_CONVERT_H_
