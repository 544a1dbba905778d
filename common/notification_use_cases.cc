#include "common/notification_use_cases.h"

#include <openssl/rand.h>

#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/notify/webhook.h"
#include "common/policy.h"
#include "common/paging.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/status.h"

namespace aftercare {
namespace {

namespace pb = aftercare::notify::v1;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

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

absl::Status ValidateAccountId(const std::string& account_id) {
  if (account_id.empty()) return InvalidField("account_id", "is required");
  if (account_id.size() > 64) return InvalidField("account_id", "must be at most 64 characters");
  return absl::OkStatus();
}

// A write's request_id: well formed and present.
absl::Status ValidateRequiredRequestId(const std::string& request_id) {
  RETURN_IF_ERROR(ValidateRequestId(request_id));
  if (request_id.empty()) return InvalidField("request_id", "is required");
  return absl::OkStatus();
}

// A subscription id: required; one longer than any id answers NOT_FOUND.
absl::Status ValidateSubscriptionId(const std::string& id) {
  if (id.empty()) return InvalidField("subscription_id", "is required");
  if (id.size() > 40) return OutOfScope("webhook subscription");
  return absl::OkStatus();
}

// The subscription, or NOT_FOUND when it does not exist or is out of the
// caller's scope (the same answer).
absl::StatusOr<WebhookSubscriptionRow> LoadSubscription(NotificationRepository& repo,
                                                        const Principal& caller,
                                                        const std::string& id) {
  std::optional<WebhookSubscriptionRow> row = repo.FindWebhookSubscription(id);
  if (!row) return OutOfScope("webhook subscription");
  RETURN_IF_ERROR(CheckAccountScope(caller, row->account_id, "webhook subscription"));
  return *std::move(row);
}

}  // namespace

std::string EmailMessageId(const Delivery& delivery, std::string_view domain) {
  return notify::MessageId(absl::StrCat(delivery.event_key, ".", delivery.id),
                           absl::string_view(domain.data(), domain.size()));
}

// --- NotificationQueries ------------------------------------------------------

absl::StatusOr<pb::ListDeliveriesResponse> NotificationQueries::PageDeliveries(
    DeliveryFilter filter, std::string_view fingerprint, int32_t page_size,
    const std::string& page_token) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(filter.before_id, DecodeAfterId(deps_.page_tokens, page_token, fingerprint));
  filter.limit = size + 1;
  ASSIGN_OR_RETURN(std::vector<Delivery> rows,
                   deps_.store.ReadOnce<std::vector<Delivery>>(
                       "list deliveries",
                       [&](NotificationRepository& repo) -> absl::StatusOr<std::vector<Delivery>> {
                         return repo.ListDeliveries(filter);
                       }));
  pb::ListDeliveriesResponse out;
  FillPage(MakePage(std::move(rows), size, deps_.page_tokens, fingerprint,
                    [](const Delivery& d) { return absl::StrCat(d.id); }),
           &out, [&](const Delivery& d, pb::ListDeliveriesResponse* o) {
             ToProto(d, deps_.options.message_id_domain, o->add_deliveries());
           });
  return out;
}

absl::StatusOr<pb::ListDeliveriesResponse> NotificationQueries::ListDeliveries(
    const Principal& /*caller*/, const pb::ListDeliveriesRequest& request) const {
  DeliveryFilter f;
  switch (request.state()) {
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
  switch (request.channel()) {
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
  if (request.account_id().size() > 64) {
    return InvalidField("account_id", "must be at most 64 characters");
  }
  f.account_id = request.account_id();
  const std::string fp =
      QueryFingerprint({"ListDeliveries", absl::StrCat(request.state()),
                        absl::StrCat(request.channel()), f.account_id});
  return PageDeliveries(f, fp, request.page_size(), request.page_token());
}

absl::StatusOr<pb::ListWebhookSubscriptionsResponse> NotificationQueries::ListWebhookSubscriptions(
    const Principal& caller, const pb::ListWebhookSubscriptionsRequest& request) const {
  RETURN_IF_ERROR(ValidateAccountId(request.account_id()));
  ASSIGN_OR_RETURN(int size,
                   NormalizePageSize(request.page_size(), kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListWebhookSubscriptions", request.account_id()});
  ASSIGN_OR_RETURN(int64_t after, DecodeAfterId(deps_.page_tokens, request.page_token(), fp));
  pb::ListWebhookSubscriptionsResponse out;
  // Another account's list is empty, exactly like an account without any.
  if (!caller.CanAccessAccount(request.account_id())) return out;
  ASSIGN_OR_RETURN(
      std::vector<WebhookSubscriptionRow> rows,
      deps_.store.ReadOnce<std::vector<WebhookSubscriptionRow>>(
          "list webhook subscriptions",
          [&](NotificationRepository& repo) -> absl::StatusOr<std::vector<WebhookSubscriptionRow>> {
            return repo.ListWebhookSubscriptions(request.account_id(), after, size + 1);
          }));
  FillPage(MakePage(std::move(rows), size, deps_.page_tokens, fp,
                    [](const WebhookSubscriptionRow& r) { return absl::StrCat(r.seq); }),
           &out, [](const WebhookSubscriptionRow& r, pb::ListWebhookSubscriptionsResponse* o) {
             ToProto(r, o->add_subscriptions());
           });
  return out;
}

absl::StatusOr<pb::ListDeliveriesResponse> NotificationQueries::ListWebhookDeliveries(
    const Principal& caller, const pb::ListWebhookDeliveriesRequest& request) const {
  RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  ASSIGN_OR_RETURN(
      WebhookSubscriptionRow row,
      deps_.store.ReadOnce<WebhookSubscriptionRow>(
          "load webhook subscription",
          [&](NotificationRepository& repo) -> absl::StatusOr<WebhookSubscriptionRow> {
            return LoadSubscription(repo, caller, request.subscription_id());
          }));
  DeliveryFilter f;
  f.channel = DeliveryChannel::kWebhook;
  f.target = row.id;
  const std::string fp = QueryFingerprint({"ListWebhookDeliveries", row.id});
  return PageDeliveries(f, fp, request.page_size(), request.page_token());
}

// --- Writes ---------------------------------------------------------------------

absl::StatusOr<pb::Delivery> ResendDeliveryUseCase::Run(
    const Principal& caller, const pb::ResendDeliveryRequest& request) const {
  RETURN_IF_ERROR(ValidateRequiredRequestId(request.request_id()));
  if (request.delivery_id() <= 0) return InvalidField("delivery_id", "must be a positive id");
  return deps_.store.WriteOnce<pb::Delivery>(
      caller, request, "ResendDelivery", "resend delivery",
      [&](NotificationRepository& repo) -> absl::StatusOr<pb::Delivery> {
        if (!repo.FindDelivery(request.delivery_id())) return OutOfScope("delivery");
        RETURN_IF_ERROR(repo.ResendDeadDelivery(request.delivery_id(), deps_.clock.Now()));
        pb::Delivery out;
        ToProto(*repo.FindDelivery(request.delivery_id()), deps_.options.message_id_domain, &out);
        return out;
      });
}

absl::StatusOr<pb::WebhookSubscription> CreateWebhookSubscriptionUseCase::Run(
    const Principal& caller, const pb::CreateWebhookSubscriptionRequest& request) const {
  RETURN_IF_ERROR(ValidateRequiredRequestId(request.request_id()));
  RETURN_IF_ERROR(ValidateAccountId(request.account_id()));
  RETURN_IF_ERROR(
      notify::ValidateWebhookUrl("url", request.url(), deps_.options.allow_http_webhooks));
  if (request.url().size() > 2048) return InvalidField("url", "must be at most 2048 characters");
  std::set<std::string> known;
  for (const std::string& id : notify::TemplateIds()) known.insert(id);
  std::set<std::string> types;
  for (int i = 0; i < request.event_types_size(); ++i) {
    const std::string& t = request.event_types(i);
    if (known.count(t) == 0) {
      return InvalidField(absl::StrCat("event_types[", i, "]"),
                          absl::StrCat("'", t.substr(0, 64),
                                       "' is not an event type (docs/NOTIFICATIONS.md lists them)"));
    }
    types.insert(t);
  }
  if (request.description().size() > 256) {
    return InvalidField("description", "must be at most 256 characters");
  }
  // Scope before anything is written: another account's is NOT_FOUND.
  RETURN_IF_ERROR(CheckAccountScope(caller, request.account_id(), "account"));
  return deps_.store.WriteOnce<pb::WebhookSubscription>(
      caller, request, "CreateWebhookSubscription", "create webhook subscription",
      [&](NotificationRepository& repo) -> absl::StatusOr<pb::WebhookSubscription> {
        if (repo.ListWebhookSubscriptions(request.account_id(), 0,
                                          kMaxWebhookSubscriptionsPerAccount)
                .size() >= kMaxWebhookSubscriptionsPerAccount) {
          return FailedPrecondition("QUOTA", absl::StrCat("account/", request.account_id()),
                                    absl::StrCat("an account has at most ",
                                                 kMaxWebhookSubscriptionsPerAccount,
                                                 " webhook subscriptions"));
        }
        WebhookSubscriptionRow row;
        row.id = absl::StrCat("whs_", RandomHex(12));
        row.account_id = request.account_id();
        row.url = request.url();
        row.event_types.assign(types.begin(), types.end());
        row.description = request.description();
        row.secret = absl::StrCat("whsec_", RandomHex(32));
        row.created_by = caller.subject;
        row.created_at = deps_.clock.Now();
        repo.InsertWebhookSubscription(row);
        pb::WebhookSubscription out;
        ToProto(row, &out);
        out.set_secret(row.secret);
        return out;
      });
}

absl::StatusOr<pb::WebhookSubscription> DeleteWebhookSubscriptionUseCase::Run(
    const Principal& caller, const pb::DeleteWebhookSubscriptionRequest& request) const {
  RETURN_IF_ERROR(ValidateRequiredRequestId(request.request_id()));
  RETURN_IF_ERROR(ValidateSubscriptionId(request.subscription_id()));
  return deps_.store.WriteOnce<pb::WebhookSubscription>(
      caller, request, "DeleteWebhookSubscription", "delete webhook subscription",
      [&](NotificationRepository& repo) -> absl::StatusOr<pb::WebhookSubscription> {
        ASSIGN_OR_RETURN(WebhookSubscriptionRow row,
                         LoadSubscription(repo, caller, request.subscription_id()));
        if (row.deleted_at) {
          return FailedPrecondition("STATE", absl::StrCat("webhook_subscription/", row.id),
                                    "the subscription is already deleted");
        }
        const absl::Time now = deps_.clock.Now();
        repo.DeleteWebhookSubscription(row.id, now);
        row.deleted_at = now;
        pb::WebhookSubscription out;
        ToProto(row, &out);
        return out;
      });
}

}  // namespace aftercare
