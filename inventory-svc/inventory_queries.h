// InventoryQueries: the use cases behind inventory-svc's reads, one method
// per RPC, each answering the API's message. A list's enums are checked
// before any read; then one read through the store (no transaction) with
// the domain's scope rules: a unit, its history or its entitlement owned by
// another account answers exactly like one that does not exist, a list
// shows only the caller's reach, and a partner sees CPO stock only through
// its offers. A unit is shown as at the clock's now (an expired
// reservation shows as CERTIFIED).
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_QUERIES_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_QUERIES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_repository.h"

namespace aftercare::inventory {

class InventoryQueries {
 public:
  InventoryQueries(const Inventory& domain, InventoryStore& store, const Clock& clock)
      : domain_(domain), store_(store), clock_(clock) {}

  absl::StatusOr<v1::Product> GetProduct(const Principal& caller,
                                         const v1::GetProductRequest& request) const;
  // family, lifecycle: INVALID_ARGUMENT outside their enums.
  absl::StatusOr<v1::ListProductsResponse> ListProducts(
      const Principal& caller, const v1::ListProductsRequest& request) const;
  absl::StatusOr<v1::GenuineSerial> GetGenuineSerial(
      const Principal& caller, const v1::GetGenuineSerialRequest& request) const;
  absl::StatusOr<v1::Unit> GetUnit(const Principal& caller,
                                   const v1::GetUnitRequest& request) const;
  // state, source, family, lifecycle: INVALID_ARGUMENT outside their enums.
  absl::StatusOr<v1::ListUnitsResponse> ListUnits(const Principal& caller,
                                                  const v1::ListUnitsRequest& request) const;
  absl::StatusOr<v1::ListUnitEventsResponse> ListUnitEvents(
      const Principal& caller, const v1::ListUnitEventsRequest& request) const;
  // family, lifecycle: INVALID_ARGUMENT outside their enums.
  absl::StatusOr<v1::ListCpoOffersResponse> ListCpoOffers(
      const Principal& caller, const v1::ListCpoOffersRequest& request) const;
  absl::StatusOr<v1::Entitlement> GetEntitlement(const Principal& caller,
                                                 const v1::GetEntitlementRequest& request) const;
  absl::StatusOr<v1::ListInstalledBaseResponse> ListInstalledBase(
      const Principal& caller, const v1::ListInstalledBaseRequest& request) const;

 private:
  const Inventory& domain_;
  InventoryStore& store_;
  const Clock& clock_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_QUERIES_H_
