// Helpers shared by the files that implement Inventory (inventory.cc and one
// file per sub-domain: catalog.cc, units.cc, certification.cc, ...). Not part
// of inventory-svc's interface: only those files include it.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_INTERNAL_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_INTERNAL_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/auth.h"
#include "inventory-svc/inventory_types.h"

namespace aftercare::inventory {

// A list price is between 1.00 and 100 billion major units.
inline constexpr int64_t kMinListMinor = 100;
inline constexpr int64_t kMaxListMinor = 10'000'000'000'000;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// FAILED_PRECONDITION (reason UNIT_STATE) naming the unit's current `state`
// and the states `action` needs, unless `state` is one of `allowed`.
absl::Status RequireState(const Unit& unit, UnitState state, absl::string_view action,
                          std::initializer_list<UnitState> allowed);

// NOT_FOUND "unit <serial> not found".
absl::Status NotFoundUnit(const std::string& serial);

// Whether the caller's role sees only its own accounts (customer, partner).
bool IsScoped(const Principal& caller);

// The partner a reservation is held for: the partner id of a partner, else
// the caller's subject.
std::string PartnerOf(const Principal& caller);

// Checks a support option of a sale or a contract; `field` prefixes the
// names in the message ("support_option.level is required").
absl::Status CheckOption(const SupportOption& o, const std::string& field);

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_INTERNAL_H_
