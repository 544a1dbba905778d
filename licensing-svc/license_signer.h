// Signs license keys with the service's Ed25519 keys and publishes their
// public halves. Keys come from PEM files (`--license_signing_key_files`, the
// first one signs, all of them verify, so a rotated-out key keeps its keys
// verifiable); in development an ephemeral key can be generated at start-up.
// Private keys never leave this class and are never logged.
//
// The signer also seals the activation code in the stored response of an
// idempotent CreateEntitlement (AES-256-GCM under a key derived from the
// signing key), so that a retry returns the code while the database never
// holds it in clear.
//
//   ASSIGN_OR_RETURN(auto signer, LicenseSigner::FromPemFiles({"/secrets/k1.pem"}));
//   ASSIGN_OR_RETURN(std::string key, signer->Sign(claims));
#ifndef AFTERCARE_LICENSING_SVC_LICENSE_SIGNER_H_
#define AFTERCARE_LICENSING_SVC_LICENSE_SIGNER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/verified_cache.h"
#include "licensing-svc/verifier/license_key_verifier.h"

namespace aftercare::licensing {

class LicenseSigner {
 public:
  struct PublicKey {
    std::string key_id;
    std::string pem;  // "BEGIN PUBLIC KEY"
    std::string raw;  // 32 bytes
    bool primary = false;
  };

  // Reads unencrypted Ed25519 private keys ("BEGIN PRIVATE KEY") from files.
  static absl::StatusOr<std::unique_ptr<LicenseSigner>> FromPemFiles(
      const std::vector<std::string>& paths);
  // The same from PEM texts (tests).
  static absl::StatusOr<std::unique_ptr<LicenseSigner>> FromPems(
      const std::vector<std::string>& pems);
  // One freshly generated key (development only; gone at restart).
  static absl::StatusOr<std::unique_ptr<LicenseSigner>> Ephemeral();

  ~LicenseSigner();

  // Returns the signed key document for `claims` (its key_id is set to the
  // primary key's id).
  absl::StatusOr<std::string> Sign(LicenseKeyClaims claims) const;

  const std::string& primary_key_id() const { return public_keys_.front().key_id; }
  const std::vector<PublicKey>& public_keys() const { return public_keys_; }
  // kid -> raw public key, for VerifyLicenseKey.
  const PublicKeySet& key_set() const { return key_set_; }

  // VerifyLicenseKey against key_set(), remembering the claims of keys whose
  // signature checked out (kVerifiedKeyCacheSize, by the key's exact text):
  // a key verified again skips the parse and the Ed25519 check; the device
  // and validity-time checks run on every call.
  KeyVerification Verify(absl::string_view license_key, absl::string_view device_serial,
                         absl::Time now) const;
  static constexpr int kVerifiedKeyCacheSize = 4096;
  // Calls of Verify answered from remembered claims.
  int64_t verified_cache_hits() const { return verified_.hits(); }

  // Encrypts a short secret for storage; Open reverses it (with any key).
  std::string Seal(absl::string_view plaintext) const;
  absl::StatusOr<std::string> Open(absl::string_view sealed) const;

 private:
  struct Key;
  LicenseSigner() = default;
  static absl::StatusOr<std::unique_ptr<LicenseSigner>> FromKeys(std::vector<std::unique_ptr<Key>> keys);

  std::vector<std::unique_ptr<Key>> keys_;
  std::vector<PublicKey> public_keys_;
  PublicKeySet key_set_;
  mutable VerifiedCache<LicenseKeyClaims> verified_{kVerifiedKeyCacheSize};
};

// Returns a new Ed25519 private key as PKCS#8 PEM (tests, dev tooling).
absl::StatusOr<std::string> GenerateEd25519PrivateKeyPem();

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSE_SIGNER_H_
