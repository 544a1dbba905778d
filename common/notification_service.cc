#include "common/notification_service.h"

#include <utility>

#include "common/use_case_rpc.h"

namespace aftercare {

namespace pb = aftercare::notify::v1;

const ServicePolicy& NotificationPolicy() {
  using R = Role;
  const std::string own = "customer/partner: subscriptions of their accounts";
  static const ServicePolicy policy(
      "aftercare.notify.v1.NotificationService",
      {
          {"ListDeliveries", {R::kCareAgent, R::kAdmin}, ScopeKind::kNone, "operators"},
          {"ResendDelivery", {R::kAdmin}, ScopeKind::kNone, "operators"},
          {"CreateWebhookSubscription", {R::kCustomer, R::kPartner, R::kAdmin}, ScopeKind::kAccount,
           own},
          {"ListWebhookSubscriptions", {R::kCustomer, R::kPartner, R::kCareAgent, R::kAdmin},
           ScopeKind::kAccount, own},
          {"DeleteWebhookSubscription", {R::kCustomer, R::kPartner, R::kAdmin}, ScopeKind::kAccount,
           own},
          {"ListWebhookDeliveries", {R::kCustomer, R::kPartner, R::kCareAgent, R::kAdmin},
           ScopeKind::kAccount, own},
      });
  return policy;
}

NotificationServiceImpl::NotificationServiceImpl(db::ConnectionPool* pool, const Clock* clock,
                                                 BoundedExecutor* executor,
                                                 const PageTokenCodec* page_tokens,
                                                 NotificationDispatcher* dispatcher,
                                                 NotificationServiceOptions options)
    : executor_(executor),
      dispatcher_(dispatcher),
      store_(pool, clock),
      deps_{store_, *clock, *page_tokens, std::move(options)} {}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListDeliveries(
    Ctx* ctx, const pb::ListDeliveriesRequest* req, pb::ListDeliveriesResponse* resp) {
  return Answer(ctx, *executor_, resp,
                [this, req](const Principal& c) { return queries_.ListDeliveries(c, *req); });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ResendDelivery(
    Ctx* ctx, const pb::ResendDeliveryRequest* req, pb::Delivery* resp) {
  return Answer(
      ctx, *executor_, resp, [this, req](const Principal& c) { return resend_.Run(c, *req); },
      [this](pb::Delivery&) {
        if (dispatcher_ != nullptr) dispatcher_->Notify();
      });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::CreateWebhookSubscription(
    Ctx* ctx, const pb::CreateWebhookSubscriptionRequest* req, pb::WebhookSubscription* resp) {
  return Answer(ctx, *executor_, resp,
                [this, req](const Principal& c) { return create_subscription_.Run(c, *req); });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListWebhookSubscriptions(
    Ctx* ctx, const pb::ListWebhookSubscriptionsRequest* req,
    pb::ListWebhookSubscriptionsResponse* resp) {
  return Answer(ctx, *executor_, resp, [this, req](const Principal& c) {
    return queries_.ListWebhookSubscriptions(c, *req);
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::DeleteWebhookSubscription(
    Ctx* ctx, const pb::DeleteWebhookSubscriptionRequest* req, pb::WebhookSubscription* resp) {
  return Answer(ctx, *executor_, resp,
                [this, req](const Principal& c) { return delete_subscription_.Run(c, *req); });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListWebhookDeliveries(
    Ctx* ctx, const pb::ListWebhookDeliveriesRequest* req, pb::ListDeliveriesResponse* resp) {
  return Answer(ctx, *executor_, resp, [this, req](const Principal& c) {
    return queries_.ListWebhookDeliveries(c, *req);
  });
}

}  // namespace aftercare
