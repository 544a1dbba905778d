// One regression test per authorization finding fixed by the policy work
// (common/policy.h): each failed on the code before it and passes now.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {
namespace {

using Code = grpc::StatusCode;

class AuthzFindingsTest : public E2eTest {
 protected:
  // Every table of every service has the row count it had in `before`.
  void ExpectNothingWritten(const std::map<std::string, int64_t>& before, const std::string& what) {
    const auto after = env().Snapshot();
    for (const auto& [table, count] : before) {
      EXPECT_EQ(after.at(table), count) << what << " wrote to " << table;
    }
  }

  void Settle() {
    EXPECT_TRUE(Eventually([&] {
      for (const char* name : {"inventory", "case", "rma", "licensing"}) {
        if (env().Count(name, "outbox_events", "delivered_at_us IS NULL") != 0) return false;
      }
      return true;
    }));
  }

  // A unit of `sku` sold to `account`.
  std::string SoldUnit(const std::string& sku, const std::string& account) {
    const std::string serial = Unique("JN1AF");
    LoadGenuine({serial}, sku);
    ReceiveAndCertify(serial, sku);
    ReserveAndSell(serial, account);
    return serial;
  }

  Json CaseFor(const std::string& account, const std::string& serial) {
    return {{"requestType", "REQUEST_TYPE_OTHER"}, {"priority", "PRIORITY_P3"},
            {"followUpMethod", "FOLLOW_UP_METHOD_EMAIL"}, {"summary", "finding"},
            {"serialNumber", serial}, {"accountId", account}};
  }

  // The case once its product lookup is no longer pending.
  Json SettledCase(const std::string& case_id, const std::string& token) {
    Json c;
    EXPECT_TRUE(Eventually([&] {
      auto r = env().Call("case", "GetCase", token, {{"caseId", case_id}});
      c = r.body;
      return r.ok() && c.value("productLookupState", "") != "PRODUCT_LOOKUP_STATE_PENDING";
    })) << c.dump();
    return c;
  }
};

// 1. A partner without accounts reached any unit through CreateSupportContract.
TEST_F(AuthzFindingsTest, PartnerWithoutAccountsCannotContractAnotherAccountsUnit) {
  const std::string sku = Unique("SKU-AF1-");
  const std::string account = Unique("AF1-A-");
  CreateProduct(sku);
  const std::string serial = SoldUnit(sku, account);
  Settle();
  const std::string evil = Env::Token(Role::kPartner, "evil-partner", {}, "EVIL", true);
  const auto before = env().Snapshot();
  auto r = env().Call("inventory", "CreateSupportContract", evil,
                      {{"requestId", Unique("af1-")}, {"serialNumber", serial},
                       {"option", {{"level", "SUPPORT_LEVEL_NEXT_BUSINESS_DAY"},
                                   {"termMonths", 12}, {"preApprovalReference", "PA-EVIL"}}}});
  EXPECT_EQ(r.status.error_code(), Code::NOT_FOUND) << r.str();
  EXPECT_TRUE(r.body.empty()) << r.str();
  ExpectNothingWritten(before, "CreateSupportContract by partner EVIL");
  auto get = env().Call("inventory", "GetUnit", evil, {{"serialNumber", serial}});
  EXPECT_EQ(get.status.error_code(), Code::NOT_FOUND) << get.str();
  EXPECT_EQ(r.status.error_message(), get.status.error_message());
  EXPECT_EQ(get.status.error_message(), "unit " + serial + " not found");
  // Control: the owner's reach is unchanged.
  auto owner = env().Call("inventory", "GetUnit", tok().Customer(account), {{"serialNumber", serial}});
  EXPECT_TRUE(owner.ok()) << owner.str();
}

// 2. A replayed request_id answered from the stored response without
// authorizing the caller again.
TEST_F(AuthzFindingsTest, ReplayedRequestIdIsAuthorizedAgain) {
  const std::string subject = Unique("af2-x-");
  const std::string rid = Unique("af2-p-");
  const std::string sku = Unique("SKU-AF2-");
  Json create = {{"requestId", rid},
                 {"product", {{"sku", sku}, {"displayName", sku},
                              {"family", "PRODUCT_FAMILY_SWITCHING"}, {"series", "EX Series"},
                              {"platform", "EX4300"},
                              {"listPrice", {{"currencyCode", "USD"}, {"amountMinor", "100"}}},
                              {"lifecycle", "LIFECYCLE_CURRENT"}, {"latestSoftwareRelease", "22.2R3"},
                              {"standardWarrantyMonths", 12}}}};
  E2E_OK(env().Call("inventory", "CreateProduct", Env::Token(Role::kAdmin, subject), create));
  auto replay = env().Call("inventory", "CreateProduct",
                           Env::Token(Role::kCustomer, subject, {Unique("AF2-C-")}), create);
  EXPECT_EQ(replay.status.error_code(), Code::PERMISSION_DENIED) << replay.str();
  EXPECT_TRUE(replay.body.empty()) << replay.str();

  // Same subject, account A then account B, same request_id.
  const std::string user = Unique("af2-u-");
  const std::string a = Unique("AF2-A-"), b = Unique("AF2-B-");
  const std::string case_rid = Unique("af2-c-");
  auto mine = E2E_OK(env().Call("case", "CreateCase", Env::Token(Role::kCustomer, user, {a}),
                                {{"requestId", case_rid}, {"case", CaseFor(a, "")}}));
  const std::string case_id = mine.body.value("caseId", "");
  ASSERT_FALSE(case_id.empty()) << mine.str();
  auto other = env().Call("case", "CreateCase", Env::Token(Role::kCustomer, user, {b}),
                          {{"requestId", case_rid}, {"case", CaseFor(a, "")}});
  EXPECT_NE(other.body.value("caseId", ""), case_id) << other.str();
  EXPECT_EQ(other.body.dump().find(a), std::string::npos) << other.str();
  if (other.ok()) {
    EXPECT_EQ(other.body.value("accountId", ""), b) << other.str();
  }
}

// 3. case-svc looked a serial up with its own (service) rights: a customer of
// B learned the series and platform of A's unit.
TEST_F(AuthzFindingsTest, CaseProductLookupOnlyForTheCasesAccount) {
  const std::string sku = Unique("SKU-AF3-");
  const std::string a = Unique("AF3-A-"), b = Unique("AF3-B-");
  CreateProduct(sku, "MX Series", "MX480");
  const std::string serial = SoldUnit(sku, a);
  const std::string b_token = tok().Customer(b);
  auto foreign = E2E_OK(env().Call("case", "CreateCase", b_token,
                                   {{"requestId", Unique("af3-b-")}, {"case", CaseFor(b, serial)}}));
  const std::string foreign_id = foreign.body.value("caseId", "");
  ASSERT_FALSE(foreign_id.empty()) << foreign.str();
  // Control: the owner's case is filled from the same serial.
  const std::string a_token = tok().Customer(a);
  auto own = E2E_OK(env().Call("case", "CreateCase", a_token,
                               {{"requestId", Unique("af3-a-")}, {"case", CaseFor(a, serial)}}));
  Json own_case = SettledCase(own.body.value("caseId", ""), a_token);
  EXPECT_EQ(own_case.value("productLookupState", ""), "PRODUCT_LOOKUP_STATE_FILLED") << own_case.dump();
  EXPECT_EQ(own_case.value("productSeries", ""), "MX Series");
  EXPECT_EQ(own_case.value("productPlatform", ""), "MX480");
  // The foreign case (settled too: the owner's was looked up after it).
  Json c = SettledCase(foreign_id, b_token);
  EXPECT_NE(c.value("productLookupState", ""), "PRODUCT_LOOKUP_STATE_FILLED") << c.dump();
  EXPECT_EQ(c.value("productSeries", ""), "") << c.dump();
  EXPECT_EQ(c.value("productPlatform", ""), "") << c.dump();
  EXPECT_EQ(foreign.body.value("productSeries", ""), "") << foreign.str();
}

// 4. A CPO partner released or sold another partner's reservation.
TEST_F(AuthzFindingsTest, PartnerCannotReleaseOrSellAnotherPartnersReservation) {
  const std::string sku = Unique("SKU-AF4-");
  const std::string serial = Unique("JN1AF4");
  const std::string p1 = Env::Token(Role::kPartner, "af4-p1", {}, Unique("AF4-P1-"), true);
  const std::string p2 = Env::Token(Role::kPartner, "af4-p2", {}, Unique("AF4-P2-"), true);
  CreateProduct(sku);
  LoadGenuine({serial}, sku);
  ReceiveAndCertify(serial, sku);
  E2E_OK(env().Call("inventory", "ReserveUnit", p1,
                    {{"requestId", Unique("af4-r-")}, {"serialNumber", serial},
                     {"shipToRegionCode", "US"}}));
  Settle();
  auto get = env().Call("inventory", "GetUnit", p2, {{"serialNumber", serial}});
  EXPECT_EQ(get.status.error_code(), Code::NOT_FOUND) << get.str();
  EXPECT_EQ(get.status.error_message(), "unit " + serial + " not found");
  const auto before = env().Snapshot();
  auto release = env().Call("inventory", "ReleaseReservation", p2,
                            {{"requestId", Unique("af4-x-")}, {"serialNumber", serial}});
  EXPECT_EQ(release.status.error_code(), Code::NOT_FOUND) << release.str();
  EXPECT_EQ(release.status.error_message(), get.status.error_message());
  auto sell = env().Call("inventory", "SellUnit", p2,
                         {{"requestId", Unique("af4-s-")}, {"serialNumber", serial},
                          {"buyerAccountId", Unique("AF4-BUYER-")}});
  EXPECT_EQ(sell.status.error_code(), Code::NOT_FOUND) << sell.str();
  EXPECT_EQ(sell.status.error_message(), get.status.error_message());
  ExpectNothingWritten(before, "ReleaseReservation/SellUnit by P2");
  EXPECT_EQ(UnitState(serial), "UNIT_STATE_RESERVED");
}

// 5. Cases were visible to the subject that opened them, whatever accounts
// its token carries now.
TEST_F(AuthzFindingsTest, CaseOpenerWhoLostTheAccountNoLongerSeesTheCase) {
  const std::string user = Unique("af5-u-");
  const std::string a = Unique("AF5-A-"), b = Unique("AF5-B-");
  auto created = E2E_OK(env().Call("case", "CreateCase", Env::Token(Role::kCustomer, user, {a}),
                                   {{"requestId", Unique("af5-")}, {"case", CaseFor(a, "")}}));
  const std::string case_id = created.body.value("caseId", "");
  ASSERT_FALSE(case_id.empty()) << created.str();
  for (const auto& accounts : {std::vector<std::string>{}, std::vector<std::string>{b}}) {
    const std::string token = Env::Token(Role::kCustomer, user, accounts);
    const std::string what = accounts.empty() ? "no account" : "account B only";
    auto get = env().Call("case", "GetCase", token, {{"caseId", case_id}});
    EXPECT_EQ(get.status.error_code(), Code::NOT_FOUND) << what << ": " << get.str();
    EXPECT_TRUE(get.body.empty()) << what;
    auto list = env().Call("case", "ListCases", token, Json::object());
    EXPECT_EQ(list.body.dump().find(case_id), std::string::npos) << what << ": " << list.str();
    if (!accounts.empty()) {
      auto list_b = env().Call("case", "ListCases", token, {{"accountId", b}});
      EXPECT_EQ(list_b.body.dump().find(case_id), std::string::npos) << what << ": " << list_b.str();
    }
  }
  // Control: with account A the opener still sees it.
  auto again = env().Call("case", "GetCase", Env::Token(Role::kCustomer, user, {a}),
                          {{"caseId", case_id}});
  EXPECT_TRUE(again.ok()) << again.str();
}

// A selling partner's retry of a completed SellUnit (same request_id) gets
// the stored sale, although the sold unit is now the buyer's and out of the
// partner's reach: the key binds the answer to that partner's rights.
TEST_F(AuthzFindingsTest, SellingPartnersRetryOfSellUnitGetsTheStoredSale) {
  const std::string sku = Unique("SKU-AF6-");
  const std::string serial = Unique("JN1AF6");
  CreateProduct(sku);
  LoadGenuine({serial}, sku);
  ReceiveAndCertify(serial, sku);
  E2E_OK(env().Call("inventory", "ReserveUnit", tok().partner,
                    {{"requestId", Unique("af6-r-")}, {"serialNumber", serial},
                     {"shipToRegionCode", "US"}}));
  Json sell = {{"requestId", Unique("af6-s-")}, {"serialNumber", serial},
               {"buyerAccountId", Unique("AF6-BUYER-")}};
  auto first = E2E_OK(env().Call("inventory", "SellUnit", tok().partner, sell));
  auto retry = env().Call("inventory", "SellUnit", tok().partner, sell);
  EXPECT_TRUE(retry.ok()) << retry.str();
  EXPECT_EQ(retry.body.dump(), first.body.dump());
}

}  // namespace
}  // namespace aftercare::e2e
