// The catalog's write use cases (catalog_use_cases.h) against fakes: a bad
// product message opens no transaction, a SKU is created once, and an
// update needs the product's etag and changes only its mask's fields.
#include "inventory-svc/catalog_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class CatalogUseCasesTest : public InventoryUseCaseTest {
 protected:
  static v1::CreateProductRequest Mx(const std::string& request_id) {
    v1::CreateProductRequest req;
    req.set_request_id(request_id);
    v1::Product* p = req.mutable_product();
    p->set_sku("MX204");
    p->set_display_name("MX204 Universal Routing Platform");
    p->set_family(v1::PRODUCT_FAMILY_ROUTING);
    p->set_series("MX Series");
    p->set_platform("MX204");
    p->mutable_list_price()->set_currency_code("USD");
    p->mutable_list_price()->set_amount_minor(4'500'000);
    p->set_lifecycle(v1::LIFECYCLE_CURRENT);
    p->set_latest_software_release("23.2R1");
    p->set_standard_warranty_months(12);
    return req;
  }

  CreateProductUseCase create_{Deps()};
  UpdateProductUseCase update_{Deps()};
};

TEST_F(CatalogUseCasesTest, ABadProductOpensNoTransactionAndASkuIsCreatedOnce) {
  v1::CreateProductRequest bad = Mx("p-1");
  bad.mutable_product()->set_family(static_cast<v1::ProductFamily>(99));
  EXPECT_THAT(create_.Run(admin_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.family")));
  EXPECT_EQ(store_.writes(), 0);

  ASSERT_OK_AND_ASSIGN(v1::Product created, create_.Run(admin_, Mx("p-1")));
  EXPECT_EQ(created.sku(), "MX204");
  EXPECT_EQ(created.list_price().amount_minor(), 4'500'000);
  ASSERT_OK_AND_ASSIGN(v1::Product retry, create_.Run(admin_, Mx("p-1")));
  EXPECT_EQ(retry.SerializeAsString(), created.SerializeAsString());
  EXPECT_THAT(create_.Run(admin_, Mx("p-2")), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(CatalogUseCasesTest, AnUpdateNeedsTheEtagAndChangesOnlyItsMask) {
  ASSERT_OK_AND_ASSIGN(v1::Product created, create_.Run(admin_, Mx("p-1")));
  v1::UpdateProductRequest req;
  req.set_request_id("u-1");
  *req.mutable_product() = created;
  req.mutable_product()->mutable_list_price()->set_amount_minor(4'900'000);
  req.mutable_product()->set_display_name("ignored: not in the mask");
  req.mutable_update_mask()->add_paths("list_price");
  req.mutable_product()->set_etag("\"v99\"");
  EXPECT_THAT(update_.Run(admin_, req), StatusIs(absl::StatusCode::kAborted));
  req.mutable_product()->set_etag(created.etag());
  ASSERT_OK_AND_ASSIGN(v1::Product updated, update_.Run(admin_, req));
  EXPECT_EQ(updated.list_price().amount_minor(), 4'900'000);
  EXPECT_EQ(updated.display_name(), "MX204 Universal Routing Platform");
  EXPECT_NE(updated.etag(), created.etag());
}

}  // namespace
}  // namespace aftercare::inventory
