// Offline verification of Aftercare license keys: what a device (or anyone
// holding the service's public keys) runs to check a key without calling the
// service. This library depends only on OpenSSL, Abseil and nlohmann/json; it
// does not link licensing-svc.
//
// A license key is   base64url(payload) "." base64url(signature)
// (RFC 4648 §5 alphabet, no padding), where the payload is a JSON object
//   {"v":1,"kid":"…","lic":"LIC-…","ent":"ENT-…","sku":"…","feat":"…",
//    "cap":100,"sn":"JN11…","sys":"JUNOS","term":"SUBSCRIPTION",
//    "nbf":1798761600,"exp":1830297600,"iat":1798761600,"gen":1}
// ("exp" is absent for perpetual keys; times are Unix seconds) and the
// signature is Ed25519 over the ASCII bytes of the first segment, by the
// private key whose id is "kid".
//
//   PublicKeySet keys = {{kid, raw_32_byte_public_key}};
//   KeyVerification v = VerifyLicenseKey(key, keys, "JN11A2B3C", absl::Now());
//   if (v.result == KeyCheck::kValid) { enable(v.claims->feature, v.claims->capacity); }
#ifndef AFTERCARE_LICENSING_SVC_VERIFIER_LICENSE_KEY_VERIFIER_H_
#define AFTERCARE_LICENSING_SVC_VERIFIER_LICENSE_KEY_VERIFIER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftercare::licensing {

// What a license key says, once its signature checked out.
struct LicenseKeyClaims {
  int version = 1;
  std::string key_id;
  std::string license_id;
  std::string entitlement_id;
  std::string sku;
  std::string feature;
  int64_t capacity = 0;
  std::string device_serial;
  std::string licensing_system;  // "JUNOS" or "NON_JUNOS"
  std::string term_type;         // "PERPETUAL" or "SUBSCRIPTION"
  absl::Time not_before = absl::InfinitePast();
  std::optional<absl::Time> not_after;  // nullopt: perpetual
  absl::Time issued_at = absl::InfinitePast();
  int generation = 1;
};

// The outcome of an offline check, in the order the checks run.
enum class KeyCheck {
  kValid,
  kMalformed,      // not two base64url segments, or a payload that is not a key
  kUnknownKeyId,   // no public key with the payload's kid
  kBadSignature,   // the bytes were changed or signed by another key
  kWrongDevice,    // signed for another serial
  kNotYetValid,
  kExpired,
};

// Returns "VALID", "MALFORMED", ….
const char* KeyCheckName(KeyCheck check);

struct KeyVerification {
  KeyCheck result = KeyCheck::kMalformed;
  std::string detail;  // one sentence; never quotes the key
  // Set once the signature is good (also for wrong device / expired).
  std::optional<LicenseKeyClaims> claims;
};

// Key id -> raw 32-byte Ed25519 public key.
using PublicKeySet = std::map<std::string, std::string>;

// Checks `license_key` against `keys` for the device `device_serial` at
// `now`. A serial compares case-insensitively (serials are upper case).
KeyVerification VerifyLicenseKey(absl::string_view license_key, const PublicKeySet& keys,
                                 absl::string_view device_serial, absl::Time now);

// The checks that follow a good signature, in order: device, not before,
// expiry. VerifyLicenseKey ends with it; a caller that remembers claims it
// verified before (licensing-svc's cache of verified keys) runs it alone.
KeyVerification CheckClaims(const LicenseKeyClaims& claims, absl::string_view device_serial,
                            absl::Time now);

// Returns the JSON payload for `claims` (the bytes that get signed, before
// base64url). Used by the signer; exposed so both sides share one format.
std::string EncodeClaims(const LicenseKeyClaims& claims);

// Returns the raw 32-byte public key of an Ed25519 "BEGIN PUBLIC KEY" PEM.
absl::StatusOr<std::string> Ed25519PublicKeyFromPem(absl::string_view pem);

// Returns the key id of a raw public key: the first 8 bytes of its SHA-256,
// as 16 lower-case hex digits.
std::string KeyIdOf(absl::string_view raw_public_key);

// base64url without padding, and its strict inverse (nullopt for anything
// that is not the canonical encoding of some bytes).
std::string Base64UrlEncode(absl::string_view bytes);
std::optional<std::string> Base64UrlDecode(absl::string_view text);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_VERIFIER_LICENSE_KEY_VERIFIER_H_
