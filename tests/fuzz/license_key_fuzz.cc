// Fuzz target: the offline license-key verifier (what a device runs on a key
// it was handed). The first byte picks the mode: even — the bytes are the
// key; odd — the bytes are the payload of a key correctly signed with a test
// Ed25519 key registered under the payload's kid, so the claim parsing is
// reached. Any input gets a verdict; VALID only with parsed claims.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "licensing-svc/verifier/license_key_verifier.h"
#include "nlohmann/json.hpp"

namespace {
struct TestKey {
  EVP_PKEY* pkey = nullptr;
  std::string raw_public;
};

const TestKey& Key() {
  static const TestKey* key = [] {
    auto* k = new TestKey;
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_keygen(ctx, &k->pkey);
    EVP_PKEY_CTX_free(ctx);
    unsigned char raw[32];
    size_t len = sizeof(raw);
    EVP_PKEY_get_raw_public_key(k->pkey, raw, &len);
    k->raw_public.assign(reinterpret_cast<char*>(raw), len);
    return k;
  }();
  return *key;
}

std::string Sign(const std::string& payload_b64) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Key().pkey);
  EVP_DigestSign(ctx.get(), sig, &sig_len, reinterpret_cast<const unsigned char*>(payload_b64.data()),
                 payload_b64.size());
  return std::string(reinterpret_cast<char*>(sig), sig_len);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace aftercare::licensing;
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  PublicKeySet keys = {{KeyIdOf(Key().raw_public), Key().raw_public}};
  std::string key = rest;
  if (data[0] % 2 == 1) {
    nlohmann::json j = nlohmann::json::parse(rest, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("kid") && j["kid"].is_string()) {
      keys[j["kid"].get<std::string>()] = Key().raw_public;
    }
    const std::string payload = Base64UrlEncode(rest);
    key = payload + "." + Base64UrlEncode(Sign(payload));
  }
  KeyVerification v = VerifyLicenseKey(key, keys, "JN11FUZZ0001", absl::FromUnixSeconds(1'800'000'000));
  if (v.result == KeyCheck::kValid && !v.claims) std::abort();
  if (KeyCheckName(v.result) == nullptr) std::abort();
  return 0;
}
