// The product catalog: create, read, list and update products.
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

namespace {

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

}  // namespace

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

}  // namespace aftercare::inventory
