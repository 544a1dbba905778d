#include "inventory-svc/cpo_sales_use_cases.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Reservation> ReserveUnitUseCase::Run(
    const Principal& caller, const v1::ReserveUnitRequest& request) const {
  ReserveCommand cmd;
  cmd.serial = request.serial_number();
  cmd.sku = request.sku();
  cmd.ship_to_region_code = request.ship_to_region_code();
  ASSIGN_OR_RETURN(cmd.condition, FromEnum<Condition>(request.condition(),
                                                      v1::UnitCondition_IsValid, "condition"));
  return deps_.store.WriteOnce<v1::Reservation>(
      caller, request, "ReserveUnit", "reserve unit",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::Reservation> {
        CpoPriceBasis price;  // read by ReserveUnit, not read again
        ASSIGN_OR_RETURN(Unit u, deps_.domain.ReserveUnit(caller, cmd, repo, &price));
        return ReservationOf(u, price, deps_.clock.Now());
      });
}

absl::StatusOr<v1::Unit> ReleaseReservationUseCase::Run(
    const Principal& caller, const v1::ReleaseReservationRequest& request) const {
  return WriteUnit(deps_, caller, request, "ReleaseReservation", "release reservation",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.ReleaseReservation(caller, request.serial_number(), repo);
                   });
}

absl::StatusOr<v1::SellUnitResponse> SellUnitUseCase::Run(
    const Principal& caller, const v1::SellUnitRequest& request) const {
  SellCommand cmd;
  cmd.serial = request.serial_number();
  cmd.buyer_account_id = request.buyer_account_id();
  for (int i = 0; i < request.support_options_size(); ++i) {
    ASSIGN_OR_RETURN(SupportOption o, FromProto(request.support_options(i),
                                                absl::StrCat("support_options[", i, "]")));
    cmd.support_options.push_back(o);
  }
  cmd.site = PostalAddressFromProto(request.site());
  return deps_.store.WriteOnce<v1::SellUnitResponse>(
      caller, request, "SellUnit", "sell unit",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::SellUnitResponse> {
        ASSIGN_OR_RETURN(SaleResult r, deps_.domain.SellUnit(caller, cmd, repo));
        const absl::Time now = deps_.clock.Now();
        v1::SellUnitResponse out;
        ToProto(r.unit, now, out.mutable_unit());
        for (const Contract& c : r.contracts) ToProto(c, now, out.add_contracts());
        ToProto(r.entitlement, now, out.mutable_entitlement());
        return out;
      });
}

}  // namespace aftercare::inventory
