#include "common/notify/webhook.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/notify/curl_init.h"

namespace aftercare::notify {
namespace {

constexpr size_t kMacSize = 32;  // SHA-256

// HMAC-SHA256(secret, "<t>.<body>"), raw bytes.
std::string Mac(absl::string_view secret, int64_t unix_seconds, absl::string_view body) {
  const std::string signed_payload = absl::StrCat(unix_seconds, ".", body);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_payload.data()), signed_payload.size(), out,
       &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

}  // namespace

std::string WebhookSignature(absl::string_view secret, int64_t unix_seconds,
                             absl::string_view body) {
  return absl::StrCat("t=", unix_seconds, ",v1=",
                      absl::BytesToHexString(Mac(secret, unix_seconds, body)));
}

absl::Status VerifyWebhookSignature(absl::string_view secret, absl::string_view header,
                                    absl::string_view body, absl::Time now,
                                    absl::Duration tolerance) {
  bool have_t = false;
  int64_t t = 0;
  std::vector<std::string> v1;
  for (absl::string_view part : absl::StrSplit(header, ',')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::UnauthenticatedError(
          absl::StrCat("malformed ", kSignatureHeader, " header: expected t=<seconds>,v1=<hex>"));
    }
    const absl::string_view key = part.substr(0, eq);
    const absl::string_view value = part.substr(eq + 1);
    if (key == "t") {
      bool digits = !value.empty() && value.size() <= 18;
      for (char c : value) digits = digits && absl::ascii_isdigit(c);
      if (have_t || !digits || !absl::SimpleAtoi(value, &t)) {
        return absl::UnauthenticatedError(
            absl::StrCat("malformed ", kSignatureHeader, " header: t must be one unix time"));
      }
      have_t = true;
    } else if (key == "v1") {
      if (value.size() != 2 * kMacSize || !IsLowerHex(value)) {
        return absl::UnauthenticatedError(absl::StrCat(
            "malformed ", kSignatureHeader, " header: v1 must be 64 lowercase hex digits"));
      }
      v1.push_back(absl::HexStringToBytes(value));
    }
  }
  if (!have_t || v1.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("malformed ", kSignatureHeader, " header: t and v1 are required"));
  }
  const absl::Duration skew = now - absl::FromUnixSeconds(t);
  if (skew > tolerance) {
    return absl::UnauthenticatedError(
        absl::StrCat("stale timestamp: signed ", absl::FormatDuration(skew), " ago, more than ",
                     absl::FormatDuration(tolerance)));
  }
  if (-skew > tolerance) {
    return absl::UnauthenticatedError(
        absl::StrCat("timestamp in the future by ", absl::FormatDuration(-skew),
                     ", more than ", absl::FormatDuration(tolerance)));
  }
  const std::string expected = Mac(secret, t, body);
  bool match = false;
  for (const std::string& candidate : v1) {
    // Every candidate is compared, in constant time.
    match |= CRYPTO_memcmp(candidate.data(), expected.data(), kMacSize) == 0;
  }
  if (!match) return absl::UnauthenticatedError("bad signature: no v1 matches the body");
  return absl::OkStatus();
}

absl::Status ValidateWebhookUrl(absl::string_view field, absl::string_view url, bool allow_http) {
  const std::string f(field);
  for (unsigned char c : url) {
    if (c <= ' ' || c >= 0x7f) {
      return InvalidField(f, "must not contain spaces, control characters or non-ASCII bytes");
    }
  }
  absl::string_view rest;
  if (absl::StartsWithIgnoreCase(url, "https://")) {
    rest = url.substr(8);
  } else if (absl::StartsWithIgnoreCase(url, "http://")) {
    if (!allow_http) return InvalidField(f, "must be an https:// URL");
    rest = url.substr(7);
  } else {
    return InvalidField(f, allow_http ? "must be an https:// or http:// URL" : "must be an https:// URL");
  }
  if (absl::StrContains(url, "#")) return InvalidField(f, "must not have a fragment (#...)");
  const size_t end = rest.find_first_of("/?");
  const absl::string_view authority = rest.substr(0, end);
  if (absl::StrContains(authority, "@")) {
    return InvalidField(f, "must not contain user information (user:password@)");
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos || close == 1) return InvalidField(f, "must have a host");
    for (char c : host.substr(1, close - 1)) {
      if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') {
        return InvalidField(f, "must have a valid IPv6 literal");
      }
    }
    const absl::string_view after = host.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidField(f, "must have a valid host");
      port = after.substr(1);
      if (port.empty()) return InvalidField(f, "must have a port of 1-65535 after ':'");
    }
  } else {
    const size_t colon = host.find(':');
    if (colon != absl::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return InvalidField(f, "must have a port of 1-65535 after ':'");
    }
    if (host.empty()) return InvalidField(f, "must have a host");
    for (char c : host) {
      if (!absl::ascii_isalnum(c) && c != '-' && c != '.') {
        return InvalidField(f, "must have a host of letters, digits, hyphens and dots");
      }
    }
    if (host.front() == '.' || host.front() == '-' || absl::StrContains(host, "..")) {
      return InvalidField(f, "must have a valid host name");
    }
  }
  if (!port.empty()) {
    int p = 0;
    bool digits = port.size() <= 5;
    for (char c : port) digits = digits && absl::ascii_isdigit(c);
    if (!digits || !absl::SimpleAtoi(port, &p) || p < 1 || p > 65535) {
      return InvalidField(f, "must have a port of 1-65535");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<WebhookResult> PostWebhook(const WebhookRequest& request) {
  internal::EnsureCurlInitialized();
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add = [&headers](const std::string& line) {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;
    headers.release();
    headers.reset(next);
    return true;
  };
  bool ok = add("Content-Type: application/json") && add("Expect:");
  for (const auto& [name, value] : request.headers) {
    const absl::string_view bad("\r\n\0:", 4);
    if (name.empty() || absl::string_view(name).find_first_of(bad) != absl::string_view::npos ||
        absl::string_view(value).find_first_of(bad.substr(0, 3)) != absl::string_view::npos) {
      return absl::FailedPreconditionError(
          absl::StrCat("webhook header \"", absl::CHexEscape(name),
                       "\" has an empty name, a ':' in its name, or CR, LF or NUL"));
    }
    ok = ok && add(absl::StrCat(name, ": ", value));
  }
  if (!ok) return absl::ResourceExhaustedError("curl_slist_append failed");

  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return absl::ResourceExhaustedError("curl_easy_init failed");
  CURL* h = curl.get();
  char error[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(request.timeout));
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "aftercare-notify/1");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    const std::string detail = error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return absl::FailedPreconditionError(absl::StrCat("webhook URL unusable: ", detail));
    }
    return absl::UnavailableError(absl::StrCat("webhook endpoint unreachable: ", detail));
  }
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  WebhookResult result;
  result.http_status = static_cast<int>(code);
  if (code >= 200 && code < 300) return result;
  if (code == 408 || code == 429 || (code >= 500 && code < 600)) {
    return absl::UnavailableError(
        absl::StrCat("webhook endpoint answered HTTP ", code, " (transient; retry later)"));
  }
  if (code >= 300 && code < 400) {
    return absl::FailedPreconditionError(
        absl::StrCat("webhook endpoint answered HTTP ", code, " (redirects are not followed)"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("webhook endpoint answered HTTP ", code, " (permanent)"));
}

}  // namespace aftercare::notify
