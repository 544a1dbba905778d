#include "common/notification_service.h"

#include <openssl/rand.h>

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/db/transaction.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/notify/webhook.h"
#include "common/proto_convert.h"
#include "common/rpc.h"

namespace aftercare {
namespace {

namespace pb = aftercare::notify::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxSubscriptionsPerAccount = 25;

pb::DeliveryChannel ToProto(DeliveryChannel c) {
  switch (c) {
    case DeliveryChannel::kEmail:
      return pb::DELIVERY_CHANNEL_EMAIL;
    case DeliveryChannel::kWebhook:
      return pb::DELIVERY_CHANNEL_WEBHOOK;
    case DeliveryChannel::kCaseNote:
      return pb::DELIVERY_CHANNEL_CASE_NOTE;
  }
  return pb::DELIVERY_CHANNEL_UNSPECIFIED;
}

pb::DeliveryState ToProto(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending:
      return pb::DELIVERY_STATE_PENDING;
    case DeliveryState::kDelivered:
      return pb::DELIVERY_STATE_DELIVERED;
    case DeliveryState::kDead:
      return pb::DELIVERY_STATE_DEAD;
  }
  return pb::DELIVERY_STATE_UNSPECIFIED;
}

void ToProto(const Delivery& d, std::string_view domain, pb::Delivery* out) {
  out->set_delivery_id(d.id);
  out->set_event_key(d.event_key);
  out->set_event_type(d.event_type);
  out->set_account_id(d.account_id);
  out->set_channel(ToProto(d.channel));
  out->set_target(d.target);
  out->set_state(ToProto(d.state));
  out->set_attempts(d.attempts);
  out->set_last_error(d.last_error);
  out->set_subject(d.subject);
  if (d.channel == DeliveryChannel::kEmail) out->set_message_id(EmailMessageId(d, domain));
  SetTime(d.created_at, out->mutable_create_time());
  if (d.state == DeliveryState::kPending) SetTime(d.next_attempt_at, out->mutable_next_attempt_time());
  if (d.delivered_at) SetTime(*d.delivered_at, out->mutable_deliver_time());
  if (d.dead_at) SetTime(*d.dead_at, out->mutable_dead_time());
}

void ToProto(const WebhookSubscriptionRow& r, pb::WebhookSubscription* out) {
  out->set_subscription_id(r.id);
  out->set_account_id(r.account_id);
  out->set_url(r.url);
  for (const auto& t : r.event_types) out->add_event_types(t);
  out->set_description(r.description);
  out->set_created_by(r.created_by);
  SetTime(r.created_at, out->mutable_create_time());
  if (r.deleted_at) SetTime(*r.deleted_at, out->mutable_delete_time());
}

std::string RandomHex(int bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  return absl::BytesToHexString(raw);
}

// The id after which a page starts (0 for the first page).
absl::StatusOr<int64_t> DecodeAfter(const PageTokenCodec& codec, const std::string& token,
                                    std::string_view fp) {
  if (IsFirstPage(token)) return 0;
  ASSIGN_OR_RETURN(PageCursor c, codec.Decode(token, fp));
  int64_t id = 0;
  if (c.keys.size() != 1 || !absl::SimpleAtoi(c.keys[0], &id)) {
    return InvalidField("page_token", "is malformed");
  }
  return id;
}

absl::Status ValidateAccountId(const std::string& account_id) {
  if (account_id.empty()) return InvalidField("account_id", "is required");
  if (account_id.size() > 64) return InvalidField("account_id", "must be at most 64 characters");
  return absl::OkStatus();
}

}  // namespace

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

std::string EmailMessageId(const Delivery& delivery, std::string_view domain) {
  return notify::MessageId(absl::StrCat(delivery.event_key, ".", delivery.id),
                           absl::string_view(domain.data(), domain.size()));
}

NotificationServiceImpl::NotificationServiceImpl(db::ConnectionPool* pool, const Clock* clock,
                                                 BoundedExecutor* executor,
                                                 const PageTokenCodec* page_tokens,
                                                 NotificationDispatcher* dispatcher,
                                                 NotificationServiceOptions options)
    : pool_(pool),
      clock_(clock),
      executor_(executor),
      page_tokens_(page_tokens),
      dispatcher_(dispatcher),
      options_(std::move(options)) {}

absl::Status NotificationServiceImpl::PageDeliveries(DeliveryFilter filter,
                                                     std::string_view fingerprint,
                                                     int32_t page_size,
                                                     const std::string& page_token,
                                                     pb::ListDeliveriesResponse* resp) {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(filter.before_id, DecodeAfter(*page_tokens_, page_token, fingerprint));
  filter.limit = size + 1;
  ASSIGN_OR_RETURN(std::vector<Delivery> rows,
                   db::RunRead<std::vector<Delivery>>(
                       *pool_, "list deliveries",
                       [&](db::Connection& conn) -> absl::StatusOr<std::vector<Delivery>> {
                         return aftercare::ListDeliveries(conn, filter);
                       }));
  const bool more = static_cast<int>(rows.size()) > size;
  if (more) rows.resize(size);
  for (const Delivery& d : rows) ToProto(d, options_.message_id_domain, resp->add_deliveries());
  if (more) {
    resp->set_next_page_token(
        page_tokens_->Encode(PageCursor{{absl::StrCat(rows.back().id)}}, fingerprint));
  }
  return absl::OkStatus();
}

absl::StatusOr<WebhookSubscriptionRow> NotificationServiceImpl::LoadSubscription(
    db::Connection& conn, const Principal& caller, const std::string& id) {
  std::optional<WebhookSubscriptionRow> row = FindWebhookSubscription(conn, id);
  if (!row) return OutOfScope("webhook subscription");
  RETURN_IF_ERROR(CheckAccountScope(caller, row->account_id, "webhook subscription"));
  return *row;
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListDeliveries(
    Ctx* ctx, const pb::ListDeliveriesRequest* req, pb::ListDeliveriesResponse* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal&) -> absl::Status {
    DeliveryFilter f;
    switch (req->state()) {
      case pb::DELIVERY_STATE_UNSPECIFIED:
        break;
      case pb::DELIVERY_STATE_PENDING:
        f.state = DeliveryState::kPending;
        break;
      case pb::DELIVERY_STATE_DELIVERED:
        f.state = DeliveryState::kDelivered;
        break;
      case pb::DELIVERY_STATE_DEAD:
        f.state = DeliveryState::kDead;
        break;
      default:
        return InvalidField("state", "is not a DeliveryState");
    }
    switch (req->channel()) {
      case pb::DELIVERY_CHANNEL_UNSPECIFIED:
        break;
      case pb::DELIVERY_CHANNEL_EMAIL:
        f.channel = DeliveryChannel::kEmail;
        break;
      case pb::DELIVERY_CHANNEL_WEBHOOK:
        f.channel = DeliveryChannel::kWebhook;
        break;
      case pb::DELIVERY_CHANNEL_CASE_NOTE:
        f.channel = DeliveryChannel::kCaseNote;
        break;
      default:
        return InvalidField("channel", "is not a DeliveryChannel");
    }
    if (req->account_id().size() > 64) {
      return InvalidField("account_id", "must be at most 64 characters");
    }
    f.account_id = req->account_id();
    const std::string fp = QueryFingerprint(
        {"ListDeliveries", absl::StrCat(req->state()), absl::StrCat(req->channel()), f.account_id});
    return PageDeliveries(f, fp, req->page_size(), req->page_token(), resp);
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ResendDelivery(
    Ctx* ctx, const pb::ResendDeliveryRequest* req, pb::Delivery* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal& caller) -> absl::Status {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    if (req->request_id().empty()) return InvalidField("request_id", "is required");
    if (req->delivery_id() <= 0) return InvalidField("delivery_id", "must be a positive id");
    ASSIGN_OR_RETURN(
        *resp, RunIdempotent<pb::Delivery>(
                   *pool_, *clock_, IdempotencyKey::For(caller, req->request_id(), "ResendDelivery"),
                   *req, "resend delivery", [&](db::Connection& conn) -> absl::StatusOr<pb::Delivery> {
                     if (!FindDelivery(conn, req->delivery_id())) return OutOfScope("delivery");
                     RETURN_IF_ERROR(ResendDeadDelivery(conn, req->delivery_id(), clock_->Now()));
                     pb::Delivery out;
                     ToProto(*FindDelivery(conn, req->delivery_id()), options_.message_id_domain,
                             &out);
                     return out;
                   }));
    if (dispatcher_ != nullptr) dispatcher_->Notify();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::CreateWebhookSubscription(
    Ctx* ctx, const pb::CreateWebhookSubscriptionRequest* req, pb::WebhookSubscription* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal& caller) -> absl::Status {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    if (req->request_id().empty()) return InvalidField("request_id", "is required");
    RETURN_IF_ERROR(ValidateAccountId(req->account_id()));
    RETURN_IF_ERROR(notify::ValidateWebhookUrl("url", req->url(), options_.allow_http_webhooks));
    if (req->url().size() > 2048) return InvalidField("url", "must be at most 2048 characters");
    std::set<std::string> known;
    for (const std::string& id : notify::TemplateIds()) known.insert(id);
    std::set<std::string> types;
    for (int i = 0; i < req->event_types_size(); ++i) {
      const std::string& t = req->event_types(i);
      if (known.count(t) == 0) {
        return InvalidField(absl::StrCat("event_types[", i, "]"),
                            absl::StrCat("'", t.substr(0, 64),
                                         "' is not an event type (docs/NOTIFICATIONS.md lists them)"));
      }
      types.insert(t);
    }
    if (req->description().size() > 256) {
      return InvalidField("description", "must be at most 256 characters");
    }
    // Scope before anything is written: another account's is NOT_FOUND.
    RETURN_IF_ERROR(CheckAccountScope(caller, req->account_id(), "account"));
    ASSIGN_OR_RETURN(
        *resp,
        RunIdempotent<pb::WebhookSubscription>(
            *pool_, *clock_, IdempotencyKey::For(caller, req->request_id(), "CreateWebhookSubscription"),
            *req, "create webhook subscription",
            [&](db::Connection& conn) -> absl::StatusOr<pb::WebhookSubscription> {
              if (aftercare::ListWebhookSubscriptions(conn, req->account_id(), 0, kMaxSubscriptionsPerAccount)
                      .size() >= kMaxSubscriptionsPerAccount) {
                return FailedPrecondition("QUOTA", absl::StrCat("account/", req->account_id()),
                                          absl::StrCat("an account has at most ",
                                                       kMaxSubscriptionsPerAccount,
                                                       " webhook subscriptions"));
              }
              WebhookSubscriptionRow row;
              row.id = absl::StrCat("whs_", RandomHex(12));
              row.account_id = req->account_id();
              row.url = req->url();
              row.event_types.assign(types.begin(), types.end());
              row.description = req->description();
              row.secret = absl::StrCat("whsec_", RandomHex(32));
              row.created_by = caller.subject;
              row.created_at = clock_->Now();
              InsertWebhookSubscription(conn, row);
              pb::WebhookSubscription out;
              ToProto(row, &out);
              out.set_secret(row.secret);
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListWebhookSubscriptions(
    Ctx* ctx, const pb::ListWebhookSubscriptionsRequest* req,
    pb::ListWebhookSubscriptionsResponse* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal& caller) -> absl::Status {
    RETURN_IF_ERROR(ValidateAccountId(req->account_id()));
    ASSIGN_OR_RETURN(int size, NormalizePageSize(req->page_size(), kDefaultPageSize, kMaxPageSize));
    const std::string fp = QueryFingerprint({"ListWebhookSubscriptions", req->account_id()});
    ASSIGN_OR_RETURN(int64_t after, DecodeAfter(*page_tokens_, req->page_token(), fp));
    // Another account's list is empty, exactly like an account without any.
    if (!caller.CanAccessAccount(req->account_id())) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto rows,
                     db::RunRead<std::vector<WebhookSubscriptionRow>>(
                         *pool_, "list webhook subscriptions",
                         [&](db::Connection& conn) -> absl::StatusOr<std::vector<WebhookSubscriptionRow>> {
                           return aftercare::ListWebhookSubscriptions(conn, req->account_id(), after,
                                                                      size + 1);
                         }));
    const bool more = static_cast<int>(rows.size()) > size;
    if (more) rows.resize(size);
    for (const auto& r : rows) ToProto(r, resp->add_subscriptions());
    if (more) {
      resp->set_next_page_token(page_tokens_->Encode(PageCursor{{absl::StrCat(rows.back().seq)}}, fp));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::DeleteWebhookSubscription(
    Ctx* ctx, const pb::DeleteWebhookSubscriptionRequest* req, pb::WebhookSubscription* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal& caller) -> absl::Status {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    if (req->request_id().empty()) return InvalidField("request_id", "is required");
    if (req->subscription_id().empty()) return InvalidField("subscription_id", "is required");
    if (req->subscription_id().size() > 40) return OutOfScope("webhook subscription");
    ASSIGN_OR_RETURN(
        *resp,
        RunIdempotent<pb::WebhookSubscription>(
            *pool_, *clock_, IdempotencyKey::For(caller, req->request_id(), "DeleteWebhookSubscription"),
            *req, "delete webhook subscription",
            [&](db::Connection& conn) -> absl::StatusOr<pb::WebhookSubscription> {
              ASSIGN_OR_RETURN(WebhookSubscriptionRow row,
                               LoadSubscription(conn, caller, req->subscription_id()));
              if (row.deleted_at) {
                return FailedPrecondition("STATE", absl::StrCat("webhook_subscription/", row.id),
                                          "the subscription is already deleted");
              }
              aftercare::DeleteWebhookSubscription(conn, row.id, clock_->Now());
              row.deleted_at = clock_->Now();
              pb::WebhookSubscription out;
              ToProto(row, &out);
              return out;
            }));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationServiceImpl::ListWebhookDeliveries(
    Ctx* ctx, const pb::ListWebhookDeliveriesRequest* req, pb::ListDeliveriesResponse* resp) {
  return RunUnary(ctx, *executor_, [=](const Principal& caller) -> absl::Status {
    if (req->subscription_id().empty()) return InvalidField("subscription_id", "is required");
    if (req->subscription_id().size() > 40) return OutOfScope("webhook subscription");
    ASSIGN_OR_RETURN(WebhookSubscriptionRow row,
                     db::RunRead<WebhookSubscriptionRow>(
                         *pool_, "load webhook subscription",
                         [&](db::Connection& conn) -> absl::StatusOr<WebhookSubscriptionRow> {
                           return LoadSubscription(conn, caller, req->subscription_id());
                         }));
    DeliveryFilter f;
    f.channel = DeliveryChannel::kWebhook;
    f.target = row.id;
    const std::string fp = QueryFingerprint({"ListWebhookDeliveries", row.id});
    return PageDeliveries(f, fp, req->page_size(), req->page_token(), resp);
  });
}

}  // namespace aftercare
