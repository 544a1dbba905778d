#include "common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace aftercare {
namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kFingerprintBytes = 8;
constexpr size_t kMacBytes = 16;
// Domain separation: a MAC made for a page token is worthless anywhere else
// the same secret might be used, and vice versa.
constexpr std::string_view kMacLabel("aftercare/page_token/v1\0", 24);
constexpr std::string_view kQueryLabel("aftercare/query/v1\0", 19);

// Rules broken by a page_token (the messages read "page_token <rule>").
constexpr std::string_view kMalformed = "is malformed";
constexpr std::string_view kTampered = "failed its integrity check";
constexpr std::string_view kOtherQuery =
    "was issued for a different query (filters or order changed)";

// The installed Abseil's string_view is its own type, not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Invalid(std::string_view rule) { return InvalidField("page_token", rule); }

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL.
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), len);
}

void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a LEB128 value of at most 32 bits from the front of `in`, rejecting
// non-minimal encodings so that every cursor has exactly one token.
bool ReadVarint(std::string_view& in, uint32_t& value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (in.empty()) return false;
    const unsigned char b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift > 0) return false;  // non-minimal
      if (v > UINT32_MAX) return false;
      value = static_cast<uint32_t>(v);
      return true;
    }
  }
  return false;
}

void AppendBigEndian64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

template <typename Parts>
std::string FingerprintOf(const Parts& parts) {
  std::string buf(kQueryLabel);
  AppendBigEndian64(buf, parts.size());
  for (const auto& part : parts) {
    AppendBigEndian64(buf, part.size());
    buf.append(part.data(), part.size());
  }
  return absl::BytesToHexString(Sv(Sha256(buf)));
}

std::string FingerprintHash(std::string_view query_fingerprint) {
  return Sha256(query_fingerprint).substr(0, kFingerprintBytes);
}

}  // namespace

std::string QueryFingerprint(std::initializer_list<std::string_view> parts) {
  return FingerprintOf(parts);
}

std::string QueryFingerprint(absl::Span<const std::string> parts) { return FingerprintOf(parts); }

absl::StatusOr<int> NormalizePageSize(int32_t requested, int default_size, int max_size) {
  if (requested < 0) {
    return InvalidField("page_size", absl::StrCat("must not be negative (got ", requested, ")"));
  }
  if (requested == 0) return std::min(default_size, max_size);
  return std::min<int>(requested, max_size);
}

PageTokenCodec::PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

absl::StatusOr<PageTokenCodec> PageTokenCodec::Create(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the page token secret must be at least ",
                                                   kMinSecretBytes, " bytes (got ", secret.size(),
                                                   ")"));
  }
  return PageTokenCodec(std::move(secret));
}

std::string PageTokenCodec::Mac(std::string_view payload) const {
  std::string input(kMacLabel);
  input.append(payload.data(), payload.size());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &len) == nullptr) {
    std::abort();  // only on allocation failure inside OpenSSL
  }
  return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string PageTokenCodec::Encode(const PageCursor& cursor,
                                   std::string_view query_fingerprint) const {
  std::string payload;
  payload.push_back(static_cast<char>(kVersion));
  payload += FingerprintHash(query_fingerprint);
  AppendVarint(payload, cursor.keys.size());
  for (const std::string& key : cursor.keys) {
    AppendVarint(payload, key.size());
    payload += key;
  }
  payload += Mac(payload).substr(0, kMacBytes);
  return absl::WebSafeBase64Escape(payload);
}

absl::StatusOr<PageCursor> PageTokenCodec::Decode(std::string_view token,
                                                  std::string_view query_fingerprint) const {
  if (token.empty() || token.size() > kMaxTokenChars) return Invalid(kMalformed);
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(Sv(token), &bytes)) return Invalid(kMalformed);
  // Only the canonical spelling is accepted (no padding, no stray bits in
  // the last character), so that a token cannot be altered without the
  // decoded bytes changing.
  if (absl::WebSafeBase64Escape(bytes) != Sv(token)) return Invalid(kMalformed);
  if (bytes.size() < 1 + kFingerprintBytes + 1 + kMacBytes) return Invalid(kMalformed);

  const std::string_view all(bytes);
  std::string_view payload = all.substr(0, all.size() - kMacBytes);
  const std::string_view mac = all.substr(all.size() - kMacBytes);
  const std::string expected_mac = Mac(payload);
  if (CRYPTO_memcmp(expected_mac.data(), mac.data(), kMacBytes) != 0) return Invalid(kTampered);

  if (static_cast<unsigned char>(payload.front()) != kVersion) return Invalid(kMalformed);
  payload.remove_prefix(1);
  if (payload.substr(0, kFingerprintBytes) != FingerprintHash(query_fingerprint)) {
    return Invalid(kOtherQuery);
  }
  payload.remove_prefix(kFingerprintBytes);

  uint32_t count = 0;
  if (!ReadVarint(payload, count) || count > payload.size()) return Invalid(kMalformed);
  PageCursor cursor;
  cursor.keys.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    if (!ReadVarint(payload, len) || len > payload.size()) return Invalid(kMalformed);
    cursor.keys.emplace_back(payload.substr(0, len));
    payload.remove_prefix(len);
  }
  if (!payload.empty()) return Invalid(kMalformed);
  return cursor;
}

}  // namespace aftercare
