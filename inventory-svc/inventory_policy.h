// The authorization policy of aftercare.inventory.v1.InventoryService: one
// entry per RPC (common/policy.h), applied before any handler runs, checked
// complete at start-up and printed into docs/inventory-svc.md.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_POLICY_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_POLICY_H_

#include "common/policy.h"

namespace aftercare::inventory {

const ServicePolicy& InventoryPolicy();

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_POLICY_H_
