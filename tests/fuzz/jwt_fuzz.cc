// Fuzz target: bearer tokens come from anyone. The first byte picks the mode:
// even — the bytes are the whole header value (BearerFromHeader, then
// Verify); odd — the bytes are the claims JSON of a token correctly signed
// with the verifier's HS256 secret, so the claim parsing is reached.
// Verify must answer OK or UNAUTHENTICATED, never anything else.
#include <openssl/hmac.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "common/auth.h"

namespace {
constexpr char kSecret[] = "fuzz-secret-fuzz-secret-fuzz-secret-0123";

const aftercare::JwtVerifier& Verifier() {
  static const aftercare::JwtVerifier* verifier = [] {
    aftercare::JwtVerifierOptions options;
    options.hs256_secret = kSecret;
    options.issuer = "aftercare-dev";
    options.audience = "aftercare";
    options.cache_capacity = 0;  // every input takes the full path
    return aftercare::JwtVerifier::Create(options)->release();
  }();
  return *verifier;
}

std::string SignedToken(const std::string& claims_json) {
  const std::string signing_input =
      absl::WebSafeBase64Escape(R"({"alg":"HS256","typ":"JWT"})") + "." +
      absl::WebSafeBase64Escape(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), kSecret, sizeof(kSecret) - 1,
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  return signing_input + "." +
         absl::WebSafeBase64Escape(std::string(reinterpret_cast<char*>(mac), mac_len));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string token;
  if (data[0] % 2 == 0) {
    absl::StatusOr<std::string> bearer = aftercare::BearerFromHeader(rest);
    if (!bearer.ok()) {
      if (bearer.status().code() != absl::StatusCode::kUnauthenticated) std::abort();
      return 0;
    }
    token = *bearer;
  } else {
    token = SignedToken(rest);
  }
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  absl::StatusOr<aftercare::Principal> p = Verifier().Verify(token, now);
  if (!p.ok() && p.status().code() != absl::StatusCode::kUnauthenticated) std::abort();
  if (p.ok() && p->subject.empty()) std::abort();  // a principal always names its subject
  return 0;
}
