// The storage interface of inventory-svc. The domain (inventory.h) runs its
// rules against an InventoryRepository that is bound to one transaction; the
// MySQL implementation (mysql_inventory_repository.h) holds all SQL, and unit
// tests use an in-memory fake.
//
// Atomicity: every read "for update" locks the row until the transaction
// ends, and Claim* picks the first free row that no other transaction holds
// (SKIP LOCKED), so a unit is never reserved, sold or allocated twice.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_REPOSITORY_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "common/repository_store.h"
#include "common/status.h"
#include "inventory-svc/inventory_types.h"

namespace aftercare::inventory {

// What an entitlement is computed from (InventoryRepository::FindEntitlementFacts).
struct EntitlementFacts {
  Unit unit;
  std::optional<Product> product;
  std::vector<Contract> contracts;  // by id
};

struct ProductFilter {
  Family family = Family::kUnspecified;
  Lifecycle lifecycle = Lifecycle::kUnspecified;
};

struct UnitFilter {
  std::string sku;
  UnitState state = UnitState::kUnspecified;  // effective state
  Source source = Source::kUnspecified;
  Family family = Family::kUnspecified;
  Lifecycle lifecycle = Lifecycle::kUnspecified;
  std::string owner_account_id;  // installed base
};

// Available CPO units of one SKU by condition.
struct StockCount {
  Condition condition = Condition::kUnspecified;
  int64_t count = 0;
};

class InventoryRepository {
 public:
  virtual ~InventoryRepository() = default;

  // Products. InsertProduct: ALREADY_EXISTS for a known SKU. UpdateProduct
  // writes `p` when the stored version is `expected_version` (ABORTED otherwise).
  virtual absl::StatusOr<std::optional<Product>> FindProduct(const std::string& sku) = 0;
  virtual absl::Status InsertProduct(const Product& p) = 0;
  virtual absl::Status UpdateProduct(const Product& p, int64_t expected_version) = 0;
  // Products with sku > after_sku, by SKU, at most `limit`.
  virtual absl::StatusOr<std::vector<Product>> ListProducts(const ProductFilter& filter,
                                                            const std::string& after_sku,
                                                            int limit, bool in_stock_only,
                                                            absl::Time now) = 0;

  // Genuine-serial registry.
  virtual absl::StatusOr<std::optional<GenuineSerial>> FindGenuineSerial(
      const std::string& serial) = 0;
  // Inserts or replaces; returns how many were new.
  virtual absl::StatusOr<int64_t> UpsertGenuineSerials(const std::vector<GenuineSerial>& rows) = 0;

  // Units. `for_update` locks the row until the transaction ends.
  virtual absl::StatusOr<std::optional<Unit>> FindUnit(const std::string& serial,
                                                       bool for_update) = 0;
  virtual absl::StatusOr<std::optional<Unit>> FindUnitBySsrn(const std::string& ssrn) = 0;
  // Sets unit->id. ALREADY_EXISTS for a known serial.
  virtual absl::Status InsertUnit(Unit* unit) = 0;
  // Writes `unit` when the stored version is unit.version - 1 (ABORTED otherwise).
  virtual absl::Status SaveUnit(const Unit& unit) = 0;
  // Locks and returns the first available CPO unit of `sku` (CERTIFIED, or
  // RESERVED past its expiry), preferring `condition` when given, with its
  // product's price basis (read, not locked). Nothing when no unit is free,
  // whether or not the SKU is in the catalog.
  virtual absl::StatusOr<std::optional<ClaimedUnit>> ClaimAvailableUnit(const std::string& sku,
                                                                        Condition condition,
                                                                        absl::Time now) = 0;
  // Locks and returns the first SPARE unit of `sku`.
  virtual absl::StatusOr<std::optional<Unit>> ClaimSpare(const std::string& sku) = 0;
  // The unit ALLOCATED to an RMA, if any.
  virtual absl::StatusOr<std::optional<Unit>> FindUnitByRma(const std::string& rma_number) = 0;
  // Units with serial > after_serial matching `filter` (state is the
  // effective state at `now`), by serial, at most `limit`.
  virtual absl::StatusOr<std::vector<Unit>> ListUnits(const UnitFilter& filter,
                                                      const std::string& after_serial, int limit,
                                                      absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<StockCount>> CountAvailable(const std::string& sku,
                                                                 absl::Time now) = 0;

  // History. Sets event->id.
  virtual absl::Status AppendEvent(UnitEvent* event) = 0;
  // Appends `event` without reading its id back (a state change's event,
  // whose id no answer shows): one statement fewer than AppendEvent.
  virtual absl::Status AppendEventWithoutId(const UnitEvent& event) {
    UnitEvent copy = event;
    return AppendEvent(&copy);
  }
  virtual absl::StatusOr<std::vector<UnitEvent>> ListEvents(const std::string& serial,
                                                            int64_t after_id, int limit) = 0;
  // The certification-step events of one round, oldest first.
  virtual absl::StatusOr<std::vector<UnitEvent>> StepEvents(const std::string& serial,
                                                            int32_t round) = 0;

  // Support contracts. Sets contract->id.
  virtual absl::Status InsertContract(Contract* contract) = 0;
  virtual absl::Status UpdateContract(const Contract& contract) = 0;
  virtual absl::StatusOr<std::vector<Contract>> ContractsOf(const std::string& serial) = 0;
  virtual absl::StatusOr<std::optional<Contract>> FindContract(int64_t id) = 0;

  // The unit `serial` with its product (nullopt if the catalog lacks it) and
  // its contracts by id: what an entitlement is computed from. nullopt when
  // the unit does not exist. This default reads them one after the other;
  // the MySQL repository reads them in one statement.
  virtual absl::StatusOr<std::optional<EntitlementFacts>> FindEntitlementFacts(
      const std::string& serial) {
    ASSIGN_OR_RETURN(std::optional<Unit> unit, FindUnit(serial, false));
    if (!unit) return std::nullopt;
    EntitlementFacts facts;
    ASSIGN_OR_RETURN(facts.product, FindProduct(unit->sku));
    ASSIGN_OR_RETURN(facts.contracts, ContractsOf(unit->serial));
    facts.unit = *std::move(unit);
    return facts;
  }
};

// Runs repository work in transactions (common/repository_store.h).
class InventoryStore : public RepositoryStore<InventoryRepository> {
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_REPOSITORY_H_
