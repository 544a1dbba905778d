// The rules of inventory-svc: who may do what, the unit state machine, CPO
// certification, pricing inside the 20-25% band, warranty and support at sale,
// reservations with a TTL, installed base and entitlement, and the RMA
// operations. Plain C++: the gRPC layer (inventory_grpc.h) calls it with a
// repository bound to one transaction; unit tests call it with a fake.
//
//   Inventory inventory(clock, options, &page_tokens);
//   ASSIGN_OR_RETURN(Unit unit, inventory.CertifyUnit(caller, "JN1234", repo));
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/etag.h"
#include "common/page_token.h"
#include "common/paging.h"
#include "inventory-svc/inventory_repository.h"
#include "inventory-svc/inventory_types.h"

namespace aftercare::inventory {

// The CPO band: a discount is always between these basis points of the list price.
inline constexpr int32_t kMinDiscountBps = 2000;
inline constexpr int32_t kMaxDiscountBps = 2500;
// End-of-production CPO warranty.
inline constexpr int32_t kEopWarrantyMonths = 12;
inline constexpr int32_t kEopReplacementBusinessDays = 20;
inline constexpr absl::Duration kDoaWindow = absl::Hours(24 * 30);

// CPO discount in basis points per lifecycle and condition.
struct DiscountPolicy {
  int32_t current_new = 2000;
  int32_t current_refurbished = 2200;
  int32_t eop_new = 2300;
  int32_t eop_refurbished = 2500;
  int32_t For(Lifecycle lifecycle, Condition condition) const;
  // OK when every entry is inside the band.
  absl::Status Validate() const;
};

struct InventoryOptions {
  absl::Duration reservation_ttl = absl::Hours(72);
  DiscountPolicy discounts;
  // Countries (region codes) where advance replacement can be delivered
  // same day (4 h) / next business day. Return-to-factory levels are served
  // everywhere.
  std::vector<std::string> same_day_regions = {"US", "CA", "GB", "DE", "FR", "NL", "JP", "SG", "AU"};
  std::vector<std::string> next_business_day_regions = {
      "US", "CA", "GB", "DE", "FR", "NL", "JP", "SG", "AU", "IE", "IT", "ES", "SE", "CH",
      "BE", "AT", "DK", "NO", "FI", "PL", "KR", "IN", "BR", "MX", "NZ", "HK", "TW"};
};

// Returns the CPO price of `list_minor` at `discount_bps`, in exact integer
// arithmetic: the discount is rounded half up to a minor unit and then kept
// inside [20%, 25%] of the list price. INVALID_ARGUMENT when the discount is
// outside the band or the list price is too small for an exact price in it.
absl::StatusOr<int64_t> CpoPrice(int64_t list_minor, int32_t discount_bps);

// Returns `t` plus `months` calendar months (UTC; the day is clamped to the
// month's last day).
absl::Time AddMonths(absl::Time t, int months);

// Whether a reservation ending at `reserved_until` has expired at `now`: at
// its end, not a microsecond later. The one comparison of the rule; the
// repository's SQL (ExpiredReservation in mysql_inventory_repository.cc)
// binds `now` to the same `<=`.
inline bool ReservationExpired(absl::Time reserved_until, absl::Time now) {
  return reserved_until <= now;
}

// The state a unit is in at `now`: a RESERVED unit whose reservation has
// expired (ReservationExpired) reads as CERTIFIED.
UnitState EffectiveState(const Unit& unit, absl::Time now);

// The best support level that can be served at a site in `region_code`.
SupportLevel SiteMaxLevel(const InventoryOptions& options, absl::string_view region_code);

// Checks a SKU and returns it upper-cased: 2-40 characters of A-Z, 0-9, '-', '.', '+', '/'.
absl::StatusOr<std::string> NormalizeSku(const std::string& sku, absl::string_view field);
// Checks an account id: 1-64 characters of A-Z, a-z, 0-9, '-', '_', '.'.
absl::Status CheckAccountId(absl::string_view id, absl::string_view field);

struct ReceiveCommand {
  std::string serial;
  std::string sku;
  Source source = Source::kUnspecified;
  Condition condition = Condition::kUnspecified;
  std::string note;
};

struct StepCommand {
  std::string serial;
  Step step = Step::kUnspecified;
  bool passed = false;
  std::vector<std::string> replaced_parts;
  bool no_repair_needed = false;
  std::string software_version;
  std::string test_report_reference;
  std::string note;
};

struct StepResult {
  UnitEvent event;
  Unit unit;
};

struct ReserveCommand {
  std::string serial;  // one of serial and sku
  std::string sku;
  std::string ship_to_region_code;
  Condition condition = Condition::kUnspecified;
};

struct SupportOption {
  SupportLevel level = SupportLevel::kUnspecified;
  int32_t term_months = 0;
  std::string pre_approval_reference;
};

struct SellCommand {
  std::string serial;
  std::string buyer_account_id;
  std::vector<SupportOption> support_options;
  PostalAddress site;
};

struct SaleResult {
  Unit unit;
  std::vector<Contract> contracts;
  Entitlement entitlement;
};

struct RegisterCommand {
  std::string serial;
  std::string sku;
  std::string account_id;
  PostalAddress site;
  std::optional<absl::Time> ship_time;
};

struct SiteMoveCommand {
  std::string serial;
  PostalAddress site;
  SupportLevel accepted_level = SupportLevel::kUnspecified;
  std::string etag;
};

struct SiteMoveResult {
  bool applied = false;
  SupportLevel contracted_level = SupportLevel::kUnspecified;
  SupportLevel offered_level = SupportLevel::kUnspecified;
  std::string message;
  Unit unit;
};

struct EntitlementKey {
  std::string serial;
  std::string ssrn;
  std::string contract_id;
};

struct IntakeCommand {
  std::string serial;
  Source source = Source::kUnspecified;
  std::string sku;
  std::string reference;
};

struct SwapCommand {
  std::string defective_serial;
  std::string replacement_serial;
  std::string rma_number;
  std::optional<absl::Time> ship_time;
};

struct SwapResult {
  Unit defective;
  Unit replacement;
};

struct LoadCounts {
  int64_t received = 0;
  int64_t inserted = 0;
  int64_t updated = 0;
};

struct GenuineSerialEntry {
  std::string serial;
  std::string sku;
};

class Inventory {
 public:
  Inventory(const Clock& clock, InventoryOptions options, const PageTokenCodec* page_tokens);

  const InventoryOptions& options() const { return options_; }

  // --- Catalog -------------------------------------------------------------
  absl::StatusOr<Product> CreateProduct(const Principal& caller, Product product,
                                        InventoryRepository& repo) const;
  absl::StatusOr<Product> GetProduct(const Principal& caller, const std::string& sku,
                                     InventoryRepository& repo) const;
  absl::StatusOr<Page<Product>> ListProducts(const Principal& caller, const ProductFilter& filter,
                                             int32_t page_size, const std::string& page_token,
                                             InventoryRepository& repo) const;
  // Replaces the fields named in `mask` (proto field names) of the stored product.
  absl::StatusOr<Product> UpdateProduct(const Principal& caller, const Product& patch,
                                        const std::vector<std::string>& mask,
                                        const std::string& etag, InventoryRepository& repo) const;

  // --- Genuine-serial registry ---------------------------------------------
  // Checks a batch of entries before anything is written; `first_index` is
  // the index of entries[0] in the whole stream (for error messages).
  absl::Status ValidateGenuineSerials(std::vector<GenuineSerialEntry>& entries,
                                      int64_t first_index) const;
  // Writes validated entries.
  absl::StatusOr<LoadCounts> LoadGenuineSerials(const std::vector<GenuineSerialEntry>& entries,
                                                InventoryRepository& repo) const;
  absl::StatusOr<GenuineSerial> GetGenuineSerial(const Principal& caller, const std::string& serial,
                                                 InventoryRepository& repo) const;

  // --- Units ---------------------------------------------------------------
  absl::StatusOr<Unit> ReceiveUnit(const Principal& caller, const ReceiveCommand& cmd,
                                   InventoryRepository& repo) const;
  absl::StatusOr<Unit> GetUnit(const Principal& caller, const std::string& serial,
                               InventoryRepository& repo) const;
  absl::StatusOr<Page<Unit>> ListUnits(const Principal& caller, UnitFilter filter,
                                       int32_t page_size, const std::string& page_token,
                                       InventoryRepository& repo) const;
  absl::StatusOr<Page<UnitEvent>> ListUnitEvents(const Principal& caller, const std::string& serial,
                                                 int32_t page_size, const std::string& page_token,
                                                 InventoryRepository& repo) const;

  // --- Certification -------------------------------------------------------
  absl::StatusOr<StepResult> RecordCertificationStep(const Principal& caller,
                                                     const StepCommand& cmd,
                                                     InventoryRepository& repo) const;
  absl::StatusOr<Unit> CertifyUnit(const Principal& caller, const std::string& serial,
                                   InventoryRepository& repo) const;
  absl::StatusOr<Unit> QuarantineUnit(const Principal& caller, const std::string& serial,
                                      const std::string& reason, InventoryRepository& repo) const;
  absl::StatusOr<Unit> ScrapUnit(const Principal& caller, const std::string& serial,
                                 const std::string& reason, InventoryRepository& repo) const;
  absl::StatusOr<Unit> MoveToSparePool(const Principal& caller, const std::string& serial,
                                       InventoryRepository& repo) const;

  // --- Selling CPO ---------------------------------------------------------
  absl::StatusOr<Page<Offer>> ListCpoOffers(const Principal& caller, const ProductFilter& filter,
                                            bool in_stock_only, int32_t page_size,
                                            const std::string& page_token,
                                            InventoryRepository& repo) const;
  // Reserves a CERTIFIED unit (by serial, or the first free one of a SKU).
  // `price`, when given, receives what the unit's price was computed from,
  // so that the caller need not read its product again.
  absl::StatusOr<Unit> ReserveUnit(const Principal& caller, const ReserveCommand& cmd,
                                   InventoryRepository& repo,
                                   CpoPriceBasis* price = nullptr) const;
  absl::StatusOr<Unit> ReleaseReservation(const Principal& caller, const std::string& serial,
                                          InventoryRepository& repo) const;
  absl::StatusOr<SaleResult> SellUnit(const Principal& caller, const SellCommand& cmd,
                                      InventoryRepository& repo) const;

  // --- Installed base and entitlement --------------------------------------
  absl::StatusOr<Unit> RegisterProduct(const Principal& caller, const RegisterCommand& cmd,
                                       InventoryRepository& repo) const;
  absl::StatusOr<SiteMoveResult> UpdateInstalledBase(const Principal& caller,
                                                     const SiteMoveCommand& cmd,
                                                     InventoryRepository& repo) const;
  absl::StatusOr<Unit> TransferOwnership(const Principal& caller, const std::string& serial,
                                         const std::string& new_account_id,
                                         const std::string& etag, InventoryRepository& repo) const;
  absl::StatusOr<Unit> FlagGreyMarket(const Principal& caller, const std::string& serial,
                                      const std::string& reason, InventoryRepository& repo) const;
  absl::StatusOr<Unit> ReinstateUnit(const Principal& caller, const std::string& serial,
                                     const std::string& case_id, const std::string& inspection_ref,
                                     InventoryRepository& repo) const;
  absl::StatusOr<Contract> CreateSupportContract(const Principal& caller, const std::string& serial,
                                                 const SupportOption& option,
                                                 InventoryRepository& repo) const;
  absl::StatusOr<Entitlement> GetEntitlement(const Principal& caller, const EntitlementKey& key,
                                             InventoryRepository& repo) const;
  absl::StatusOr<Page<Unit>> ListInstalledBase(const Principal& caller,
                                               const std::string& account_id, int32_t page_size,
                                               const std::string& page_token,
                                               InventoryRepository& repo) const;

  // --- For RMAs ------------------------------------------------------------
  absl::StatusOr<Unit> AllocateSpare(const Principal& caller, const std::string& sku,
                                     const std::string& rma_number, InventoryRepository& repo) const;
  absl::StatusOr<Unit> ReleaseSpare(const Principal& caller, const std::string& serial,
                                    const std::string& rma_number, InventoryRepository& repo) const;
  absl::StatusOr<Unit> IntakeReturnedUnit(const Principal& caller, const IntakeCommand& cmd,
                                          InventoryRepository& repo) const;
  absl::StatusOr<SwapResult> SwapInstalledBase(const Principal& caller, const SwapCommand& cmd,
                                               InventoryRepository& repo) const;

  // Computes the entitlement of a unit at `now` (no access checks).
  Entitlement ComputeEntitlement(const Unit& unit, const Product& product,
                                 std::vector<Contract> contracts, absl::Time now) const;
  // The offer of one product from its stock counts.
  Offer BuildOffer(const Product& product, const std::vector<StockCount>& stock) const;

 private:
  // How far a scoped caller (customer, partner) reaches units.
  enum class Reach {
    kOwned,  // units owned by one of the accounts in its token
    kCpo,    // those, and for a CPO partner CERTIFIED units and its own reservations
  };
  // The one way the domain loads a unit for a caller: NOT_FOUND "unit <serial>
  // not found" when it does not exist or is out of the caller's reach
  // (OutOfScope: the same answer). Unscoped roles reach every unit.
  absl::StatusOr<Unit> LoadUnit(const Principal& caller, const std::string& serial,
                                InventoryRepository& repo, bool for_update,
                                Reach reach = Reach::kOwned) const;
  // Whether `caller` reaches `unit` (see Reach).
  bool Reaches(const Principal& caller, const Unit& unit, Reach reach) const;
  absl::StatusOr<Product> LoadProduct(const std::string& sku, InventoryRepository& repo) const;
  // Moves `unit` to `to` (version, time) and records the change in its history.
  absl::Status Transition(const Principal& caller, Unit& unit, UnitState to,
                          const std::string& detail, InventoryRepository& repo) const;
  absl::Status RecordEvent(const Principal& caller, const Unit& unit, const std::string& kind,
                           const std::string& detail, InventoryRepository& repo) const;
  // ReceiveUnit after the role check (also used by IntakeReturnedUnit).
  absl::StatusOr<Unit> Receive(const Principal& caller, const ReceiveCommand& cmd,
                               InventoryRepository& repo) const;
  // Clears the installed-base fields when a unit comes back into stock.
  absl::Status ReturnToStock(const Principal& caller, Unit& unit, Source source,
                             const std::string& detail, InventoryRepository& repo) const;

  const Clock& clock_;
  InventoryOptions options_;
  const PageTokenCodec* page_tokens_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_H_
