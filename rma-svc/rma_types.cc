#include "rma-svc/rma_types.h"

#include "common/enum_names.h"

namespace aftercare::rma {
namespace {

constexpr const char* kType[] = {"UNSPECIFIED", "ADVANCE_REPLACEMENT", "RETURN_TO_FACTORY", "DOA",
                                 "STANDARD_WARRANTY"};
constexpr const char* kStatus[] = {"UNSPECIFIED", "PENDING",  "APPROVED",       "REJECTED",
                                   "CANCELLED",   "REPLACEMENT_SHIPPED", "RECEIVED", "REPAIRED",
                                   "REPAIR_SHIPPED", "CLOSED"};
constexpr const char* kDamage[] = {"UNSPECIFIED", "HARDWARE_FAILURE", "FIRE",      "FLOOD",
                                   "HURRICANE",   "EARTHQUAKE",       "LIGHTNING", "OTHER_ACT_OF_GOD"};

}  // namespace

const char* Name(RmaType v) { return NameIn(kType, v); }
const char* Name(Status v) { return NameIn(kStatus, v); }
const char* Name(DamageCause v) { return NameIn(kDamage, v); }
bool ParseName(absl::string_view s, RmaType* v) { return ParseIn(kType, s, v); }
bool ParseName(absl::string_view s, Status* v) { return ParseIn(kStatus, s, v); }
bool ParseName(absl::string_view s, DamageCause* v) { return ParseIn(kDamage, s, v); }

}  // namespace aftercare::rma
