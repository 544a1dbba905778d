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
#include "common/notification_repository.h"
#include "common/notification_use_cases.h"
#include "common/notifications.h"
#include "common/page_token.h"
#include "common/policy.h"

namespace aftercare {

// Who may call what (docs/NOTIFICATIONS.md carries it).
const ServicePolicy& NotificationPolicy();

// Each RPC is one use case (notification_use_cases.h) run on the executor;
// a resend wakes the dispatcher.
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
  BoundedExecutor* executor_;
  NotificationDispatcher* dispatcher_;
  MysqlNotificationStore store_;
  NotificationUseCaseDeps deps_;
  NotificationQueries queries_{deps_};
  ResendDeliveryUseCase resend_{deps_};
  CreateWebhookSubscriptionUseCase create_subscription_{deps_};
  DeleteWebhookSubscriptionUseCase delete_subscription_{deps_};
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATION_SERVICE_H_
