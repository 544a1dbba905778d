// Entitlement: what support a unit is owed now, and the installed-base list.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

namespace {

bool IsAdvanceReplacement(SupportLevel l) {
  return l == SupportLevel::kNextBusinessDay || l == SupportLevel::kSameDay;
}

}  // namespace

// --- Entitlement -------------------------------------------------------------

Entitlement Inventory::ComputeEntitlement(const Unit& unit, const Product& product,
                                          std::vector<Contract> contracts, absl::Time now) const {
  Entitlement e;
  e.unit = unit;
  e.unit.state = EffectiveState(unit, now);
  e.product = product;
  e.contracts = std::move(contracts);
  if (!unit.warranty_end) {
    e.warranty_status = WarrantyStatus::kNone;
  } else {
    e.warranty_status = *unit.warranty_end > now ? WarrantyStatus::kActive : WarrantyStatus::kExpired;
  }
  e.replacement_business_days =
      unit.warranty_kind == WarrantyKind::kCpoEndOfProduction ? kEopReplacementBusinessDays : 0;
  if (unit.ship_time) {
    e.doa_end = *unit.ship_time + kDoaWindow;
    e.within_doa = now < *e.doa_end;
  }
  const bool installed = e.unit.state == UnitState::kSold || e.unit.state == UnitState::kInService;
  bool any_contract = false;
  for (const Contract& c : e.contracts) {
    if (c.start <= now && now < c.end) {
      any_contract = true;
      if (c.level > e.best_level) e.best_level = c.level;
    }
  }
  e.entitled = installed && !unit.grey_market &&
               (e.warranty_status == WarrantyStatus::kActive || any_contract);
  e.advance_replacement = installed && !unit.grey_market && IsAdvanceReplacement(e.best_level);
  return e;
}

absl::StatusOr<Entitlement> Inventory::GetEntitlement(const Principal& caller,
                                                      const EntitlementKey& key,
                                                      InventoryRepository& repo) const {
  int keys = !key.serial.empty() + !key.ssrn.empty() + !key.contract_id.empty();
  if (keys != 1) {
    return InvalidFields({"serial_number", "ssrn", "contract_id"},
                         "exactly one of serial_number, ssrn and contract_id is required");
  }
  // The serial first (an SSRN or a contract leads to it), then the unit,
  // its product and contracts in one read.
  std::string serial;
  std::string what;
  if (!key.serial.empty()) {
    ASSIGN_OR_RETURN(serial, NormalizeSerial(key.serial, "serial_number"));
    what = "unit " + serial;
  } else if (!key.ssrn.empty()) {
    ASSIGN_OR_RETURN(std::string s, NormalizeSsrn(key.ssrn, "ssrn"));
    what = "SSRN " + s;
    ASSIGN_OR_RETURN(std::optional<Unit> unit, repo.FindUnitBySsrn(s));
    if (!unit) return absl::NotFoundError(what + " not found");
    serial = unit->serial;
  } else {
    std::optional<int64_t> id = ParseContractId(key.contract_id);
    if (!id) return InvalidField("contract_id", "must look like CT00000042");
    ASSIGN_OR_RETURN(std::optional<Contract> c, repo.FindContract(*id));
    what = "contract " + key.contract_id;
    if (!c) return absl::NotFoundError(what + " not found");
    serial = c->serial;
  }
  ASSIGN_OR_RETURN(std::optional<EntitlementFacts> facts, repo.FindEntitlementFacts(serial));
  if (!facts) return absl::NotFoundError(what + " not found");
  if (!Reaches(caller, facts->unit, Reach::kOwned)) return OutOfScope(what);
  if (!facts->product) {
    return absl::InternalError(absl::StrCat("product ", facts->unit.sku, " of a unit is missing"));
  }
  return ComputeEntitlement(facts->unit, *facts->product, std::move(facts->contracts),
                            clock_.Now());
}

absl::StatusOr<Page<Unit>> Inventory::ListInstalledBase(const Principal& caller,
                                                        const std::string& account_id,
                                                        int32_t page_size,
                                                        const std::string& page_token,
                                                        InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckAccountId(account_id, "account_id"));
  RETURN_IF_ERROR(CheckAccountScope(caller, account_id, absl::StrCat("account ", account_id)));
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListInstalledBase", account_id});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  UnitFilter filter;
  filter.owner_account_id = std::string(account_id);
  ASSIGN_OR_RETURN(auto rows, repo.ListUnits(filter, after, size + 1, clock_.Now()));
  return MakePage(std::move(rows), size, *page_tokens_, fp, [](const Unit& u) { return u.serial; });
}

}  // namespace aftercare::inventory
