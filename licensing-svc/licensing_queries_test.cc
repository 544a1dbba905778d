// Unit tests of LicensingQueries (licensing_queries.h), the use cases of
// licensing-svc's reads, against the in-memory store: each answers the
// caller's own data, answers another account's exactly like what does not
// exist, pages with a token, and refuses a bad filter before reading.
#include "licensing-svc/licensing_queries.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/renew_subscription.h"
#include "licensing-svc/revoke_license.h"
#include "licensing-svc/transfer_licenses.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class LicensingQueriesTest : public LicensingUseCaseTest {
 protected:
  // Another account's thing and one that does not exist get the same code.
  static void ExpectSameAnswer(const absl::Status& theirs, const absl::Status& unknown) {
    EXPECT_EQ(theirs.code(), absl::StatusCode::kNotFound) << theirs;
    EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound) << unknown;
  }

  LicensingQueries queries_{domain_, store_};
};

TEST_F(LicensingQueriesTest, GetEntitlementAnswersAnotherAccountsLikeAnUnknownOne) {
  const Bought bought = Buy();
  v1::GetEntitlementRequest req;
  req.set_entitlement_id(bought.entitlement_id);
  ASSERT_OK_AND_ASSIGN(v1::Entitlement mine, queries_.GetEntitlement(customer_, req));
  EXPECT_EQ(mine.entitlement_id(), bought.entitlement_id);
  EXPECT_EQ(mine.account_id(), "ACME-001");
  EXPECT_EQ(mine.product().sku(), "S-EX-A-C2-P");
  v1::GetEntitlementRequest unknown;
  unknown.set_entitlement_id("ENT-00000000000000000000");
  ExpectSameAnswer(queries_.GetEntitlement(stranger_, req).status(),
                   queries_.GetEntitlement(stranger_, unknown).status());
}

TEST_F(LicensingQueriesTest, ListEntitlementsPagesTheAccountsPurchasesNewestFirst) {
  std::vector<std::string> bought;
  for (int i = 0; i < 3; ++i) {
    bought.push_back(Buy().entitlement_id);
    clock_.Advance(absl::Seconds(1));
  }
  v1::ListEntitlementsRequest req;
  req.set_account_id("ACME-001");
  req.set_page_size(2);
  ASSERT_OK_AND_ASSIGN(v1::ListEntitlementsResponse first,
                       queries_.ListEntitlements(customer_, req));
  ASSERT_EQ(first.entitlements_size(), 2);
  EXPECT_EQ(first.entitlements(0).entitlement_id(), bought[2]);
  EXPECT_EQ(first.entitlements(1).entitlement_id(), bought[1]);
  ASSERT_THAT(first.next_page_token(), Not(IsEmpty()));
  req.set_page_token(first.next_page_token());
  ASSERT_OK_AND_ASSIGN(v1::ListEntitlementsResponse second,
                       queries_.ListEntitlements(customer_, req));
  ASSERT_EQ(second.entitlements_size(), 1);
  EXPECT_EQ(second.entitlements(0).entitlement_id(), bought[0]);
  EXPECT_THAT(second.next_page_token(), IsEmpty());
  // Another account's customer reads none of them.
  req.clear_page_token();
  EXPECT_THAT(queries_.ListEntitlements(stranger_, req), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LicensingQueriesTest, GetAndListLicensesCheckTheStateFilterAndTheScope) {
  const License active = Activate(Buy().code, "JN11QRY00001");
  const License revoked = Activate(Buy().code, "JN11QRY00002");
  v1::RevokeLicenseRequest revoke;
  revoke.set_license_id(revoked.id);
  revoke.set_reason(v1::REVOCATION_REASON_REFUND);
  ASSERT_OK(RevokeLicenseUseCase(domain_, store_).Run(admin_, revoke).status());

  v1::GetLicenseRequest get;
  get.set_license_id(active.id);
  ASSERT_OK_AND_ASSIGN(v1::License l, queries_.GetLicense(customer_, get));
  EXPECT_EQ(l.device_serial(), "JN11QRY00001");
  v1::GetLicenseRequest unknown;
  unknown.set_license_id("LIC-00000000000000000000");
  ExpectSameAnswer(queries_.GetLicense(stranger_, get).status(),
                   queries_.GetLicense(stranger_, unknown).status());

  v1::ListLicensesRequest list;
  list.set_account_id("ACME-001");
  list.set_state(static_cast<v1::LicenseState>(99));
  EXPECT_THAT(queries_.ListLicenses(customer_, list),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("state")));
  list.set_state(v1::LICENSE_STATE_REVOKED);
  ASSERT_OK_AND_ASSIGN(v1::ListLicensesResponse only_revoked,
                       queries_.ListLicenses(customer_, list));
  ASSERT_EQ(only_revoked.licenses_size(), 1);
  EXPECT_EQ(only_revoked.licenses(0).license_id(), revoked.id);
  EXPECT_EQ(only_revoked.licenses(0).revocation_reason(), v1::REVOCATION_REASON_REFUND);
  list.set_state(v1::LICENSE_STATE_UNSPECIFIED);
  ASSERT_OK_AND_ASSIGN(v1::ListLicensesResponse both, queries_.ListLicenses(customer_, list));
  EXPECT_EQ(both.licenses_size(), 2);
}

TEST_F(LicensingQueriesTest, VerifyLicenseKeyChecksTheTimeAndAnswersTheVerdictAndClaims) {
  const License l = Activate(Buy(0).code, "JN11QRY00003");
  v1::VerifyLicenseKeyRequest req;
  req.set_license_key(l.license_key);
  req.set_device_serial("JN11QRY00003");
  ASSERT_OK_AND_ASSIGN(v1::VerifyLicenseKeyResponse valid,
                       queries_.VerifyLicenseKey(customer_, req));
  EXPECT_EQ(valid.verdict(), v1::KEY_VERDICT_VALID) << valid.detail();
  EXPECT_EQ(valid.license_id(), l.id);
  EXPECT_EQ(valid.device_serial(), "JN11QRY00003");
  EXPECT_EQ(valid.feature(), "advanced-routing");
  EXPECT_EQ(valid.capacity(), 48);
  EXPECT_EQ(valid.key_id(), signer_->primary_key_id());

  req.set_device_serial("JN11OTHER001");
  ASSERT_OK_AND_ASSIGN(v1::VerifyLicenseKeyResponse elsewhere,
                       queries_.VerifyLicenseKey(customer_, req));
  EXPECT_EQ(elsewhere.verdict(), v1::KEY_VERDICT_WRONG_DEVICE);

  req.mutable_at_time()->set_seconds(-99999999999);  // before year 1
  EXPECT_THAT(queries_.VerifyLicenseKey(customer_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at_time")));
}

TEST_F(LicensingQueriesTest, ListSigningKeysPublishesThePrimaryKey) {
  const v1::ListSigningKeysResponse keys = queries_.ListSigningKeys();
  ASSERT_EQ(keys.keys_size(), static_cast<int>(signer_->public_keys().size()));
  int primaries = 0;
  for (const v1::SigningKey& k : keys.keys()) {
    EXPECT_EQ(k.algorithm(), "Ed25519");
    EXPECT_THAT(k.public_key_pem(), HasSubstr("BEGIN PUBLIC KEY"));
    if (k.primary()) {
      ++primaries;
      EXPECT_EQ(k.key_id(), signer_->primary_key_id());
    }
  }
  EXPECT_EQ(primaries, 1);
}

TEST_F(LicensingQueriesTest, TransfersAndNotificationsAreListedOnlyToTheirAccount) {
  const Bought sub = Buy(12);
  const License l = Activate(sub.code, "JN11QRY00004");
  v1::RenewSubscriptionRequest renew;
  renew.set_entitlement_id(sub.entitlement_id);
  ASSERT_OK(RenewSubscriptionUseCase(domain_, store_).Run(admin_, renew).status());
  FakeRmaDirectory rmas;
  RmaInfo rma;
  rma.rma_number = "R21056899";
  rma.account_id = "ACME-001";
  rma.status = "APPROVED";
  rma.serial_number = "JN11QRY00004";
  rma.replacement_serial_number = "JN11QRY00005";
  rma.contact_email = "noc@acme.example";
  rmas.Put(rma);
  v1::TransferLicensesRequest transfer;
  transfer.set_rma_number("R21056899");
  ASSERT_OK(
      TransferLicensesUseCase(domain_, store_, rmas).Run(customer_, nullptr, transfer).status());

  v1::GetRmaTransferRequest get;
  get.set_rma_number("R21056899");
  ASSERT_OK_AND_ASSIGN(v1::RmaTransfer t, queries_.GetRmaTransfer(customer_, get));
  EXPECT_EQ(t.from_serial(), "JN11QRY00004");
  ASSERT_EQ(t.licenses_size(), 1);
  EXPECT_EQ(t.licenses(0).old_license_id(), l.id);
  v1::GetRmaTransferRequest unknown;
  unknown.set_rma_number("R29999999");
  ExpectSameAnswer(queries_.GetRmaTransfer(stranger_, get).status(),
                   queries_.GetRmaTransfer(stranger_, unknown).status());

  v1::ListRmaTransfersRequest transfers;
  transfers.set_account_id("ACME-001");
  ASSERT_OK_AND_ASSIGN(v1::ListRmaTransfersResponse listed,
                       queries_.ListRmaTransfers(customer_, transfers));
  ASSERT_EQ(listed.transfers_size(), 1);
  EXPECT_EQ(listed.transfers(0).rma_number(), "R21056899");
  EXPECT_THAT(queries_.ListRmaTransfers(stranger_, transfers),
              StatusIs(absl::StatusCode::kNotFound));

  v1::ListNotificationsRequest notes;
  notes.set_account_id("ACME-001");
  ASSERT_OK_AND_ASSIGN(v1::ListNotificationsResponse letters,
                       queries_.ListNotifications(customer_, notes));
  ASSERT_GE(letters.notifications_size(), 1);
  bool welcome = false;
  for (const v1::Notification& n : letters.notifications()) {
    EXPECT_EQ(n.account_id(), "ACME-001");
    welcome = welcome || n.kind() == "WELCOME_LETTER";
  }
  EXPECT_TRUE(welcome);
  EXPECT_THAT(queries_.ListNotifications(stranger_, notes), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace aftercare::licensing
