// The Inventory class's shared parts: the free rules (pricing, months, the
// effective state, site levels, SKU and account checks), the helpers of
// inventory_internal.h, and how a unit is loaded, scoped and moved between
// states. Each sub-domain's operations are in their own file (catalog.cc,
// genuine_serials.cc, units.cc, certification.cc, cpo_sales.cc,
// installed_base.cc, entitlement.cc, spares.cc).
#include "inventory-svc/inventory.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {
namespace {

std::string StateList(std::initializer_list<UnitState> states) {
  std::vector<std::string> names;
  for (UnitState s : states) names.push_back(Name(s));
  return absl::StrJoin(names, " or ");
}

bool In(UnitState s, std::initializer_list<UnitState> states) {
  return std::find(states.begin(), states.end(), s) != states.end();
}

}  // namespace

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

bool IsScoped(const Principal& caller) {
  return caller.role == Role::kCustomer || caller.role == Role::kPartner;
}

std::string PartnerOf(const Principal& caller) {
  return caller.role == Role::kPartner ? caller.partner_id : caller.subject;
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
  if (unit.state == UnitState::kReserved && unit.reserved_until &&
      ReservationExpired(*unit.reserved_until, now)) {
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

}  // namespace aftercare::inventory
