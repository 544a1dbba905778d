// Enum <-> name tables for the services' domain enums, stored and logged by
// name: names[i] is the name of the enum value i, and names[0] the
// unspecified value ("UNSPECIFIED"), never parsed.
//
//   constexpr const char* kState[] = {"UNSPECIFIED", "OPEN", "CLOSED"};
//   const char* Name(State s) { return NameIn(kState, s); }
//   bool ParseName(absl::string_view s, State* v) { return ParseIn(kState, s, v); }
#ifndef AFTERCARE_COMMON_ENUM_NAMES_H_
#define AFTERCARE_COMMON_ENUM_NAMES_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace aftercare {

// The name of `v`; "UNSPECIFIED" for a value outside the table.
template <typename E, size_t N>
const char* NameIn(const char* const (&names)[N], E v) {
  const size_t i = static_cast<size_t>(v);
  return i < N ? names[i] : "UNSPECIFIED";
}

// Sets `*v` to the value named `s` (never the unspecified one); false when
// no value has that name.
template <typename E, size_t N>
bool ParseIn(const char* const (&names)[N], absl::string_view s, E* v) {
  for (size_t i = 1; i < N; ++i) {
    if (s == names[i]) {
      *v = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_ENUM_NAMES_H_
