// Tests of the offline verifier alone: this binary links licensing_key_verifier
// and OpenSSL, not the service. Keys are signed here with a key pair the test
// generates, the way licensing-svc signs them.
#include "licensing-svc/verifier/license_key_verifier.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::licensing {
namespace {

struct Pkey {
  EVP_PKEY* p = nullptr;
  ~Pkey() { EVP_PKEY_free(p); }
};

void Generate(Pkey* key) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  ASSERT_NE(ctx, nullptr);
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx), 1);
  ASSERT_EQ(EVP_PKEY_keygen(ctx, &key->p), 1);
  EVP_PKEY_CTX_free(ctx);
}

std::string RawPublic(EVP_PKEY* key) {
  std::string raw(32, '\0');
  size_t len = raw.size();
  EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &len);
  return raw;
}

std::string SignDocument(EVP_PKEY* key, const LicenseKeyClaims& claims) {
  const std::string payload = Base64UrlEncode(EncodeClaims(claims));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key);
  unsigned char sig[64];
  size_t len = sizeof(sig);
  EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(payload.data()),
                 payload.size());
  EVP_MD_CTX_free(ctx);
  return absl::StrCat(payload, ".",
                      Base64UrlEncode(absl::string_view(reinterpret_cast<char*>(sig), len)));
}

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Generate(&key_);
    Generate(&other_);
    kid_ = KeyIdOf(RawPublic(key_.p));
    keys_[kid_] = RawPublic(key_.p);
    claims_.key_id = kid_;
    claims_.license_id = "LIC-0123456789abcdef0123";
    claims_.entitlement_id = "ENT-0123456789abcdef0123";
    claims_.sku = "S-EX-A-C2-P";
    claims_.feature = "advanced-routing";
    claims_.capacity = 48;
    claims_.device_serial = "JN11A2B3C4D5";
    claims_.licensing_system = "JUNOS";
    claims_.term_type = "SUBSCRIPTION";
    claims_.not_before = absl::FromUnixSeconds(1798761600);
    claims_.not_after = absl::FromUnixSeconds(1830297600);
    claims_.issued_at = claims_.not_before;
    key_text_ = SignDocument(key_.p, claims_);
  }

  absl::Time During() const { return claims_.not_before + absl::Hours(24); }

  Pkey key_, other_;
  std::string kid_;
  PublicKeySet keys_;
  LicenseKeyClaims claims_;
  std::string key_text_;
};

TEST_F(VerifierTest, AcceptsAnUntouchedKeyWithThePublicKeyAlone) {
  KeyVerification v = VerifyLicenseKey(key_text_, keys_, "JN11A2B3C4D5", During());
  ASSERT_EQ(v.result, KeyCheck::kValid) << v.detail;
  ASSERT_TRUE(v.claims.has_value());
  EXPECT_EQ(v.claims->license_id, claims_.license_id);
  EXPECT_EQ(v.claims->feature, "advanced-routing");
  EXPECT_EQ(v.claims->capacity, 48);
  EXPECT_EQ(v.claims->key_id, kid_);
  EXPECT_EQ(*v.claims->not_after, *claims_.not_after);
  // Serials compare case-insensitively.
  EXPECT_EQ(VerifyLicenseKey(key_text_, keys_, "jn11a2b3c4d5", During()).result, KeyCheck::kValid);
}

TEST_F(VerifierTest, EveryChangedCharacterFails) {
  for (size_t i = 0; i < key_text_.size(); ++i) {
    std::string changed = key_text_;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    KeyVerification v = VerifyLicenseKey(changed, keys_, "JN11A2B3C4D5", During());
    EXPECT_NE(v.result, KeyCheck::kValid) << "position " << i;
  }
}

TEST_F(VerifierTest, AChangedPayloadByteIsABadSignature) {
  LicenseKeyClaims bigger = claims_;
  bigger.capacity = 4800;
  const std::string forged_payload = Base64UrlEncode(EncodeClaims(bigger));
  const std::string forged =
      absl::StrCat(forged_payload, key_text_.substr(key_text_.find('.')));
  EXPECT_EQ(VerifyLicenseKey(forged, keys_, "JN11A2B3C4D5", During()).result,
            KeyCheck::kBadSignature);
}

TEST_F(VerifierTest, AChangedByteThatBreaksThePayloadIsStillABadSignature) {
  std::string changed = key_text_;
  changed[0] = changed[0] == 'A' ? 'B' : 'A';  // the JSON's opening brace
  EXPECT_EQ(VerifyLicenseKey(changed, keys_, "JN11A2B3C4D5", During()).result,
            KeyCheck::kBadSignature);
}

TEST_F(VerifierTest, AnotherSerialIsTheWrongDevice) {
  KeyVerification v = VerifyLicenseKey(key_text_, keys_, "JN11OTHER999", During());
  EXPECT_EQ(v.result, KeyCheck::kWrongDevice);
}

TEST_F(VerifierTest, ValidityWindow) {
  EXPECT_EQ(VerifyLicenseKey(key_text_, keys_, "JN11A2B3C4D5", *claims_.not_after).result,
            KeyCheck::kExpired);
  EXPECT_EQ(VerifyLicenseKey(key_text_, keys_, "JN11A2B3C4D5",
                             claims_.not_before - absl::Seconds(1))
                .result,
            KeyCheck::kNotYetValid);
  LicenseKeyClaims perpetual = claims_;
  perpetual.not_after.reset();
  perpetual.term_type = "PERPETUAL";
  EXPECT_EQ(VerifyLicenseKey(SignDocument(key_.p, perpetual), keys_, "JN11A2B3C4D5",
                             absl::FromUnixSeconds(4000000000))
                .result,
            KeyCheck::kValid);
}

TEST_F(VerifierTest, AnotherKeysSignatureOrUnknownKidFails) {
  // Signed by another private key under our kid.
  EXPECT_EQ(VerifyLicenseKey(SignDocument(other_.p, claims_), keys_, "JN11A2B3C4D5", During())
                .result,
            KeyCheck::kBadSignature);
  LicenseKeyClaims unknown = claims_;
  unknown.key_id = "0000000000000000";
  EXPECT_EQ(VerifyLicenseKey(SignDocument(key_.p, unknown), keys_, "JN11A2B3C4D5", During())
                .result,
            KeyCheck::kUnknownKeyId);
}

TEST_F(VerifierTest, MalformedKeys) {
  for (const std::string& bad : {std::string(), std::string("abc"), std::string("a.b.c"),
                                 std::string("!!!.???"), key_text_ + "=", key_text_ + ".x"}) {
    EXPECT_EQ(VerifyLicenseKey(bad, keys_, "JN11A2B3C4D5", During()).result, KeyCheck::kMalformed)
        << bad;
  }
}

TEST_F(VerifierTest, PemPublicKeyRoundTrip) {
  EXPECT_FALSE(Ed25519PublicKeyFromPem("not a pem").ok());
  EXPECT_EQ(KeyIdOf(keys_[kid_]).size(), 16u);
}

}  // namespace
}  // namespace aftercare::licensing
