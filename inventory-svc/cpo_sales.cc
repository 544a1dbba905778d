// Selling CPO: offers, reservations with a TTL, and the sale with warranty and support.
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

namespace {

// Checks that `level` may be bought for `product` at sale time.
absl::Status CheckLevelForProduct(const Product& product, const SupportOption& o,
                                  const std::string& field) {
  if (product.lifecycle != Lifecycle::kEndOfProduction) return absl::OkStatus();
  if (o.level == SupportLevel::kSameDay) {
    return InvalidField(absl::StrCat(field, ".level"),
                        "SAME_DAY is not offered for end-of-production units (Care Core, Care Core "
                        "Plus or Next Business Day with pre-approval)");
  }
  if (o.level == SupportLevel::kNextBusinessDay && o.pre_approval_reference.empty()) {
    return InvalidField(
        absl::StrCat(field, ".pre_approval_reference"),
        "is required: Next Business Day support for end-of-production units needs pre-approval");
  }
  return absl::OkStatus();
}

}  // namespace

// --- Selling CPO ---------------------------------------------------------------

Offer Inventory::BuildOffer(const Product& product, const std::vector<StockCount>& stock) const {
  Offer o;
  o.product = product;
  for (const StockCount& s : stock) {
    if (s.count <= 0) continue;
    OfferLine line;
    line.condition = s.condition;
    line.available = s.count;
    line.discount_bps = options_.discounts.For(product.lifecycle, s.condition);
    auto price = CpoPrice(product.list_price.amount_minor, line.discount_bps);
    line.price_minor = price.ok() ? *price : 0;
    o.available += s.count;
    o.lines.push_back(line);
  }
  if (product.lifecycle == Lifecycle::kEndOfProduction) {
    o.warranty_kind = WarrantyKind::kCpoEndOfProduction;
    o.warranty_months = kEopWarrantyMonths;
    o.warranty_summary =
        "12-month hardware warranty; replacement shipped within 20 business days of receipt at a "
        "repair centre (DOA included). Care Core, Care Core Plus (RTF 10 days) and, with "
        "pre-approval, Next Business Day support can be bought only with the unit.";
    o.support_levels = {SupportLevel::kCareCore, SupportLevel::kCareCorePlus,
                        SupportLevel::kNextBusinessDay};
  } else {
    o.warranty_kind = WarrantyKind::kStandard;
    o.warranty_months = product.standard_warranty_months;
    o.warranty_summary = "Same warranty and support options as new hardware.";
    o.support_levels = {SupportLevel::kCareCore, SupportLevel::kCareCorePlus,
                        SupportLevel::kNextBusinessDay, SupportLevel::kSameDay};
  }
  return o;
}

absl::StatusOr<Page<Offer>> Inventory::ListCpoOffers(const Principal&, const ProductFilter& filter,
                                                     bool in_stock_only, int32_t page_size,
                                                     const std::string& page_token,
                                                     InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListCpoOffers", Name(filter.family),
                                           Name(filter.lifecycle), in_stock_only ? "1" : "0"});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(auto products, repo.ListProducts(filter, after, size + 1, in_stock_only, now));
  std::vector<Offer> offers;
  for (const Product& p : products) {
    ASSIGN_OR_RETURN(auto stock, repo.CountAvailable(p.sku, now));
    offers.push_back(BuildOffer(p, stock));
  }
  return MakePage(std::move(offers), size, *page_tokens_, fp,
                  [](const Offer& o) { return o.product.sku; });
}

absl::StatusOr<Unit> Inventory::ReserveUnit(const Principal& caller, const ReserveCommand& cmd,
                                            InventoryRepository& repo,
                                            CpoPriceBasis* price_out) const {
  RETURN_IF_ERROR(RequireCpoChannel(caller));
  if (cmd.serial.empty() == cmd.sku.empty()) {
    return InvalidFields({"serial_number", "sku"},
                         "exactly one of serial_number and sku is required");
  }
  RETURN_IF_ERROR(CheckRegionCode(cmd.ship_to_region_code, "ship_to_region_code"));
  if (cmd.ship_to_region_code != "US") {
    return InvalidField("ship_to_region_code",
                        "must be US: CPO hardware is sold in the United States only");
  }
  const absl::Time now = clock_.Now();
  Unit unit;
  CpoPriceBasis basis;
  if (!cmd.serial.empty()) {
    ASSIGN_OR_RETURN(unit, LoadUnit(caller, cmd.serial, repo, true, Reach::kCpo));
    RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "reserving",
                                 {UnitState::kCertified}));
    ASSIGN_OR_RETURN(Product product, LoadProduct(unit.sku, repo));
    basis = CpoPriceBasis{std::move(product.list_price), product.lifecycle};
  } else {
    ASSIGN_OR_RETURN(std::string sku, NormalizeSku(cmd.sku, "sku"));
    // The claim reads the unit's price basis with it, in one statement; the
    // catalog is read apart only to say why nothing could be reserved.
    ASSIGN_OR_RETURN(std::optional<ClaimedUnit> claimed,
                     repo.ClaimAvailableUnit(sku, cmd.condition, now));
    if (!claimed || !claimed->price) {
      ASSIGN_OR_RETURN(std::optional<Product> found, repo.FindProduct(sku));
      if (!found) return InvalidField("sku", absl::StrCat(sku, " is not in the catalog"));
      if (claimed) {  // the product was added after the claim read it
        return absl::AbortedError(
            absl::StrCat("the catalog entry of ", sku, " changed while reserving; retry"));
      }
      return absl::FailedPreconditionError(
          absl::StrCat("no CERTIFIED unit of SKU ", sku, " is available to reserve"));
    }
    unit = std::move(claimed->unit);
    basis = *std::move(claimed->price);
  }
  const int32_t bps = options_.discounts.For(basis.lifecycle, unit.condition);
  ASSIGN_OR_RETURN(int64_t price, CpoPrice(basis.list_price.amount_minor, bps));
  const std::string partner = PartnerOf(caller);
  unit.state = EffectiveState(unit, now);  // an expired reservation is available again
  unit.reservation_id = absl::StrFormat("RSV-%d-%d", unit.id, unit.version + 1);
  unit.reserved_partner_id = partner;
  unit.reserved_at = now;
  unit.reserved_until = now + options_.reservation_ttl;
  unit.reserved_price_minor = price;
  unit.reserved_discount_bps = bps;
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kReserved,
                             absl::StrCat("reservation ", unit.reservation_id, " for ", partner,
                                          " at ", price, " ", basis.list_price.currency_code,
                                          " minor units until ",
                                          absl::FormatTime(absl::RFC3339_sec, *unit.reserved_until,
                                                           absl::UTCTimeZone())),
                             repo));
  if (price_out != nullptr) *price_out = std::move(basis);
  return unit;
}

absl::StatusOr<Unit> Inventory::ReleaseReservation(const Principal& caller,
                                                   const std::string& serial,
                                                   InventoryRepository& repo) const {
  RETURN_IF_ERROR(RequireCpoChannel(caller));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true, Reach::kCpo));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "releasing a reservation",
                               {UnitState::kReserved}));
  // Another partner's reservation is out of scope: the same answer as no unit.
  if (caller.role == Role::kPartner && unit.reserved_partner_id != caller.partner_id) {
    return OutOfScope(absl::StrCat("unit ", unit.serial));
  }
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kCertified,
                             absl::StrCat("reservation ", unit.reservation_id, " released"), repo));
  return unit;
}

absl::StatusOr<SaleResult> Inventory::SellUnit(const Principal& caller, const SellCommand& cmd,
                                               InventoryRepository& repo) const {
  RETURN_IF_ERROR(RequireCpoChannel(caller));
  RETURN_IF_ERROR(CheckAccountId(cmd.buyer_account_id, "buyer_account_id"));
  RETURN_IF_ERROR(CheckPostalAddress(cmd.site, "site", AddressNeeds::kNothing));
  if (!cmd.site.empty() && cmd.site.region_code != "US") {
    return InvalidField("site.region_code",
                        "must be US: CPO hardware is sold in the United States only");
  }
  if (cmd.support_options.size() > 4) {
    return InvalidField("support_options", "must have at most 4 entries");
  }
  for (size_t i = 0; i < cmd.support_options.size(); ++i) {
    RETURN_IF_ERROR(CheckOption(cmd.support_options[i], absl::StrCat("support_options[", i, "]")));
  }
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, cmd.serial, repo, true, Reach::kCpo));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "selling", {UnitState::kReserved}));
  // Another partner's reservation is out of scope: the same answer as no unit.
  if (caller.role == Role::kPartner && unit.reserved_partner_id != caller.partner_id) {
    return OutOfScope(absl::StrCat("unit ", unit.serial));
  }
  ASSIGN_OR_RETURN(Product product, LoadProduct(unit.sku, repo));
  for (size_t i = 0; i < cmd.support_options.size(); ++i) {
    RETURN_IF_ERROR(CheckLevelForProduct(product, cmd.support_options[i],
                                         absl::StrCat("support_options[", i, "]")));
  }
  // Warranty at sale.
  if (product.lifecycle == Lifecycle::kEndOfProduction) {
    unit.warranty_kind = WarrantyKind::kCpoEndOfProduction;
    unit.warranty_end = AddMonths(now, kEopWarrantyMonths);
  } else {
    unit.warranty_kind = WarrantyKind::kStandard;
    unit.warranty_end = AddMonths(now, product.standard_warranty_months);
  }
  const std::string reservation = unit.reservation_id;
  unit.sale_price_minor = unit.reserved_price_minor;
  unit.currency_code = product.list_price.currency_code;
  unit.sold_by_partner_id = unit.reserved_partner_id;
  unit.owner_account_id = cmd.buyer_account_id;
  unit.original_purchaser_account_id = cmd.buyer_account_id;
  unit.site = cmd.site;
  unit.ship_time = now;
  unit.grey_market = false;
  if (unit.ssrn.empty()) unit.ssrn = absl::StrFormat("SSRN%08d", unit.id);
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kSold,
                             absl::StrCat("sold to ", cmd.buyer_account_id, " (", reservation,
                                          ") at ", unit.sale_price_minor, " ", unit.currency_code,
                                          " minor units"),
                             repo));
  SaleResult result;
  for (const SupportOption& o : cmd.support_options) {
    Contract c;
    c.serial = unit.serial;
    c.account_id = cmd.buyer_account_id;
    c.level = o.level;
    c.start = now;
    c.end = AddMonths(now, o.term_months);
    c.purchased_at_sale = true;
    c.pre_approval_reference = o.pre_approval_reference;
    RETURN_IF_ERROR(repo.InsertContract(&c));
    RETURN_IF_ERROR(RecordEvent(caller, unit, kEventContract,
                                absl::StrCat(FormatContractId(c.id), " ", Name(c.level),
                                             " bought with the unit"),
                                repo));
    result.contracts.push_back(c);
  }
  result.entitlement = ComputeEntitlement(unit, product, result.contracts, now);
  result.unit = unit;
  return result;
}

}  // namespace aftercare::inventory
