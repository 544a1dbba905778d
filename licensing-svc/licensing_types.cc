#include "licensing-svc/licensing_types.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/enum_names.h"

namespace aftercare::licensing {
namespace {

constexpr const char* kSystems[] = {"UNSPECIFIED", "JUNOS", "NON_JUNOS"};
constexpr const char* kTerms[] = {"UNSPECIFIED", "PERPETUAL", "SUBSCRIPTION"};
constexpr const char* kKinds[] = {"UNSPECIFIED", "ACTIVATION_CODE", "RIGHT_TO_USE"};
constexpr const char* kStates[] = {"UNSPECIFIED", "ACTIVE", "REVOKED"};
constexpr const char* kReasons[] = {"UNSPECIFIED", "RMA_TRANSFER", "CUSTOMER_REQUEST",
                                    "REFUND",      "FRAUD",        "OTHER"};

}  // namespace

const char* Name(LicensingSystem v) { return NameIn(kSystems, v); }
const char* Name(TermType v) { return NameIn(kTerms, v); }
const char* Name(EntitlementKind v) { return NameIn(kKinds, v); }
const char* Name(LicenseState v) { return NameIn(kStates, v); }
const char* Name(RevocationReason v) { return NameIn(kReasons, v); }
bool ParseName(absl::string_view s, LicensingSystem* v) { return ParseIn(kSystems, s, v); }
bool ParseName(absl::string_view s, TermType* v) { return ParseIn(kTerms, s, v); }
bool ParseName(absl::string_view s, EntitlementKind* v) { return ParseIn(kKinds, s, v); }
bool ParseName(absl::string_view s, LicenseState* v) { return ParseIn(kStates, s, v); }
bool ParseName(absl::string_view s, RevocationReason* v) { return ParseIn(kReasons, s, v); }

std::string NewId(absl::string_view prefix) {
  unsigned char bytes[10];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  return absl::StrCat(prefix, absl::BytesToHexString(absl::string_view(
                                  reinterpret_cast<const char*>(bytes), sizeof(bytes))));
}

}  // namespace aftercare::licensing
