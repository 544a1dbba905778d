#include "inventory-svc/inventory_types.h"

#include "common/enum_names.h"

#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace aftercare::inventory {
namespace {

constexpr const char* kFamily[] = {"UNSPECIFIED", "SWITCHING", "ROUTING",
                                   "SECURITY",    "WIRELESS",  "ACCESSORY"};
constexpr const char* kLifecycle[] = {"UNSPECIFIED", "CURRENT", "END_OF_PRODUCTION"};
constexpr const char* kSource[] = {"UNSPECIFIED",       "DEMO_RETURN", "RMA_RETURN", "STOCK_ROTATION",
                                   "FACTORY_OVERSTOCK", "OPEN_MARKET", "TRADE_IN",   "NEW_SALE"};
constexpr const char* kCondition[] = {"UNSPECIFIED", "NEW", "REFURBISHED"};
constexpr const char* kState[] = {"UNSPECIFIED", "RECEIVED",   "IN_CERTIFICATION", "CERTIFIED",
                                  "RESERVED",    "SOLD",       "QUARANTINED",      "SCRAPPED",
                                  "SPARE",       "ALLOCATED",  "IN_SERVICE",       "AWAITING_RETURN"};
constexpr const char* kStep[] = {"UNSPECIFIED",         "SERIAL_VERIFICATION",   "COMPONENT_REPAIR",
                                 "SOFTWARE_UPDATE",     "CONFIGURATION_RESET",   "PACKAGING_AND_LABELING",
                                 "QUALIFICATION_TEST"};
constexpr const char* kLevel[] = {"UNSPECIFIED", "CARE_CORE", "CARE_CORE_PLUS", "NEXT_BUSINESS_DAY",
                                  "SAME_DAY"};
constexpr const char* kWarranty[] = {"UNSPECIFIED", "STANDARD", "CPO_END_OF_PRODUCTION"};

}  // namespace

const char* Name(Family v) { return NameIn(kFamily, v); }
const char* Name(Lifecycle v) { return NameIn(kLifecycle, v); }
const char* Name(Source v) { return NameIn(kSource, v); }
const char* Name(Condition v) { return NameIn(kCondition, v); }
const char* Name(UnitState v) { return NameIn(kState, v); }
const char* Name(Step v) { return NameIn(kStep, v); }
const char* Name(SupportLevel v) { return NameIn(kLevel, v); }
const char* Name(WarrantyKind v) { return NameIn(kWarranty, v); }
bool ParseName(absl::string_view s, Family* v) { return ParseIn(kFamily, s, v); }
bool ParseName(absl::string_view s, Lifecycle* v) { return ParseIn(kLifecycle, s, v); }
bool ParseName(absl::string_view s, Source* v) { return ParseIn(kSource, s, v); }
bool ParseName(absl::string_view s, Condition* v) { return ParseIn(kCondition, s, v); }
bool ParseName(absl::string_view s, UnitState* v) { return ParseIn(kState, s, v); }
bool ParseName(absl::string_view s, Step* v) { return ParseIn(kStep, s, v); }
bool ParseName(absl::string_view s, SupportLevel* v) { return ParseIn(kLevel, s, v); }
bool ParseName(absl::string_view s, WarrantyKind* v) { return ParseIn(kWarranty, s, v); }

std::string FormatContractId(int64_t id) { return absl::StrFormat("CT%08d", id); }

std::optional<int64_t> ParseContractId(absl::string_view s) {
  if (s.size() < 3 || s.size() > 20 || s[0] != 'C' || s[1] != 'T') return std::nullopt;
  int64_t id = 0;
  for (char c : s.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (!absl::SimpleAtoi(s.substr(2), &id) || id <= 0) return std::nullopt;
  return id;
}

}  // namespace aftercare::inventory
