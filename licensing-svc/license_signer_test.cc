#include "licensing-svc/license_signer.h"

#include <cstdio>
#include <fstream>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

LicenseKeyClaims Claims() {
  LicenseKeyClaims c;
  c.license_id = "LIC-0123456789abcdef0123";
  c.entitlement_id = "ENT-0123456789abcdef0123";
  c.sku = "S-SRX-IDP";
  c.feature = "idp";
  c.capacity = 0;
  c.device_serial = "JN11A2B3C4D5";
  c.licensing_system = "NON_JUNOS";
  c.term_type = "PERPETUAL";
  c.not_before = absl::FromUnixSeconds(1798761600);
  c.issued_at = c.not_before;
  return c;
}

TEST(LicenseSignerTest, SignsWithTheFirstKeyAndVerifiesWithAll) {
  auto old_pem = GenerateEd25519PrivateKeyPem();
  auto new_pem = GenerateEd25519PrivateKeyPem();
  ASSERT_TRUE(old_pem.ok() && new_pem.ok());
  auto before = LicenseSigner::FromPems({*old_pem});
  ASSERT_TRUE(before.ok()) << before.status();
  auto old_key = (*before)->Sign(Claims());
  ASSERT_TRUE(old_key.ok());

  // Rotation: the new key signs, the old one stays verifiable.
  auto after = LicenseSigner::FromPems({*new_pem, *old_pem});
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ((*after)->public_keys().size(), 2u);
  EXPECT_TRUE((*after)->public_keys()[0].primary);
  EXPECT_FALSE((*after)->public_keys()[1].primary);
  EXPECT_EQ((*after)->public_keys()[1].key_id, (*before)->primary_key_id());
  auto new_key = (*after)->Sign(Claims());
  ASSERT_TRUE(new_key.ok());
  const absl::Time t = absl::FromUnixSeconds(1800000000);
  const PublicKeySet set = (*after)->key_set();
  auto v_old = VerifyLicenseKey(*old_key, set, "JN11A2B3C4D5", t);
  auto v_new = VerifyLicenseKey(*new_key, set, "JN11A2B3C4D5", t);
  EXPECT_EQ(v_old.result, KeyCheck::kValid) << v_old.detail;
  EXPECT_EQ(v_new.result, KeyCheck::kValid) << v_new.detail;
  EXPECT_EQ(v_new.claims->key_id, (*after)->primary_key_id());
  // Without the old key, the old document is no longer verifiable.
  auto only_new = LicenseSigner::FromPems({*new_pem});
  EXPECT_EQ(VerifyLicenseKey(*old_key, (*only_new)->key_set(), "JN11A2B3C4D5", t).result,
            KeyCheck::kUnknownKeyId);
}

TEST(LicenseSignerTest, VerifyRemembersGoodSignaturesAndStillChecksDeviceAndTime) {
  auto signer = LicenseSigner::Ephemeral();
  ASSERT_TRUE(signer.ok());
  LicenseKeyClaims c = Claims();
  c.term_type = "SUBSCRIPTION";
  c.not_after = absl::FromUnixSeconds(1830297600);
  auto key = (*signer)->Sign(c);
  ASSERT_TRUE(key.ok());
  const LicenseSigner& s = **signer;
  const absl::Time during = absl::FromUnixSeconds(1800000000);

  EXPECT_EQ(s.Verify(*key, "JN11A2B3C4D5", during).result, KeyCheck::kValid);
  EXPECT_EQ(s.verified_cache_hits(), 0);
  // The second call is answered from the remembered claims, with the same
  // verdicts as a full verification for every device and time.
  for (absl::string_view serial : {"JN11A2B3C4D5", "jn11a2b3c4d5", "JN11OTHER001"}) {
    for (absl::Time t : {absl::FromUnixSeconds(1798761599), during,
                         absl::FromUnixSeconds(1830297600)}) {
      KeyVerification cached = s.Verify(*key, serial, t);
      KeyVerification full = VerifyLicenseKey(*key, s.key_set(), serial, t);
      EXPECT_EQ(cached.result, full.result) << serial << " " << t;
      EXPECT_EQ(cached.detail, full.detail);
      ASSERT_TRUE(cached.claims.has_value());
      EXPECT_EQ(cached.claims->license_id, c.license_id);
    }
  }
  EXPECT_EQ(s.verified_cache_hits(), 9);

  // A key whose signature does not check out is never remembered: the same
  // text is verified (and refused) in full every time.
  std::string tampered = *key;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(s.Verify(tampered, "JN11A2B3C4D5", during).result, KeyCheck::kBadSignature);
  EXPECT_EQ(s.Verify(tampered, "JN11A2B3C4D5", during).result, KeyCheck::kBadSignature);
  EXPECT_EQ(s.Verify("not-a-key", "JN11A2B3C4D5", during).result, KeyCheck::kMalformed);
  EXPECT_EQ(s.Verify("not-a-key", "JN11A2B3C4D5", during).result, KeyCheck::kMalformed);
  EXPECT_EQ(s.verified_cache_hits(), 9);

  // Another signer (other keys) has its own memory: the key is unknown there.
  auto other = LicenseSigner::Ephemeral();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Verify(*key, "JN11A2B3C4D5", during).result, KeyCheck::kUnknownKeyId);
}

TEST(LicenseSignerTest, PublishesPemThatMatchesTheRawKey) {
  auto signer = LicenseSigner::Ephemeral();
  ASSERT_TRUE(signer.ok());
  const auto& k = (*signer)->public_keys().front();
  EXPECT_THAT(k.pem, HasSubstr("BEGIN PUBLIC KEY"));
  EXPECT_THAT(k.pem, Not(HasSubstr("PRIVATE")));
  auto raw = Ed25519PublicKeyFromPem(k.pem);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, k.raw);
  EXPECT_EQ(KeyIdOf(k.raw), k.key_id);
}

TEST(LicenseSignerTest, LoadsKeyFilesAndRefusesBadOnes) {
  auto pem = GenerateEd25519PrivateKeyPem();
  const std::string path = ::testing::TempDir() + "/license_signer_test_key.pem";
  {
    std::ofstream out(path);
    out << *pem;
  }
  auto signer = LicenseSigner::FromPemFiles({path});
  EXPECT_TRUE(signer.ok()) << signer.status();
  std::remove(path.c_str());
  EXPECT_THAT(LicenseSigner::FromPemFiles({path}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
  EXPECT_THAT(LicenseSigner::FromPems({"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Ed25519")));
  EXPECT_THAT(LicenseSigner::FromPems({*pem, *pem}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(LicenseSigner::FromPems({}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LicenseSignerTest, SealHidesTheSecretAndOpensAfterRotation) {
  auto a = GenerateEd25519PrivateKeyPem();
  auto b = GenerateEd25519PrivateKeyPem();
  auto signer = LicenseSigner::FromPems({*a});
  const std::string secret = "7K2QD-M9XWB-4RT0H-ZN3EE-PQ8VA";
  const std::string sealed = (*signer)->Seal(secret);
  EXPECT_THAT(sealed, Not(HasSubstr("7K2QD")));
  EXPECT_NE((*signer)->Seal(secret), sealed);  // fresh nonce
  EXPECT_EQ(*(*signer)->Open(sealed), secret);
  auto rotated = LicenseSigner::FromPems({*b, *a});
  EXPECT_EQ(*(*rotated)->Open(sealed), secret);
  auto other = LicenseSigner::FromPems({*b});
  EXPECT_FALSE((*other)->Open(sealed).ok());
  std::string tampered = sealed;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE((*signer)->Open(tampered).ok());
}

}  // namespace
}  // namespace aftercare::licensing
