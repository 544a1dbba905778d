// The use cases of the RMA spare pool: AllocateSpare, ReleaseSpare and
// IntakeReturnedUnit (rma-svc's calls). Each runs one idempotent
// transaction (a retry with the same request_id gets the first answer: one
// spare per RMA), applies the rule (Inventory) and answers the unit as the
// API's message at the clock's now.
#ifndef AFTERCARE_INVENTORY_SVC_SPARES_USE_CASES_H_
#define AFTERCARE_INVENTORY_SVC_SPARES_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

// A spare of the SKU allocated to an RMA.
class AllocateSpareUseCase {
 public:
  explicit AllocateSpareUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::AllocateSpareRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// An RMA's spare given back to the pool.
class ReleaseSpareUseCase {
 public:
  explicit ReleaseSpareUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::ReleaseSpareRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit returned by a customer (RMA or trade-in) taken back in for
// certification (the source checked first).
class IntakeReturnedUnitUseCase {
 public:
  explicit IntakeReturnedUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::IntakeReturnedUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_SPARES_USE_CASES_H_
