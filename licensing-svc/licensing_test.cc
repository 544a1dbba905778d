// Unit tests of the pure rules of licensing.h (no database): purchase
// validation, the RMA checks of a transfer against a FakeRmaDirectory's
// records, terms.
#include "licensing-svc/licensing.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/licensing_policy.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class LicensingRulesTest : public ::testing::Test {
 protected:
  LicensingRulesTest()
      : signer_(*LicenseSigner::Ephemeral()),
        pages_("0123456789abcdef0123456789abcdef"),
        domain_(clock_, signer_.get(), &pages_) {}

  Principal Customer(const std::string& account) {
    Principal p;
    p.subject = "cust";
    p.role = Role::kCustomer;
    p.account_ids = {account};
    return p;
  }
  Principal Agent() {
    Principal p;
    p.subject = "agent";
    p.role = Role::kCareAgent;
    return p;
  }
  RmaInfo Rma(const std::string& status, const std::string& replacement = "JN11SPARE001") {
    RmaInfo r;
    r.rma_number = "R21056835";
    r.account_id = "ACME-001";
    r.status = status;
    r.serial_number = "JN11DEMO0001";
    r.replacement_serial_number = replacement;
    return r;
  }
  PurchaseCommand Purchase() {
    PurchaseCommand c;
    c.account_id = "ACME-001";
    c.product.sku = "s-ex-a-c2-p";
    c.product.feature = "advanced-routing";
    c.product.capacity = 48;
    c.product.term_type = TermType::kSubscription;
    c.product.term_months = 12;
    c.product.system = LicensingSystem::kJunos;
    return c;
  }

  FakeClock clock_;
  std::unique_ptr<LicenseSigner> signer_;
  PageTokenCodec pages_;
  Licensing domain_;
};

TEST_F(LicensingRulesTest, ApprovedMeansApprovedOrALaterLiveState) {
  for (const char* s : {"APPROVED", "REPLACEMENT_SHIPPED", "RECEIVED", "REPAIRED",
                        "REPAIR_SHIPPED", "CLOSED"}) {
    EXPECT_TRUE(RmaIsApproved(s)) << s;
  }
  for (const char* s : {"PENDING", "REJECTED", "CANCELLED", "UNSPECIFIED", ""}) {
    EXPECT_FALSE(RmaIsApproved(s)) << s;
  }
}

TEST_F(LicensingRulesTest, TransferNeedsAnApprovedRmaWithAReplacement) {
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("APPROVED")), IsOk());
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("REPLACEMENT_SHIPPED")), IsOk());
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("PENDING")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("CANCELLED")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CANCELLED")));
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("REJECTED")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REJECTED")));
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("APPROVED", "")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no replacement serial")));
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), Rma("APPROVED", "JN11DEMO0001")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A pending request found by its validation number has no RMA number yet.
  RmaInfo pending = Rma("PENDING", "");
  pending.rma_number.clear();
  pending.validation_number = "V10000042";
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), pending),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("V10000042 is PENDING")));
}

TEST_F(LicensingRulesTest, ACustomerCannotUseAnotherAccountsRma) {
  EXPECT_THAT(domain_.CheckRmaForTransfer(Customer("ACME-001"), Rma("APPROVED")), IsOk());
  // NOT_FOUND, and before the status: nothing about the RMA leaks.
  EXPECT_THAT(domain_.CheckRmaForTransfer(Customer("OTHER-002"), Rma("PENDING")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LicensingRulesTest, TransferRequestNeedsAnRmaNumber) {
  EXPECT_THAT(domain_.ValidateTransferRequest(Agent(), ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_EQ(*domain_.ValidateTransferRequest(Agent(), "V10000042"), "V10000042");
  EXPECT_THAT(domain_.ValidateTransferRequest(Agent(), "21056835"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_THAT(domain_.ValidateTransferRequest(Agent(), "X21056835"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_EQ(*domain_.ValidateTransferRequest(Agent(), "R21056835"), "R21056835");
  // Logistics may not transfer (the policy applies before the domain runs).
  EXPECT_FALSE(LicensingPolicy().Allows("TransferLicenses", Role::kLogistics));
}

TEST_F(LicensingRulesTest, FakeDirectoryAnswersLikeRmaSvc) {
  FakeRmaDirectory rmas;
  rmas.Put(Rma("APPROVED"));
  EXPECT_THAT(rmas.GetRma(nullptr, "R99999999"), StatusIs(absl::StatusCode::kNotFound));
  auto r = rmas.GetRma(nullptr, "R21056835");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(domain_.CheckRmaForTransfer(Agent(), *r), IsOk());
  EXPECT_EQ(rmas.calls(), 2);
}

TEST_F(LicensingRulesTest, PurchaseValidationNamesTheField) {
  PurchaseCommand ok = Purchase();
  EXPECT_THAT(domain_.ValidatePurchase(ok), IsOk());
  EXPECT_EQ(ok.product.sku, "S-EX-A-C2-P");
  EXPECT_EQ(ok.product.max_devices, 1);
  struct Case {
    std::function<void(PurchaseCommand&)> change;
    const char* field;
  };
  std::vector<Case> cases = {
      {[](PurchaseCommand& c) { c.account_id = ""; }, "account_id"},
      {[](PurchaseCommand& c) { c.product.sku = ""; }, "product.sku"},
      {[](PurchaseCommand& c) { c.product.feature = "a b"; }, "product.feature"},
      {[](PurchaseCommand& c) { c.product.capacity = -1; }, "product.capacity"},
      {[](PurchaseCommand& c) { c.product.system = LicensingSystem::kUnspecified; },
       "product.licensing_system"},
      {[](PurchaseCommand& c) { c.product.term_type = TermType::kUnspecified; }, "product.term_type"},
      {[](PurchaseCommand& c) { c.product.term_months = 0; }, "product.term_months"},
      {[](PurchaseCommand& c) { c.product.term_months = 121; }, "product.term_months"},
      {[](PurchaseCommand& c) {
         c.product.term_type = TermType::kPerpetual;
       }, "product.term_months"},
      {[](PurchaseCommand& c) { c.product.max_devices = 1001; }, "product.max_devices"},
      {[](PurchaseCommand& c) { c.order_reference = std::string("\x01", 1); }, "order_reference"},
  };
  for (const Case& c : cases) {
    PurchaseCommand cmd = Purchase();
    c.change(cmd);
    EXPECT_THAT(domain_.ValidatePurchase(cmd),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.field)))
        << c.field;
  }
}

TEST_F(LicensingRulesTest, AddMonthsFollowsTheCalendar) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  auto at = [&](int y, int m, int d) { return absl::FromCivil(absl::CivilSecond(y, m, d, 12, 0, 0), utc); };
  EXPECT_EQ(AddMonths(at(2027, 1, 15), 12), at(2028, 1, 15));
  EXPECT_EQ(AddMonths(at(2027, 11, 15), 3), at(2028, 2, 15));
  EXPECT_EQ(AddMonths(at(2027, 1, 31), 1), at(2027, 3, 3));
}

}  // namespace
}  // namespace aftercare::licensing
