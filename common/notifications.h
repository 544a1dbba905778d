// Notifications that leave the suite: e-mail, signed webhooks and notes on
// technical cases (docs/NOTIFICATIONS.md).
//
// A service publishes a notification inside the transaction of the change
// that caused it (PublishNotification): one delivery row per e-mail
// recipient, per webhook subscription of the account that wants the event,
// and one for the technical case. A NotificationDispatcher on every replica
// claims due deliveries (SELECT … FOR UPDATE SKIP LOCKED, then a claim lease
// of --notify_claim_timeout), sends them through the channel registered for
// them and records the outcome: delivered; failed and due again after an
// exponential backoff; or dead (a permanent refusal, or
// --notify_max_attempts failures), listed and resent through
// NotificationService (common/notification_service.h).
//
// Delivery is at least once: a replica killed after the receiver took the
// message and before it recorded it sends it again when the claim lapses,
// with the same Message-ID / webhook event id, which receivers de-duplicate.
//
//   // inside the transaction of the change:
//   PublishNotification(conn, event, clock.Now());
//   // at start-up:
//   dispatcher.RegisterChannel(DeliveryChannel::kEmail, SendEmail);
//   dispatcher.Start();
#ifndef AFTERCARE_COMMON_NOTIFICATIONS_H_
#define AFTERCARE_COMMON_NOTIFICATIONS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/sync.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace aftercare {

enum class DeliveryChannel { kEmail, kWebhook, kCaseNote };
inline constexpr DeliveryChannel kAllDeliveryChannels[] = {
    DeliveryChannel::kEmail, DeliveryChannel::kWebhook, DeliveryChannel::kCaseNote};
// "email", "webhook", "case_note" (the column value and the metric label).
std::string_view DeliveryChannelName(DeliveryChannel channel);
std::optional<DeliveryChannel> ParseDeliveryChannel(std::string_view name);

enum class DeliveryState { kPending, kDelivered, kDead };
std::string_view DeliveryStateName(DeliveryState state);  // "pending", ...
std::optional<DeliveryState> ParseDeliveryState(std::string_view name);

// What a service publishes.
struct NotificationEvent {
  // Unique per notification ("rma-V1000001-7"): publishing the same key
  // again writes nothing.
  std::string event_key;
  // The template it was rendered from ("rma_approved"); webhook
  // subscriptions filter on it.
  std::string event_type;
  std::string account_id;
  std::vector<std::string> email_to;
  // A public note on this technical case, when set.
  std::string technical_case_id;
  std::string subject;
  std::string body;
  // The event's fields, sent in the webhook payload.
  std::map<std::string, std::string> data;
  absl::Time occurred_at;
};

// Writes the deliveries of `event` in the caller's transaction. Throws
// sql::SQLException.
void PublishNotification(db::Connection& conn, const NotificationEvent& event, absl::Time now);

struct Delivery {
  int64_t id = 0;
  std::string event_key;
  std::string event_type;
  std::string account_id;
  DeliveryChannel channel = DeliveryChannel::kEmail;
  std::string target;
  std::string subject;
  std::string body;
  std::map<std::string, std::string> data;
  absl::Time occurred_at;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;  // including the one in progress, for a claimed delivery
  std::string last_error;
  absl::Time created_at;
  absl::Time next_attempt_at;
  std::optional<absl::Time> delivered_at;
  std::optional<absl::Time> dead_at;
};

// Whether a channel's failure is worth another attempt: UNAVAILABLE,
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNKNOWN, INTERNAL. Every
// other code is a permanent refusal and dead-letters the delivery at once.
bool IsTransientDeliveryError(const absl::Status& status);

struct NotificationOptions {
  int max_attempts = 8;
  absl::Duration base_backoff = absl::Seconds(30);
  absl::Duration max_backoff = absl::Hours(1);
  absl::Duration poll_interval = absl::Seconds(1);
  absl::Duration claim_timeout = absl::Minutes(2);
  // The longest one send may take (the slowest channel's deadline). A
  // claimed delivery is sent only while this much of its claim is left; the
  // rest of a batch whose claim ran short goes back, unsent, for the next
  // pass (so a slow receiver never makes a claim lapse mid-send and another
  // replica send the same message at the same time).
  absl::Duration max_send_time = absl::Seconds(30);
  int batch_size = 16;
};

class NotificationDispatcher {
 public:
  // Sends one delivery; OK when the receiver has it.
  using Channel = std::function<absl::Status(const Delivery&)>;

  NotificationDispatcher(db::ConnectionPool* pool, const Clock* clock,
                         std::shared_ptr<prometheus::Registry> registry, NotificationOptions options);
  ~NotificationDispatcher();

  // Channels without a sender are not claimed: their deliveries wait,
  // pending (e-mail without --smtp_url). Register before Start().
  void RegisterChannel(DeliveryChannel channel, Channel send);

  void Start();
  void Stop();
  // Wakes the loop now (after a commit that published notifications).
  void Notify();

  // Claims and sends what is due once; returns how many it attempted.
  absl::StatusOr<int> DispatchOnce();

 private:
  // Claims due deliveries until `now` + claim_timeout.
  absl::StatusOr<std::vector<Delivery>> Claim(absl::Time now);
  // Gives claimed, unsent deliveries back (due now, the attempt not
  // counted), only where the claim is still this pass's (`claimed_until`).
  absl::Status Unclaim(const std::vector<Delivery>& unsent, absl::Time claimed_until);
  absl::Status Record(const Delivery& d, const absl::Status& result);
  absl::Status UpdateGauges();
  void Loop();

  db::ConnectionPool* pool_;
  const Clock* clock_;
  NotificationOptions options_;
  std::map<DeliveryChannel, Channel> channels_;
  std::string claim_sql_;

  Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  prometheus::Family<prometheus::Counter>* outcomes_ = nullptr;
  prometheus::Counter* dispatch_errors_ = nullptr;
  prometheus::Gauge* pending_ = nullptr;
  prometheus::Gauge* dead_ = nullptr;
  prometheus::Gauge* oldest_pending_age_ = nullptr;
};

// --- Reads and admin changes (NotificationService) ----------------------------

struct DeliveryFilter {
  std::optional<DeliveryState> state;
  std::optional<DeliveryChannel> channel;
  std::string account_id;          // empty: every account
  std::string target;              // empty: every target (webhook log: the subscription id)
  int64_t before_id = 0;           // keyset: ids below this (0: from the newest)
  int limit = 50;
};
// Newest first. Throws sql::SQLException.
std::vector<Delivery> ListDeliveries(db::Connection& conn, const DeliveryFilter& filter);
// Throws sql::SQLException.
std::optional<Delivery> FindDelivery(db::Connection& conn, int64_t id);
// Puts a dead delivery back to pending with no attempts, due now.
// FAILED_PRECONDITION when it is not dead. Throws sql::SQLException.
absl::Status ResendDeadDelivery(db::Connection& conn, int64_t id, absl::Time now);

struct WebhookSubscriptionRow {
  std::string id;
  std::string account_id;
  std::string url;
  std::vector<std::string> event_types;  // empty: every event
  std::string description;
  std::string secret;
  std::string created_by;
  absl::Time created_at;
  std::optional<absl::Time> deleted_at;
  int64_t seq = 0;
};
// Throws sql::SQLException.
void InsertWebhookSubscription(db::Connection& conn, const WebhookSubscriptionRow& row);
std::optional<WebhookSubscriptionRow> FindWebhookSubscription(db::Connection& conn,
                                                              std::string_view id);
// Active subscriptions of an account, oldest first, after `after_seq`.
std::vector<WebhookSubscriptionRow> ListWebhookSubscriptions(db::Connection& conn,
                                                             std::string_view account_id,
                                                             int64_t after_seq, int limit);
// Marks it deleted; false when it already was.
bool DeleteWebhookSubscription(db::Connection& conn, std::string_view id, absl::Time now);

// The query that claims due deliveries of `channels` (its plan is tested).
std::string ClaimSql(const std::vector<DeliveryChannel>& channels);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATIONS_H_
