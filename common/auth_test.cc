#include "common/auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/key_files.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr absl::StatusCode kUnauthenticated = absl::StatusCode::kUnauthenticated;
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test";
const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

constexpr Role kAllRoles[] = {Role::kCustomer,  Role::kPartner, Role::kCareAgent, Role::kTse,
                              Role::kLogistics, Role::kAdmin,   Role::kService};

// ---------------------------------------------------------------------------
// Key and token helpers (keys are generated per run, never stored).

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

KeyPair ToPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  EXPECT_EQ(PEM_write_bio_PUBKEY(pub.get(), key), 1);
  return KeyPair{BioContents(priv.get()), BioContents(pub.get())};
}

KeyPair RsaKey(unsigned bits) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_RSA_gen(bits));
  EXPECT_NE(key, nullptr);
  return ToPem(key.get());
}

KeyPair EcKey(const char* curve) {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen(curve));
  EXPECT_NE(key, nullptr);
  return ToPem(key.get());
}

KeyPair Ed25519Key() {
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_NE(key, nullptr);
  return ToPem(key.get());
}

std::string EncryptedPrivatePem(const KeyPair& pair) {
  std::unique_ptr<BIO, BioFree> in(
      BIO_new_mem_buf(pair.private_pem.data(), static_cast<int>(pair.private_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  static char kPass[] = "passphrase";
  EXPECT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), kPass,
                                          sizeof(kPass) - 1, nullptr, nullptr),
            1);
  return BioContents(out.get());
}

std::string B64Url(absl::string_view data) { return absl::WebSafeBase64Escape(data); }

// Builds an HS256-signed token from raw JSON, keyed with `key`; lets tests
// forge headers and claims that MintHs256 would never produce.
std::string SignHs256(const std::string& header_json, const Json& payload, std::string_view key) {
  std::string signing_input = absl::StrCat(B64Url(header_json), ".", B64Url(payload.dump()));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return absl::StrCat(signing_input, ".",
                      B64Url(std::string(reinterpret_cast<char*>(mac), mac_len)));
}

std::string SignHs256(const Json& payload, std::string_view key = kSecret) {
  return SignHs256(R"({"alg":"HS256","typ":"JWT"})", payload, key);
}

Json ValidPayload() {
  return Json{{"sub", "user-1"},
              {"role", "customer"},
              {"account_ids", {"ACME-1"}},
              {"iat", absl::ToUnixSeconds(kNow)},
              {"exp", absl::ToUnixSeconds(kNow + absl::Hours(1))}};
}

TokenClaims CustomerClaims() {
  TokenClaims claims;
  claims.subject = "user-1";
  claims.role = Role::kCustomer;
  claims.account_ids = {"ACME-1", "ACME-2"};
  return claims;
}

std::unique_ptr<JwtVerifier> MakeVerifier(JwtVerifierOptions options) {
  auto verifier = JwtVerifier::Create(std::move(options));
  EXPECT_THAT(verifier, IsOk());
  return verifier.ok() ? std::move(verifier).value() : nullptr;
}

std::unique_ptr<JwtVerifier> SecretVerifier() {
  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  return MakeVerifier(std::move(options));
}

std::unique_ptr<JwtVerifier> PublicKeyVerifier(std::vector<std::string> pems) {
  JwtVerifierOptions options;
  options.public_keys_pem = std::move(pems);
  return MakeVerifier(std::move(options));
}

Principal MakePrincipal(Role role, std::vector<std::string> accounts = {}) {
  Principal p;
  p.subject = "someone";
  p.role = role;
  p.account_ids = std::move(accounts);
  if (role == Role::kPartner) p.partner_id = "P-1";
  return p;
}

// ---------------------------------------------------------------------------
// Roles.

TEST(RoleTest, NamesRoundTrip) {
  EXPECT_EQ(RoleName(Role::kCustomer), "customer");
  EXPECT_EQ(RoleName(Role::kPartner), "partner");
  EXPECT_EQ(RoleName(Role::kCareAgent), "care_agent");
  EXPECT_EQ(RoleName(Role::kTse), "tse");
  EXPECT_EQ(RoleName(Role::kLogistics), "logistics");
  EXPECT_EQ(RoleName(Role::kAdmin), "admin");
  EXPECT_EQ(RoleName(Role::kService), "service");
  for (Role role : kAllRoles) EXPECT_EQ(ParseRole(RoleName(role)), role);
}

TEST(RoleTest, ParseRejectsUnknownNames) {
  EXPECT_EQ(ParseRole(""), std::nullopt);
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole("careagent"), std::nullopt);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Principal and authorization helpers.

TEST(PrincipalTest, HasRoleAndIsInternal) {
  Principal p = MakePrincipal(Role::kTse);
  EXPECT_TRUE(p.HasRole({Role::kTse}));
  EXPECT_TRUE(p.HasRole({Role::kCareAgent, Role::kTse}));
  EXPECT_FALSE(p.HasRole({Role::kAdmin}));
  EXPECT_FALSE(p.HasRole({}));
  for (Role role : kAllRoles) {
    EXPECT_EQ(MakePrincipal(role).IsInternal(), role == Role::kAdmin || role == Role::kService)
        << RoleName(role);
  }
}

TEST(PrincipalTest, CanAccessAccountByRole) {
  for (Role role : kAllRoles) {
    Principal p = MakePrincipal(role, {"ACME-1"});
    bool scoped = role == Role::kCustomer || role == Role::kPartner;
    EXPECT_TRUE(p.CanAccessAccount("ACME-1")) << RoleName(role);
    EXPECT_EQ(p.CanAccessAccount("OTHER"), !scoped) << RoleName(role);
  }
}

TEST(PrincipalTest, ScopedRolesWithoutAccountsSeeNothing) {
  EXPECT_FALSE(MakePrincipal(Role::kCustomer).CanAccessAccount("ACME-1"));
  EXPECT_FALSE(MakePrincipal(Role::kPartner).CanAccessAccount("ACME-1"));
  EXPECT_FALSE(MakePrincipal(Role::kCustomer, {""}).CanAccessAccount(""));
}

TEST(RequireCpoChannelTest, OnlyCpoPartnersAndInternalCallers) {
  Principal cpo_partner = MakePrincipal(Role::kPartner);
  cpo_partner.cpo_channel = true;
  EXPECT_OK(RequireCpoChannel(cpo_partner));
  EXPECT_THAT(RequireCpoChannel(MakePrincipal(Role::kPartner)),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "partner 'P-1' is not authorized for the CPO channel"));
  EXPECT_OK(RequireCpoChannel(MakePrincipal(Role::kAdmin)));
  EXPECT_OK(RequireCpoChannel(MakePrincipal(Role::kService)));
  for (Role role : {Role::kCustomer, Role::kCareAgent, Role::kTse, Role::kLogistics}) {
    Principal p = MakePrincipal(role);
    p.cpo_channel = true;  // the flag means nothing outside the partner role
    EXPECT_THAT(RequireCpoChannel(p), StatusIs(absl::StatusCode::kPermissionDenied,
                                               HasSubstr("'" + std::string(RoleName(role)) + "'")));
  }
}

// ---------------------------------------------------------------------------
// BearerFromHeader.

TEST(BearerFromHeaderTest, AcceptsBearerSchemeCaseInsensitively) {
  EXPECT_THAT(BearerFromHeader("Bearer abc.def.ghi"), IsOk());
  EXPECT_EQ(*BearerFromHeader("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(*BearerFromHeader("bearer abc"), "abc");
  EXPECT_EQ(*BearerFromHeader("BEARER   abc  "), "abc");
}

TEST(BearerFromHeaderTest, RejectsEverythingElse) {
  for (std::string_view header :
       {"", "Bearer", "Bearer ", "Bearerabc", "Basic dXNlcjpwYXNz", "abc.def.ghi", "Bearer a b"}) {
    EXPECT_THAT(BearerFromHeader(header), StatusIs(kUnauthenticated, "missing bearer token"))
        << header;
  }
}

// ---------------------------------------------------------------------------
// Verifier creation.

class AuthKeysTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new KeyPair(RsaKey(2048));
    rsa_other_ = new KeyPair(RsaKey(2048));
    ec256_ = new KeyPair(EcKey("P-256"));
    ec384_ = new KeyPair(EcKey("P-384"));
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete rsa_other_;
    delete ec256_;
    delete ec384_;
  }

  static KeyPair* rsa_;
  static KeyPair* rsa_other_;
  static KeyPair* ec256_;
  static KeyPair* ec384_;
};

KeyPair* AuthKeysTest::rsa_ = nullptr;
KeyPair* AuthKeysTest::rsa_other_ = nullptr;
KeyPair* AuthKeysTest::ec256_ = nullptr;
KeyPair* AuthKeysTest::ec384_ = nullptr;

using JwtVerifierCreateTest = AuthKeysTest;

TEST_F(JwtVerifierCreateTest, NeedsAKey) {
  EXPECT_THAT(JwtVerifier::Create(JwtVerifierOptions{}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(JwtVerifierCreateTest, RejectsShortSecret) {
  JwtVerifierOptions options;
  options.hs256_secret = "short";
  EXPECT_THAT(JwtVerifier::Create(options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32 bytes")));
}

TEST_F(JwtVerifierCreateTest, RejectsNegativeLeeway) {
  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  options.leeway = absl::Seconds(-1);
  EXPECT_THAT(JwtVerifier::Create(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(JwtVerifierCreateTest, RejectsBadPublicKeys) {
  KeyPair weak_rsa = RsaKey(1024);
  KeyPair ed25519 = Ed25519Key();
  for (const std::string& pem : {std::string("not a key"), rsa_->private_pem, weak_rsa.public_pem,
                                 ed25519.public_pem, rsa_->public_pem + rsa_other_->public_pem}) {
    JwtVerifierOptions options;
    options.public_keys_pem = {pem};
    EXPECT_THAT(JwtVerifier::Create(options),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("public_keys_pem[0]")));
  }
}

TEST_F(JwtVerifierCreateTest, AcceptsSupportedPublicKeys) {
  JwtVerifierOptions options;
  options.public_keys_pem = {rsa_->public_pem, ec256_->public_pem, ec384_->public_pem};
  EXPECT_THAT(JwtVerifier::Create(options), IsOk());
}

// ---------------------------------------------------------------------------
// HS256.

TEST(JwtHs256Test, RoundTripKeepsAllClaims) {
  TokenClaims claims;
  claims.subject = "reseller-7";
  claims.role = Role::kPartner;
  claims.account_ids = {"ACME-1", "ACME-2"};
  claims.partner_id = "P-7";
  claims.cpo_channel = true;
  claims.issuer = "aftercare-dev";
  claims.audience = "aftercare";
  claims.ttl = absl::Minutes(10);
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(claims, kSecret, kNow));

  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  options.issuer = "aftercare-dev";
  options.audience = "aftercare";
  auto verifier = MakeVerifier(options);
  ASSERT_OK_AND_ASSIGN(Principal p, verifier->Verify(token, kNow + absl::Minutes(1)));
  EXPECT_EQ(p.subject, "reseller-7");
  EXPECT_EQ(p.role, Role::kPartner);
  EXPECT_THAT(p.account_ids, ElementsAre("ACME-1", "ACME-2"));
  EXPECT_EQ(p.partner_id, "P-7");
  EXPECT_TRUE(p.cpo_channel);
  EXPECT_EQ(p.expires_at, kNow + absl::Minutes(10));
}

TEST(JwtHs256Test, MintedTokenHasHs256Header) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string header;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[0], &header));
  EXPECT_EQ(Json::parse(header).at("alg"), "HS256");
}

TEST(JwtHs256Test, OptionalClaimsDefault) {
  TokenClaims claims;
  claims.subject = "agent-1";
  claims.role = Role::kCareAgent;
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(claims, kSecret, kNow));
  ASSERT_OK_AND_ASSIGN(Principal p, SecretVerifier()->Verify(token, kNow));
  EXPECT_EQ(p.role, Role::kCareAgent);
  EXPECT_TRUE(p.account_ids.empty());
  EXPECT_TRUE(p.partner_id.empty());
  EXPECT_FALSE(p.cpo_channel);
}

TEST(JwtHs256Test, ExpiryHonoursLeeway) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  auto verifier = SecretVerifier();
  const absl::Time exp = kNow + absl::Hours(1);
  EXPECT_THAT(verifier->Verify(token, exp + absl::Seconds(29)), IsOk());
  EXPECT_THAT(verifier->Verify(token, exp + absl::Seconds(30)),
              StatusIs(kUnauthenticated, "token expired"));
  EXPECT_THAT(verifier->Verify(token, exp + absl::Hours(5)),
              StatusIs(kUnauthenticated, "token expired"));
}

// The cache of verified tokens skips the signature work only: every call
// still checks the time claims, and a changed token is verified afresh.
TEST(JwtVerifierCacheTest, RepeatedTokenIsAnsweredFromTheCacheWithTheSameCaller) {
  auto verifier = SecretVerifier();
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  ASSERT_OK_AND_ASSIGN(Principal first, verifier->Verify(token, kNow));
  EXPECT_EQ(verifier->cache_hits(), 0);
  ASSERT_OK_AND_ASSIGN(Principal again, verifier->Verify(token, kNow + absl::Minutes(1)));
  EXPECT_EQ(verifier->cache_hits(), 1);
  EXPECT_EQ(again.subject, first.subject);
  EXPECT_EQ(again.role, first.role);
  EXPECT_EQ(again.account_ids, first.account_ids);
  EXPECT_EQ(again.expires_at, first.expires_at);
}

TEST(JwtVerifierCacheTest, CachedTokenStillExpires) {
  auto verifier = SecretVerifier();
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  ASSERT_THAT(verifier->Verify(token, kNow), IsOk());
  EXPECT_THAT(verifier->Verify(token, kNow + absl::Hours(2)),
              StatusIs(kUnauthenticated, "token expired"));
  EXPECT_EQ(verifier->cache_hits(), 1);
  // Dropped once expired: the next call verifies it afresh (and fails again).
  EXPECT_THAT(verifier->Verify(token, kNow + absl::Hours(2)),
              StatusIs(kUnauthenticated, "token expired"));
  EXPECT_EQ(verifier->cache_hits(), 1);
}

TEST(JwtVerifierCacheTest, AlteredTokenIsNotServedFromTheCache) {
  auto verifier = SecretVerifier();
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  ASSERT_THAT(verifier->Verify(token, kNow), IsOk());
  std::string altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_THAT(verifier->Verify(altered, kNow), StatusIs(kUnauthenticated));
  EXPECT_EQ(verifier->cache_hits(), 0);
}

TEST(JwtVerifierCacheTest, FullCacheKeepsWorkingAndZeroCapacityDisablesIt) {
  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  options.cache_capacity = 16;  // one per shard
  auto small = MakeVerifier(options);
  std::vector<std::string> tokens;
  for (int i = 0; i < 100; ++i) {
    TokenClaims claims = CustomerClaims();
    claims.subject = absl::StrCat("customer-", i);
    ASSERT_OK_AND_ASSIGN(std::string t, MintHs256(claims, kSecret, kNow));
    tokens.push_back(t);
  }
  for (const std::string& t : tokens) ASSERT_THAT(small->Verify(t, kNow), IsOk());
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK_AND_ASSIGN(Principal p, small->Verify(tokens[i], kNow));
    EXPECT_EQ(p.subject, absl::StrCat("customer-", i));
  }
  options.cache_capacity = 0;
  auto none = MakeVerifier(options);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(none->Verify(tokens[0], kNow), IsOk());
  EXPECT_EQ(none->cache_hits(), 0);
}

TEST(JwtHs256Test, ExpIsRequiredAndNumeric) {
  Json payload = ValidPayload();
  payload.erase("exp");
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token has no exp claim"));
  payload["exp"] = "tomorrow";
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, HasSubstr("exp claim is not a number")));
}

TEST(JwtHs256Test, FractionalExpIsAccepted) {
  Json payload = ValidPayload();
  payload["exp"] = absl::ToUnixSeconds(kNow) + 60.5;
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow), IsOk());
}

TEST(JwtHs256Test, NotYetValid) {
  Json payload = ValidPayload();
  payload["nbf"] = absl::ToUnixSeconds(kNow + absl::Minutes(5));
  auto verifier = SecretVerifier();
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token not yet valid"));
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow + absl::Minutes(5) - absl::Seconds(10)),
              IsOk());  // within the leeway
}

TEST(JwtHs256Test, IssuedInTheFuture) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintHs256(CustomerClaims(), kSecret, kNow + absl::Minutes(10)));
  EXPECT_THAT(SecretVerifier()->Verify(token, kNow),
              StatusIs(kUnauthenticated, "token issued in the future"));
}

TEST(JwtHs256Test, WrongSecret) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintHs256(CustomerClaims(), "another-secret-of-at-least-32-bytes!", kNow));
  auto result = SecretVerifier()->Verify(token, kNow);
  EXPECT_THAT(result, StatusIs(kUnauthenticated, "token signature invalid"));
}

TEST(JwtHs256Test, IssuerMismatch) {
  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  options.issuer = "aftercare";
  auto verifier = MakeVerifier(options);
  TokenClaims claims = CustomerClaims();
  ASSERT_OK_AND_ASSIGN(std::string no_issuer, MintHs256(claims, kSecret, kNow));
  EXPECT_THAT(verifier->Verify(no_issuer, kNow),
              StatusIs(kUnauthenticated, "token issuer mismatch"));
  claims.issuer = "evil";
  ASSERT_OK_AND_ASSIGN(std::string wrong_issuer, MintHs256(claims, kSecret, kNow));
  EXPECT_THAT(verifier->Verify(wrong_issuer, kNow),
              StatusIs(kUnauthenticated, "token issuer mismatch"));
  claims.issuer = "aftercare";
  ASSERT_OK_AND_ASSIGN(std::string right_issuer, MintHs256(claims, kSecret, kNow));
  EXPECT_THAT(verifier->Verify(right_issuer, kNow), IsOk());
}

TEST(JwtHs256Test, AudienceStringOrArray) {
  JwtVerifierOptions options;
  options.hs256_secret = kSecret;
  options.audience = "aftercare";
  auto verifier = MakeVerifier(options);

  Json payload = ValidPayload();
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token audience mismatch"));
  payload["aud"] = "billing";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token audience mismatch"));
  payload["aud"] = {"billing", "crm"};
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token audience mismatch"));
  payload["aud"] = {"billing", "aftercare"};
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow), IsOk());
  payload["aud"] = "aftercare";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow), IsOk());
}

TEST(JwtHs256Test, RoleClaimRequiredAndKnown) {
  auto verifier = SecretVerifier();
  Json payload = ValidPayload();
  payload.erase("role");
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token has no role claim"));
  payload["role"] = "";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token has no role claim"));
  payload["role"] = "superuser";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token role 'superuser' is unknown"));
  payload["role"] = Json::array({"admin"});
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, HasSubstr("role claim is not a string")));
}

TEST(JwtHs256Test, SubjectRequired) {
  Json payload = ValidPayload();
  payload.erase("sub");
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "token has no sub claim"));
}

TEST(JwtHs256Test, PartnerNeedsPartnerId) {
  Json payload = ValidPayload();
  payload["role"] = "partner";
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, "partner token has no partner_id claim"));
  payload["partner_id"] = "P-1";
  EXPECT_THAT(SecretVerifier()->Verify(SignHs256(payload), kNow), IsOk());
}

TEST(JwtHs256Test, ClaimTypesAreChecked) {
  auto verifier = SecretVerifier();
  Json payload = ValidPayload();
  payload["account_ids"] = "ACME-1";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, HasSubstr("account_ids")));
  payload["account_ids"] = {"ACME-1", 7};
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, HasSubstr("account_ids")));
  payload = ValidPayload();
  payload["cpo_channel"] = "yes";
  EXPECT_THAT(verifier->Verify(SignHs256(payload), kNow),
              StatusIs(kUnauthenticated, HasSubstr("cpo_channel")));
}

TEST(JwtHs256Test, TamperedPayloadIsRejected) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  Json forged = ValidPayload();
  forged["role"] = "admin";
  std::string tampered = absl::StrCat(parts[0], ".", B64Url(forged.dump()), ".", parts[2]);
  EXPECT_THAT(SecretVerifier()->Verify(tampered, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

TEST(JwtHs256Test, TamperedSignatureIsRejected) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  token[token.size() - 2] = token[token.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_THAT(SecretVerifier()->Verify(token, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
  std::string unsigned_token = token.substr(0, token.rfind('.') + 1);
  EXPECT_THAT(SecretVerifier()->Verify(unsigned_token, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

TEST(JwtHs256Test, AlgNoneIsRejected) {
  auto verifier = SecretVerifier();
  for (const char* alg : {"none", "None", "NONE"}) {
    std::string header = absl::StrCat(R"({"alg":")", alg, R"(","typ":"JWT"})");
    std::string body = B64Url(ValidPayload().dump());
    EXPECT_THAT(verifier->Verify(absl::StrCat(B64Url(header), ".", body, "."), kNow),
                StatusIs(kUnauthenticated, HasSubstr("is not accepted")))
        << alg;
    // Even with a signature appended.
    EXPECT_THAT(verifier->Verify(SignHs256(header, ValidPayload(), kSecret), kNow),
                StatusIs(kUnauthenticated, HasSubstr("is not accepted")))
        << alg;
  }
}

TEST(JwtHs256Test, OtherHmacAlgorithmsAreRejected) {
  std::string token = SignHs256(R"({"alg":"HS512","typ":"JWT"})", ValidPayload(), kSecret);
  EXPECT_THAT(SecretVerifier()->Verify(token, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'HS512' is not accepted"));
}

TEST(JwtHs256Test, HeaderWithoutAlgOrWithCritIsRejected) {
  EXPECT_THAT(
      SecretVerifier()->Verify(SignHs256(R"({"typ":"JWT"})", ValidPayload(), kSecret), kNow),
      StatusIs(kUnauthenticated, "token header has no alg"));
  EXPECT_THAT(
      SecretVerifier()->Verify(
          SignHs256(R"({"alg":"HS256","crit":["exp"],"exp":1})", ValidPayload(), kSecret), kNow),
      StatusIs(kUnauthenticated, HasSubstr("critical")));
}

TEST(JwtHs256Test, MalformedTokens) {
  auto verifier = SecretVerifier();
  std::string good = SignHs256(ValidPayload());
  for (const std::string& token :
       {std::string("abc"), std::string("a.b"), good + ".extra", std::string(".."),
        std::string("a b.c.d"), std::string("e30.bm90IGpzb24.c2ln"), std::string(20000, 'a')}) {
    EXPECT_THAT(verifier->Verify(token, kNow), StatusIs(kUnauthenticated)) << token.substr(0, 40);
  }
  EXPECT_THAT(verifier->Verify("", kNow), StatusIs(kUnauthenticated, "missing bearer token"));
}

TEST(JwtHs256Test, ErrorsNeverQuoteTheToken) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  auto verifier = SecretVerifier();
  for (absl::Time at : {kNow + absl::Hours(2), kNow - absl::Hours(2)}) {
    absl::Status status = verifier->Verify(token, at).status();
    EXPECT_THAT(status, StatusIs(kUnauthenticated));
    for (const std::string& part : parts) EXPECT_THAT(status.message(), Not(HasSubstr(part)));
  }
}

TEST(JwtHs256Test, ConcurrentVerifyIsSafe) {
  ASSERT_OK_AND_ASSIGN(std::string token, MintHs256(CustomerClaims(), kSecret, kNow));
  auto verifier = SecretVerifier();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!verifier->Verify(token, kNow).ok()) ++failures[t];
        if (verifier->Verify(token + "x", kNow).ok()) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(failures, ElementsAre(0, 0, 0, 0));
}

TEST(MintHs256Test, RejectsIncompleteClaims) {
  TokenClaims claims = CustomerClaims();
  EXPECT_THAT(MintHs256(claims, "short", kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  claims.subject = "";
  EXPECT_THAT(MintHs256(claims, kSecret, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  claims = CustomerClaims();
  claims.ttl = absl::ZeroDuration();
  EXPECT_THAT(MintHs256(claims, kSecret, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
  claims = CustomerClaims();
  claims.role = Role::kPartner;
  EXPECT_THAT(MintHs256(claims, kSecret, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("partner_id")));
  claims = CustomerClaims();
  claims.subject = "\xff\xfe";
  EXPECT_THAT(MintHs256(claims, kSecret, kNow), StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---------------------------------------------------------------------------
// Public-key algorithms.

using JwtPublicKeyTest = AuthKeysTest;

TEST_F(JwtPublicKeyTest, Rs256RoundTrip) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), rsa_->private_pem, kNow));
  std::string header;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(0, token.find('.')), &header));
  EXPECT_EQ(Json::parse(header).at("alg"), "RS256");
  ASSERT_OK_AND_ASSIGN(Principal p, PublicKeyVerifier({rsa_->public_pem})->Verify(token, kNow));
  EXPECT_EQ(p.subject, "user-1");
  EXPECT_EQ(p.role, Role::kCustomer);
  EXPECT_THAT(p.account_ids, ElementsAre("ACME-1", "ACME-2"));
}

TEST_F(JwtPublicKeyTest, Es256RoundTrip) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), ec256_->private_pem, kNow));
  std::string header;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(0, token.find('.')), &header));
  EXPECT_EQ(Json::parse(header).at("alg"), "ES256");
  // JWS carries ECDSA signatures as r||s: 64 bytes for P-256.
  std::string signature;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(token.rfind('.') + 1), &signature));
  EXPECT_EQ(signature.size(), 64u);
  ASSERT_OK_AND_ASSIGN(Principal p, PublicKeyVerifier({ec256_->public_pem})->Verify(token, kNow));
  EXPECT_EQ(p.subject, "user-1");
}

TEST_F(JwtPublicKeyTest, Es384RoundTrip) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), ec384_->private_pem, kNow));
  ASSERT_OK_AND_ASSIGN(Principal p, PublicKeyVerifier({ec384_->public_pem})->Verify(token, kNow));
  EXPECT_EQ(p.subject, "user-1");
}

TEST_F(JwtPublicKeyTest, TriesEveryKeyOfTheRightType) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), rsa_->private_pem, kNow));
  auto verifier = PublicKeyVerifier(
      {ec256_->public_pem, rsa_other_->public_pem, ec384_->public_pem, rsa_->public_pem});
  EXPECT_THAT(verifier->Verify(token, kNow), IsOk());
}

TEST_F(JwtPublicKeyTest, UnknownKeyIsRejected) {
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), rsa_other_->private_pem, kNow));
  EXPECT_THAT(PublicKeyVerifier({rsa_->public_pem})->Verify(token, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

TEST_F(JwtPublicKeyTest, AlgWithoutMatchingKeyTypeIsRejected) {
  ASSERT_OK_AND_ASSIGN(std::string es256,
                       MintWithPrivateKey(CustomerClaims(), ec256_->private_pem, kNow));
  EXPECT_THAT(PublicKeyVerifier({rsa_->public_pem})->Verify(es256, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'ES256' is not accepted"));
  ASSERT_OK_AND_ASSIGN(std::string rs256,
                       MintWithPrivateKey(CustomerClaims(), rsa_->private_pem, kNow));
  EXPECT_THAT(SecretVerifier()->Verify(rs256, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'RS256' is not accepted"));
}

TEST_F(JwtPublicKeyTest, RelabelledAlgIsRejected) {
  // An RS256 token whose header claims RS384: same key type, other hash.
  ASSERT_OK_AND_ASSIGN(std::string token,
                       MintWithPrivateKey(CustomerClaims(), rsa_->private_pem, kNow));
  std::string relabelled =
      absl::StrCat(B64Url(R"({"alg":"RS384","typ":"JWT"})"), token.substr(token.find('.')));
  EXPECT_THAT(PublicKeyVerifier({rsa_->public_pem})->Verify(relabelled, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

// The classic algorithm confusion: the attacker knows the public key and uses
// its PEM text as an HMAC secret.
TEST_F(JwtPublicKeyTest, Hs256KeyedWithPublicKeyIsRejected) {
  auto public_only = PublicKeyVerifier({rsa_->public_pem, ec256_->public_pem});
  ASSERT_OK_AND_ASSIGN(std::string forged, MintHs256(CustomerClaims(), rsa_->public_pem, kNow));
  EXPECT_THAT(public_only->Verify(forged, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'HS256' is not accepted"));
  ASSERT_OK_AND_ASSIGN(std::string forged_ec,
                       MintHs256(CustomerClaims(), ec256_->public_pem, kNow));
  EXPECT_THAT(public_only->Verify(forged_ec, kNow), StatusIs(kUnauthenticated));

  // With a secret configured too, the forged token still fails the HMAC.
  JwtVerifierOptions both;
  both.hs256_secret = kSecret;
  both.public_keys_pem = {rsa_->public_pem};
  EXPECT_THAT(MakeVerifier(both)->Verify(forged, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

// A header naming alg twice must not let one JSON parser pick the key and
// the other the algorithm.
TEST_F(JwtPublicKeyTest, DuplicateAlgHeaderIsRejected) {
  auto public_only = PublicKeyVerifier({rsa_->public_pem});
  for (const std::string& header : {std::string(R"({"alg":"RS256","alg":"HS256"})"),
                                    std::string(R"({"alg":"HS256","alg":"RS256"})")}) {
    std::string forged = SignHs256(header, ValidPayload(), rsa_->public_pem);
    EXPECT_THAT(public_only->Verify(forged, kNow), StatusIs(kUnauthenticated)) << header;
  }
}

TEST_F(JwtPublicKeyTest, MintRejectsUnusableKeys) {
  EXPECT_THAT(MintWithPrivateKey(CustomerClaims(), "garbage", kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MintWithPrivateKey(CustomerClaims(), rsa_->public_pem, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MintWithPrivateKey(CustomerClaims(), EncryptedPrivatePem(*ec256_), kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unencrypted")));
  EXPECT_THAT(MintWithPrivateKey(CustomerClaims(), Ed25519Key().private_pem, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unsupported key type")));
  EXPECT_THAT(MintWithPrivateKey(CustomerClaims(), RsaKey(1024).private_pem, kNow),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("2048")));
}

// ---------------------------------------------------------------------------
// Key rotation: ReplacePublicKeys and the key file watcher.

using JwtKeyRotationTest = AuthKeysTest;

std::string Mint(const KeyPair& key) {
  absl::StatusOr<std::string> token = MintWithPrivateKey(CustomerClaims(), key.private_pem, kNow);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

TEST_F(JwtKeyRotationTest, ReplacedKeysRefuseTokensOfARemovedKeyEvenWhenCached) {
  std::unique_ptr<JwtVerifier> verifier = PublicKeyVerifier({ec256_->public_pem});
  const std::string old_token = Mint(*ec256_);
  const std::string new_token = Mint(*rsa_);
  ASSERT_THAT(verifier->Verify(old_token, kNow), IsOk());
  ASSERT_THAT(verifier->Verify(old_token, kNow), IsOk());
  ASSERT_EQ(verifier->cache_hits(), 1);  // the old token is in the cache
  EXPECT_THAT(verifier->Verify(new_token, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'RS256' is not accepted"));

  // Rotation announced: both keys.
  ASSERT_OK(verifier->ReplacePublicKeys({ec256_->public_pem, rsa_->public_pem}));
  EXPECT_THAT(verifier->Verify(old_token, kNow), IsOk());
  EXPECT_THAT(verifier->Verify(new_token, kNow), IsOk());

  // The old key retired: its tokens are refused at once, cached or not.
  ASSERT_OK(verifier->ReplacePublicKeys({rsa_->public_pem}));
  EXPECT_THAT(verifier->Verify(old_token, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'ES256' is not accepted"));
  EXPECT_THAT(verifier->Verify(new_token, kNow), IsOk());

  // Same algorithm, other key: the signature no longer verifies.
  ASSERT_OK(verifier->ReplacePublicKeys({rsa_other_->public_pem}));
  EXPECT_THAT(verifier->Verify(new_token, kNow),
              StatusIs(kUnauthenticated, "token signature invalid"));
}

TEST_F(JwtKeyRotationTest, ARefusedReplacementKeepsTheKeysInUse) {
  std::unique_ptr<JwtVerifier> verifier = PublicKeyVerifier({ec256_->public_pem});
  const std::string token = Mint(*ec256_);
  EXPECT_THAT(verifier->ReplacePublicKeys({ec256_->public_pem, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("public_keys_pem[1]")));
  EXPECT_THAT(verifier->ReplacePublicKeys({}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("keeping the current keys")));
  EXPECT_THAT(verifier->Verify(token, kNow), IsOk());
}

TEST_F(JwtKeyRotationTest, ConcurrentVerifyWhileKeysAreReplaced) {
  std::unique_ptr<JwtVerifier> verifier = PublicKeyVerifier({ec256_->public_pem});
  const std::string kept = Mint(*ec256_);
  const std::string rotating = Mint(*rsa_);
  std::atomic<bool> stop{false};
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop.load()) {
        if (!verifier->Verify(kept, kNow).ok()) ++failures[t];
        (void)verifier->Verify(rotating, kNow);  // in the set half of the time
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(verifier->ReplacePublicKeys({ec256_->public_pem, rsa_->public_pem}));
    ASSERT_OK(verifier->ReplacePublicKeys({ec256_->public_pem}));
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(failures, ElementsAre(0, 0, 0, 0));
  // The last set has no RSA key: a token that raced into the cache with an
  // older set must not be answered from it.
  EXPECT_THAT(verifier->Verify(rotating, kNow),
              StatusIs(kUnauthenticated, "token algorithm 'RS256' is not accepted"));
}

class JwtKeyFileTest : public AuthKeysTest {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/jwt-keys-" + std::to_string(getpid()) + ".pem";
  }
  void TearDown() override { std::remove(path_.c_str()); }
  // Replaces the file the way a Secret volume does: write aside, rename.
  void Write(const std::string& content) {
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << content;
    ASSERT_EQ(std::rename(tmp.c_str(), path_.c_str()), 0);
  }
  std::string path_;
};

TEST_F(JwtKeyFileTest, TheWatcherFollowsTheFileAndKeepsTheKeysWhenItIsBroken) {
  Write(ec256_->public_pem);
  std::unique_ptr<JwtVerifier> verifier = PublicKeyVerifier({ec256_->public_pem});
  auto registry = std::make_shared<prometheus::Registry>();
  JwtKeyFileWatcher watcher(path_, ec256_->public_pem, verifier.get(),
                            JwtKeyFileWatcher::RegisterCounters(*registry));
  auto reloads = [&](const std::string& result) {
    for (const auto& family : registry->Collect()) {
      if (family.name != "aftercare_jwt_key_reloads_total") continue;
      for (const auto& m : family.metric) {
        if (m.label.at(0).value == result) return m.counter.value;
      }
    }
    return -1.0;
  };
  const std::string old_token = Mint(*ec256_);
  const std::string new_token = Mint(*rsa_);

  ASSERT_OK(watcher.Check());  // unchanged
  EXPECT_EQ(reloads("ok"), 0);

  Write(ec256_->public_pem + rsa_->public_pem);
  ASSERT_OK(watcher.Check());
  EXPECT_EQ(reloads("ok"), 1);
  EXPECT_THAT(verifier->Verify(new_token, kNow), IsOk());

  // Half-written: refused once, the keys stay.
  Write(rsa_->public_pem.substr(0, 40));
  EXPECT_THAT(watcher.Check(), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("refused, the previous keys stay")));
  EXPECT_OK(watcher.Check());
  EXPECT_EQ(reloads("error"), 1);
  EXPECT_THAT(verifier->Verify(old_token, kNow), IsOk());
  EXPECT_THAT(verifier->Verify(new_token, kNow), IsOk());

  Write(rsa_->public_pem);
  ASSERT_OK(watcher.Check());
  EXPECT_EQ(reloads("ok"), 2);
  EXPECT_THAT(verifier->Verify(old_token, kNow), StatusIs(kUnauthenticated));
  EXPECT_THAT(verifier->Verify(new_token, kNow), IsOk());
}

}  // namespace
}  // namespace aftercare
