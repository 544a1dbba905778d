#include "common/auth.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/status.h"
#include "common/sync.h"
#include "common/verified_cache.h"

namespace aftercare {
namespace {

using Json = nlohmann::json;

// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash.
constexpr size_t kMinHs256SecretBytes = 32;
constexpr int kMinRsaBits = 2048;
// Bounds the work done on attacker-supplied input before the signature check.
constexpr size_t kMaxTokenBytes = 16 * 1024;
// Longest claim value quoted back in an error message.
constexpr size_t kMaxQuotedClaimBytes = 40;

struct RoleNameEntry {
  Role role;
  std::string_view name;
};
constexpr RoleNameEntry kRoleNames[] = {
    {Role::kCustomer, "customer"},    {Role::kPartner, "partner"},
    {Role::kCareAgent, "care_agent"}, {Role::kTse, "tse"},
    {Role::kLogistics, "logistics"},  {Role::kAdmin, "admin"},
    {Role::kService, "service"},
};

// The installed Abseil has its own string_view; the public API uses std's.
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// UNAUTHENTICATED with the ErrorInfo reason `reason` (INVALID_TOKEN unless
// the token is missing or expired: a client refreshes an expired token).
absl::Status Unauthenticated(absl::string_view message,
                             const char* reason = kReasonInvalidToken) {
  return WithReason(absl::UnauthenticatedError(message), reason);
}

// ---------------------------------------------------------------------------
// RAII for the C libraries.

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct MallocFree {
  void operator()(char* p) const { std::free(p); }
};
using MallocString = std::unique_ptr<char, MallocFree>;

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Refuses to prompt for a passphrase (OpenSSL's default reads the terminal).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// ---------------------------------------------------------------------------
// Keys.

enum class KeyKind { kRsa, kEcP256, kEcP384 };

// Returns what `key` can sign or verify, or INVALID_ARGUMENT naming `what`.
absl::StatusOr<KeyKind> ClassifyKey(EVP_PKEY* key, absl::string_view what) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": RSA keys must have at least ", kMinRsaBits, " bits"));
      }
      return KeyKind::kRsa;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t group_len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len) != 1) {
        ERR_clear_error();
        return absl::InvalidArgumentError(absl::StrCat(what, ": EC key without a named curve"));
      }
      int nid = OBJ_txt2nid(group);
      if (nid == NID_undef) nid = EC_curve_nist2nid(group);
      ERR_clear_error();
      if (nid == NID_X9_62_prime256v1) return KeyKind::kEcP256;
      if (nid == NID_secp384r1) return KeyKind::kEcP384;
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": EC curve ", group, " is not supported (use P-256 or P-384)"));
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": unsupported key type (use RSA, EC P-256 or EC P-384)"));
  }
}

// Parses exactly one PEM public key ("BEGIN PUBLIC KEY") and returns its kind
// and its PEM re-encoded by OpenSSL (the form libjwt reads).
absl::StatusOr<std::pair<KeyKind, std::string>> LoadPublicKey(std::string_view pem,
                                                              absl::string_view what) {
  BioPtr in = MemoryBio(pem);
  if (in == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(in.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")"));
  }
  EvpPkeyPtr extra(PEM_read_bio_PUBKEY(in.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (extra != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " holds more than one key; configure each key separately"));
  }
  ASSIGN_OR_RETURN(KeyKind kind, ClassifyKey(key.get(), what));

  BioPtr out(BIO_new(BIO_s_mem()));
  if (out == nullptr || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InternalError(absl::StrCat(what, ": re-encoding the public key failed"));
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::make_pair(kind, std::string(data, static_cast<size_t>(len)));
}

// ---------------------------------------------------------------------------
// Token parsing.

bool IsBase64UrlChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// Decodes one base64url segment of a token into a JSON object.
absl::StatusOr<Json> DecodeJsonSegment(absl::string_view segment, absl::string_view name) {
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(segment, &decoded)) {
    return Unauthenticated(absl::StrCat("token malformed: ", name, " is not base64url"));
  }
  Json json = Json::parse(decoded, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return Unauthenticated(absl::StrCat("token malformed: ", name, " is not a JSON object"));
  }
  return json;
}

// Checks an HS256 signature in constant time. libjwt 1.10.2 compared HMACs
// with strcmp until Debian's CVE-2024-25189 fix; checking first means that
// an unpatched libjwt only ever compares a correct signature.
bool Hs256SignatureMatches(absl::string_view signing_input, absl::string_view signature_b64,
                           absl::string_view secret) {
  std::string signature;
  if (!absl::WebSafeBase64Unescape(signature_b64, &signature)) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
           &mac_len) == nullptr) {
    ERR_clear_error();
    return false;
  }
  return signature.size() == mac_len && CRYPTO_memcmp(signature.data(), mac, mac_len) == 0;
}

// Quotes a claim value for an error message (escaped and shortened).
std::string QuoteClaim(absl::string_view value) {
  std::string quoted = absl::CHexEscape(value.substr(0, kMaxQuotedClaimBytes));
  if (value.size() > kMaxQuotedClaimBytes) absl::StrAppend(&quoted, "...");
  return absl::StrCat("'", quoted, "'");
}

// Reads a NumericDate claim (seconds since the epoch, integer or fraction).
// Returns nullopt when the claim is absent, an error when it is not a number.
absl::StatusOr<std::optional<absl::Time>> NumericDateClaim(const Json& claims,
                                                           absl::string_view name) {
  auto it = claims.find(std::string(name));
  if (it == claims.end()) return std::optional<absl::Time>();
  if (it->is_number_unsigned()) {
    uint64_t seconds = it->get<uint64_t>();
    if (seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::optional<absl::Time>(absl::InfiniteFuture());
    }
    return std::optional<absl::Time>(absl::FromUnixSeconds(static_cast<int64_t>(seconds)));
  }
  if (it->is_number_integer()) {
    return std::optional<absl::Time>(absl::FromUnixSeconds(it->get<int64_t>()));
  }
  if (it->is_number_float()) {
    // Far outside any sensible date; keeps the conversion well defined.
    constexpr double kLimit = 1e15;
    double seconds = it->get<double>();
    if (seconds > kLimit) return std::optional<absl::Time>(absl::InfiniteFuture());
    if (seconds < -kLimit) return std::optional<absl::Time>(absl::InfinitePast());
    return std::optional<absl::Time>(absl::UnixEpoch() + absl::Seconds(seconds));
  }
  return Unauthenticated(absl::StrCat("token ", name, " claim is not a number"));
}

// Reads an optional string claim; "" when absent.
absl::StatusOr<std::string> StringClaim(const Json& claims, absl::string_view name) {
  auto it = claims.find(std::string(name));
  if (it == claims.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return Unauthenticated(absl::StrCat("token ", name, " claim is not a string"));
  }
  return it->get<std::string>();
}

absl::Status CheckAudience(const Json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it != claims.end()) {
    if (it->is_string() && it->get_ref<const std::string&>() == audience) {
      return absl::OkStatus();
    }
    if (it->is_array()) {
      for (const Json& entry : *it) {
        if (entry.is_string() && entry.get_ref<const std::string&>() == audience) {
          return absl::OkStatus();
        }
      }
    }
  }
  return Unauthenticated("token audience mismatch");
}

// Validates the registered claims and turns the suite's claims into a Principal.
absl::StatusOr<Principal> PrincipalFromClaims(const Json& claims, const JwtVerifierOptions& options,
                                              absl::Time now) {
  ASSIGN_OR_RETURN(std::optional<absl::Time> expires_at, NumericDateClaim(claims, "exp"));
  if (!expires_at.has_value()) return Unauthenticated("token has no exp claim");
  if (now >= *expires_at + options.leeway) return Unauthenticated("token expired", kReasonTokenExpired);
  ASSIGN_OR_RETURN(std::optional<absl::Time> not_before, NumericDateClaim(claims, "nbf"));
  if (not_before.has_value() && now + options.leeway < *not_before) {
    return Unauthenticated("token not yet valid");
  }
  ASSIGN_OR_RETURN(std::optional<absl::Time> issued_at, NumericDateClaim(claims, "iat"));
  if (issued_at.has_value() && now + options.leeway < *issued_at) {
    return Unauthenticated("token issued in the future");
  }

  if (!options.issuer.empty()) {
    auto it = claims.find("iss");
    if (it == claims.end() || !it->is_string() ||
        it->get_ref<const std::string&>() != options.issuer) {
      return Unauthenticated("token issuer mismatch");
    }
  }
  if (!options.audience.empty()) RETURN_IF_ERROR(CheckAudience(claims, options.audience));

  Principal principal;
  principal.expires_at = *expires_at;
  ASSIGN_OR_RETURN(principal.subject, StringClaim(claims, "sub"));
  if (principal.subject.empty()) return Unauthenticated("token has no sub claim");

  ASSIGN_OR_RETURN(std::string role_name, StringClaim(claims, "role"));
  if (role_name.empty()) return Unauthenticated("token has no role claim");
  std::optional<Role> role = ParseRole(role_name);
  if (!role.has_value()) {
    return Unauthenticated(absl::StrCat("token role ", QuoteClaim(role_name), " is unknown"));
  }
  principal.role = *role;

  if (auto it = claims.find("account_ids"); it != claims.end() && !it->is_null()) {
    if (!it->is_array()) {
      return Unauthenticated("token account_ids claim is not an array of strings");
    }
    for (const Json& entry : *it) {
      if (!entry.is_string() || entry.get_ref<const std::string&>().empty()) {
        return Unauthenticated("token account_ids claim is not an array of strings");
      }
      principal.account_ids.push_back(entry.get<std::string>());
    }
  }

  ASSIGN_OR_RETURN(principal.partner_id, StringClaim(claims, "partner_id"));
  if (principal.role == Role::kPartner && principal.partner_id.empty()) {
    return Unauthenticated("partner token has no partner_id claim");
  }

  if (auto it = claims.find("cpo_channel"); it != claims.end() && !it->is_null()) {
    if (!it->is_boolean()) return Unauthenticated("token cpo_channel claim is not a boolean");
    principal.cpo_channel = it->get<bool>();
  }
  return principal;
}

// ---------------------------------------------------------------------------
// Minting.

absl::Status ValidateTokenClaims(const TokenClaims& claims) {
  if (claims.subject.empty()) return absl::InvalidArgumentError("token subject is required");
  if (claims.role == Role::kPartner && claims.partner_id.empty()) {
    return absl::InvalidArgumentError("partner_id is required for role partner");
  }
  for (const std::string& account_id : claims.account_ids) {
    if (account_id.empty()) return absl::InvalidArgumentError("account_ids has an empty entry");
  }
  if (claims.ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("token ttl must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Mint(const TokenClaims& claims, jwt_alg_t alg, std::string_view key,
                                 absl::Time now) {
  RETURN_IF_ERROR(ValidateTokenClaims(claims));
  Json body = Json::object();
  body["sub"] = claims.subject;
  body["role"] = std::string(RoleName(claims.role));
  if (!claims.account_ids.empty()) body["account_ids"] = claims.account_ids;
  if (!claims.partner_id.empty()) body["partner_id"] = claims.partner_id;
  if (claims.cpo_channel) body["cpo_channel"] = true;
  if (!claims.issuer.empty()) body["iss"] = claims.issuer;
  if (!claims.audience.empty()) body["aud"] = claims.audience;
  body["iat"] = absl::ToUnixSeconds(now);
  body["exp"] = absl::ToUnixSeconds(now + claims.ttl);

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  if (jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    return absl::InternalError("jwt_set_alg failed");
  }
  std::string body_json;
  try {
    body_json = body.dump();
  } catch (const Json::type_error&) {
    return absl::InvalidArgumentError("token claims must be valid UTF-8");
  }
  if (jwt_add_grants_json(jwt.get(), body_json.c_str()) != 0) {
    return absl::InternalError("jwt_add_grants_json failed");
  }
  MallocString token(jwt_encode_str(jwt.get()));
  ERR_clear_error();
  if (token == nullptr) return absl::InternalError("signing the token failed");
  return std::string(token.get());
}

}  // namespace

// ---------------------------------------------------------------------------
// Roles and principals.

std::string_view RoleName(Role role) {
  for (const RoleNameEntry& entry : kRoleNames) {
    if (entry.role == role) return entry.name;
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const RoleNameEntry& entry : kRoleNames) {
    if (entry.name == name) return entry.role;
  }
  return std::nullopt;
}

bool Principal::HasRole(std::initializer_list<Role> roles) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::CanAccessAccount(std::string_view account_id) const {
  switch (role) {
    case Role::kCareAgent:
    case Role::kTse:
    case Role::kLogistics:
    case Role::kAdmin:
    case Role::kService:
      return true;
    case Role::kCustomer:
    case Role::kPartner:
      return !account_id.empty() &&
             std::find(account_ids.begin(), account_ids.end(), account_id) != account_ids.end();
  }
  return false;
}

bool Principal::IsInternal() const { return HasRole({Role::kService, Role::kAdmin}); }

absl::Status RequireCpoChannel(const Principal& principal) {
  if (principal.IsInternal()) return absl::OkStatus();
  if (principal.role == Role::kPartner) {
    if (principal.cpo_channel) return absl::OkStatus();
    return absl::PermissionDeniedError(
        absl::StrCat("partner '", principal.partner_id, "' is not authorized for the CPO channel"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("role '", Absl(RoleName(principal.role)),
                   "' may not reserve or sell CPO units; allowed: partner with the CPO "
                   "channel, admin, service"));
}

// ---------------------------------------------------------------------------
// Verification.

// Public keys by the algorithms they verify, normalized to "BEGIN PUBLIC
// KEY" PEM, with the generation of ReplacePublicKeys that installed them.
struct JwtVerifier::PublicKeys {
  uint64_t generation = 0;
  std::vector<std::string> rsa;      // RS256, RS384
  std::vector<std::string> ec_p256;  // ES256
  std::vector<std::string> ec_p384;  // ES384
};

absl::StatusOr<std::shared_ptr<const JwtVerifier::PublicKeys>> JwtVerifier::ParsePublicKeys(
    const std::vector<std::string>& pems, uint64_t generation) {
  auto keys = std::make_shared<JwtVerifier::PublicKeys>();
  keys->generation = generation;
  for (size_t i = 0; i < pems.size(); ++i) {
    ASSIGN_OR_RETURN(auto key, LoadPublicKey(pems[i], absl::StrCat("public_keys_pem[", i, "]")));
    switch (key.first) {
      case KeyKind::kRsa:
        keys->rsa.push_back(std::move(key.second));
        break;
      case KeyKind::kEcP256:
        keys->ec_p256.push_back(std::move(key.second));
        break;
      case KeyKind::kEcP384:
        keys->ec_p384.push_back(std::move(key.second));
        break;
    }
  }
  return keys;
}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtVerifierOptions options) {
  if (options.hs256_secret.empty() && options.public_keys_pem.empty()) {
    return absl::InvalidArgumentError(
        "JWT verifier needs an HS256 secret or at least one public key");
  }
  if (!options.hs256_secret.empty() && options.hs256_secret.size() < kMinHs256SecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HS256 secret must be at least ", kMinHs256SecretBytes, " bytes"));
  }
  if (options.leeway < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("JWT leeway must not be negative");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const PublicKeys> keys, ParsePublicKeys(options.public_keys_pem, 0));
  options.public_keys_pem.clear();  // kept parsed in keys_ only
  std::unique_ptr<JwtVerifier> verifier(new JwtVerifier(std::move(options)));
  {
    MutexLock lock(&verifier->keys_mu_);
    verifier->keys_ = std::move(keys);
  }
  return verifier;
}

// Verified tokens by their exact text, with their decoded claims.
struct JwtVerifier::Cache : VerifiedCache<Json> {
  using VerifiedCache<Json>::VerifiedCache;
};

JwtVerifier::JwtVerifier(JwtVerifierOptions options) : options_(std::move(options)) {
  if (options_.cache_capacity > 0) cache_ = std::make_unique<Cache>(options_.cache_capacity);
}

JwtVerifier::~JwtVerifier() = default;

absl::Status JwtVerifier::ReplacePublicKeys(const std::vector<std::string>& public_keys_pem) {
  if (options_.hs256_secret.empty() && public_keys_pem.empty()) {
    return absl::InvalidArgumentError(
        "JWT verifier needs an HS256 secret or at least one public key; keeping the current keys");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const PublicKeys> parsed, ParsePublicKeys(public_keys_pem, 0));
  {
    // The generation is given under the lock, so that two replacements
    // never share one, and published before the cache is emptied: a call
    // still verifying with the old keys cannot put its token back in.
    MutexLock lock(&keys_mu_);
    auto keys = std::make_shared<PublicKeys>(*parsed);
    keys->generation = keys_generation_.load() + 1;
    keys_generation_.store(keys->generation);
    keys_ = std::move(keys);
  }
  if (cache_ != nullptr) cache_->Clear();
  return absl::OkStatus();
}

std::shared_ptr<const JwtVerifier::PublicKeys> JwtVerifier::Keys() const {
  MutexLock lock(&keys_mu_);
  return keys_;
}

absl::StatusOr<Principal> JwtVerifier::Verify(std::string_view token, absl::Time now) const {
  if (cache_ == nullptr || token.empty() || token.size() > kMaxTokenBytes) {
    return VerifyUncached(token, now);
  }
  const absl::string_view key = Absl(token);
  std::shared_ptr<const Json> claims = cache_->Find(key);
  if (claims == nullptr) return VerifyUncached(token, now);
  cache_hits_.fetch_add(1, std::memory_order_relaxed);
  absl::StatusOr<Principal> principal = PrincipalFromClaims(*claims, options_, now);
  if (!principal.ok()) cache_->Erase(key);  // expired (or not yet valid): no reason to keep it
  return principal;
}

absl::StatusOr<Principal> JwtVerifier::VerifyUncached(std::string_view token, absl::Time now) const {
  if (token.empty()) return Unauthenticated("missing bearer token", kReasonMissingToken);
  if (token.size() > kMaxTokenBytes) return Unauthenticated("token too large");
  const absl::string_view token_view = Absl(token);
  std::vector<absl::string_view> parts = absl::StrSplit(token_view, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return Unauthenticated("token malformed: expected header.payload.signature");
  }
  for (absl::string_view part : parts) {
    if (!std::all_of(part.begin(), part.end(), IsBase64UrlChar)) {
      return Unauthenticated("token malformed: not base64url");
    }
  }
  ASSIGN_OR_RETURN(Json header, DecodeJsonSegment(parts[0], "header"));
  ASSIGN_OR_RETURN(Json claims, DecodeJsonSegment(parts[1], "payload"));

  auto alg_it = header.find("alg");
  if (alg_it == header.end() || !alg_it->is_string()) {
    return Unauthenticated("token header has no alg");
  }
  if (header.contains("crit")) {
    return Unauthenticated("token header has critical extensions, none are supported");
  }
  const std::string& alg = alg_it->get_ref<const std::string&>();

  // The alg decides which keys may verify the token; a key is never used
  // with an algorithm of another kind (no HMAC keyed with a public key).
  jwt_alg_t expected_alg = JWT_ALG_INVAL;
  const std::shared_ptr<const PublicKeys> public_keys = Keys();
  std::vector<absl::string_view> keys;
  if (alg == "HS256") {
    expected_alg = JWT_ALG_HS256;
    if (!options_.hs256_secret.empty()) keys.push_back(options_.hs256_secret);
  } else if (alg == "RS256" || alg == "RS384") {
    expected_alg = alg == "RS256" ? JWT_ALG_RS256 : JWT_ALG_RS384;
    keys.assign(public_keys->rsa.begin(), public_keys->rsa.end());
  } else if (alg == "ES256") {
    expected_alg = JWT_ALG_ES256;
    keys.assign(public_keys->ec_p256.begin(), public_keys->ec_p256.end());
  } else if (alg == "ES384") {
    expected_alg = JWT_ALG_ES384;
    keys.assign(public_keys->ec_p384.begin(), public_keys->ec_p384.end());
  }
  if (keys.empty()) {
    return Unauthenticated(absl::StrCat("token algorithm ", QuoteClaim(alg), " is not accepted"));
  }
  if (parts[2].empty()) return Unauthenticated("token signature invalid");

  // jwt_decode needs a NUL-terminated string; it verifies the signature
  // whenever a key is passed (a key is always passed here).
  const std::string token_copy(token);
  bool verified = false;
  for (absl::string_view key : keys) {
    if (expected_alg == JWT_ALG_HS256 &&
        !Hs256SignatureMatches(token_view.substr(0, token_view.rfind('.')), parts[2], key)) {
      continue;
    }
    jwt_t* raw = nullptr;
    int rc =
        jwt_decode(&raw, token_copy.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                   static_cast<int>(key.size()));
    JwtPtr jwt(raw);
    // libjwt re-reads the alg from the header with its own JSON parser;
    // insisting on the same alg closes any gap between the two parsers.
    if (rc == 0 && jwt != nullptr && jwt_get_alg(jwt.get()) == expected_alg) {
      verified = true;
      break;
    }
  }
  ERR_clear_error();
  if (!verified) return Unauthenticated("token signature invalid");

  absl::StatusOr<Principal> principal = PrincipalFromClaims(claims, options_, now);
  if (principal.ok() && cache_ != nullptr) {
    // Keys replaced while this call verified: the token may be signed by a
    // key that was just removed, so it is not remembered.
    cache_->InsertIf(token_view, std::make_shared<const Json>(std::move(claims)),
                     [&] { return keys_generation_.load() == public_keys->generation; });
  }
  return principal;
}

absl::StatusOr<std::string> BearerFromHeader(std::string_view authorization_header) {
  constexpr absl::string_view kScheme = "bearer";
  const absl::Status missing = Unauthenticated("missing bearer token", kReasonMissingToken);
  absl::string_view value = absl::StripAsciiWhitespace(Absl(authorization_header));
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return missing;
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty() || std::any_of(token.begin(), token.end(), [](char c) {
        return absl::ascii_isspace(static_cast<unsigned char>(c));
      })) {
    return missing;
  }
  return std::string(token);
}

// ---------------------------------------------------------------------------
// Minting.

absl::StatusOr<std::string> MintHs256(const TokenClaims& claims, std::string_view secret,
                                      absl::Time now) {
  if (secret.size() < kMinHs256SecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HS256 secret must be at least ", kMinHs256SecretBytes, " bytes"));
  }
  return Mint(claims, JWT_ALG_HS256, secret, now);
}

absl::StatusOr<std::string> MintWithPrivateKey(const TokenClaims& claims,
                                               std::string_view private_key_pem, absl::Time now) {
  BioPtr in = MemoryBio(private_key_pem);
  if (in == nullptr) return absl::InternalError("BIO_new_mem_buf failed");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError("private key is not an unencrypted PEM private key");
  }
  ASSIGN_OR_RETURN(KeyKind kind, ClassifyKey(key.get(), "private key"));
  jwt_alg_t alg = JWT_ALG_RS256;
  switch (kind) {
    case KeyKind::kRsa:
      alg = JWT_ALG_RS256;
      break;
    case KeyKind::kEcP256:
      alg = JWT_ALG_ES256;
      break;
    case KeyKind::kEcP384:
      alg = JWT_ALG_ES384;
      break;
  }
  return Mint(claims, alg, private_key_pem, now);
}

}  // namespace aftercare
