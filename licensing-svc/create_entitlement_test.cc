// Unit tests of CreateEntitlementUseCase (create_entitlement.h) against the
// in-memory store: a bad product is refused before any write, the stored
// answer keeps the activation code sealed while the caller gets it open (on
// a retry too), and a right-to-use purchase answers its certificate.
#include "licensing-svc/create_entitlement.h"

#include <google/protobuf/wrappers.pb.h>

#include "common/idempotency.h"
#include "common/status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class CreateEntitlementTest : public LicensingUseCaseTest {
 protected:
  static v1::CreateEntitlementRequest Request(const std::string& request_id,
                                              bool unlock_key_required = true) {
    v1::CreateEntitlementRequest req;
    req.set_request_id(request_id);
    req.set_account_id("ACME-001");
    req.set_order_reference("PO-4711");
    v1::LicenseProduct* p = req.mutable_product();
    p->set_sku("S-EX-A-C2-P");
    p->set_feature("advanced-routing");
    p->set_capacity(48);
    p->set_term_type(v1::TERM_TYPE_SUBSCRIPTION);
    p->set_term_months(12);
    p->set_licensing_system(v1::LICENSING_SYSTEM_JUNOS);
    p->set_unlock_key_required(unlock_key_required);
    p->set_max_devices(1);
    return req;
  }

  // The answer the store keeps for admin_'s `request_id`.
  v1::CreateEntitlementResponse Stored(const std::string& request_id) {
    v1::CreateEntitlementResponse out;
    EXPECT_TRUE(out.ParseFromString(store_.StoredResponse(
        IdempotencyKey::For(admin_, request_id, "CreateEntitlement").caller, request_id)));
    return out;
  }

  CreateEntitlementUseCase use_case_{domain_, store_};
};

TEST_F(CreateEntitlementTest, AProductOutsideItsEnumsIsRefusedBeforeAnyWrite) {
  v1::CreateEntitlementRequest bad_term = Request("p-1");
  bad_term.mutable_product()->set_term_type(static_cast<v1::TermType>(99));
  EXPECT_THAT(use_case_.Run(admin_, bad_term),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.term_type")));
  v1::CreateEntitlementRequest bad_system = Request("p-1");
  bad_system.mutable_product()->set_licensing_system(static_cast<v1::LicensingSystem>(99));
  EXPECT_THAT(use_case_.Run(admin_, bad_system),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("product.licensing_system")));
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(store_.state().entitlements, IsEmpty());
}

TEST_F(CreateEntitlementTest, TheStoredAnswerKeepsTheCodeSealedAndEveryAnswerOpensIt) {
  ASSERT_OK_AND_ASSIGN(v1::CreateEntitlementResponse first, use_case_.Run(admin_, Request("p-1")));
  EXPECT_EQ(first.entitlement().kind(), v1::ENTITLEMENT_KIND_ACTIVATION_CODE);
  EXPECT_FALSE(first.has_right_to_use());
  ASSERT_THAT(first.activation_code(), Not(IsEmpty()));
  EXPECT_EQ(store_.writes(), 1);

  // The database's copy is sealed: not the code, but it opens to the code.
  const std::string sealed = Stored("p-1").activation_code();
  EXPECT_NE(sealed, first.activation_code());
  ASSERT_OK_AND_ASSIGN(std::string opened, signer_->Open(sealed));
  EXPECT_EQ(opened, first.activation_code());

  // A retry is answered from the store, opened the same way, and writes nothing.
  ASSERT_OK_AND_ASSIGN(v1::CreateEntitlementResponse again, use_case_.Run(admin_, Request("p-1")));
  EXPECT_EQ(again.activation_code(), first.activation_code());
  EXPECT_EQ(again.entitlement().entitlement_id(), first.entitlement().entitlement_id());
  EXPECT_EQ(store_.writes(), 1);
  EXPECT_EQ(store_.state().entitlements.size(), 1u);

  // The open code is the one the customer activates with.
  absl::StatusOr<std::string> activated = store_.Write(
      {"cust", "", "activate"}, google::protobuf::StringValue(), "activate",
      [&](LicensingRepository& repo) -> absl::StatusOr<std::string> {
        ASSIGN_OR_RETURN(auto r, domain_.Activate(customer_, first.activation_code(),
                                                  "JN11AAA00001", repo));
        return r.license.entitlement_id;
      });
  ASSERT_OK(activated.status());
  EXPECT_EQ(*activated, first.entitlement().entitlement_id());
}

TEST_F(CreateEntitlementTest, ARightToUsePurchaseHasNoCodeAndCarriesItsCertificate) {
  ASSERT_OK_AND_ASSIGN(v1::CreateEntitlementResponse out,
                       use_case_.Run(admin_, Request("p-2", /*unlock_key_required=*/false)));
  EXPECT_EQ(out.entitlement().kind(), v1::ENTITLEMENT_KIND_RIGHT_TO_USE);
  EXPECT_THAT(out.activation_code(), IsEmpty());
  ASSERT_TRUE(out.has_right_to_use());
  EXPECT_EQ(out.right_to_use().rtu_number(), out.entitlement().entitlement_id());
  EXPECT_EQ(out.right_to_use().account_id(), "ACME-001");
  EXPECT_EQ(out.right_to_use().order_reference(), "PO-4711");
  EXPECT_EQ(out.right_to_use().product().sku(), "S-EX-A-C2-P");
  EXPECT_TRUE(out.right_to_use().has_term_end_time());
  EXPECT_EQ(store_.writes(), 1);
}

}  // namespace
}  // namespace aftercare::licensing
