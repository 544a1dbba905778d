// NotificationRepository (common/notification_repository.h) in memory, for
// the unit tests of NotificationService's use cases; it answers as the
// MySQL statements of common/notifications.cc do
// (NotificationRepositoryContractTest runs the same cases on both).
//
//   FakeNotificationRepository repo;
//   repo.AddDelivery(delivery);
//   FakeNotificationStore store(&repo);
#ifndef AFTERCARE_COMMON_TESTING_FAKE_NOTIFICATION_REPOSITORY_H_
#define AFTERCARE_COMMON_TESTING_FAKE_NOTIFICATION_REPOSITORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/notification_repository.h"
#include "common/testing/fake_store.h"

namespace aftercare::testing {

class FakeNotificationRepository final : public NotificationRepository {
 public:
  // A delivery as the dispatcher left it (its id is kept).
  void AddDelivery(const Delivery& d) { deliveries_[d.id] = d; }
  const std::map<int64_t, Delivery>& deliveries() const { return deliveries_; }
  const std::map<std::string, WebhookSubscriptionRow, std::less<>>& subscriptions() const {
    return subscriptions_;
  }

  std::vector<Delivery> ListDeliveries(const DeliveryFilter& f) override {
    std::vector<Delivery> out;
    for (auto it = deliveries_.rbegin(); it != deliveries_.rend(); ++it) {
      const Delivery& d = it->second;
      if (static_cast<int>(out.size()) >= f.limit) break;
      if (f.before_id > 0 && d.id >= f.before_id) continue;
      if (f.state && d.state != *f.state) continue;
      if (f.channel && d.channel != *f.channel) continue;
      if (!f.target.empty() && d.target != f.target) continue;
      if (!f.account_id.empty() && d.account_id != f.account_id) continue;
      out.push_back(d);
    }
    return out;
  }

  std::optional<Delivery> FindDelivery(int64_t id) override {
    auto it = deliveries_.find(id);
    if (it == deliveries_.end()) return std::nullopt;
    return it->second;
  }

  absl::Status ResendDeadDelivery(int64_t id, absl::Time now) override {
    auto it = deliveries_.find(id);
    if (it == deliveries_.end() || it->second.state != DeliveryState::kDead) {
      return absl::FailedPreconditionError(
          absl::StrCat("delivery ", id, " is not dead; only dead letters are resent"));
    }
    Delivery& d = it->second;
    d.state = DeliveryState::kPending;
    d.attempts = 0;
    d.next_attempt_at = now;
    d.dead_at.reset();
    return absl::OkStatus();
  }

  void InsertWebhookSubscription(const WebhookSubscriptionRow& row) override {
    WebhookSubscriptionRow stored = row;
    stored.seq = ++last_seq_;
    stored.deleted_at.reset();
    subscriptions_.emplace(stored.id, std::move(stored));
  }

  std::optional<WebhookSubscriptionRow> FindWebhookSubscription(std::string_view id) override {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) return std::nullopt;
    return it->second;
  }

  std::vector<WebhookSubscriptionRow> ListWebhookSubscriptions(std::string_view account_id,
                                                               int64_t after_seq,
                                                               int limit) override {
    std::map<int64_t, const WebhookSubscriptionRow*> by_seq;
    for (const auto& [id, row] : subscriptions_) {
      if (row.account_id == account_id && !row.deleted_at && row.seq > after_seq) {
        by_seq[row.seq] = &row;
      }
    }
    std::vector<WebhookSubscriptionRow> out;
    for (const auto& [seq, row] : by_seq) {
      if (static_cast<int>(out.size()) >= limit) break;
      out.push_back(*row);
    }
    return out;
  }

  bool DeleteWebhookSubscription(std::string_view id, absl::Time now) override {
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end() || it->second.deleted_at) return false;
    it->second.deleted_at = now;
    return true;
  }

 private:
  std::map<int64_t, Delivery> deliveries_;
  std::map<std::string, WebhookSubscriptionRow, std::less<>> subscriptions_;
  int64_t last_seq_ = 0;
};

using FakeNotificationStore = FakeStore<NotificationStore, FakeNotificationRepository>;

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_FAKE_NOTIFICATION_REPOSITORY_H_
