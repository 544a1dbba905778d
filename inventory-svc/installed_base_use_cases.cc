#include "inventory-svc/installed_base_use_cases.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Unit> RegisterProductUseCase::Run(
    const Principal& caller, const v1::RegisterProductRequest& request) const {
  RegisterCommand cmd;
  cmd.serial = request.serial_number();
  cmd.sku = request.sku();
  cmd.account_id = request.account_id();
  cmd.site = PostalAddressFromProto(request.site());
  if (request.has_ship_time()) {
    ASSIGN_OR_RETURN(cmd.ship_time, FromTimestamp(request.ship_time(), "ship_time"));
  }
  return WriteUnit(
      deps_, caller, request, "RegisterProduct", "register product",
      [&](InventoryRepository& repo) { return deps_.domain.RegisterProduct(caller, cmd, repo); });
}

absl::StatusOr<v1::UpdateInstalledBaseResponse> UpdateInstalledBaseUseCase::Run(
    const Principal& caller, const v1::UpdateInstalledBaseRequest& request) const {
  SiteMoveCommand cmd;
  cmd.serial = request.serial_number();
  cmd.site = PostalAddressFromProto(request.site());
  ASSIGN_OR_RETURN(cmd.accepted_level,
                   FromEnum<SupportLevel>(request.accepted_support_level(),
                                          v1::SupportLevel_IsValid, "accepted_support_level"));
  cmd.etag = request.etag();
  return deps_.store.WriteOnce<v1::UpdateInstalledBaseResponse>(
      caller, request, "UpdateInstalledBase", "update installed base",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::UpdateInstalledBaseResponse> {
        ASSIGN_OR_RETURN(SiteMoveResult r, deps_.domain.UpdateInstalledBase(caller, cmd, repo));
        v1::UpdateInstalledBaseResponse out;
        out.set_applied(r.applied);
        out.set_contracted_support_level(static_cast<v1::SupportLevel>(r.contracted_level));
        out.set_offered_support_level(static_cast<v1::SupportLevel>(r.offered_level));
        out.set_message(r.message);
        ToProto(r.unit, deps_.clock.Now(), out.mutable_unit());
        return out;
      });
}

absl::StatusOr<v1::Unit> TransferOwnershipUseCase::Run(
    const Principal& caller, const v1::TransferOwnershipRequest& request) const {
  return WriteUnit(deps_, caller, request, "TransferOwnership", "transfer ownership",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.TransferOwnership(caller, request.serial_number(),
                                                           request.new_account_id(), request.etag(),
                                                           repo);
                   });
}

absl::StatusOr<v1::Unit> FlagGreyMarketUseCase::Run(
    const Principal& caller, const v1::FlagGreyMarketRequest& request) const {
  return WriteUnit(
      deps_, caller, request, "FlagGreyMarket", "flag grey market", [&](InventoryRepository& repo) {
        return deps_.domain.FlagGreyMarket(caller, request.serial_number(), request.reason(), repo);
      });
}

absl::StatusOr<v1::Unit> ReinstateUnitUseCase::Run(const Principal& caller,
                                                   const v1::ReinstateUnitRequest& request) const {
  return WriteUnit(
      deps_, caller, request, "ReinstateUnit", "reinstate unit", [&](InventoryRepository& repo) {
        return deps_.domain.ReinstateUnit(caller, request.serial_number(), request.case_id(),
                                          request.inspection_reference(), repo);
      });
}

absl::StatusOr<v1::SupportContract> CreateSupportContractUseCase::Run(
    const Principal& caller, const v1::CreateSupportContractRequest& request) const {
  ASSIGN_OR_RETURN(SupportOption option, FromProto(request.option(), "option"));
  return deps_.store.WriteOnce<v1::SupportContract>(
      caller, request, "CreateSupportContract", "create support contract",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::SupportContract> {
        ASSIGN_OR_RETURN(Contract c, deps_.domain.CreateSupportContract(
                                         caller, request.serial_number(), option, repo));
        v1::SupportContract out;
        ToProto(c, deps_.clock.Now(), &out);
        return out;
      });
}

absl::StatusOr<v1::SwapInstalledBaseResponse> SwapInstalledBaseUseCase::Run(
    const Principal& caller, const v1::SwapInstalledBaseRequest& request) const {
  SwapCommand cmd;
  cmd.defective_serial = request.defective_serial_number();
  cmd.replacement_serial = request.replacement_serial_number();
  cmd.rma_number = request.rma_number();
  if (request.has_ship_time()) {
    ASSIGN_OR_RETURN(cmd.ship_time, FromTimestamp(request.ship_time(), "ship_time"));
  }
  return deps_.store.WriteOnce<v1::SwapInstalledBaseResponse>(
      caller, request, "SwapInstalledBase", "swap installed base",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::SwapInstalledBaseResponse> {
        ASSIGN_OR_RETURN(SwapResult r, deps_.domain.SwapInstalledBase(caller, cmd, repo));
        const absl::Time now = deps_.clock.Now();
        v1::SwapInstalledBaseResponse out;
        ToProto(r.defective, now, out.mutable_defective_unit());
        ToProto(r.replacement, now, out.mutable_replacement_unit());
        return out;
      });
}

}  // namespace aftercare::inventory
