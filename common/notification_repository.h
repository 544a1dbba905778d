// What NotificationService (common/notification_service.h) reads and
// changes, behind an interface so its use cases (notification_use_cases.h)
// run against MariaDB in the services and against the in-memory
// FakeNotificationRepository (common/testing/fake_notification_repository.h)
// in their unit tests. NotificationRepositoryContractTest runs the same
// cases against both.
//
//   MysqlNotificationStore store(pool, clock);
//   store.ReadOnce<std::vector<Delivery>>("list deliveries",
//       [&](NotificationRepository& repo) { return repo.ListDeliveries(filter); });
#ifndef AFTERCARE_COMMON_NOTIFICATION_REPOSITORY_H_
#define AFTERCARE_COMMON_NOTIFICATION_REPOSITORY_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"
#include "common/notifications.h"
#include "common/repository_store.h"

namespace aftercare {

class NotificationRepository {
 public:
  virtual ~NotificationRepository() = default;

  // Newest first, the filter's ids below `before_id`, at most `limit`.
  virtual std::vector<Delivery> ListDeliveries(const DeliveryFilter& filter) = 0;
  virtual std::optional<Delivery> FindDelivery(int64_t id) = 0;
  // A dead delivery back to pending, no attempts, due `now`;
  // FAILED_PRECONDITION when it is not dead.
  virtual absl::Status ResendDeadDelivery(int64_t id, absl::Time now) = 0;

  // Sets nothing on `row` (its seq is the repository's).
  virtual void InsertWebhookSubscription(const WebhookSubscriptionRow& row) = 0;
  // Deleted ones too (their delete time set).
  virtual std::optional<WebhookSubscriptionRow> FindWebhookSubscription(std::string_view id) = 0;
  // An account's active subscriptions, oldest first, after `after_seq`.
  virtual std::vector<WebhookSubscriptionRow> ListWebhookSubscriptions(std::string_view account_id,
                                                                       int64_t after_seq,
                                                                       int limit) = 0;
  // Marks it deleted at `now`; false when it already was (or is unknown).
  virtual bool DeleteWebhookSubscription(std::string_view id, absl::Time now) = 0;
};

class NotificationStore : public RepositoryStore<NotificationRepository> {};

// Over one connection of a transaction or a read (common/notifications.h's
// statements). Throws sql::SQLException, which the store maps.
class MysqlNotificationRepository final : public NotificationRepository {
 public:
  explicit MysqlNotificationRepository(db::Connection& conn) : conn_(conn) {}

  std::vector<Delivery> ListDeliveries(const DeliveryFilter& filter) override;
  std::optional<Delivery> FindDelivery(int64_t id) override;
  absl::Status ResendDeadDelivery(int64_t id, absl::Time now) override;
  void InsertWebhookSubscription(const WebhookSubscriptionRow& row) override;
  std::optional<WebhookSubscriptionRow> FindWebhookSubscription(std::string_view id) override;
  std::vector<WebhookSubscriptionRow> ListWebhookSubscriptions(std::string_view account_id,
                                                               int64_t after_seq,
                                                               int limit) override;
  bool DeleteWebhookSubscription(std::string_view id, absl::Time now) override;

 private:
  db::Connection& conn_;
};

// Stores a write's answer as the response message itself, not wrapped as the
// services' stores wrap it (common/repository_store.h): the format
// NotificationService stored before it had a store, so a retry whose first
// call an older replica answered still gets that answer.
class MysqlNotificationStore final
    : public MysqlStore<NotificationStore, MysqlNotificationRepository> {
 public:
  using MysqlStore::MysqlStore;

  absl::StatusOr<std::string> Write(const IdempotencyKey& key,
                                    const google::protobuf::Message& request,
                                    absl::string_view context, const WriteBody& body) override;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_NOTIFICATION_REPOSITORY_H_
