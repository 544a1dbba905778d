// The operations rma-svc calls: allocate and release spares, intake a returned unit
// and swap the installed base.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

// --- For RMAs ----------------------------------------------------------------

absl::StatusOr<Unit> Inventory::AllocateSpare(const Principal& caller, const std::string& sku_in,
                                              const std::string& rma_number,
                                              InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string sku, NormalizeSku(sku_in, "sku"));
  ASSIGN_OR_RETURN(int64_t rma, ParseRmaNumber(rma_number, "rma_number"));
  const std::string rma_id = FormatRmaNumber(rma);
  ASSIGN_OR_RETURN(std::optional<Product> product, repo.FindProduct(sku));
  if (!product) return InvalidField("sku", absl::StrCat(sku, " is not in the catalog"));
  ASSIGN_OR_RETURN(std::optional<Unit> held, repo.FindUnitByRma(rma_id));
  if (held && held->state == UnitState::kAllocated) {
    return absl::FailedPreconditionError(absl::StrCat(
        "RMA ", rma_id, " already has spare ", held->serial, " ALLOCATED"));
  }
  ASSIGN_OR_RETURN(std::optional<Unit> spare, repo.ClaimSpare(sku));
  if (!spare) {
    return absl::FailedPreconditionError(absl::StrCat("no SPARE unit of SKU ", sku, " is available"));
  }
  Unit unit = *std::move(spare);
  unit.allocated_rma = rma_id;
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kAllocated,
                             absl::StrCat("allocated to RMA ", rma_id), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::ReleaseSpare(const Principal& caller, const std::string& serial,
                                             const std::string& rma_number,
                                             InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(int64_t rma, ParseRmaNumber(rma_number, "rma_number"));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, unit.state, "releasing a spare", {UnitState::kAllocated}));
  if (unit.allocated_rma != FormatRmaNumber(rma)) {
    return FailedPrecondition("UNIT_STATE", absl::StrCat("units/", unit.serial),
                              absl::StrCat("unit ", unit.serial, " is ALLOCATED to another RMA"));
  }
  unit.allocated_rma.clear();
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kSpare,
                             absl::StrCat("released from RMA ", FormatRmaNumber(rma)), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::IntakeReturnedUnit(const Principal& caller,
                                                   const IntakeCommand& cmd,
                                                   InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(cmd.serial, "serial_number"));
  if (cmd.source != Source::kRmaReturn && cmd.source != Source::kTradeIn) {
    return InvalidField("source", "must be RMA_RETURN or TRADE_IN");
  }
  RETURN_IF_ERROR(CheckText(cmd.reference, "reference", 64, false));
  const std::string detail = absl::StrCat("returned (", Name(cmd.source), ")",
                                          cmd.reference.empty() ? "" : " ", cmd.reference);
  ASSIGN_OR_RETURN(std::optional<Unit> existing, repo.FindUnit(serial, true));
  if (existing) {
    Unit unit = *std::move(existing);
    if (!cmd.sku.empty()) {
      ASSIGN_OR_RETURN(std::string sku, NormalizeSku(cmd.sku, "sku"));
      if (sku != unit.sku) {
        return FailedPrecondition(
            "UNIT_STATE", absl::StrCat("units/", serial),
            absl::StrCat("unit ", serial, " is registered as SKU ", unit.sku, ", not ", sku));
      }
    }
    RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "taking it in",
                                 {UnitState::kSold, UnitState::kInService,
                                  UnitState::kAwaitingReturn}));
    unit.condition = Condition::kRefurbished;
    RETURN_IF_ERROR(ReturnToStock(caller, unit, cmd.source, detail, repo));
    return unit;
  }
  return Receive(caller, {serial, cmd.sku, cmd.source, Condition::kRefurbished, detail}, repo);
}

absl::StatusOr<SwapResult> Inventory::SwapInstalledBase(const Principal& caller,
                                                        const SwapCommand& cmd,
                                                        InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string bad_serial,
                   NormalizeSerial(cmd.defective_serial, "defective_serial_number"));
  ASSIGN_OR_RETURN(std::string new_serial,
                   NormalizeSerial(cmd.replacement_serial, "replacement_serial_number"));
  if (bad_serial == new_serial) {
    return InvalidField("replacement_serial_number", "must differ from defective_serial_number");
  }
  ASSIGN_OR_RETURN(int64_t rma, ParseRmaNumber(cmd.rma_number, "rma_number"));
  const std::string rma_id = FormatRmaNumber(rma);
  const absl::Time now = clock_.Now();
  if (cmd.ship_time && *cmd.ship_time > now) {
    return InvalidField("ship_time", "must not be in the future");
  }
  // Lock both rows in serial order so two swaps never deadlock each other.
  std::optional<Unit> a, b;
  if (bad_serial < new_serial) {
    ASSIGN_OR_RETURN(a, repo.FindUnit(bad_serial, true));
    ASSIGN_OR_RETURN(b, repo.FindUnit(new_serial, true));
  } else {
    ASSIGN_OR_RETURN(b, repo.FindUnit(new_serial, true));
    ASSIGN_OR_RETURN(a, repo.FindUnit(bad_serial, true));
  }
  if (!a) return NotFoundUnit(bad_serial);
  if (!b) return NotFoundUnit(new_serial);
  Unit bad = *std::move(a);
  Unit good = *std::move(b);
  RETURN_IF_ERROR(RequireState(bad, EffectiveState(bad, now), "swapping out the defective unit",
                               {UnitState::kSold, UnitState::kInService}));
  RETURN_IF_ERROR(RequireState(good, good.state, "swapping in a replacement",
                               {UnitState::kAllocated}));
  if (good.allocated_rma != rma_id) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", good.serial),
        absl::StrCat("unit ", good.serial, " is ALLOCATED to ",
                     good.allocated_rma.empty() ? "no RMA" : good.allocated_rma, ", not ", rma_id));
  }
  if (good.sku != bad.sku) {
    return absl::FailedPreconditionError(absl::StrCat("replacement ", good.serial, " is SKU ",
                                                      good.sku, ", the defective unit is ", bad.sku));
  }
  // Owner and coverage follow the replacement.
  good.owner_account_id = bad.owner_account_id;
  good.original_purchaser_account_id = bad.original_purchaser_account_id;
  good.site = bad.site;
  good.ssrn = bad.ssrn;
  good.warranty_kind = bad.warranty_kind;
  good.warranty_end = bad.warranty_end;
  good.grey_market = bad.grey_market;
  good.sold_by_partner_id = bad.sold_by_partner_id;
  good.ship_time = cmd.ship_time.value_or(now);
  bad.ssrn.clear();
  RETURN_IF_ERROR(Transition(caller, bad, UnitState::kAwaitingReturn,
                             absl::StrCat("replaced by ", good.serial, " under RMA ", rma_id), repo));
  RETURN_IF_ERROR(Transition(caller, good, UnitState::kInService,
                             absl::StrCat("replaces ", bad.serial, " under RMA ", rma_id), repo));
  ASSIGN_OR_RETURN(std::vector<Contract> contracts, repo.ContractsOf(bad.serial));
  for (Contract& c : contracts) {
    c.serial = good.serial;
    RETURN_IF_ERROR(repo.UpdateContract(c));
  }
  return SwapResult{bad, good};
}

}  // namespace aftercare::inventory
