// The genuine-serial registry: bulk load and lookup of the serials the factory shipped.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

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

}  // namespace aftercare::inventory
