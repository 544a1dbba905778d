// The use cases of CPO sales: ReserveUnit, ReleaseReservation and SellUnit.
// What needs no database is parsed first (the condition, the support
// options); then one idempotent transaction (a retry with the same
// request_id gets the first answer: one reservation, one sale) applies the
// rule (Inventory), and the answer is the API's message at the clock's now.
#ifndef AFTERCARE_INVENTORY_SVC_CPO_SALES_USE_CASES_H_
#define AFTERCARE_INVENTORY_SVC_CPO_SALES_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

// A partner reserves a certified unit, by serial or by SKU (the oldest
// available in the condition asked for), with its CPO price for a limited
// time.
class ReserveUnitUseCase {
 public:
  explicit ReserveUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Reservation> Run(const Principal& caller,
                                      const v1::ReserveUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A reservation given back; the unit is available again.
class ReleaseReservationUseCase {
 public:
  explicit ReleaseReservationUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::ReleaseReservationRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A reserved unit sold to its buyer with the support options bought with
// it; answers the unit, its contracts and its entitlement.
class SellUnitUseCase {
 public:
  explicit SellUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::SellUnitResponse> Run(const Principal& caller,
                                           const v1::SellUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_CPO_SALES_USE_CASES_H_
