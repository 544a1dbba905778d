// Signed webhooks for the delivery engine: the Aftercare-Signature header
// (HMAC-SHA256 over "<unix seconds>.<body>"), its verification (what a
// receiver does; the test server uses it too), the POST itself with libcurl,
// and the URL rule for webhook endpoints.
//
//   const int64_t t = absl::ToUnixSeconds(absl::Now());
//   WebhookRequest req{url, body, {{kSignatureHeader, WebhookSignature(secret, t, body)}}};
//   absl::StatusOr<WebhookResult> r = PostWebhook(req);
#ifndef AFTERCARE_COMMON_NOTIFY_WEBHOOK_H_
#define AFTERCARE_COMMON_NOTIFY_WEBHOOK_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftercare::notify {

inline constexpr char kSignatureHeader[] = "Aftercare-Signature";

// The value of the Aftercare-Signature header:
//   "t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>.<body>")>"
std::string WebhookSignature(absl::string_view secret, int64_t unix_seconds,
                             absl::string_view body);

// OK when `header` parses ("t=<digits>" and one or more "v1=<hex>", other
// "k=v" parts ignored), |now - t| <= tolerance, and one v1 equals the
// HMAC of `body` (compared in constant time). UNAUTHENTICATED otherwise; the
// message says why: malformed header, stale timestamp, timestamp in the
// future, or bad signature.
absl::Status VerifyWebhookSignature(absl::string_view secret, absl::string_view header,
                                    absl::string_view body, absl::Time now,
                                    absl::Duration tolerance);

struct WebhookRequest {
  std::string url;
  std::string body;  // JSON
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. the signature
  absl::Duration timeout = absl::Seconds(10);
};

struct WebhookResult {
  int http_status = 0;
};

// POSTs `request.body` as application/json to `request.url` (http or https,
// peer and host verified with the system CAs; redirects never followed).
//   OK on 2xx.
//   UNAVAILABLE on a connection failure or timeout, 408, 429 and 5xx (retry later).
//   FAILED_PRECONDITION on any other 3xx/4xx (permanent) or a header with
//     CR/LF/NUL.
// The message names the HTTP status.
absl::StatusOr<WebhookResult> PostWebhook(const WebhookRequest& request);

// OK for an https:// URL with a host (http:// too when allow_http), an
// optional port (1-65535), path and query. INVALID_ARGUMENT naming `field`
// for other schemes, a missing host, userinfo ("user@"), a fragment, spaces
// or control characters.
absl::Status ValidateWebhookUrl(absl::string_view field, absl::string_view url, bool allow_http);

}  // namespace aftercare::notify

#endif  // AFTERCARE_COMMON_NOTIFY_WEBHOOK_H_
