#include "inventory-svc/inventory.h"

#include <algorithm>
#include <initializer_list>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::inventory {
namespace {

constexpr int64_t kMinListMinor = 100;
constexpr int64_t kMaxListMinor = 10'000'000'000'000;  // 100 billion major units
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string StateList(std::initializer_list<UnitState> states) {
  std::vector<std::string> names;
  for (UnitState s : states) names.push_back(Name(s));
  return absl::StrJoin(names, " or ");
}

bool In(UnitState s, std::initializer_list<UnitState> states) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

// FAILED_PRECONDITION naming the current state when `state` is not allowed.
absl::Status RequireState(const Unit& unit, UnitState state, absl::string_view action,
                          std::initializer_list<UnitState> allowed) {
  if (In(state, allowed)) return absl::OkStatus();
  return FailedPrecondition("UNIT_STATE", absl::StrCat("units/", unit.serial),
                            absl::StrCat("unit ", unit.serial, " is ", Name(state), "; ", action,
                                         " needs ", StateList(allowed)));
}

absl::Status NotFoundUnit(const std::string& serial) {
  return absl::NotFoundError(absl::StrCat("unit ", serial, " not found"));
}

absl::Status ValidateProduct(const Product& p) {
  RETURN_IF_ERROR(CheckText(p.display_name, "product.display_name", 200, false));
  RETURN_IF_ERROR(CheckText(p.series, "product.series", 100, false));
  RETURN_IF_ERROR(CheckText(p.platform, "product.platform", 100, false));
  if (p.family == Family::kUnspecified) {
    return InvalidField("product.family", "is required");
  }
  const std::string& cc = p.list_price.currency_code;
  if (cc.size() != 3 || !std::all_of(cc.begin(), cc.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return InvalidField("product.list_price.currency_code",
                        "must be an ISO 4217 code of three upper-case letters");
  }
  if (p.list_price.amount_minor < 0) {
    return InvalidField("product.list_price.amount_minor", "must not be negative");
  }
  if (p.list_price.amount_minor < kMinListMinor || p.list_price.amount_minor > kMaxListMinor) {
    return InvalidField(
        "product.list_price.amount_minor",
        absl::StrCat("must be between ", kMinListMinor, " and ", kMaxListMinor, " minor units"));
  }
  if (p.lifecycle == Lifecycle::kUnspecified) {
    return InvalidField("product.lifecycle", "is required");
  }
  if (p.lifecycle == Lifecycle::kEndOfProduction && !p.end_of_production_time) {
    return InvalidField("product.end_of_production_time",
                        "is required when lifecycle is END_OF_PRODUCTION");
  }
  if (p.lifecycle == Lifecycle::kCurrent && p.end_of_production_time) {
    return InvalidField("product.end_of_production_time",
                        "must be empty when lifecycle is CURRENT");
  }
  RETURN_IF_ERROR(CheckText(p.latest_software_release, "product.latest_software_release", 64, true));
  if (p.standard_warranty_months < 1 || p.standard_warranty_months > 120) {
    return InvalidField("product.standard_warranty_months", "must be between 1 and 120");
  }
  return absl::OkStatus();
}

absl::Status CheckOption(const SupportOption& o, const std::string& field) {
  if (o.level == SupportLevel::kUnspecified) {
    return InvalidField(absl::StrCat(field, ".level"), "is required");
  }
  if (o.term_months < 1 || o.term_months > 60) {
    return InvalidField(absl::StrCat(field, ".term_months"), "must be between 1 and 60");
  }
  return CheckText(o.pre_approval_reference, field + ".pre_approval_reference", 64, false);
}

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

bool IsAdvanceReplacement(SupportLevel l) {
  return l == SupportLevel::kNextBusinessDay || l == SupportLevel::kSameDay;
}

bool IsScoped(const Principal& caller) {
  return caller.role == Role::kCustomer || caller.role == Role::kPartner;
}

std::string PartnerOf(const Principal& caller) {
  return caller.role == Role::kPartner ? caller.partner_id : caller.subject;
}

}  // namespace

int32_t DiscountPolicy::For(Lifecycle lifecycle, Condition condition) const {
  bool eop = lifecycle == Lifecycle::kEndOfProduction;
  bool fresh = condition == Condition::kNew;
  if (eop) return fresh ? eop_new : eop_refurbished;
  return fresh ? current_new : current_refurbished;
}

absl::Status DiscountPolicy::Validate() const {
  for (int32_t bps : {current_new, current_refurbished, eop_new, eop_refurbished}) {
    if (bps < kMinDiscountBps || bps > kMaxDiscountBps) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CPO discounts must be between ", kMinDiscountBps, " and ", kMaxDiscountBps,
          " basis points (20-25%); got ", bps));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> CpoPrice(int64_t list_minor, int32_t discount_bps) {
  if (discount_bps < kMinDiscountBps || discount_bps > kMaxDiscountBps) {
    return absl::InvalidArgumentError("discount must be between 2000 and 2500 basis points");
  }
  if (list_minor <= 0 || list_minor > kMaxListMinor) {
    return absl::InvalidArgumentError("list price is out of range");
  }
  const int64_t lowest = (list_minor * kMinDiscountBps + 9999) / 10000;  // ceil(20%)
  const int64_t highest = list_minor * kMaxDiscountBps / 10000;          // floor(25%)
  if (lowest > highest) {
    return absl::InvalidArgumentError("list price is too small for an exact CPO price");
  }
  int64_t discount = (list_minor * discount_bps + 5000) / 10000;  // half up
  discount = std::clamp(discount, lowest, highest);
  return list_minor - discount;
}

absl::Time AddMonths(absl::Time t, int months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilSecond cs = absl::ToCivilSecond(t, utc);
  absl::Duration sub = t - absl::FromCivil(cs, utc);
  absl::CivilMonth m = absl::CivilMonth(cs) + months;
  absl::CivilDay last = absl::CivilDay(m + 1) - 1;
  int day = std::min<int>(cs.day(), last.day());
  absl::CivilSecond r(m.year(), m.month(), day, cs.hour(), cs.minute(), cs.second());
  return absl::FromCivil(r, utc) + sub;
}

UnitState EffectiveState(const Unit& unit, absl::Time now) {
  if (unit.state == UnitState::kReserved && unit.reserved_until && *unit.reserved_until <= now) {
    return UnitState::kCertified;
  }
  return unit.state;
}

SupportLevel SiteMaxLevel(const InventoryOptions& options, absl::string_view region_code) {
  auto has = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), region_code) != v.end();
  };
  if (has(options.same_day_regions)) return SupportLevel::kSameDay;
  if (has(options.next_business_day_regions)) return SupportLevel::kNextBusinessDay;
  return SupportLevel::kCareCorePlus;
}

absl::StatusOr<std::string> NormalizeSku(const std::string& sku, absl::string_view field) {
  if (sku.empty()) return InvalidField(field, "is required");
  std::string out = absl::AsciiStrToUpper(sku);
  bool ok = out.size() >= 2 && out.size() <= 40;
  for (char c : out) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '+' || c == '/')) ok = false;
  }
  if (!ok) {
    return InvalidField(field, "must be 2-40 characters of A-Z, 0-9, '-', '.', '+' and '/'");
  }
  return out;
}

absl::Status CheckAccountId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return InvalidField(field, "is required");
  bool ok = id.size() <= 64;
  for (char c : id) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.')) ok = false;
  }
  if (!ok) {
    return InvalidField(field, "must be 1-64 characters of A-Z, a-z, 0-9, '-', '_' and '.'");
  }
  return absl::OkStatus();
}

Inventory::Inventory(const Clock& clock, InventoryOptions options,
                     const PageTokenCodec* page_tokens)
    : clock_(clock), options_(std::move(options)), page_tokens_(page_tokens) {}

absl::StatusOr<Unit> Inventory::LoadUnit(const Principal& caller, const std::string& serial,
                                         InventoryRepository& repo, bool for_update,
                                         Reach reach) const {
  ASSIGN_OR_RETURN(std::string s, NormalizeSerial(serial, "serial_number"));
  ASSIGN_OR_RETURN(std::optional<Unit> unit, repo.FindUnit(s, for_update));
  if (!unit) return NotFoundUnit(s);
  if (!Reaches(caller, *unit, reach)) return OutOfScope(absl::StrCat("unit ", s));
  return *std::move(unit);
}

bool Inventory::Reaches(const Principal& caller, const Unit& unit, Reach reach) const {
  if (!IsScoped(caller) || caller.CanAccessAccount(unit.owner_account_id)) return true;
  if (reach != Reach::kCpo || caller.role != Role::kPartner || !caller.cpo_channel) return false;
  const UnitState state = EffectiveState(unit, clock_.Now());
  return state == UnitState::kCertified ||
         (state == UnitState::kReserved && unit.reserved_partner_id == caller.partner_id);
}

absl::StatusOr<Product> Inventory::LoadProduct(const std::string& sku,
                                               InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::optional<Product> p, repo.FindProduct(sku));
  if (!p) return absl::InternalError(absl::StrCat("product ", sku, " of a unit is missing"));
  return *std::move(p);
}

absl::Status Inventory::RecordEvent(const Principal& caller, const Unit& unit,
                                    const std::string& kind, const std::string& detail,
                                    InventoryRepository& repo) const {
  UnitEvent e;
  e.serial = unit.serial;
  e.round = unit.round;
  e.time = clock_.Now();
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kind;
  e.from_state = unit.state;
  e.to_state = unit.state;
  e.detail = detail;
  return repo.AppendEvent(&e);
}

absl::Status Inventory::Transition(const Principal& caller, Unit& unit, UnitState to,
                                   const std::string& detail, InventoryRepository& repo) const {
  UnitEvent e;
  e.serial = unit.serial;
  e.time = clock_.Now();
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kEventStateChange;
  e.from_state = EffectiveState(unit, e.time);
  e.to_state = to;
  e.detail = detail;
  unit.state = to;
  if (to != UnitState::kReserved) {
    unit.reservation_id.clear();
    unit.reserved_partner_id.clear();
    unit.reserved_at.reset();
    unit.reserved_until.reset();
    unit.reserved_price_minor = 0;
    unit.reserved_discount_bps = 0;
  }
  unit.update_time = e.time;
  unit.version += 1;
  e.round = unit.round;
  RETURN_IF_ERROR(repo.SaveUnit(unit));
  return repo.AppendEventWithoutId(e);  // the event's id is not part of any answer
}

// --- Catalog -----------------------------------------------------------------

absl::StatusOr<Product> Inventory::CreateProduct(const Principal& caller, Product p,
                                                 InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(p.sku, NormalizeSku(p.sku, "product.sku"));
  RETURN_IF_ERROR(ValidateProduct(p));
  p.create_time = p.update_time = clock_.Now();
  p.version = 1;
  absl::Status s = repo.InsertProduct(p);
  if (absl::IsAlreadyExists(s)) {
    return absl::AlreadyExistsError(absl::StrCat("product ", p.sku, " already exists"));
  }
  RETURN_IF_ERROR(s);
  return p;
}

absl::StatusOr<Product> Inventory::GetProduct(const Principal&, const std::string& sku,
                                              InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string s, NormalizeSku(sku, "sku"));
  ASSIGN_OR_RETURN(std::optional<Product> p, repo.FindProduct(s));
  if (!p) return absl::NotFoundError(absl::StrCat("product ", s, " not found"));
  return *std::move(p);
}

absl::StatusOr<Page<Product>> Inventory::ListProducts(const Principal&, const ProductFilter& filter,
                                                      int32_t page_size,
                                                      const std::string& page_token,
                                                      InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp =
      QueryFingerprint({"ListProducts", Name(filter.family), Name(filter.lifecycle)});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListProducts(filter, after, size + 1, false, clock_.Now()));
  return MakePage(std::move(rows), size, *page_tokens_, fp, [](const Product& p) { return p.sku; });
}

absl::StatusOr<Product> Inventory::UpdateProduct(const Principal& caller, const Product& patch,
                                                 const std::vector<std::string>& mask,
                                                 const std::string& etag,
                                                 InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string sku, NormalizeSku(patch.sku, "product.sku"));
  if (mask.empty()) return InvalidField("update_mask", "must name at least one field");
  ASSIGN_OR_RETURN(std::optional<Product> found, repo.FindProduct(sku));
  if (!found) return absl::NotFoundError(absl::StrCat("product ", sku, " not found"));
  Product p = *found;
  RETURN_IF_ERROR(CheckEtag(etag, p.version, "product " + sku, "product.etag"));
  for (const std::string& path : mask) {
    if (path == "display_name") {
      p.display_name = patch.display_name;
    } else if (path == "family") {
      p.family = patch.family;
    } else if (path == "series") {
      p.series = patch.series;
    } else if (path == "platform") {
      p.platform = patch.platform;
    } else if (path == "list_price") {
      p.list_price = patch.list_price;
    } else if (path == "lifecycle") {
      p.lifecycle = patch.lifecycle;
    } else if (path == "end_of_production_time") {
      p.end_of_production_time = patch.end_of_production_time;
    } else if (path == "latest_software_release") {
      p.latest_software_release = patch.latest_software_release;
    } else if (path == "standard_warranty_months") {
      p.standard_warranty_months = patch.standard_warranty_months;
    } else {
      return InvalidField(
          "update_mask", absl::StrCat("path '", path.substr(0, 64), "' is not an updatable field"));
    }
  }
  RETURN_IF_ERROR(ValidateProduct(p));
  const int64_t old_version = p.version;
  p.version += 1;
  p.update_time = clock_.Now();
  RETURN_IF_ERROR(repo.UpdateProduct(p, old_version));
  return p;
}

// --- Genuine-serial registry -------------------------------------------------

absl::Status Inventory::ValidateGenuineSerials(std::vector<GenuineSerialEntry>& entries,
                                               int64_t first_index) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string field = absl::StrCat("entries[", first_index + static_cast<int64_t>(i), "]");
    ASSIGN_OR_RETURN(entries[i].serial, NormalizeSerial(entries[i].serial, field + ".serial_number"));
    ASSIGN_OR_RETURN(entries[i].sku, NormalizeSku(entries[i].sku, field + ".sku"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadCounts> Inventory::LoadGenuineSerials(
    const std::vector<GenuineSerialEntry>& entries, InventoryRepository& repo) const {
  if (entries.empty()) return InvalidField("entries", "must not be empty");
  // The last entry of a serial wins.
  std::map<std::string, std::string> unique;
  for (const auto& e : entries) unique[e.serial] = e.sku;
  std::vector<GenuineSerial> rows;
  rows.reserve(unique.size());
  const absl::Time now = clock_.Now();
  for (auto& [serial, sku] : unique) rows.push_back(GenuineSerial{serial, sku, now});
  ASSIGN_OR_RETURN(int64_t inserted, repo.UpsertGenuineSerials(rows));
  LoadCounts counts;
  counts.received = static_cast<int64_t>(entries.size());
  counts.inserted = inserted;
  counts.updated = static_cast<int64_t>(rows.size()) - inserted;
  return counts;
}

absl::StatusOr<GenuineSerial> Inventory::GetGenuineSerial(const Principal& caller,
                                                          const std::string& serial,
                                                          InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(std::string s, NormalizeSerial(serial, "serial_number"));
  ASSIGN_OR_RETURN(std::optional<GenuineSerial> g, repo.FindGenuineSerial(s));
  if (!g) return absl::NotFoundError(absl::StrCat("serial ", s, " is not in the genuine-serial registry"));
  return *std::move(g);
}

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

// --- Certification -----------------------------------------------------------

absl::StatusOr<StepResult> Inventory::RecordCertificationStep(const Principal& caller,
                                                              const StepCommand& cmd,
                                                              InventoryRepository& repo) const {
  if (cmd.step == Step::kUnspecified) return InvalidField("step", "is required");
  RETURN_IF_ERROR(CheckText(cmd.note, "note", 1000, false));
  if (cmd.replaced_parts.size() > 100) {
    return InvalidField("replaced_part_numbers", "must have at most 100 entries");
  }
  for (size_t i = 0; i < cmd.replaced_parts.size(); ++i) {
    RETURN_IF_ERROR(CheckText(cmd.replaced_parts[i], absl::StrCat("replaced_part_numbers[", i, "]"),
                              64, true));
  }
  RETURN_IF_ERROR(CheckText(cmd.software_version, "software_version", 64, false));
  RETURN_IF_ERROR(CheckText(cmd.test_report_reference, "test_report_reference", 200, false));
  if (cmd.step == Step::kComponentRepair && cmd.replaced_parts.empty() == !cmd.no_repair_needed) {
    return InvalidFields(
        {"replaced_part_numbers", "no_repair_needed"},
        "component repair needs either replaced_part_numbers or no_repair_needed (not both)");
  }
  if (cmd.step == Step::kSoftwareUpdate && cmd.software_version.empty()) {
    return InvalidField("software_version", "is required for SOFTWARE_UPDATE");
  }
  if (cmd.step == Step::kQualificationTest && cmd.test_report_reference.empty()) {
    return InvalidField("test_report_reference", "is required for QUALIFICATION_TEST");
  }
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, cmd.serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "recording a certification step",
                               {UnitState::kReceived, UnitState::kInCertification}));
  ASSIGN_OR_RETURN(Product product, LoadProduct(unit.sku, repo));
  if (cmd.step != Step::kSerialVerification) {
    bool verified = false;
    if (unit.state == UnitState::kInCertification) {
      ASSIGN_OR_RETURN(auto steps, repo.StepEvents(unit.serial, unit.round));
      for (const auto& e : steps) {
        if (e.step == Step::kSerialVerification) verified = e.passed;
      }
    }
    if (!verified) {
      return FailedPrecondition(
          "UNIT_STATE", absl::StrCat("units/", unit.serial),
          absl::StrCat(
              "unit ", unit.serial, " is ", Name(unit.state),
              " without a passed SERIAL_VERIFICATION in this round; verify the serial before ",
              Name(cmd.step)));
    }
  }
  if (unit.state == UnitState::kReceived) {
    unit.round += 1;
    RETURN_IF_ERROR(Transition(caller, unit, UnitState::kInCertification,
                               absl::StrCat("certification round ", unit.round, " started"), repo));
  }

  UnitEvent e;
  e.serial = unit.serial;
  e.round = unit.round;
  e.time = now;
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kEventStep;
  e.from_state = e.to_state = unit.state;
  e.step = cmd.step;
  std::string detail;
  bool quarantine = false;
  switch (cmd.step) {
    case Step::kSerialVerification: {
      ASSIGN_OR_RETURN(std::optional<GenuineSerial> g, repo.FindGenuineSerial(unit.serial));
      if (!g) {
        e.passed = false;
        detail = "serial is not in the genuine-serial registry (suspected counterfeit)";
      } else if (g->sku != unit.sku) {
        e.passed = false;
        detail = absl::StrCat("SKU mismatch: registry has ", g->sku, ", unit is ", unit.sku);
      } else {
        e.passed = true;
        detail = "serial and SKU match the genuine-serial registry";
      }
      quarantine = !e.passed;
      break;
    }
    case Step::kComponentRepair:
      e.passed = true;
      detail = cmd.no_repair_needed
                   ? "no repair needed"
                   : absl::StrCat("replaced parts: ", absl::StrJoin(cmd.replaced_parts, ", "));
      break;
    case Step::kSoftwareUpdate:
      e.passed = cmd.software_version == product.latest_software_release;
      detail = e.passed ? absl::StrCat("software ", cmd.software_version, " is the latest release")
                        : absl::StrCat("software ", cmd.software_version,
                                       " is not the latest release ",
                                       product.latest_software_release);
      break;
    case Step::kQualificationTest:
      e.passed = cmd.passed;
      detail = absl::StrCat(cmd.passed ? "passed" : "failed", "; report ", cmd.test_report_reference);
      break;
    default:
      e.passed = cmd.passed;
      detail = cmd.passed ? "passed" : "failed";
      break;
  }
  if (!cmd.note.empty()) absl::StrAppend(&detail, "; note: ", cmd.note);
  e.detail = detail;
  RETURN_IF_ERROR(repo.AppendEvent(&e));
  if (quarantine) {
    unit.quarantine_reason = detail;
    RETURN_IF_ERROR(Transition(caller, unit, UnitState::kQuarantined, detail, repo));
  }
  return StepResult{e, unit};
}

absl::StatusOr<Unit> Inventory::CertifyUnit(const Principal& caller, const std::string& serial,
                                            InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "certifying",
                               {UnitState::kInCertification}));
  ASSIGN_OR_RETURN(auto steps, repo.StepEvents(unit.serial, unit.round));
  // The latest record of each step counts; a repair after the qualification
  // test needs a new test.
  std::map<Step, const UnitEvent*> latest;
  for (const auto& e : steps) latest[e.step] = &e;
  std::vector<std::string> missing;
  for (int i = 1; i <= kStepCount; ++i) {
    Step s = static_cast<Step>(i);
    auto it = latest.find(s);
    if (it == latest.end() || !it->second->passed) missing.push_back(Name(s));
  }
  if (!missing.empty()) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial,
                     " is IN_CERTIFICATION; certifying needs all six steps passed in round ",
                     unit.round, "; not passed: ", absl::StrJoin(missing, ", ")));
  }
  if (latest[Step::kComponentRepair]->id > latest[Step::kQualificationTest]->id) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial,
                     " is IN_CERTIFICATION; it was repaired after its qualification test: "
                     "record QUALIFICATION_TEST again"));
  }
  unit.certificate_id = absl::StrFormat("CPO-%s-%d", unit.serial, unit.round);
  unit.certified_by = caller.subject;
  unit.certify_time = now;
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kCertified,
                             absl::StrCat("certificate ", unit.certificate_id), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::QuarantineUnit(const Principal& caller, const std::string& serial,
                                               const std::string& reason,
                                               InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 500, true));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "quarantining",
                               {UnitState::kReceived, UnitState::kInCertification,
                                UnitState::kCertified, UnitState::kSpare}));
  unit.quarantine_reason = std::string(reason);
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kQuarantined, std::string(reason), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::ScrapUnit(const Principal& caller, const std::string& serial,
                                          const std::string& reason,
                                          InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 500, true));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "scrapping",
                               {UnitState::kReceived, UnitState::kInCertification,
                                UnitState::kCertified, UnitState::kQuarantined,
                                UnitState::kSpare}));
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kScrapped, std::string(reason), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::MoveToSparePool(const Principal& caller, const std::string& serial,
                                                InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "moving to the spare pool",
                               {UnitState::kCertified}));
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kSpare, "moved to the depot spare pool", repo));
  return unit;
}

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
                                            InventoryRepository& repo, Product* product_out) const {
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
  Product product;
  if (!cmd.serial.empty()) {
    ASSIGN_OR_RETURN(unit, LoadUnit(caller, cmd.serial, repo, true, Reach::kCpo));
    RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "reserving",
                                 {UnitState::kCertified}));
    ASSIGN_OR_RETURN(product, LoadProduct(unit.sku, repo));
  } else {
    ASSIGN_OR_RETURN(std::string sku, NormalizeSku(cmd.sku, "sku"));
    ASSIGN_OR_RETURN(std::optional<Product> found, repo.FindProduct(sku));
    if (!found) return InvalidField("sku", absl::StrCat(sku, " is not in the catalog"));
    ASSIGN_OR_RETURN(std::optional<Unit> claimed, repo.ClaimAvailableUnit(sku, cmd.condition, now));
    if (!claimed) {
      return absl::FailedPreconditionError(
          absl::StrCat("no CERTIFIED unit of SKU ", sku, " is available to reserve"));
    }
    unit = *std::move(claimed);
    product = *std::move(found);  // the claimed unit's product: read once
  }
  const int32_t bps = options_.discounts.For(product.lifecycle, unit.condition);
  ASSIGN_OR_RETURN(int64_t price, CpoPrice(product.list_price.amount_minor, bps));
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
                                          " at ", price, " ", product.list_price.currency_code,
                                          " minor units until ",
                                          absl::FormatTime(absl::RFC3339_sec, *unit.reserved_until,
                                                           absl::UTCTimeZone())),
                             repo));
  if (product_out != nullptr) *product_out = std::move(product);
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
