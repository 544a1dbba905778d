// Authentication shared by every service of the suite: the caller's role and
// scope (Principal), verification of bearer JWTs, and minting of tokens for
// development tools, tests and service-to-service calls in development.
//
//   ASSIGN_OR_RETURN(auto verifier, JwtVerifier::Create(options));
//   ...
//   ASSIGN_OR_RETURN(std::string token, BearerFromHeader(authorization));
//   ASSIGN_OR_RETURN(Principal caller, verifier->Verify(token, absl::Now()));
//
// Which roles may call each RPC, and the scope checks where aggregates are
// loaded, are in common/policy.h.
#ifndef AFTERCARE_COMMON_AUTH_H_
#define AFTERCARE_COMMON_AUTH_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/sync.h"

namespace aftercare {

// The caller's role, from the token's `role` claim. What each role may call:
// each service's policy table (inventory-svc/inventory_policy.cc and its
// peers), printed into docs/inventory-svc.md and its peers.
enum class Role { kCustomer, kPartner, kCareAgent, kTse, kLogistics, kAdmin, kService };

// Returns the claim spelling of `role`: "customer", "partner", "care_agent",
// "tse", "logistics", "admin" or "service".
std::string_view RoleName(Role role);

// Parses the claim spelling of a role (exact, lower case); nullopt when the
// name is unknown.  ParseRole("care_agent") == Role::kCareAgent.
std::optional<Role> ParseRole(std::string_view name);

// Who is calling and what it may see, built from a verified token.
//
//   Principal p;
//   p.role = Role::kCustomer;
//   p.account_ids = {"ACME-1"};
//   p.CanAccessAccount("ACME-1");  // true
//   p.CanAccessAccount("OTHER");   // false
struct Principal {
  std::string subject;
  Role role = Role::kCustomer;  // least privileged when not set
  // Accounts the caller is associated with (customer, partner).
  std::vector<std::string> account_ids;
  // The reseller the caller acts for (role partner only).
  std::string partner_id;
  // Whether a partner may reserve and sell CPO units.
  bool cpo_channel = false;
  absl::Time expires_at = absl::InfinitePast();

  // Returns true when the role is one of `roles`.
  bool HasRole(std::initializer_list<Role> roles) const;

  // Returns true when the caller may see data of `account_id`:
  //  - customer, partner: only the account_ids listed in the token;
  //  - care_agent, tse, logistics, admin, service: every account (their
  //    limits are on *what* they may do: the RPC's policy, common/policy.h).
  // An empty account_id is never accessible to scoped roles.
  bool CanAccessAccount(std::string_view account_id) const;

  // Returns true for the suite's own services and operators (service, admin).
  bool IsInternal() const;
};

// Returns OK when the caller may reserve and sell CPO units: a partner whose
// token carries cpo_channel=true, or admin/service. Otherwise
// PERMISSION_DENIED.
absl::Status RequireCpoChannel(const Principal& principal);

// How a JwtVerifier checks tokens. At least one key must be configured.
struct JwtVerifierOptions {
  // Shared secret for HS256 tokens (at least 32 bytes); empty = HS256 refused.
  std::string hs256_secret;
  // PEM public keys ("-----BEGIN PUBLIC KEY-----"): RSA (>= 2048 bits) for
  // RS256/RS384, EC P-256 for ES256, EC P-384 for ES384. Several keys allow
  // rotation; each key whose type fits the token's alg is tried.
  std::vector<std::string> public_keys_pem;
  // Required `iss` when not empty.
  std::string issuer;
  // Required `aud` (string, or one element of an array) when not empty.
  std::string audience;
  // Clock skew tolerated for exp, nbf and iat.
  absl::Duration leeway = absl::Seconds(30);
  // Tokens remembered after their signature verified (by exact text), so
  // that a caller presenting the same token again skips the signature and
  // JSON decoding; the time and claim checks still run on every call.
  // 0 disables the cache.
  int cache_capacity = 4096;
};

// Verifies bearer JWTs and turns their claims into a Principal. Created once
// at start-up from configuration; Verify is thread-safe.
//
// The token's alg must match the kind of key that verifies it: HS256 only
// with the shared secret, RS*/ES* only with public keys of that type; "none"
// and every other alg are refused (no algorithm confusion: an HS256 token
// is never checked against a public key). All errors are UNAUTHENTICATED and
// never quote the token.
//
//   JwtVerifierOptions options;
//   options.hs256_secret = secret;
//   options.issuer = "aftercare";
//   ASSIGN_OR_RETURN(auto verifier, JwtVerifier::Create(std::move(options)));
//   ASSIGN_OR_RETURN(Principal p, verifier->Verify(token, absl::Now()));
class JwtVerifier {
 public:
  // Returns INVALID_ARGUMENT when no key is configured, the secret is too
  // short, a PEM is not a supported public key, or the leeway is negative.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(JwtVerifierOptions options);

  // Checks signature, exp (required), nbf, iat, iss and aud at time `now`
  // and the suite's claims (sub, role, account_ids, partner_id, cpo_channel).
  absl::StatusOr<Principal> Verify(std::string_view token, absl::Time now) const;

  // Replaces the public keys (issuer key rotation) while calls are being
  // verified. Tokens signed by a key that is no longer in `public_keys_pem`
  // are refused from the next call on, also those verified and cached
  // before. On error (a PEM that is not a supported public key, or no key
  // left at all) the current keys stay and INVALID_ARGUMENT names the PEM.
  absl::Status ReplacePublicKeys(const std::vector<std::string>& public_keys_pem);

  // Calls of Verify answered from the cache of verified tokens.
  int64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }

  ~JwtVerifier();

 private:
  struct Cache;
  struct PublicKeys;
  explicit JwtVerifier(JwtVerifierOptions options);
  absl::StatusOr<Principal> VerifyUncached(std::string_view token, absl::Time now) const;
  std::shared_ptr<const PublicKeys> Keys() const;
  static absl::StatusOr<std::shared_ptr<const PublicKeys>> ParsePublicKeys(
      const std::vector<std::string>& pems, uint64_t generation);

  JwtVerifierOptions options_;
  std::unique_ptr<Cache> cache_;
  mutable std::atomic<int64_t> cache_hits_{0};
  // The public keys in use; replaced whole by ReplacePublicKeys. A token
  // verified with keys of an older generation is not cached.
  mutable Mutex keys_mu_;
  std::shared_ptr<const PublicKeys> keys_ ABSL_GUARDED_BY(keys_mu_);
  std::atomic<uint64_t> keys_generation_{0};
};

// Returns the token of an "authorization" header value "Bearer <token>"
// (scheme case-insensitive); UNAUTHENTICATED "missing bearer token" for
// anything else.  BearerFromHeader("bearer abc.def.ghi") == "abc.def.ghi".
absl::StatusOr<std::string> BearerFromHeader(std::string_view authorization_header);

// The claims of a token to mint.
struct TokenClaims {
  std::string subject;
  Role role = Role::kCustomer;
  std::vector<std::string> account_ids;
  std::string partner_id;  // required for Role::kPartner
  bool cpo_channel = false;
  std::string issuer;    // omitted when empty
  std::string audience;  // omitted when empty
  absl::Duration ttl = absl::Hours(1);
};

// Returns an HS256 token for `claims`, issued at `now` and expiring at
// now + ttl. INVALID_ARGUMENT when the claims are incomplete or the secret is
// shorter than 32 bytes.
//
//   TokenClaims claims;
//   claims.subject = "rma-svc";
//   claims.role = Role::kService;
//   ASSIGN_OR_RETURN(std::string token, MintHs256(claims, secret, absl::Now()));
absl::StatusOr<std::string> MintHs256(const TokenClaims& claims, std::string_view secret,
                                      absl::Time now);

// Like MintHs256, signed with an unencrypted PEM private key: RS256 for RSA
// (>= 2048 bits), ES256 for EC P-256, ES384 for EC P-384. The key type is
// detected from the PEM; other keys are INVALID_ARGUMENT.
absl::StatusOr<std::string> MintWithPrivateKey(const TokenClaims& claims,
                                               std::string_view private_key_pem, absl::Time now);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_AUTH_H_
