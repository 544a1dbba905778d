#include "common/notification_repository.h"

namespace aftercare {
namespace {

// A serialized response as RunIdempotent stores and parses it: the bytes
// unchanged.
struct RawResponse {
  std::string bytes;
  bool SerializeToString(std::string* out) const {
    *out = bytes;
    return true;
  }
  bool ParseFromString(const std::string& in) {
    bytes = in;
    return true;
  }
};

}  // namespace

absl::StatusOr<std::string> MysqlNotificationStore::Write(const IdempotencyKey& key,
                                                          const google::protobuf::Message& request,
                                                          absl::string_view context,
                                                          const WriteBody& body) {
  absl::StatusOr<RawResponse> result = RunIdempotent<RawResponse>(
      *pool_, *clock_, key, request, context,
      [&](db::Connection& conn) -> absl::StatusOr<RawResponse> {
        MysqlNotificationRepository repo(conn);
        absl::StatusOr<std::string> bytes = body(repo);
        if (!bytes.ok()) return bytes.status();
        return RawResponse{*std::move(bytes)};
      });
  if (!result.ok()) return result.status();
  return std::move(result->bytes);
}

std::vector<Delivery> MysqlNotificationRepository::ListDeliveries(const DeliveryFilter& filter) {
  return aftercare::ListDeliveries(conn_, filter);
}

std::optional<Delivery> MysqlNotificationRepository::FindDelivery(int64_t id) {
  return aftercare::FindDelivery(conn_, id);
}

absl::Status MysqlNotificationRepository::ResendDeadDelivery(int64_t id, absl::Time now) {
  return aftercare::ResendDeadDelivery(conn_, id, now);
}

void MysqlNotificationRepository::InsertWebhookSubscription(const WebhookSubscriptionRow& row) {
  aftercare::InsertWebhookSubscription(conn_, row);
}

std::optional<WebhookSubscriptionRow> MysqlNotificationRepository::FindWebhookSubscription(
    std::string_view id) {
  return aftercare::FindWebhookSubscription(conn_, id);
}

std::vector<WebhookSubscriptionRow> MysqlNotificationRepository::ListWebhookSubscriptions(
    std::string_view account_id, int64_t after_seq, int limit) {
  return aftercare::ListWebhookSubscriptions(conn_, account_id, after_seq, limit);
}

bool MysqlNotificationRepository::DeleteWebhookSubscription(std::string_view id, absl::Time now) {
  return aftercare::DeleteWebhookSubscription(conn_, id, now);
}

}  // namespace aftercare
