#include "common/proto_convert.h"

#include "common/db/sql_time.h"
#include "common/errors.h"

namespace aftercare {

absl::StatusOr<absl::Time> FromTimestamp(const google::protobuf::Timestamp& t,
                                         absl::string_view field) {
  if (t.seconds() < 0 || t.seconds() > 253402300799 || t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidField(field, "is not a valid timestamp");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = db::ToMicros(t);
  int64_t secs = us / 1000000;
  int64_t rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    secs -= 1;
  }
  out->set_seconds(secs);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

}  // namespace aftercare
