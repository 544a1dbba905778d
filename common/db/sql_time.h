// Times are stored as BIGINT microseconds since the Unix epoch (UTC): exact,
// free of session time zones, and taken from the service's Clock (so tests
// and the test-only clock offset drive every time-based rule).
#ifndef AFTERCARE_COMMON_DB_SQL_TIME_H_
#define AFTERCARE_COMMON_DB_SQL_TIME_H_

#include <cstdint>

#include "absl/time/time.h"

namespace aftercare::db {

inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_SQL_TIME_H_
