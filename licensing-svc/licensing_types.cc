#include "licensing-svc/licensing_types.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace aftercare::licensing {
namespace {

template <typename E, size_t N>
bool ParseFrom(const char* const (&names)[N], absl::string_view s, E* v) {
  for (size_t i = 1; i < N; ++i) {
    if (s == names[i]) {
      *v = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

constexpr const char* kSystems[] = {"UNSPECIFIED", "JUNOS", "NON_JUNOS"};
constexpr const char* kTerms[] = {"UNSPECIFIED", "PERPETUAL", "SUBSCRIPTION"};
constexpr const char* kKinds[] = {"UNSPECIFIED", "ACTIVATION_CODE", "RIGHT_TO_USE"};
constexpr const char* kStates[] = {"UNSPECIFIED", "ACTIVE", "REVOKED"};
constexpr const char* kReasons[] = {"UNSPECIFIED", "RMA_TRANSFER", "CUSTOMER_REQUEST",
                                    "REFUND",      "FRAUD",        "OTHER"};

}  // namespace

const char* Name(LicensingSystem v) { return kSystems[static_cast<int>(v)]; }
const char* Name(TermType v) { return kTerms[static_cast<int>(v)]; }
const char* Name(EntitlementKind v) { return kKinds[static_cast<int>(v)]; }
const char* Name(LicenseState v) { return kStates[static_cast<int>(v)]; }
const char* Name(RevocationReason v) { return kReasons[static_cast<int>(v)]; }
bool ParseName(absl::string_view s, LicensingSystem* v) { return ParseFrom(kSystems, s, v); }
bool ParseName(absl::string_view s, TermType* v) { return ParseFrom(kTerms, s, v); }
bool ParseName(absl::string_view s, EntitlementKind* v) { return ParseFrom(kKinds, s, v); }
bool ParseName(absl::string_view s, LicenseState* v) { return ParseFrom(kStates, s, v); }
bool ParseName(absl::string_view s, RevocationReason* v) { return ParseFrom(kReasons, s, v); }

std::string Etag(int64_t version) { return absl::StrCat("v", version); }

std::string NewId(absl::string_view prefix) {
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return absl::StrCat(prefix, absl::BytesToHexString(absl::string_view(
                                  reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

}  // namespace aftercare::licensing
