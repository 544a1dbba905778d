// The API view of inventory-svc's domain values: each one as its
// aftercare.inventory.v1 message, and the messages a request carries back
// to the domain. Used by the handlers (inventory_grpc.cc) and the use cases
// (inventory_queries.h).
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_VIEW_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_VIEW_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_repository.h"
#include "inventory-svc/inventory_types.h"

namespace aftercare::inventory {

namespace pb = ::aftercare::inventory::v1;

// --- proto -> domain ---------------------------------------------------------

// INVALID_ARGUMENT naming product.family, product.lifecycle or
// product.end_of_production_time when it is not a valid value.
absl::StatusOr<Product> FromProto(const pb::Product& p);
// `field` names the option in errors (e.g. "support_option").
absl::StatusOr<SupportOption> FromProto(const pb::SupportOption& o, const std::string& field);
// The filter of ListProducts and ListCpoOffers; INVALID_ARGUMENT naming
// family or lifecycle outside its enum.
absl::StatusOr<ProductFilter> ProductFilterOf(int family, int lifecycle);
// GetEntitlement's key: the one field of the request's oneof that is set.
EntitlementKey EntitlementKeyOf(const pb::GetEntitlementRequest& req);

// --- domain -> proto ---------------------------------------------------------

void SetMoney(const std::string& currency, int64_t minor, aftercare::common::v1::Money* out);
void ToProto(const Product& p, pb::Product* out);
pb::Product ToProto(const Product& p);
// A unit as seen at `now` (an expired reservation shows as CERTIFIED).
void ToProto(const Unit& u, absl::Time now, pb::Unit* out);
pb::Unit ToProto(const Unit& u, absl::Time now);
// The reservation of a freshly reserved unit, with its prices.
pb::Reservation ReservationOf(const Unit& u, const CpoPriceBasis& p, absl::Time now);
void ToProto(const UnitEvent& e, pb::UnitEvent* out);
void ToProto(const Contract& c, absl::Time now, pb::SupportContract* out);
void ToProto(const Entitlement& e, absl::Time now, pb::Entitlement* out);
void ToProto(const Offer& o, pb::CpoOffer* out);
void ToProto(const GenuineSerial& g, pb::GenuineSerial* out);

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_VIEW_H_
