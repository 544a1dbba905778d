// The installed base: product registration, site moves, ownership transfer, grey
// market flags and support contracts.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

// --- Installed base and entitlement -------------------------------------------

absl::StatusOr<Unit> Inventory::RegisterProduct(const Principal& caller,
                                                const RegisterCommand& cmd,
                                                InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(cmd.serial, "serial_number"));
  if (!cmd.account_id.empty()) RETURN_IF_ERROR(CheckAccountId(cmd.account_id, "account_id"));
  RETURN_IF_ERROR(CheckPostalAddress(cmd.site, "site", AddressNeeds::kRegion));
  const absl::Time now = clock_.Now();
  if (cmd.ship_time && *cmd.ship_time > now) {
    return InvalidField("ship_time", "must not be in the future");
  }
  ASSIGN_OR_RETURN(std::optional<Unit> existing, repo.FindUnit(serial, true));
  if (existing) {
    Unit unit = *std::move(existing);
    if (!Reaches(caller, unit, Reach::kOwned)) return OutOfScope(absl::StrCat("unit ", serial));
    RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "registering",
                                 {UnitState::kSold}));
    if (!cmd.account_id.empty() && cmd.account_id != unit.owner_account_id) {
      return FailedPrecondition(
          "UNIT_STATE", absl::StrCat("units/", serial),
          absl::StrCat("unit ", serial, " is owned by another account; use TransferOwnership"));
    }
    unit.site = cmd.site;
    RETURN_IF_ERROR(Transition(caller, unit, UnitState::kInService,
                               absl::StrCat("registered at a site in ", cmd.site.region_code), repo));
    return unit;
  }
  if (caller.role == Role::kCustomer) return NotFoundUnit(serial);
  ASSIGN_OR_RETURN(std::string sku, NormalizeSku(cmd.sku, "sku"));
  RETURN_IF_ERROR(CheckAccountId(cmd.account_id, "account_id"));
  ASSIGN_OR_RETURN(std::optional<Product> product, repo.FindProduct(sku));
  if (!product) return InvalidField("sku", absl::StrCat(sku, " is not in the catalog"));
  Unit unit;
  unit.serial = serial;
  unit.sku = sku;
  unit.state = UnitState::kInService;
  unit.source = Source::kNewSale;
  unit.condition = Condition::kNew;
  unit.owner_account_id = unit.original_purchaser_account_id = cmd.account_id;
  unit.sold_by_partner_id = caller.role == Role::kPartner ? caller.partner_id : "";
  unit.site = cmd.site;
  unit.ship_time = cmd.ship_time.value_or(now);
  unit.warranty_kind = WarrantyKind::kStandard;
  unit.warranty_end = AddMonths(*unit.ship_time, product->standard_warranty_months);
  unit.receive_time = unit.update_time = now;
  unit.version = 1;
  RETURN_IF_ERROR(repo.InsertUnit(&unit));
  unit.ssrn = absl::StrFormat("SSRN%08d", unit.id);
  unit.version = 2;
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  UnitEvent e;
  e.serial = serial;
  e.time = now;
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kEventStateChange;
  e.to_state = UnitState::kInService;
  e.detail = absl::StrCat("registered new sale to ", cmd.account_id);
  RETURN_IF_ERROR(repo.AppendEvent(&e));
  return unit;
}

absl::StatusOr<SiteMoveResult> Inventory::UpdateInstalledBase(const Principal& caller,
                                                              const SiteMoveCommand& cmd,
                                                              InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckPostalAddress(cmd.site, "site", AddressNeeds::kRegion));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, cmd.serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "updating the installed base",
                               {UnitState::kSold, UnitState::kInService}));
  RETURN_IF_ERROR(CheckEtag(cmd.etag, unit.version, "unit " + unit.serial));
  ASSIGN_OR_RETURN(std::vector<Contract> contracts, repo.ContractsOf(unit.serial));
  SiteMoveResult result;
  for (const Contract& c : contracts) {
    if (c.start <= now && now < c.end && c.level > result.contracted_level) {
      result.contracted_level = c.level;
    }
  }
  const SupportLevel max = SiteMaxLevel(options_, cmd.site.region_code);
  if (result.contracted_level > max) {
    result.offered_level = max;
    if (cmd.accepted_level != max) {
      result.applied = false;
      result.message = absl::StrCat(
          "the contracted level ", Name(result.contracted_level),
          " cannot be served at the new site; the next available level is ", Name(max),
          ": send accepted_support_level=", Name(max), " to move the unit and change the contract");
      result.unit = unit;
      return result;
    }
    for (Contract& c : contracts) {
      if (c.start <= now && now < c.end && c.level > max) {
        RETURN_IF_ERROR(RecordEvent(caller, unit, kEventContract,
                                    absl::StrCat(FormatContractId(c.id), " changed from ",
                                                 Name(c.level), " to ", Name(max),
                                                 " (accepted on site move)"),
                                    repo));
        c.level = max;
        RETURN_IF_ERROR(repo.UpdateContract(c));
      }
    }
  } else {
    result.offered_level = result.contracted_level;
  }
  unit.site = cmd.site;
  unit.version += 1;
  unit.update_time = now;
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  RETURN_IF_ERROR(RecordEvent(caller, unit, kEventSite,
                              absl::StrCat("moved to a site in ", cmd.site.region_code), repo));
  result.applied = true;
  result.message = "installed base updated";
  result.unit = unit;
  return result;
}

absl::StatusOr<Unit> Inventory::TransferOwnership(const Principal& caller, const std::string& serial,
                                                  const std::string& new_account_id,
                                                  const std::string& etag,
                                                  InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckAccountId(new_account_id, "new_account_id"));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "transferring ownership",
                               {UnitState::kSold, UnitState::kInService}));
  RETURN_IF_ERROR(CheckEtag(etag, unit.version, "unit " + unit.serial));
  if (unit.owner_account_id == new_account_id) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial, " is already owned by ", new_account_id));
  }
  const std::string old_owner = unit.owner_account_id;
  unit.owner_account_id = std::string(new_account_id);
  unit.version += 1;
  unit.update_time = now;
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  ASSIGN_OR_RETURN(std::vector<Contract> contracts, repo.ContractsOf(unit.serial));
  for (Contract& c : contracts) {
    c.account_id = unit.owner_account_id;
    RETURN_IF_ERROR(repo.UpdateContract(c));
  }
  RETURN_IF_ERROR(RecordEvent(caller, unit, kEventOwnership,
                              absl::StrCat("ownership transferred from ", old_owner, " to ",
                                           unit.owner_account_id),
                              repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::FlagGreyMarket(const Principal& caller, const std::string& serial,
                                               const std::string& reason,
                                               InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 500, true));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  if (unit.grey_market) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial, " is already flagged as grey market"));
  }
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "flagging grey market",
                               {UnitState::kSold, UnitState::kInService}));
  unit.grey_market = true;
  unit.version += 1;
  unit.update_time = clock_.Now();
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  RETURN_IF_ERROR(RecordEvent(caller, unit, kEventGreyMarket,
                              absl::StrCat("flagged grey market: ", reason), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::ReinstateUnit(const Principal& caller, const std::string& serial,
                                              const std::string& case_id,
                                              const std::string& inspection_ref,
                                              InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(CaseId id, ParseCaseId(case_id, "case_id"));
  RETURN_IF_ERROR(CheckText(inspection_ref, "inspection_reference", 100, false));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  if (!unit.grey_market) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial, " is ", Name(EffectiveState(unit, clock_.Now())),
                     " and not flagged as grey market; nothing to reinstate"));
  }
  unit.grey_market = false;
  unit.version += 1;
  unit.update_time = clock_.Now();
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  RETURN_IF_ERROR(RecordEvent(caller, unit, kEventGreyMarket,
                              absl::StrCat("reinstated by case ", id.ToString(),
                                           inspection_ref.empty() ? "" : ", inspection ",
                                           inspection_ref),
                              repo));
  return unit;
}

absl::StatusOr<Contract> Inventory::CreateSupportContract(const Principal& caller,
                                                          const std::string& serial,
                                                          const SupportOption& option,
                                                          InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckOption(option, "option"));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "adding a support contract",
                               {UnitState::kSold, UnitState::kInService}));
  // Support for hardware bought as CPO end of production can be bought only
  // in the sale itself. (A unit bought while its product was current keeps
  // the support options of new hardware.)
  if (unit.warranty_kind == WarrantyKind::kCpoEndOfProduction) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial, " is ", Name(unit.state),
                     " and end of production: support for "
                     "end-of-production units can be bought only at the time of the CPO purchase"));
  }
  if (unit.grey_market) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial,
                     " is grey market: it must be inspected and reinstated first"));
  }
  if (!unit.site.empty() && option.level > SiteMaxLevel(options_, unit.site.region_code)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "level ", Name(option.level), " cannot be served at the unit's site; the best available is ",
        Name(SiteMaxLevel(options_, unit.site.region_code))));
  }
  Contract c;
  c.serial = unit.serial;
  c.account_id = unit.owner_account_id;
  c.level = option.level;
  c.start = now;
  c.end = AddMonths(now, option.term_months);
  c.pre_approval_reference = option.pre_approval_reference;
  RETURN_IF_ERROR(repo.InsertContract(&c));
  RETURN_IF_ERROR(RecordEvent(caller, unit, kEventContract,
                              absl::StrCat(FormatContractId(c.id), " ", Name(c.level), " added"),
                              repo));
  return c;
}

}  // namespace aftercare::inventory
