// Units in stock: receiving, return to stock, reading, listing and history.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

// --- Units -------------------------------------------------------------------

absl::Status Inventory::ReturnToStock(const Principal& caller, Unit& unit, Source source,
                                      const std::string& detail, InventoryRepository& repo) const {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<Contract> contracts, repo.ContractsOf(unit.serial));
  for (Contract& c : contracts) {
    if (c.end > now) {
      c.end = std::max(now, c.start);
      RETURN_IF_ERROR(repo.UpdateContract(c));
    }
  }
  unit.source = source;
  unit.owner_account_id.clear();
  unit.site = PostalAddress{};
  unit.ssrn.clear();
  unit.warranty_kind = WarrantyKind::kUnspecified;
  unit.warranty_end.reset();
  unit.sale_price_minor = 0;
  unit.sold_by_partner_id.clear();
  unit.allocated_rma.clear();
  unit.certificate_id.clear();
  unit.certified_by.clear();
  unit.certify_time.reset();
  unit.grey_market = false;
  unit.receive_time = now;
  return Transition(caller, unit, UnitState::kReceived, detail, repo);
}

absl::StatusOr<Unit> Inventory::ReceiveUnit(const Principal& caller, const ReceiveCommand& cmd,
                                            InventoryRepository& repo) const {
  return Receive(caller, cmd, repo);
}

absl::StatusOr<Unit> Inventory::Receive(const Principal& caller, const ReceiveCommand& cmd,
                                        InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(cmd.serial, "serial_number"));
  ASSIGN_OR_RETURN(std::string sku, NormalizeSku(cmd.sku, "sku"));
  if (cmd.source == Source::kUnspecified || cmd.source == Source::kNewSale) {
    return InvalidField("source",
                        "is required: DEMO_RETURN, RMA_RETURN, STOCK_ROTATION, FACTORY_OVERSTOCK, "
                        "OPEN_MARKET or TRADE_IN");
  }
  RETURN_IF_ERROR(CheckText(cmd.note, "note", 1000, false));
  ASSIGN_OR_RETURN(std::optional<Product> product, repo.FindProduct(sku));
  if (!product) {
    return InvalidField("sku", absl::StrCat(sku, " is not in the catalog"));
  }
  Condition condition = cmd.condition;
  if (condition == Condition::kUnspecified) {
    condition = cmd.source == Source::kFactoryOverstock ? Condition::kNew : Condition::kRefurbished;
  }
  const std::string detail =
      absl::StrCat("received from ", Name(cmd.source), cmd.note.empty() ? "" : ": ", cmd.note);
  ASSIGN_OR_RETURN(std::optional<Unit> existing, repo.FindUnit(serial, true));
  if (existing) {
    Unit unit = *std::move(existing);
    RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "receiving it again",
                                 {UnitState::kSold, UnitState::kInService,
                                  UnitState::kAwaitingReturn}));
    if (unit.sku != sku) {
      return FailedPrecondition(
          "UNIT_STATE", absl::StrCat("units/", serial),
          absl::StrCat("unit ", serial, " is registered as SKU ", unit.sku, ", not ", sku));
    }
    unit.condition = condition;
    RETURN_IF_ERROR(ReturnToStock(caller, unit, cmd.source, detail, repo));
    return unit;
  }
  Unit unit;
  unit.serial = serial;
  unit.sku = sku;
  unit.state = UnitState::kReceived;
  unit.source = cmd.source;
  unit.condition = condition;
  unit.receive_time = unit.update_time = clock_.Now();
  unit.version = 1;
  RETURN_IF_ERROR(repo.InsertUnit(&unit));
  UnitEvent e;
  e.serial = serial;
  e.time = unit.receive_time;
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kEventStateChange;
  e.to_state = UnitState::kReceived;
  e.detail = detail;
  RETURN_IF_ERROR(repo.AppendEvent(&e));
  return unit;
}

absl::StatusOr<Unit> Inventory::GetUnit(const Principal& caller, const std::string& serial,
                                        InventoryRepository& repo) const {
  return LoadUnit(caller, serial, repo, false, Reach::kCpo);
}

absl::StatusOr<Page<Unit>> Inventory::ListUnits(const Principal& caller, UnitFilter filter,
                                                int32_t page_size, const std::string& page_token,
                                                InventoryRepository& repo) const {
  if (caller.role == Role::kPartner && caller.cpo_channel) {
    if (filter.state != UnitState::kUnspecified && filter.state != UnitState::kCertified) {
      return absl::PermissionDeniedError("partners may list only CERTIFIED (available) units");
    }
    filter.state = UnitState::kCertified;
  } else if (caller.role == Role::kPartner) {
    RETURN_IF_ERROR(RequireCpoChannel(caller));  // only CPO partners see stock
  }
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  if (!filter.sku.empty()) {
    ASSIGN_OR_RETURN(filter.sku, NormalizeSku(filter.sku, "sku"));
  }
  const std::string fp =
      QueryFingerprint({"ListUnits", filter.sku, Name(filter.state), Name(filter.source),
                        Name(filter.family), Name(filter.lifecycle)});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListUnits(filter, after, size + 1, clock_.Now()));
  return MakePage(std::move(rows), size, *page_tokens_, fp, [](const Unit& u) { return u.serial; });
}

absl::StatusOr<Page<UnitEvent>> Inventory::ListUnitEvents(const Principal& caller,
                                                          const std::string& serial,
                                                          int32_t page_size,
                                                          const std::string& page_token,
                                                          InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, 100, 1000));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, false));
  const std::string fp = QueryFingerprint({"ListUnitEvents", unit.serial});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  int64_t after_id = 0;
  if (!after.empty() && !absl::SimpleAtoi(after, &after_id)) {
    return InvalidField("page_token", "is malformed");
  }
  ASSIGN_OR_RETURN(auto rows, repo.ListEvents(unit.serial, after_id, size + 1));
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const UnitEvent& e) { return std::to_string(e.id); });
}

}  // namespace aftercare::inventory
