// The use cases of the product catalog's writes: CreateProduct and
// UpdateProduct. The product message is parsed before any transaction (its
// enums and times); then one idempotent transaction (a retry with the same
// request_id gets the first answer) records the product (Inventory), and
// the product is answered as the API's message.
#ifndef AFTERCARE_INVENTORY_SVC_CATALOG_USE_CASES_H_
#define AFTERCARE_INVENTORY_SVC_CATALOG_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

// A new SKU in the catalog (admin).
class CreateProductUseCase {
 public:
  explicit CreateProductUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Product> Run(const Principal& caller,
                                  const v1::CreateProductRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// The fields of update_mask changed on a SKU, with its etag.
class UpdateProductUseCase {
 public:
  explicit UpdateProductUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Product> Run(const Principal& caller,
                                  const v1::UpdateProductRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_CATALOG_USE_CASES_H_
