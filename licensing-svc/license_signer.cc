#include "licensing-svc/license_signer.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace aftercare::licensing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

constexpr char kSealPrefix[] = "sealed:";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

std::string PublicPem(EVP_PKEY* pkey) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey) != 1) return "";
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

struct LicenseSigner::Key {
  Pkey pkey;
  std::string key_id;
  std::string seal_key;  // 32 bytes
};

LicenseSigner::~LicenseSigner() = default;

absl::StatusOr<std::unique_ptr<LicenseSigner>> LicenseSigner::FromKeys(
    std::vector<std::unique_ptr<Key>> keys) {
  if (keys.empty()) return absl::InvalidArgumentError("no license signing key");
  auto signer = std::unique_ptr<LicenseSigner>(new LicenseSigner());
  for (auto& k : keys) {
    PublicKey pub;
    pub.raw.assign(32, '\0');
    size_t len = pub.raw.size();
    if (EVP_PKEY_get_raw_public_key(k->pkey.get(), reinterpret_cast<unsigned char*>(pub.raw.data()),
                                    &len) != 1 ||
        len != 32) {
      return absl::InvalidArgumentError("cannot read an Ed25519 public key");
    }
    std::string priv(32, '\0');
    len = priv.size();
    if (EVP_PKEY_get_raw_private_key(k->pkey.get(), reinterpret_cast<unsigned char*>(priv.data()),
                                     &len) != 1 ||
        len != 32) {
      return absl::InvalidArgumentError("cannot read an Ed25519 private key");
    }
    static constexpr char kLabel[] = "aftercare/licensing/seal/v1";
    unsigned char mac[32];
    unsigned int mac_len = sizeof(mac);
    HMAC(EVP_sha256(), priv.data(), static_cast<int>(priv.size()),
         reinterpret_cast<const unsigned char*>(kLabel), sizeof(kLabel) - 1, mac, &mac_len);
    OPENSSL_cleanse(priv.data(), priv.size());
    k->seal_key.assign(reinterpret_cast<const char*>(mac), mac_len);
    OPENSSL_cleanse(mac, sizeof(mac));
    k->key_id = KeyIdOf(pub.raw);
    pub.key_id = k->key_id;
    pub.pem = PublicPem(k->pkey.get());
    pub.primary = signer->public_keys_.empty();
    for (const PublicKey& seen : signer->public_keys_) {
      if (seen.key_id == pub.key_id) {
        return absl::InvalidArgumentError("the same license signing key is configured twice");
      }
    }
    signer->public_keys_.push_back(std::move(pub));
  }
  signer->keys_ = std::move(keys);
  for (const PublicKey& k : signer->public_keys_) signer->key_set_[k.key_id] = k.raw;
  return signer;
}

absl::StatusOr<std::unique_ptr<LicenseSigner>> LicenseSigner::FromPems(
    const std::vector<std::string>& pems) {
  std::vector<std::unique_ptr<Key>> keys;
  int index = 0;
  for (const std::string& pem : pems) {
    ++index;
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey || EVP_PKEY_id(pkey.get()) != EVP_PKEY_ED25519) {
      return absl::InvalidArgumentError(absl::StrCat(
          "license signing key #", index, " is not an unencrypted Ed25519 private key PEM"));
    }
    auto k = std::make_unique<Key>();
    k->pkey = std::move(pkey);
    keys.push_back(std::move(k));
  }
  return FromKeys(std::move(keys));
}

absl::StatusOr<std::unique_ptr<LicenseSigner>> LicenseSigner::FromPemFiles(
    const std::vector<std::string>& paths) {
  std::vector<std::string> pems;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("license_signing_key_files: cannot read ", path));
    }
    std::stringstream ss;
    ss << in.rdbuf();
    pems.push_back(ss.str());
  }
  auto signer = FromPems(pems);
  for (std::string& pem : pems) OPENSSL_cleanse(pem.data(), pem.size());
  return signer;
}

absl::StatusOr<std::unique_ptr<LicenseSigner>> LicenseSigner::Ephemeral() {
  absl::StatusOr<std::string> pem = GenerateEd25519PrivateKeyPem();
  if (!pem.ok()) return pem.status();
  auto signer = FromPems({*pem});
  OPENSSL_cleanse(pem->data(), pem->size());
  return signer;
}

absl::StatusOr<std::string> LicenseSigner::Sign(LicenseKeyClaims claims) const {
  const Key& key = *keys_.front();
  claims.key_id = key.key_id;
  const std::string payload = Base64UrlEncode(EncodeClaims(claims));
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) != 1) {
    return absl::InternalError("cannot start an Ed25519 signature");
  }
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  if (EVP_DigestSign(ctx.get(), sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) != 1) {
    return absl::InternalError("Ed25519 signing failed");
  }
  return absl::StrCat(payload, ".",
                      Base64UrlEncode(absl::string_view(reinterpret_cast<char*>(sig), sig_len)));
}

KeyVerification LicenseSigner::Verify(absl::string_view license_key,
                                      absl::string_view device_serial, absl::Time now) const {
  if (std::shared_ptr<const LicenseKeyClaims> claims = verified_.Find(license_key)) {
    return CheckClaims(*claims, device_serial, now);
  }
  KeyVerification v = VerifyLicenseKey(license_key, key_set_, device_serial, now);
  // Claims are only set once the signature checked out; the keys of a
  // signer never change, so what the signature proved stays true.
  if (v.claims) verified_.Insert(license_key, std::make_shared<const LicenseKeyClaims>(*v.claims));
  return v;
}

std::string LicenseSigner::Seal(absl::string_view plaintext) const {
  const Key& key = *keys_.front();
  unsigned char nonce[kNonceBytes];
  RAND_bytes(nonce, sizeof(nonce));
  std::string out(reinterpret_cast<char*>(nonce), kNonceBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.seal_key.data()), nonce);
  std::string ct(plaintext.size(), '\0');
  int len = 0;
  EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(ct.data()), &len,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  int fin = 0;
  EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(ct.data()) + len, &fin);
  unsigned char tag[kTagBytes];
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag);
  out += ct;
  out.append(reinterpret_cast<char*>(tag), kTagBytes);
  return absl::StrCat(kSealPrefix, key.key_id, ":", Base64UrlEncode(out));
}

absl::StatusOr<std::string> LicenseSigner::Open(absl::string_view sealed) const {
  if (!absl::ConsumePrefix(&sealed, kSealPrefix)) {
    return absl::InternalError("stored secret is not sealed");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(sealed, absl::MaxSplits(':', 1));
  if (parts.size() != 2) return absl::InternalError("stored secret is malformed");
  const Key* key = nullptr;
  for (const auto& k : keys_) {
    if (k->key_id == parts[0]) key = k.get();
  }
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        "the stored result was sealed with a license signing key that is no longer configured");
  }
  std::optional<std::string> blob = Base64UrlDecode(parts[1]);
  if (!blob || blob->size() < kNonceBytes + kTagBytes) {
    return absl::InternalError("stored secret is malformed");
  }
  const std::string nonce = blob->substr(0, kNonceBytes);
  const std::string tag = blob->substr(blob->size() - kTagBytes);
  const std::string ct = blob->substr(kNonceBytes, blob->size() - kNonceBytes - kTagBytes);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                     reinterpret_cast<const unsigned char*>(key->seal_key.data()),
                     reinterpret_cast<const unsigned char*>(nonce.data()));
  std::string pt(ct.size(), '\0');
  int len = 0;
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(pt.data()), &len,
                    reinterpret_cast<const unsigned char*>(ct.data()), static_cast<int>(ct.size()));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                      const_cast<char*>(tag.data()));
  int fin = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(pt.data()) + len, &fin) != 1) {
    return absl::InternalError("stored secret failed its integrity check");
  }
  return pt;
}

absl::StatusOr<std::string> GenerateEd25519PrivateKeyPem() {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return absl::InternalError("Ed25519 key generation failed");
  }
  Pkey pkey(raw);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return absl::InternalError("cannot write the Ed25519 key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace aftercare::licensing
