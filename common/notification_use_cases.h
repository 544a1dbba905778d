// The use cases behind aftercare.notify.v1.NotificationService
// (notification_service.h), served by every service that notifies
// (case-svc, rma-svc, licensing-svc) over its own database. Each checks what
// needs no database first (request_id, ids, enums, the URL, event types,
// page size and token), then reads or writes once through the store:
//   - NotificationQueries: the delivery log (operators), an account's
//     webhook subscriptions and a subscription's deliveries (its account's
//     callers; another account's subscription answers exactly like an
//     unknown one, another account's list is empty);
//   - ResendDeliveryUseCase: a dead letter back to pending, due now;
//   - Create/DeleteWebhookSubscriptionUseCase: an account's subscriptions
//     (at most 25 active; the signing secret is answered once, at creation).
// Writes are idempotent by request_id (a retry gets the first answer).
#ifndef AFTERCARE_COMMON_NOTIFICATION_USE_CASES_H_
#define AFTERCARE_COMMON_NOTIFICATION_USE_CASES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "aftercare/notify/v1/notify_service.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/notification_repository.h"
#include "common/notifications.h"
#include "common/page_token.h"

namespace aftercare {

// The Message-ID of an e-mail delivery: stable across attempts and resends.
std::string EmailMessageId(const Delivery& delivery, std::string_view domain);

struct NotificationServiceOptions {
  bool allow_http_webhooks = false;
  std::string message_id_domain = "aftercare.invalid";
};

// An account's active webhook subscriptions at the most.
inline constexpr int kMaxWebhookSubscriptionsPerAccount = 25;

struct NotificationUseCaseDeps {
  NotificationStore& store;
  const Clock& clock;
  const PageTokenCodec& page_tokens;
  NotificationServiceOptions options;
};

class NotificationQueries {
 public:
  explicit NotificationQueries(const NotificationUseCaseDeps& deps) : deps_(deps) {}

  // state, channel: INVALID_ARGUMENT outside their enums, before any read.
  absl::StatusOr<notify::v1::ListDeliveriesResponse> ListDeliveries(
      const Principal& caller, const notify::v1::ListDeliveriesRequest& request) const;
  absl::StatusOr<notify::v1::ListWebhookSubscriptionsResponse> ListWebhookSubscriptions(
      const Principal& caller, const notify::v1::ListWebhookSubscriptionsRequest& request) const;
  absl::StatusOr<notify::v1::ListDeliveriesResponse> ListWebhookDeliveries(
      const Principal& caller, const notify::v1::ListWebhookDeliveriesRequest& request) const;

 private:
  // A page of deliveries matching `filter` (its before_id and limit set
  // here), newest first.
  absl::StatusOr<notify::v1::ListDeliveriesResponse> PageDeliveries(
      DeliveryFilter filter, std::string_view fingerprint, int32_t page_size,
      const std::string& page_token) const;

  const NotificationUseCaseDeps& deps_;
};

class ResendDeliveryUseCase {
 public:
  explicit ResendDeliveryUseCase(const NotificationUseCaseDeps& deps) : deps_(deps) {}
  absl::StatusOr<notify::v1::Delivery> Run(const Principal& caller,
                                           const notify::v1::ResendDeliveryRequest& request) const;

 private:
  const NotificationUseCaseDeps& deps_;
};

class CreateWebhookSubscriptionUseCase {
 public:
  explicit CreateWebhookSubscriptionUseCase(const NotificationUseCaseDeps& deps) : deps_(deps) {}
  absl::StatusOr<notify::v1::WebhookSubscription> Run(
      const Principal& caller, const notify::v1::CreateWebhookSubscriptionRequest& request) const;

 private:
  const NotificationUseCaseDeps& deps_;
};

class DeleteWebhookSubscriptionUseCase {
 public:
  explicit DeleteWebhookSubscriptionUseCase(const NotificationUseCaseDeps& deps) : deps_(deps) {}
  absl::StatusOr<notify::v1::WebhookSubscription> Run(
      const Principal& caller, const notify::v1::DeleteWebhookSubscriptionRequest& request) const;

 private:
  const NotificationUseCaseDeps& deps_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATION_USE_CASES_H_
