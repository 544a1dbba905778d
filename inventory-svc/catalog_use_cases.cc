#include "inventory-svc/catalog_use_cases.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Product> CreateProductUseCase::Run(
    const Principal& caller, const v1::CreateProductRequest& request) const {
  ASSIGN_OR_RETURN(Product product, FromProto(request.product()));
  return deps_.store.WriteOnce<v1::Product>(
      caller, request, "CreateProduct", "create product",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::Product> {
        ASSIGN_OR_RETURN(Product p, deps_.domain.CreateProduct(caller, product, repo));
        return ToProto(p);
      });
}

absl::StatusOr<v1::Product> UpdateProductUseCase::Run(
    const Principal& caller, const v1::UpdateProductRequest& request) const {
  ASSIGN_OR_RETURN(Product patch, FromProto(request.product()));
  const std::vector<std::string> mask(request.update_mask().paths().begin(),
                                      request.update_mask().paths().end());
  return deps_.store.WriteOnce<v1::Product>(
      caller, request, "UpdateProduct", "update product",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::Product> {
        ASSIGN_OR_RETURN(Product p, deps_.domain.UpdateProduct(caller, patch, mask,
                                                               request.product().etag(), repo));
        return ToProto(p);
      });
}

}  // namespace aftercare::inventory
