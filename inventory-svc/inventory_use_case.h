// What inventory-svc's write use cases share (catalog_use_cases.h,
// certification_use_cases.h, cpo_sales_use_cases.h,
// installed_base_use_cases.h, spares_use_cases.h): their dependencies, and
// the last step of those that answer a unit, the change written in one
// idempotent transaction under the request's request_id and the RPC's name
// (a retry gets the stored answer) and the unit answered as the API's
// message at the clock's now.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_USE_CASE_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_USE_CASE_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_repository.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

struct InventoryUseCaseDeps {
  const Inventory& domain;
  InventoryStore& store;
  const Clock& clock;
};

// Runs `body(repo) -> StatusOr<Unit>` as `method`'s idempotent write and
// answers the unit.
template <typename Req, typename Body>
absl::StatusOr<v1::Unit> WriteUnit(const InventoryUseCaseDeps& deps, const Principal& caller,
                                   const Req& request, const char* method, const char* what,
                                   Body body) {
  return deps.store.WriteOnce<v1::Unit>(caller, request, method, what, body,
                                        [&](const Unit& unit) { return ToProto(unit, deps.clock.Now()); });
}

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_USE_CASE_H_
