// An in-memory InventoryRepository for unit tests of the domain. It keeps
// everything in maps, checks versions like the MySQL implementation, and has
// no transactions (a failed call may leave partial writes, which the tests
// never rely on).
#ifndef AFTERCARE_INVENTORY_SVC_FAKE_INVENTORY_REPOSITORY_H_
#define AFTERCARE_INVENTORY_SVC_FAKE_INVENTORY_REPOSITORY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_repository.h"

namespace aftercare::inventory {

// The product every inventory-svc test catalog starts with (unit tests, the
// use-case fixture, the domain fuzzer): a current EX4300-48T switch with a
// 12-month standard warranty.
inline Product Ex4300Product() {
  Product p;
  p.sku = "EX4300-48T";
  p.display_name = "EX4300";
  p.family = Family::kSwitching;
  p.series = "EX Series";
  p.platform = "EX4300";
  p.list_price = {"USD", 1'234'567};
  p.lifecycle = Lifecycle::kCurrent;
  p.latest_software_release = "21.4R3-S5";
  p.standard_warranty_months = 12;
  return p;
}

class FakeInventoryRepository : public InventoryRepository {
 public:
  std::map<std::string, Product> products;
  std::map<std::string, GenuineSerial> registry;
  std::map<std::string, Unit> units;
  std::vector<UnitEvent> events;
  std::map<int64_t, Contract> contracts;
  int64_t next_unit_id = 1;

  absl::StatusOr<std::optional<Product>> FindProduct(const std::string& sku) override {
    auto it = products.find(sku);
    if (it == products.end()) return std::nullopt;
    return it->second;
  }
  absl::Status InsertProduct(const Product& p) override {
    if (!products.emplace(p.sku, p).second) return absl::AlreadyExistsError("dup");
    return absl::OkStatus();
  }
  absl::Status UpdateProduct(const Product& p, int64_t expected_version) override {
    auto it = products.find(p.sku);
    if (it == products.end() || it->second.version != expected_version) {
      return absl::AbortedError("stale");
    }
    it->second = p;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Product>> ListProducts(const ProductFilter& f,
                                                    const std::string& after, int limit,
                                                    bool in_stock_only, absl::Time now) override {
    std::vector<Product> out;
    for (const auto& [sku, p] : products) {
      if (sku <= after) continue;
      if (f.family != Family::kUnspecified && p.family != f.family) continue;
      if (f.lifecycle != Lifecycle::kUnspecified && p.lifecycle != f.lifecycle) continue;
      if (in_stock_only) {
        auto counts = *CountAvailable(sku, now);
        if (counts.empty()) continue;
      }
      out.push_back(p);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<std::optional<GenuineSerial>> FindGenuineSerial(const std::string& s) override {
    auto it = registry.find(s);
    if (it == registry.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<int64_t> UpsertGenuineSerials(const std::vector<GenuineSerial>& rows) override {
    int64_t inserted = 0;
    for (const auto& r : rows) inserted += registry.insert_or_assign(r.serial, r).second ? 1 : 0;
    return inserted;
  }
  absl::StatusOr<std::optional<Unit>> FindUnit(const std::string& serial, bool) override {
    auto it = units.find(serial);
    if (it == units.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<std::optional<Unit>> FindUnitBySsrn(const std::string& ssrn) override {
    for (const auto& [s, u] : units) {
      if (u.ssrn == ssrn) return u;
    }
    return std::nullopt;
  }
  absl::Status InsertUnit(Unit* unit) override {
    if (units.count(unit->serial)) return absl::AlreadyExistsError("dup");
    unit->id = next_unit_id++;
    units[unit->serial] = *unit;
    return absl::OkStatus();
  }
  absl::Status SaveUnit(const Unit& unit) override {
    auto it = units.find(unit.serial);
    if (it == units.end() || it->second.version != unit.version - 1) {
      return absl::AbortedError("stale unit");
    }
    it->second = unit;
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<ClaimedUnit>> ClaimAvailableUnit(const std::string& sku,
                                                                Condition c,
                                                                absl::Time now) override {
    for (const auto& [s, u] : units) {
      if (u.sku == sku && EffectiveState(u, now) == UnitState::kCertified &&
          (c == Condition::kUnspecified || u.condition == c)) {
        ClaimedUnit claimed{u, std::nullopt};
        if (auto p = products.find(sku); p != products.end()) {
          claimed.price = CpoPriceBasis{p->second.list_price, p->second.lifecycle};
        }
        return claimed;
      }
    }
    return std::nullopt;
  }
  absl::StatusOr<std::optional<Unit>> ClaimSpare(const std::string& sku) override {
    for (const auto& [s, u] : units) {
      if (u.sku == sku && u.state == UnitState::kSpare) return u;
    }
    return std::nullopt;
  }
  absl::StatusOr<std::optional<Unit>> FindUnitByRma(const std::string& rma) override {
    for (const auto& [s, u] : units) {
      if (u.allocated_rma == rma && u.state == UnitState::kAllocated) return u;
    }
    return std::nullopt;
  }
  absl::StatusOr<std::vector<Unit>> ListUnits(const UnitFilter& f, const std::string& after,
                                              int limit, absl::Time now) override {
    std::vector<Unit> out;
    for (const auto& [s, u] : units) {
      if (s <= after) continue;
      if (!f.sku.empty() && u.sku != f.sku) continue;
      if (f.state != UnitState::kUnspecified && EffectiveState(u, now) != f.state) continue;
      if (f.source != Source::kUnspecified && u.source != f.source) continue;
      // The product's family and lifecycle, as MySQL joins them.
      if (f.family != Family::kUnspecified || f.lifecycle != Lifecycle::kUnspecified) {
        auto product = products.find(u.sku);
        if (product == products.end()) continue;
        if (f.family != Family::kUnspecified && product->second.family != f.family) continue;
        if (f.lifecycle != Lifecycle::kUnspecified && product->second.lifecycle != f.lifecycle) {
          continue;
        }
      }
      if (!f.owner_account_id.empty() &&
          (u.owner_account_id != f.owner_account_id ||
           (u.state != UnitState::kSold && u.state != UnitState::kInService))) {
        continue;
      }
      out.push_back(u);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<std::vector<StockCount>> CountAvailable(const std::string& sku,
                                                         absl::Time now) override {
    std::map<Condition, int64_t> counts;
    for (const auto& [s, u] : units) {
      if (u.sku == sku && EffectiveState(u, now) == UnitState::kCertified) counts[u.condition]++;
    }
    std::vector<StockCount> out;
    for (auto& [c, n] : counts) out.push_back({c, n});
    return out;
  }
  absl::Status AppendEvent(UnitEvent* e) override {
    e->id = static_cast<int64_t>(events.size()) + 1;
    events.push_back(*e);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<UnitEvent>> ListEvents(const std::string& serial, int64_t after_id,
                                                    int limit) override {
    std::vector<UnitEvent> out;
    for (const auto& e : events) {
      if (e.serial == serial && e.id > after_id) out.push_back(e);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<std::vector<UnitEvent>> StepEvents(const std::string& serial,
                                                    int32_t round) override {
    std::vector<UnitEvent> out;
    for (const auto& e : events) {
      if (e.serial == serial && e.round == round && e.kind == kEventStep) out.push_back(e);
    }
    return out;
  }
  absl::Status InsertContract(Contract* c) override {
    c->id = static_cast<int64_t>(contracts.size()) + 1;
    contracts[c->id] = *c;
    return absl::OkStatus();
  }
  absl::Status UpdateContract(const Contract& c) override {
    contracts[c.id] = c;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Contract>> ContractsOf(const std::string& serial) override {
    std::vector<Contract> out;
    for (const auto& [id, c] : contracts) {
      if (c.serial == serial) out.push_back(c);
    }
    return out;
  }
  absl::StatusOr<std::optional<Contract>> FindContract(int64_t id) override {
    auto it = contracts.find(id);
    if (it == contracts.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_FAKE_INVENTORY_REPOSITORY_H_
