// The senders of common/notifications.h's channels that need nothing from a
// service: e-mail over SMTP and signed webhooks. (The technical-case note is
// rma-svc's: it calls case-svc.)
#ifndef AFTERCARE_COMMON_NOTIFICATION_CHANNELS_H_
#define AFTERCARE_COMMON_NOTIFICATION_CHANNELS_H_

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/notifications.h"
#include "common/notify/smtp.h"

namespace aftercare {

struct EmailChannelOptions {
  notify::SmtpSettings smtp;
  std::string from;               // "Aftercare <notifications@example.com>"
  std::string message_id_domain;  // right-hand side of Message-IDs
};

// Renders the delivery as an RFC 5322 message (Message-ID from
// EmailMessageId, Date = when the notification was published, so every
// attempt sends the same bytes) and sends it to its target address.
NotificationDispatcher::Channel MakeEmailChannel(EmailChannelOptions options);

struct WebhookChannelOptions {
  absl::Duration timeout = absl::Seconds(10);
  bool allow_http = false;
};

// The JSON body of a webhook delivery:
//   {"id": event_key, "type": event_type, "account_id": ..., "occurred_at": RFC 3339,
//    "delivery_id": ..., "attempt": 1, "subject": ..., "body": ..., "data": {...}}
std::string WebhookBody(const Delivery& delivery);

// POSTs WebhookBody to the subscription's URL with Aftercare-Signature
// (timestamped HMAC-SHA256 with its secret), Aftercare-Event-Id and
// Aftercare-Event-Type. A deleted subscription, or a URL no longer allowed,
// is a permanent failure.
NotificationDispatcher::Channel MakeWebhookChannel(db::ConnectionPool* pool,
                                                   WebhookChannelOptions options);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATION_CHANNELS_H_
