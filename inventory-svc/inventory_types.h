// The domain model of inventory-svc: products, units, certification events,
// support contracts and entitlement, as plain C++ values. The gRPC layer
// converts them from and to aftercare.inventory.v1 messages; the repository
// stores them. Enum values equal the proto enum numbers.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_TYPES_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/postal_address.h"

namespace aftercare::inventory {

enum class Family { kUnspecified = 0, kSwitching, kRouting, kSecurity, kWireless, kAccessory };
enum class Lifecycle { kUnspecified = 0, kCurrent, kEndOfProduction };
enum class Source {
  kUnspecified = 0,
  kDemoReturn,
  kRmaReturn,
  kStockRotation,
  kFactoryOverstock,
  kOpenMarket,
  kTradeIn,
  kNewSale,
};
enum class Condition { kUnspecified = 0, kNew, kRefurbished };
enum class UnitState {
  kUnspecified = 0,
  kReceived,
  kInCertification,
  kCertified,
  kReserved,
  kSold,
  kQuarantined,
  kScrapped,
  kSpare,
  kAllocated,
  kInService,
  kAwaitingReturn,
};
enum class Step {
  kUnspecified = 0,
  kSerialVerification,
  kComponentRepair,
  kSoftwareUpdate,
  kConfigurationReset,
  kPackagingAndLabeling,
  kQualificationTest,
};
inline constexpr int kStepCount = 6;
enum class SupportLevel { kUnspecified = 0, kCareCore, kCareCorePlus, kNextBusinessDay, kSameDay };
enum class WarrantyKind { kUnspecified = 0, kStandard, kCpoEndOfProduction };
enum class WarrantyStatus { kUnspecified = 0, kActive, kExpired, kNone };

// Names used in messages and in the database ("CERTIFIED", "RMA_RETURN", ...).
const char* Name(Family v);
const char* Name(Lifecycle v);
const char* Name(Source v);
const char* Name(Condition v);
const char* Name(UnitState v);
const char* Name(Step v);
const char* Name(SupportLevel v);
const char* Name(WarrantyKind v);
// Parses a Name(); false for unknown names.
bool ParseName(absl::string_view s, Family* v);
bool ParseName(absl::string_view s, Lifecycle* v);
bool ParseName(absl::string_view s, Source* v);
bool ParseName(absl::string_view s, Condition* v);
bool ParseName(absl::string_view s, UnitState* v);
bool ParseName(absl::string_view s, Step* v);
bool ParseName(absl::string_view s, SupportLevel* v);
bool ParseName(absl::string_view s, WarrantyKind* v);

struct Money {
  std::string currency_code;  // "USD"
  int64_t amount_minor = 0;
};

// What a CPO unit's price is computed from: its product's list price and
// lifecycle.
struct CpoPriceBasis {
  Money list_price;
  Lifecycle lifecycle = Lifecycle::kUnspecified;
};

struct Product {
  std::string sku;
  std::string display_name;
  Family family = Family::kUnspecified;
  std::string series;
  std::string platform;
  Money list_price;
  Lifecycle lifecycle = Lifecycle::kUnspecified;
  std::optional<absl::Time> end_of_production_time;
  std::string latest_software_release;
  int32_t standard_warranty_months = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  int64_t version = 0;
};

struct Unit {
  int64_t id = 0;  // assigned by the repository
  std::string serial;
  std::string sku;
  UnitState state = UnitState::kUnspecified;  // as stored; see EffectiveState
  Source source = Source::kUnspecified;
  Condition condition = Condition::kUnspecified;
  int32_t round = 0;
  std::string certificate_id;
  std::string certified_by;
  std::optional<absl::Time> certify_time;
  // Reservation (state RESERVED).
  std::string reservation_id;
  std::string reserved_partner_id;
  std::optional<absl::Time> reserved_at;
  std::optional<absl::Time> reserved_until;
  int64_t reserved_price_minor = 0;
  int32_t reserved_discount_bps = 0;
  // Sale and installed base.
  std::string owner_account_id;
  std::string original_purchaser_account_id;
  PostalAddress site;
  std::string ssrn;
  std::optional<absl::Time> ship_time;
  int64_t sale_price_minor = 0;
  std::string currency_code;
  std::string sold_by_partner_id;
  WarrantyKind warranty_kind = WarrantyKind::kUnspecified;
  std::optional<absl::Time> warranty_end;
  bool grey_market = false;
  std::string allocated_rma;
  std::string quarantine_reason;
  absl::Time receive_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  int64_t version = 0;
};

// A unit ClaimAvailableUnit locked, with its product's price basis read in
// the same statement: nullopt when its SKU is not in the catalog.
struct ClaimedUnit {
  Unit unit;
  std::optional<CpoPriceBasis> price;
};

// One entry of a unit's history.
struct UnitEvent {
  int64_t id = 0;
  std::string serial;
  int32_t round = 0;
  absl::Time time = absl::UnixEpoch();
  std::string actor;
  std::string actor_role;
  std::string kind;  // kEvent* below
  UnitState from_state = UnitState::kUnspecified;
  UnitState to_state = UnitState::kUnspecified;
  Step step = Step::kUnspecified;
  bool passed = false;
  std::string detail;
};
inline constexpr char kEventStateChange[] = "STATE_CHANGE";
inline constexpr char kEventStep[] = "CERTIFICATION_STEP";
inline constexpr char kEventOwnership[] = "OWNERSHIP";
inline constexpr char kEventSite[] = "SITE";
inline constexpr char kEventGreyMarket[] = "GREY_MARKET";
inline constexpr char kEventContract[] = "CONTRACT";

struct Contract {
  int64_t id = 0;  // assigned by the repository; contract id "CT%08d"
  std::string serial;
  std::string account_id;
  SupportLevel level = SupportLevel::kUnspecified;
  absl::Time start = absl::UnixEpoch();
  absl::Time end = absl::UnixEpoch();
  bool purchased_at_sale = false;
  std::string pre_approval_reference;
};

struct GenuineSerial {
  std::string serial;
  std::string sku;
  absl::Time load_time = absl::UnixEpoch();
};

struct Entitlement {
  Unit unit;
  Product product;
  std::vector<Contract> contracts;
  WarrantyStatus warranty_status = WarrantyStatus::kNone;
  int32_t replacement_business_days = 0;
  std::optional<absl::Time> doa_end;
  bool within_doa = false;
  bool entitled = false;
  bool advance_replacement = false;
  SupportLevel best_level = SupportLevel::kUnspecified;
};

struct OfferLine {
  Condition condition = Condition::kUnspecified;
  int64_t available = 0;
  int64_t price_minor = 0;
  int32_t discount_bps = 0;
};

struct Offer {
  Product product;
  std::vector<OfferLine> lines;
  int64_t available = 0;
  WarrantyKind warranty_kind = WarrantyKind::kUnspecified;
  int32_t warranty_months = 0;
  std::string warranty_summary;
  std::vector<SupportLevel> support_levels;
};

// Formats and parses the public ids derived from repository ids.
std::string FormatContractId(int64_t id);  // "CT00000042"
std::optional<int64_t> ParseContractId(absl::string_view s);

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_TYPES_H_
