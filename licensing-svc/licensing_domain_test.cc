// Unit tests of the domain (licensing.h) against the in-memory repository:
// activation and node-locking, renewals and device key refresh, revocation,
// server-side verification, and RMA transfers (through their use case,
// transfer_licenses.h) driven by a FakeRmaDirectory.
#include <google/protobuf/wrappers.pb.h>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/fake_licensing_repository.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_policy.h"
#include "licensing-svc/transfer_licenses.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCaller;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LicensingDomainTest : public ::testing::Test {
 protected:
  LicensingDomainTest()
      : signer_(*LicenseSigner::Ephemeral()),
        pages_("0123456789abcdef0123456789abcdef"),
        domain_(clock_, signer_.get(), &pages_) {
    admin_ = TestCaller(Role::kAdmin, "admin");
    customer_ = TestCaller(Role::kCustomer, "cust", {"ACME-001"});
    stranger_ = TestCaller(Role::kCustomer, "globex", {"GLOBEX-9"});
  }

  // Buys a product and returns the activation code in clear.
  std::string Buy(TermType term, int months, int max_devices = 1, bool key = true) {
    PurchaseCommand cmd;
    cmd.account_id = "ACME-001";
    cmd.product.sku = "S-EX-A-C2-P";
    cmd.product.feature = "advanced-routing";
    cmd.product.capacity = 48;
    cmd.product.term_type = term;
    cmd.product.term_months = months;
    cmd.product.system = LicensingSystem::kJunos;
    cmd.product.unlock_key_required = key;
    cmd.product.max_devices = max_devices;
    auto r = domain_.CreateEntitlement(admin_, cmd, repo_);
    EXPECT_TRUE(r.ok()) << r.status();
    last_entitlement_ = r->entitlement.id;
    if (r->sealed_activation_code.empty()) return "";
    return *signer_->Open(r->sealed_activation_code);
  }

  License Activate(const std::string& code, const std::string& serial) {
    auto r = domain_.Activate(customer_, code, serial, repo_);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->license : License();
  }

  RmaInfo Rma(const std::string& number, const std::string& status, const std::string& from,
              const std::string& to) {
    RmaInfo r;
    r.rma_number = number;
    r.account_id = "ACME-001";
    r.status = status;
    r.serial_number = from;
    r.replacement_serial_number = to;
    r.contact_email = "noc@acme.example";
    return r;
  }

  // TransferLicenses through its use case (transfer_licenses.h), against
  // the fakes.
  absl::StatusOr<v1::RmaTransfer> TransferVia(LicensingStore& store, RmaDirectory& rmas,
                                              const Principal& caller,
                                              const std::string& number) {
    v1::TransferLicensesRequest req;
    req.set_rma_number(number);
    ASSIGN_OR_RETURN(TransferOutcome outcome,
                     TransferLicensesUseCase(domain_, store, rmas).Run(caller, nullptr, req));
    return std::move(outcome.transfer);
  }

  FakeClock clock_;
  std::unique_ptr<LicenseSigner> signer_;
  PageTokenCodec pages_;
  Licensing domain_;
  FakeLicensingRepository repo_;
  Principal admin_, customer_, stranger_;
  std::string last_entitlement_;
};

TEST_F(LicensingDomainTest, TheCodeIsStoredOnlyAsAHash) {
  const std::string code = Buy(TermType::kPerpetual, 0);
  const Entitlement& e = repo_.state.entitlements.at(last_entitlement_);
  EXPECT_EQ(e.code_hash.size(), 32u);
  EXPECT_EQ(e.code_hash.find(code.substr(0, 5)), std::string::npos);
}

TEST_F(LicensingDomainTest, NodeLockedActivation) {
  const std::string code = Buy(TermType::kPerpetual, 0, 2);
  License a = Activate(code, "JN11DEV00001");
  auto again = domain_.Activate(customer_, code, "jn11dev00001", repo_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_activated);
  EXPECT_EQ(again->license.license_key, a.license_key);
  Activate(code, "JN11DEV00002");
  EXPECT_THAT(domain_.Activate(customer_, code, "JN11DEV00003", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("2 of 2")));
  EXPECT_THAT(domain_.Activate(stranger_, code, "JN11DEV00004", repo_),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(repo_.state.licenses.size(), 2u);
}

TEST_F(LicensingDomainTest, ActivatedKeyVerifiesWithThePublishedKeys) {
  License l = Activate(Buy(TermType::kSubscription, 12), "JN11DEV00001");
  KeyVerification v = VerifyLicenseKey(l.license_key, signer_->key_set(), "JN11DEV00001",
                                       clock_.Now() + absl::Hours(1));
  EXPECT_EQ(v.result, KeyCheck::kValid) << v.detail;
  EXPECT_EQ(v.claims->license_id, l.id);
  EXPECT_EQ(*v.claims->not_after, *l.not_after);
}

TEST_F(LicensingDomainTest, AnEndedSubscriptionMustBeRenewedBeforeActivation) {
  const std::string code = Buy(TermType::kSubscription, 1);
  clock_.Advance(absl::Hours(24 * 40));
  EXPECT_THAT(domain_.Activate(customer_, code, "JN11DEV00001", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("renew")));
}

TEST_F(LicensingDomainTest, DeviceGetsRenewedKeysOnlyIfRenewedBeforeExpiry) {
  License on_time = Activate(Buy(TermType::kSubscription, 12), "JN11ONTIME01");
  const std::string on_time_ent = last_entitlement_;
  License late = Activate(Buy(TermType::kSubscription, 1), "JN11LATE0001");
  const std::string late_ent = last_entitlement_;

  clock_.Advance(absl::Hours(24 * 20));
  ASSERT_THAT(domain_.Renew(admin_, on_time_ent, 0, "SO-R1", {}, repo_).status(), IsOk());
  clock_.Advance(absl::Hours(24 * 20));  // the one-month key has now expired
  auto renewed_late = domain_.Renew(admin_, late_ent, 12, "SO-R2", {}, repo_);
  ASSERT_TRUE(renewed_late.ok());
  EXPECT_EQ(renewed_late->welcome_letter.kind, "WELCOME_LETTER");
  EXPECT_EQ(repo_.state.notifications.size(), 2u);

  clock_.Advance(absl::Hours(24 * 330));  // past the on-time key's original end
  auto keys = domain_.RetrieveDeviceKeys(customer_, "JN11ONTIME01", repo_);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].refresh, KeyRefresh::kRenewed);
  EXPECT_GT(*(*keys)[0].license.not_after, *on_time.not_after);
  EXPECT_EQ((*keys)[0].license.key_generation, 2);

  keys = domain_.RetrieveDeviceKeys(customer_, "JN11LATE0001", repo_);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].refresh, KeyRefresh::kRenewalAfterExpiry);
  EXPECT_EQ((*keys)[0].license.license_key, late.license_key);

  // Never activated: nothing. Another account's customer: nothing.
  EXPECT_TRUE(domain_.RetrieveDeviceKeys(customer_, "JN11NEVER001", repo_)->empty());
  EXPECT_TRUE(domain_.RetrieveDeviceKeys(stranger_, "JN11ONTIME01", repo_)->empty());
}

TEST_F(LicensingDomainTest, TransferWithTheFakeDirectory) {
  FakeLicensingStore store;
  FakeRmaDirectory rmas;
  // Purchases and activations through the store's repository.
  std::string code1, code2;
  ASSERT_TRUE(store
                  .Write({"admin", "", "x"}, google::protobuf::StringValue(), "seed",
                         [&](LicensingRepository& repo) -> absl::StatusOr<std::string> {
                           PurchaseCommand cmd;
                           cmd.account_id = "ACME-001";
                           cmd.product = {"S-EX-A-C2-P", "advanced-routing", 48,
                                          TermType::kSubscription, 36, LicensingSystem::kJunos,
                                          true, 1};
                           ASSIGN_OR_RETURN(auto a, domain_.CreateEntitlement(admin_, cmd, repo));
                           cmd.product.system = LicensingSystem::kNonJunos;
                           cmd.product.term_type = TermType::kPerpetual;
                           cmd.product.term_months = 0;
                           ASSIGN_OR_RETURN(auto b, domain_.CreateEntitlement(admin_, cmd, repo));
                           code1 = *signer_->Open(a.sealed_activation_code);
                           code2 = *signer_->Open(b.sealed_activation_code);
                           RETURN_IF_ERROR(domain_.Activate(customer_, code1, "JN11OLD00001", repo).status());
                           RETURN_IF_ERROR(domain_.Activate(customer_, code2, "JN11OLD00001", repo).status());
                           return std::string();
                         })
                  .ok());
  rmas.Put(Rma("R21056835", "PENDING", "JN11OLD00001", ""));
  EXPECT_THAT(TransferVia(store, rmas, customer_, "R21056835"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  rmas.Put(Rma("R21056835", "APPROVED", "JN11OLD00001", ""));
  EXPECT_THAT(TransferVia(store, rmas, customer_, "R21056835"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no replacement")));
  EXPECT_THAT(TransferVia(store, rmas, stranger_, "R21056835"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(store.state().transfers.empty());

  rmas.Put(Rma("R21056835", "APPROVED", "JN11OLD00001", "JN11NEW00001"));
  auto t = TransferVia(store, rmas, customer_, "R21056835");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->licenses_size(), 2);
  auto state = store.state();
  for (const v1::TransferredLicense& item : t->licenses()) {
    const License& old_l = state.licenses.at(item.old_license_id());
    const License& new_l = state.licenses.at(item.new_license_id());
    EXPECT_EQ(old_l.state, LicenseState::kRevoked);
    EXPECT_EQ(old_l.revocation_reason, RevocationReason::kRmaTransfer);
    EXPECT_EQ(new_l.state, LicenseState::kActive);
    EXPECT_EQ(new_l.device_serial, "JN11NEW00001");
    EXPECT_EQ(new_l.feature, old_l.feature);
    EXPECT_EQ(new_l.system, old_l.system);
    EXPECT_EQ(new_l.not_after, old_l.not_after);
    EXPECT_EQ(VerifyLicenseKey(new_l.license_key, signer_->key_set(), "JN11NEW00001",
                               clock_.Now() + absl::Minutes(1))
                  .result,
              KeyCheck::kValid);
  }
  // The RMA's contact and the account's webhooks are told once.
  ASSERT_EQ(store.state().published.size(), 1u);
  const NotificationEvent told = store.state().published[0];
  EXPECT_EQ(told.event_type, "license_transferred");
  EXPECT_EQ(told.account_id, "ACME-001");
  EXPECT_THAT(told.email_to, ElementsAre("noc@acme.example"));
  EXPECT_THAT(told.subject, HasSubstr("R21056835"));
  EXPECT_THAT(told.body, HasSubstr("2 license(s) moved from unit JN11OLD00001"));
  // Repeating returns the same transfer without asking the directory again.
  const int calls = rmas.calls();
  const int writes = store.writes();
  auto again = TransferVia(store, rmas, admin_, "R21056835");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->licenses_size(), 2);
  EXPECT_EQ(again->licenses(0).new_license_id(), t->licenses(0).new_license_id());
  EXPECT_EQ(rmas.calls(), calls);
  EXPECT_EQ(store.writes(), writes);
  EXPECT_EQ(store.state().licenses.size(), 4u);
  EXPECT_EQ(store.state().published.size(), 1u);
  // The revoked device cannot take the code back.
  EXPECT_THAT(store.Write({"cust", "", "x"}, google::protobuf::StringValue(), "act",
                          [&](LicensingRepository& repo) -> absl::StatusOr<std::string> {
                            RETURN_IF_ERROR(
                                domain_.Activate(customer_, code1, "JN11OLD00001", repo).status());
                            return std::string();
                          }),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("RMA_TRANSFER")));
}

TEST_F(LicensingDomainTest, ARenewalSendsItsWelcomeLetterToTheNamedContacts) {
  Activate(Buy(TermType::kSubscription, 12), "JN11DEV00001");
  const std::string ent = last_entitlement_;
  EXPECT_THAT(domain_.Renew(admin_, ent, 0, "SO-R1", {"ok@acme.example", "not an address"}, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notification_emails[1]")));
  EXPECT_THAT(domain_.Renew(admin_, ent, 0, "SO-R1", {"a@acme.example", "A@acme.example"}, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notification_emails[1]")));
  EXPECT_TRUE(repo_.state.notifications.empty());
  EXPECT_TRUE(repo_.state.published.empty());
  EXPECT_EQ(repo_.state.entitlements.at(ent).renewal_count, 0);

  auto renewed = domain_.Renew(admin_, ent, 0, "SO-R1", {"buyer@acme.example"}, repo_);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  ASSERT_EQ(repo_.state.published.size(), 1u);
  const NotificationEvent& e = repo_.state.published[0];
  EXPECT_EQ(e.event_type, "renewal_welcome");
  EXPECT_EQ(e.event_key, "license-" + renewed->welcome_letter.id);
  EXPECT_EQ(e.account_id, "ACME-001");
  EXPECT_THAT(e.email_to, ElementsAre("buyer@acme.example"));
  EXPECT_EQ(e.subject, renewed->welcome_letter.subject);
  EXPECT_EQ(e.body, renewed->welcome_letter.body);
  EXPECT_THAT(e.body, HasSubstr("Order: SO-R1."));
  EXPECT_EQ(e.data.at("entitlement_id"), ent);
}

TEST_F(LicensingDomainTest, ATransferLeavesAndHidesOtherAccountsLicensesOnTheDevice) {
  FakeLicensingStore store;
  FakeRmaDirectory rmas;
  std::string mine, theirs;
  ASSERT_TRUE(store
                  .Write({"admin", "", "x"}, google::protobuf::StringValue(), "seed",
                         [&](LicensingRepository& repo) -> absl::StatusOr<std::string> {
                           PurchaseCommand cmd;
                           cmd.account_id = "ACME-001";
                           cmd.product = {"S-EX-A-C2-P", "advanced-routing", 48,
                                          TermType::kPerpetual, 0, LicensingSystem::kJunos,
                                          true, 1};
                           ASSIGN_OR_RETURN(auto a, domain_.CreateEntitlement(admin_, cmd, repo));
                           cmd.account_id = "GLOBEX-9";
                           ASSIGN_OR_RETURN(auto b, domain_.CreateEntitlement(admin_, cmd, repo));
                           ASSIGN_OR_RETURN(auto la, domain_.Activate(
                               customer_, *signer_->Open(a.sealed_activation_code),
                               "JN11OLD00003", repo));
                           ASSIGN_OR_RETURN(auto lb, domain_.Activate(
                               stranger_, *signer_->Open(b.sealed_activation_code),
                               "JN11OLD00003", repo));
                           mine = la.license.id;
                           theirs = lb.license.id;
                           return std::string();
                         })
                  .ok());
  rmas.Put(Rma("R30000003", "APPROVED", "JN11OLD00003", "JN11NEW00003"));
  auto t = TransferVia(store, rmas, customer_, "R30000003");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->licenses_size(), 1);
  EXPECT_EQ(t->licenses(0).old_license_id(), mine);
  EXPECT_NE(t->licenses(0).new_license_id(), theirs);
  const License other = store.state().licenses.at(theirs);  // state() is a copy
  EXPECT_EQ(other.state, LicenseState::kActive);
  EXPECT_EQ(other.device_serial, "JN11OLD00003");
  auto again = TransferVia(store, rmas, admin_, "R30000003");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->licenses_size(), 1);
  EXPECT_EQ(again->licenses(0).old_license_id(), mine);
}

TEST_F(LicensingDomainTest, ATransferOfADeviceWithoutLicensesRecordsNothing) {
  FakeLicensingStore store;
  FakeRmaDirectory rmas;
  rmas.Put(Rma("R30000001", "REPLACEMENT_SHIPPED", "JN11EMPTY001", "JN11NEW00002"));
  EXPECT_THAT(TransferVia(store, rmas, customer_, "R30000001"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no active licenses")));
  EXPECT_TRUE(store.state().transfers.empty());
}

TEST_F(LicensingDomainTest, RevocationAndServerVerdicts) {
  License l = Activate(Buy(TermType::kSubscription, 12), "JN11DEV00001");
  auto verdict = [&](const std::string& key, const std::string& serial,
                     std::optional<absl::Time> at = std::nullopt) {
    auto v = domain_.Verify(customer_, key, serial, at, repo_);
    EXPECT_TRUE(v.ok());
    return v->verdict;
  };
  EXPECT_EQ(verdict(l.license_key, "JN11DEV00001"), Verdict::kValid);
  EXPECT_EQ(verdict(l.license_key, "JN11DEV00002"), Verdict::kWrongDevice);
  EXPECT_EQ(verdict(l.license_key, "JN11DEV00001", *l.not_after), Verdict::kExpired);
  std::string changed = l.license_key;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verdict(changed, "JN11DEV00001"), Verdict::kBadSignature);
  EXPECT_THAT(domain_.Verify(customer_, l.license_key, "", std::nullopt, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("device_serial")));

  // Revoking is staff work (the policy applies before the domain runs).
  EXPECT_FALSE(LicensingPolicy().Allows("RevokeLicense", Role::kCustomer));
  EXPECT_THAT(domain_.Revoke(admin_, l.id, RevocationReason::kUnspecified, "", "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  EXPECT_THAT(domain_.Revoke(admin_, l.id, RevocationReason::kFraud, "", "v7", repo_),
              StatusIs(absl::StatusCode::kAborted));
  ASSERT_TRUE(domain_.Revoke(admin_, l.id, RevocationReason::kFraud, "chargeback", "v1", repo_).ok());
  EXPECT_EQ(verdict(l.license_key, "JN11DEV00001"), Verdict::kRevoked);
  EXPECT_THAT(domain_.Revoke(admin_, l.id, RevocationReason::kFraud, "", "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("REVOKED")));
}

TEST_F(LicensingDomainTest, RightToUsePurchasesHaveNoCode) {
  EXPECT_EQ(Buy(TermType::kPerpetual, 0, 1, false), "");
  const Entitlement& e = repo_.state.entitlements.at(last_entitlement_);
  EXPECT_EQ(e.kind, EntitlementKind::kRightToUse);
  EXPECT_TRUE(e.code_hash.empty());
}

TEST_F(LicensingDomainTest, ListsPageNewestFirst) {
  const std::string code = Buy(TermType::kPerpetual, 0, 10);
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(absl::Seconds(1));
    Activate(code, absl::StrCat("JN11PAGE000", i));
  }
  LicenseFilter f;
  f.account_id = "ACME-001";
  PageRequest page{3, ""};
  std::vector<std::string> serials;
  for (int n = 0; n < 5; ++n) {
    auto p = domain_.ListLicenses(customer_, f, page, repo_);
    ASSERT_TRUE(p.ok()) << p.status();
    for (const License& l : p->items) serials.push_back(l.device_serial);
    if (p->next_page_token.empty()) break;
    page.page_token = p->next_page_token;
  }
  ASSERT_EQ(serials.size(), 7u);
  EXPECT_EQ(serials.front(), "JN11PAGE0006");
  EXPECT_EQ(serials.back(), "JN11PAGE0000");
  f.account_id = "GLOBEX-9";
  EXPECT_THAT(domain_.ListLicenses(customer_, f, PageRequest{}, repo_),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace aftercare::licensing
