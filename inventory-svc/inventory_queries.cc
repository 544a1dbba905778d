#include "inventory-svc/inventory_queries.h"

#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Product> InventoryQueries::GetProduct(
    const Principal& caller, const v1::GetProductRequest& request) const {
  return store_.ReadOnce<v1::Product>(
      "get product", [&](InventoryRepository& repo) -> absl::StatusOr<v1::Product> {
        ASSIGN_OR_RETURN(Product p, domain_.GetProduct(caller, request.sku(), repo));
        return ToProto(p);
      });
}

absl::StatusOr<v1::ListProductsResponse> InventoryQueries::ListProducts(
    const Principal& caller, const v1::ListProductsRequest& request) const {
  ASSIGN_OR_RETURN(ProductFilter filter, ProductFilterOf(request.family(), request.lifecycle()));
  return store_.ReadOnce<v1::ListProductsResponse>(
      "list products", [&](InventoryRepository& repo) -> absl::StatusOr<v1::ListProductsResponse> {
        ASSIGN_OR_RETURN(
            Page<Product> page,
            domain_.ListProducts(caller, filter, request.page_size(), request.page_token(), repo));
        v1::ListProductsResponse out;
        FillPage(page, &out, [](const Product& p, auto* o) { ToProto(p, o->add_products()); });
        return out;
      });
}

absl::StatusOr<v1::GenuineSerial> InventoryQueries::GetGenuineSerial(
    const Principal& caller, const v1::GetGenuineSerialRequest& request) const {
  return store_.ReadOnce<v1::GenuineSerial>(
      "get genuine serial", [&](InventoryRepository& repo) -> absl::StatusOr<v1::GenuineSerial> {
        ASSIGN_OR_RETURN(GenuineSerial g,
                         domain_.GetGenuineSerial(caller, request.serial_number(), repo));
        v1::GenuineSerial out;
        ToProto(g, &out);
        return out;
      });
}

absl::StatusOr<v1::Unit> InventoryQueries::GetUnit(const Principal& caller,
                                                   const v1::GetUnitRequest& request) const {
  return store_.ReadOnce<v1::Unit>(
      "get unit", [&](InventoryRepository& repo) -> absl::StatusOr<v1::Unit> {
        ASSIGN_OR_RETURN(Unit u, domain_.GetUnit(caller, request.serial_number(), repo));
        return ToProto(u, clock_.Now());
      });
}

absl::StatusOr<v1::ListUnitsResponse> InventoryQueries::ListUnits(
    const Principal& caller, const v1::ListUnitsRequest& request) const {
  UnitFilter f;
  f.sku = request.sku();
  ASSIGN_OR_RETURN(f.state, FromEnum<UnitState>(request.state(), v1::UnitState_IsValid, "state"));
  ASSIGN_OR_RETURN(f.source, FromEnum<Source>(request.source(), v1::UnitSource_IsValid, "source"));
  ASSIGN_OR_RETURN(f.family,
                   FromEnum<Family>(request.family(), v1::ProductFamily_IsValid, "family"));
  ASSIGN_OR_RETURN(f.lifecycle,
                   FromEnum<Lifecycle>(request.lifecycle(), v1::Lifecycle_IsValid, "lifecycle"));
  return store_.ReadOnce<v1::ListUnitsResponse>(
      "list units", [&](InventoryRepository& repo) -> absl::StatusOr<v1::ListUnitsResponse> {
        ASSIGN_OR_RETURN(Page<Unit> page, domain_.ListUnits(caller, f, request.page_size(),
                                                            request.page_token(), repo));
        const absl::Time now = clock_.Now();
        v1::ListUnitsResponse out;
        FillPage(page, &out, [now](const Unit& u, auto* o) { ToProto(u, now, o->add_units()); });
        return out;
      });
}

absl::StatusOr<v1::ListUnitEventsResponse> InventoryQueries::ListUnitEvents(
    const Principal& caller, const v1::ListUnitEventsRequest& request) const {
  return store_.ReadOnce<v1::ListUnitEventsResponse>(
      "list unit events",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::ListUnitEventsResponse> {
        ASSIGN_OR_RETURN(Page<UnitEvent> page,
                         domain_.ListUnitEvents(caller, request.serial_number(),
                                                request.page_size(), request.page_token(), repo));
        v1::ListUnitEventsResponse out;
        FillPage(page, &out, [](const UnitEvent& e, auto* o) { ToProto(e, o->add_events()); });
        return out;
      });
}

absl::StatusOr<v1::ListCpoOffersResponse> InventoryQueries::ListCpoOffers(
    const Principal& caller, const v1::ListCpoOffersRequest& request) const {
  ASSIGN_OR_RETURN(ProductFilter filter, ProductFilterOf(request.family(), request.lifecycle()));
  return store_.ReadOnce<v1::ListCpoOffersResponse>(
      "list cpo offers",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::ListCpoOffersResponse> {
        ASSIGN_OR_RETURN(Page<Offer> page,
                         domain_.ListCpoOffers(caller, filter, request.in_stock_only(),
                                               request.page_size(), request.page_token(), repo));
        v1::ListCpoOffersResponse out;
        FillPage(page, &out, [](const Offer& o, auto* r) { ToProto(o, r->add_offers()); });
        return out;
      });
}

absl::StatusOr<v1::Entitlement> InventoryQueries::GetEntitlement(
    const Principal& caller, const v1::GetEntitlementRequest& request) const {
  return store_.ReadOnce<v1::Entitlement>(
      "get entitlement", [&](InventoryRepository& repo) -> absl::StatusOr<v1::Entitlement> {
        ASSIGN_OR_RETURN(Entitlement e,
                         domain_.GetEntitlement(caller, EntitlementKeyOf(request), repo));
        v1::Entitlement out;
        ToProto(e, clock_.Now(), &out);
        return out;
      });
}

absl::StatusOr<v1::ListInstalledBaseResponse> InventoryQueries::ListInstalledBase(
    const Principal& caller, const v1::ListInstalledBaseRequest& request) const {
  return store_.ReadOnce<v1::ListInstalledBaseResponse>(
      "list installed base",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::ListInstalledBaseResponse> {
        ASSIGN_OR_RETURN(Page<Unit> page, domain_.ListInstalledBase(caller, request.account_id(),
                                                                    request.page_size(),
                                                                    request.page_token(), repo));
        const absl::Time now = clock_.Now();
        v1::ListInstalledBaseResponse out;
        FillPage(page, &out, [now](const Unit& u, auto* o) { ToProto(u, now, o->add_units()); });
        return out;
      });
}

}  // namespace aftercare::inventory
