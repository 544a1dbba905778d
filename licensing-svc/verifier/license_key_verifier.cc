#include "licensing-svc/verifier/license_key_verifier.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace aftercare::licensing {
namespace {

constexpr size_t kMaxKeyChars = 8192;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr size_t kEd25519PublicKeyBytes = 32;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

KeyVerification Fail(KeyCheck check, std::string detail) {
  KeyVerification v;
  v.result = check;
  v.detail = std::move(detail);
  return v;
}

bool Ed25519Verify(const std::string& raw_public_key, absl::string_view message,
                   const std::string& signature) {
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_public_key.data()),
      raw_public_key.size()));
  if (!pkey) return false;
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

// Reads the claims from a parsed payload; false when a field is missing or
// has the wrong type.
bool ReadClaims(const nlohmann::json& j, LicenseKeyClaims* c) {
  if (!j.is_object()) return false;
  auto str = [&](const char* k, std::string* out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto num = [&](const char* k, int64_t* out) {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) return false;
    *out = it->get<int64_t>();
    return true;
  };
  int64_t v = 0, nbf = 0, iat = 0, gen = 0;
  if (!num("v", &v) || v != 1) return false;
  c->version = 1;
  if (!str("kid", &c->key_id) || !str("lic", &c->license_id) || !str("ent", &c->entitlement_id) ||
      !str("sku", &c->sku) || !str("feat", &c->feature) || !num("cap", &c->capacity) ||
      !str("sn", &c->device_serial) || !str("sys", &c->licensing_system) ||
      !str("term", &c->term_type) || !num("nbf", &nbf) || !num("iat", &iat) ||
      !num("gen", &gen)) {
    return false;
  }
  c->not_before = absl::FromUnixSeconds(nbf);
  c->issued_at = absl::FromUnixSeconds(iat);
  c->generation = static_cast<int>(gen);
  if (j.contains("exp")) {
    int64_t exp = 0;
    if (!num("exp", &exp)) return false;
    c->not_after = absl::FromUnixSeconds(exp);
  }
  return true;
}

}  // namespace

const char* KeyCheckName(KeyCheck check) {
  switch (check) {
    case KeyCheck::kValid: return "VALID";
    case KeyCheck::kMalformed: return "MALFORMED";
    case KeyCheck::kUnknownKeyId: return "UNKNOWN_KEY_ID";
    case KeyCheck::kBadSignature: return "BAD_SIGNATURE";
    case KeyCheck::kWrongDevice: return "WRONG_DEVICE";
    case KeyCheck::kNotYetValid: return "NOT_YET_VALID";
    case KeyCheck::kExpired: return "EXPIRED";
  }
  return "UNKNOWN";
}

std::string Base64UrlEncode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

std::optional<std::string> Base64UrlDecode(absl::string_view text) {
  for (char ch : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') {
      return std::nullopt;
    }
  }
  std::string out;
  if (!absl::WebSafeBase64Unescape(text, &out)) return std::nullopt;
  // Only the canonical encoding: otherwise a changed character in the unused
  // low bits of the last symbol would decode to the same bytes.
  if (absl::WebSafeBase64Escape(out) != text) return std::nullopt;
  return out;
}

std::string EncodeClaims(const LicenseKeyClaims& c) {
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["kid"] = c.key_id;
  j["lic"] = c.license_id;
  j["ent"] = c.entitlement_id;
  j["sku"] = c.sku;
  j["feat"] = c.feature;
  j["cap"] = c.capacity;
  j["sn"] = c.device_serial;
  j["sys"] = c.licensing_system;
  j["term"] = c.term_type;
  j["nbf"] = absl::ToUnixSeconds(c.not_before);
  if (c.not_after) j["exp"] = absl::ToUnixSeconds(*c.not_after);
  j["iat"] = absl::ToUnixSeconds(c.issued_at);
  j["gen"] = c.generation;
  return j.dump();
}

KeyVerification VerifyLicenseKey(absl::string_view license_key, const PublicKeySet& keys,
                                 absl::string_view device_serial, absl::Time now) {
  if (license_key.empty() || license_key.size() > kMaxKeyChars) {
    return Fail(KeyCheck::kMalformed, "the license key is empty or too long");
  }
  std::vector<absl::string_view> parts = absl::StrSplit(license_key, '.');
  if (parts.size() != 2) {
    return Fail(KeyCheck::kMalformed, "a license key has two '.'-separated parts");
  }
  std::optional<std::string> payload = Base64UrlDecode(parts[0]);
  std::optional<std::string> signature = Base64UrlDecode(parts[1]);
  if (!payload || !signature) {
    return Fail(KeyCheck::kMalformed, "the license key is not base64url");
  }
  if (signature->size() != kEd25519SignatureBytes) {
    return Fail(KeyCheck::kMalformed, "the signature is not an Ed25519 signature");
  }
  // The kid picks the key; a payload whose kid cannot be read (e.g. a
  // changed byte broke the JSON) is checked against every key, so tampering
  // is reported as a bad signature rather than as a format problem.
  nlohmann::json j = nlohmann::json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  const bool readable = !j.is_discarded() && j.is_object() && j.contains("kid") &&
                        j["kid"].is_string();
  if (readable) {
    auto key_it = keys.find(j["kid"].get<std::string>());
    if (key_it == keys.end()) {
      return Fail(KeyCheck::kUnknownKeyId, "no public key with the key's kid is known");
    }
    if (!Ed25519Verify(key_it->second, parts[0], *signature)) {
      return Fail(KeyCheck::kBadSignature, "the signature does not match the key's contents");
    }
  } else {
    bool any = false;
    for (const auto& [kid, raw] : keys) any = any || Ed25519Verify(raw, parts[0], *signature);
    if (!any) {
      return Fail(KeyCheck::kBadSignature, "the signature does not match the key's contents");
    }
    return Fail(KeyCheck::kMalformed, "the signed payload is not a license key");
  }
  LicenseKeyClaims claims;
  if (!ReadClaims(j, &claims)) {
    return Fail(KeyCheck::kMalformed, "the signed payload lacks license fields");
  }
  return CheckClaims(claims, device_serial, now);
}

KeyVerification CheckClaims(const LicenseKeyClaims& claims, absl::string_view device_serial,
                            absl::Time now) {
  KeyVerification v;
  v.claims = claims;
  if (absl::AsciiStrToUpper(device_serial) != claims.device_serial) {
    v.result = KeyCheck::kWrongDevice;
    v.detail = "the key was issued for another device";
  } else if (now < claims.not_before) {
    v.result = KeyCheck::kNotYetValid;
    v.detail = "the key is not valid yet";
  } else if (claims.not_after && now >= *claims.not_after) {
    v.result = KeyCheck::kExpired;
    v.detail = "the key has expired";
  } else {
    v.result = KeyCheck::kValid;
    v.detail = "the key is valid";
  }
  return v;
}

absl::StatusOr<std::string> Ed25519PublicKeyFromPem(absl::string_view pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::InternalError("out of memory");
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || EVP_PKEY_id(pkey.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("not an Ed25519 public key PEM");
  }
  std::string raw(kEd25519PublicKeyBytes, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                  &len) != 1 ||
      len != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError("cannot read the raw Ed25519 public key");
  }
  return raw;
}

std::string KeyIdOf(absl::string_view raw_public_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw_public_key.data()), raw_public_key.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

}  // namespace aftercare::licensing
