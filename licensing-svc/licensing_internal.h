// Helpers shared by the files that implement Licensing (licensing.cc,
// purchases.cc, activation.cc, transfers.cc, licenses.cc). Not part of
// licensing-svc's interface: only those files include it.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_INTERNAL_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_INTERNAL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/page_token.h"

namespace aftercare::licensing {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
inline constexpr int32_t kMaxTermMonths = 120;
inline constexpr int32_t kMaxDevices = 1000;

// SKUs and features: 1-64 characters of A-Z a-z 0-9 and "-_.+".
absl::Status CheckToken(const std::string& v, absl::string_view field);

// A required account id of at most 64 letters, digits, '-' and '_'.
absl::Status CheckAccountId(const std::string& v, absl::string_view field);

// Ids are prefix + 20 hex digits; anything else cannot exist.
absl::Status CheckId(const std::string& v, absl::string_view prefix, absl::string_view field);

// "2026-12-06T10:00:00Z".
std::string Rfc3339(absl::Time t);

// Customers and partners see only their own accounts.
bool IsScoped(const Principal& p);

// The cursor of a row in a list ordered by (create_time, id).
PageCursor TimeIdCursor(absl::Time create_time, const std::string& id);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_INTERNAL_H_
