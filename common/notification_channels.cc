#include "common/notification_channels.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/db/transaction.h"
#include "common/notification_service.h"
#include "common/notify/email.h"
#include "common/notify/webhook.h"

namespace aftercare {

NotificationDispatcher::Channel MakeEmailChannel(EmailChannelOptions options) {
  auto client = std::make_shared<notify::SmtpClient>(options.smtp);
  return [client, options = std::move(options)](const Delivery& d) -> absl::Status {
    notify::EmailMessage m;
    m.from = options.from;
    m.to = {d.target};
    m.subject = d.subject;
    m.body = d.body;
    m.message_id = EmailMessageId(d, options.message_id_domain);
    m.date = d.occurred_at == absl::Time() ? d.created_at : d.occurred_at;
    m.extra_headers = {{"X-Aftercare-Event", d.event_type}, {"X-Aftercare-Event-Id", d.event_key}};
    absl::StatusOr<std::string> rendered = notify::RenderRfc5322(m);
    // A message that cannot be rendered (an address the validation let
    // through, a header with a line break) will not render next time either.
    if (!rendered.ok()) return absl::FailedPreconditionError(rendered.status().message());
    return client->Send(notify::AddrSpec(options.from), m.to, *rendered);
  };
}

std::string WebhookBody(const Delivery& d) {
  nlohmann::json j;
  j["id"] = d.event_key;
  j["type"] = d.event_type;
  j["account_id"] = d.account_id;
  j["occurred_at"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                                      d.occurred_at == absl::Time() ? d.created_at : d.occurred_at,
                                      absl::UTCTimeZone());
  j["delivery_id"] = d.id;
  // Which attempt this is: a retry is a new request (and signature), even
  // within the second of the previous one; receivers de-duplicate on "id".
  j["attempt"] = d.attempts;
  j["subject"] = d.subject;
  j["body"] = d.body;
  j["data"] = d.data;
  return j.dump();
}

NotificationDispatcher::Channel MakeWebhookChannel(db::ConnectionPool* pool,
                                                   WebhookChannelOptions options) {
  return [pool, options](const Delivery& d) -> absl::Status {
    absl::StatusOr<std::optional<WebhookSubscriptionRow>> sub =
        db::RunRead<std::optional<WebhookSubscriptionRow>>(
            *pool, "load webhook subscription",
            [&](db::Connection& conn) -> absl::StatusOr<std::optional<WebhookSubscriptionRow>> {
              return FindWebhookSubscription(conn, d.target);
            });
    if (!sub.ok()) return absl::UnavailableError(sub.status().message());
    if (!sub->has_value() || (*sub)->deleted_at) {
      return absl::FailedPreconditionError("the webhook subscription was deleted");
    }
    const WebhookSubscriptionRow& s = **sub;
    if (absl::Status url = notify::ValidateWebhookUrl("url", s.url, options.allow_http); !url.ok()) {
      return absl::FailedPreconditionError(url.message());
    }
    notify::WebhookRequest req;
    req.url = s.url;
    req.body = WebhookBody(d);
    req.timeout = options.timeout;
    req.headers = {
        {notify::kSignatureHeader,
         // Wall-clock time, not the service clock: the receiver compares it
         // with its own clock (a test clock offset must not make it stale).
         notify::WebhookSignature(s.secret, absl::ToUnixSeconds(absl::Now()), req.body)},
        {"Aftercare-Event-Id", d.event_key},
        {"Aftercare-Event-Type", d.event_type},
        {"Aftercare-Delivery-Id", absl::StrCat(d.id)},
    };
    absl::StatusOr<notify::WebhookResult> result = notify::PostWebhook(req);
    return result.status();
  };
}

}  // namespace aftercare
