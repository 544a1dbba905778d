// aftercare.notify.v1.NotificationService, served by every service that
// sends notifications (case-svc, rma-svc, licensing-svc) over its own
// database: the delivery log and its dead letters, and the accounts'
// webhook subscriptions (common/notifications.h).
#ifndef AFTERCARE_COMMON_NOTIFICATION_SERVICE_H_
#define AFTERCARE_COMMON_NOTIFICATION_SERVICE_H_

#include <string>

#include "aftercare/notify/v1/notify_service.grpc.pb.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/executor.h"
#include "common/notifications.h"
#include "common/page_token.h"
#include "common/policy.h"

namespace aftercare {

// Who may call what (docs/NOTIFICATIONS.md carries it).
const ServicePolicy& NotificationPolicy();

// The Message-ID of an e-mail delivery: stable across attempts and resends.
std::string EmailMessageId(const Delivery& delivery, std::string_view domain);

struct NotificationServiceOptions {
  bool allow_http_webhooks = false;
  std::string message_id_domain = "aftercare.invalid";
};

class NotificationServiceImpl final
    : public aftercare::notify::v1::NotificationService::CallbackService {
 public:
  NotificationServiceImpl(db::ConnectionPool* pool, const Clock* clock, BoundedExecutor* executor,
                          const PageTokenCodec* page_tokens, NotificationDispatcher* dispatcher,
                          NotificationServiceOptions options);

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  Reactor* ListDeliveries(Ctx* ctx, const notify::v1::ListDeliveriesRequest* req,
                          notify::v1::ListDeliveriesResponse* resp) override;
  Reactor* ResendDelivery(Ctx* ctx, const notify::v1::ResendDeliveryRequest* req,
                          notify::v1::Delivery* resp) override;
  Reactor* CreateWebhookSubscription(Ctx* ctx,
                                     const notify::v1::CreateWebhookSubscriptionRequest* req,
                                     notify::v1::WebhookSubscription* resp) override;
  Reactor* ListWebhookSubscriptions(Ctx* ctx,
                                    const notify::v1::ListWebhookSubscriptionsRequest* req,
                                    notify::v1::ListWebhookSubscriptionsResponse* resp) override;
  Reactor* DeleteWebhookSubscription(Ctx* ctx,
                                     const notify::v1::DeleteWebhookSubscriptionRequest* req,
                                     notify::v1::WebhookSubscription* resp) override;
  Reactor* ListWebhookDeliveries(Ctx* ctx, const notify::v1::ListWebhookDeliveriesRequest* req,
                                 notify::v1::ListDeliveriesResponse* resp) override;

 private:
  // A page of deliveries matching `filter`, newest first, into `resp`.
  absl::Status PageDeliveries(DeliveryFilter filter, std::string_view fingerprint, int32_t page_size,
                              const std::string& page_token,
                              notify::v1::ListDeliveriesResponse* resp);
  // The subscription, or NOT_FOUND when it does not exist or is out of the
  // caller's scope (the same answer).
  absl::StatusOr<WebhookSubscriptionRow> LoadSubscription(db::Connection& conn,
                                                          const Principal& caller,
                                                          const std::string& id);

  db::ConnectionPool* pool_;
  const Clock* clock_;
  BoundedExecutor* executor_;
  const PageTokenCodec* page_tokens_;
  NotificationDispatcher* dispatcher_;
  NotificationServiceOptions options_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATION_SERVICE_H_
