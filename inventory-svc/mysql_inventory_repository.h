// The MySQL/MariaDB implementation of inventory-svc's storage: every SQL
// statement of the service is in mysql_inventory_repository.cc. Statements
// are prepared with `?` placeholders (cached per connection); times are
// BIGINT microseconds; enums are stored by name.
//
//   MysqlInventoryStore store(&pool, &clock);
//   store.Read("get unit", [&](InventoryRepository& repo) { ... });
#ifndef AFTERCARE_INVENTORY_SVC_MYSQL_INVENTORY_REPOSITORY_H_
#define AFTERCARE_INVENTORY_SVC_MYSQL_INVENTORY_REPOSITORY_H_

#include <map>

#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "inventory-svc/inventory_repository.h"

namespace aftercare::inventory {

// An InventoryRepository bound to one connection (and its open transaction).
class MysqlInventoryRepository : public InventoryRepository {
 public:
  explicit MysqlInventoryRepository(db::Connection& conn) : conn_(conn) {}

  absl::StatusOr<std::optional<Product>> FindProduct(const std::string& sku) override;
  absl::Status InsertProduct(const Product& p) override;
  absl::Status UpdateProduct(const Product& p, int64_t expected_version) override;
  absl::StatusOr<std::vector<Product>> ListProducts(const ProductFilter& filter,
                                                    const std::string& after_sku, int limit,
                                                    bool in_stock_only, absl::Time now) override;
  absl::StatusOr<std::optional<GenuineSerial>> FindGenuineSerial(const std::string& serial) override;
  absl::StatusOr<int64_t> UpsertGenuineSerials(const std::vector<GenuineSerial>& rows) override;
  absl::StatusOr<std::optional<Unit>> FindUnit(const std::string& serial, bool for_update) override;
  absl::StatusOr<std::optional<EntitlementFacts>> FindEntitlementFacts(
      const std::string& serial) override;
  absl::StatusOr<std::optional<Unit>> FindUnitBySsrn(const std::string& ssrn) override;
  absl::Status InsertUnit(Unit* unit) override;
  absl::Status SaveUnit(const Unit& unit) override;
  absl::StatusOr<std::optional<ClaimedUnit>> ClaimAvailableUnit(const std::string& sku,
                                                                Condition condition,
                                                                absl::Time now) override;
  absl::StatusOr<std::optional<Unit>> ClaimSpare(const std::string& sku) override;
  absl::StatusOr<std::optional<Unit>> FindUnitByRma(const std::string& rma_number) override;
  absl::StatusOr<std::vector<Unit>> ListUnits(const UnitFilter& filter,
                                              const std::string& after_serial, int limit,
                                              absl::Time now) override;
  absl::StatusOr<std::vector<StockCount>> CountAvailable(const std::string& sku,
                                                         absl::Time now) override;
  absl::Status AppendEvent(UnitEvent* event) override;
  absl::Status AppendEventWithoutId(const UnitEvent& event) override;
  absl::StatusOr<std::vector<UnitEvent>> ListEvents(const std::string& serial, int64_t after_id,
                                                    int limit) override;
  absl::StatusOr<std::vector<UnitEvent>> StepEvents(const std::string& serial,
                                                    int32_t round) override;
  absl::Status InsertContract(Contract* contract) override;
  absl::Status UpdateContract(const Contract& contract) override;
  absl::StatusOr<std::vector<Contract>> ContractsOf(const std::string& serial) override;
  absl::StatusOr<std::optional<Contract>> FindContract(int64_t id) override;

 private:
  absl::StatusOr<std::optional<Unit>> QueryOneUnit(const std::string& sql,
                                                   const std::vector<std::string>& args);
  db::Connection& conn_;
};

// Runs repository work on the service's pool: writes in idempotent
// transactions, reads in autocommit mode.
class MysqlInventoryStore : public MysqlStore<InventoryStore, MysqlInventoryRepository> {
 public:
  using MysqlStore::MysqlStore;


  // Records the expiry of reservations past their TTL in the units' history
  // and makes them CERTIFIED again (at most `limit` per call). Reads treat an
  // expired reservation as available anyway; this only tidies the history.
  absl::StatusOr<int> SweepExpiredReservations(absl::Time now, int limit);

  // Counts units by effective state at `now` (for the aftercare_inventory_units gauge).
  absl::StatusOr<std::map<UnitState, int64_t>> CountByState(absl::Time now);
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_MYSQL_INVENTORY_REPOSITORY_H_
