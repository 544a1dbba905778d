// NotificationRepositoryContractTest: the same cases against MariaDB
// (MysqlNotificationRepository, common/notifications.cc's statements) and
// against FakeNotificationRepository, the one the use-case tests run on:
// the delivery log's filters and keyset, resending a dead letter, and an
// account's webhook subscriptions (order, pages, deletion).
#include <optional>
#include <string>
#include <vector>

#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "absl/strings/escaping.h"
#include "common/notification_repository.h"
#include "common/notification_use_cases.h"
#include "common/testing/fake_notification_repository.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/repository_database.h"

namespace aftercare {
namespace {

using ::aftercare::testing::FakeNotificationRepository;
using ::aftercare::testing::RepositoryDatabase;
using ::testing::ElementsAreArray;
using ::testing::SizeIs;

class NotificationRepositoryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create());
    mysql_ = std::make_unique<MysqlNotificationRepository>(db_->connection());
  }

  WebhookSubscriptionRow Row(const std::string& id, const std::string& account) {
    WebhookSubscriptionRow row;
    row.id = id;
    row.account_id = account;
    row.url = "https://hooks.example/" + id;
    row.event_types = id == "whs_all" ? std::vector<std::string>{}
                                      : std::vector<std::string>{"rma_approved", "rma_closed"};
    row.description = "board " + id;
    row.secret = "whsec_" + id;
    row.created_by = "test";
    row.created_at = clock_.Now();
    return row;
  }

  // `event`'s deliveries, published as a service publishes them.
  void Publish(const std::string& key, const std::string& account) {
    NotificationEvent e;
    e.event_key = key;
    e.event_type = "rma_approved";
    e.account_id = account;
    e.email_to = {"ops@" + account + ".example"};
    e.technical_case_id = "2026-1205-000123";
    e.subject = "RMA R100 approved";
    e.body = "approved";
    e.occurred_at = clock_.Now();
    PublishNotification(db_->connection(), e, clock_.Now());
  }

  static std::vector<int64_t> Ids(const std::vector<Delivery>& list) {
    std::vector<int64_t> out;
    for (const Delivery& d : list) out.push_back(d.id);
    return out;
  }
  static std::vector<std::string> Ids(const std::vector<WebhookSubscriptionRow>& list) {
    std::vector<std::string> out;
    for (const WebhookSubscriptionRow& r : list) out.push_back(r.id);
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<RepositoryDatabase> db_;
  std::unique_ptr<MysqlNotificationRepository> mysql_;
  FakeNotificationRepository fake_;
};

TEST_F(NotificationRepositoryContractTest, TheDeliveryLogIsTheSameInMysqlAndInTheFake) {
  for (const char* id : {"whs_all", "whs_acme"}) {
    mysql_->InsertWebhookSubscription(Row(id, "ACME"));
  }
  mysql_->InsertWebhookSubscription(Row("whs_globex", "GLOBEX"));
  for (int i = 0; i < 4; ++i) {
    Publish(absl::StrCat("rma-V", i, "-n1"), i % 2 == 0 ? "ACME" : "GLOBEX");
  }
  ASSERT_OK(db_->database().Execute(
      "UPDATE notification_deliveries SET state = 'delivered' WHERE id % 3 = 0"));
  ASSERT_OK(db_->database().Execute(
      "UPDATE notification_deliveries SET state = 'dead', attempts = 8, dead_at_us = 5"
      " WHERE id % 3 = 1"));
  // The fake holds what MariaDB holds.
  DeliveryFilter everything;
  everything.limit = 1000;
  const std::vector<Delivery> all = mysql_->ListDeliveries(everything);
  // Per event one e-mail, one case note and a webhook per matching
  // subscription (ACME's two, GLOBEX's one).
  ASSERT_THAT(all, SizeIs(2 * 4 + 2 * 3));
  for (const Delivery& d : all) fake_.AddDelivery(d);

  std::vector<DeliveryFilter> filters(9);
  filters[1].state = DeliveryState::kDead;
  filters[2].state = DeliveryState::kPending;
  filters[3].channel = DeliveryChannel::kEmail;
  filters[3].account_id = "ACME";
  filters[4].channel = DeliveryChannel::kWebhook;
  filters[4].target = "whs_all";
  filters[5].account_id = "GLOBEX";
  filters[6].before_id = all[all.size() / 2].id;
  filters[7].limit = 3;
  filters[8].state = DeliveryState::kDelivered;
  filters[8].before_id = all[2].id;
  filters[8].limit = 2;
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::vector<int64_t> expected = Ids(mysql_->ListDeliveries(filters[i]));
    EXPECT_FALSE(expected.empty()) << "filter " << i << " should match something";
    EXPECT_THAT(Ids(fake_.ListDeliveries(filters[i])), ElementsAreArray(expected))
        << "filter " << i;
  }

  // A resend: refused alike for one that is not dead, done alike for a dead one.
  const int64_t pending = mysql_->ListDeliveries(filters[2]).front().id;
  const int64_t dead = mysql_->ListDeliveries(filters[1]).front().id;
  const absl::Status mysql_refused = mysql_->ResendDeadDelivery(pending, clock_.Now());
  EXPECT_EQ(fake_.ResendDeadDelivery(pending, clock_.Now()), mysql_refused);
  EXPECT_EQ(mysql_refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(fake_.ResendDeadDelivery(987654, clock_.Now()).code(),
            mysql_->ResendDeadDelivery(987654, clock_.Now()).code());
  ASSERT_OK(mysql_->ResendDeadDelivery(dead, clock_.Now()));
  ASSERT_OK(fake_.ResendDeadDelivery(dead, clock_.Now()));
  const Delivery in_mysql = *mysql_->FindDelivery(dead);
  const Delivery in_fake = *fake_.FindDelivery(dead);
  EXPECT_EQ(in_fake.state, in_mysql.state);
  EXPECT_EQ(in_fake.attempts, in_mysql.attempts);
  EXPECT_EQ(in_fake.next_attempt_at, in_mysql.next_attempt_at);
  EXPECT_EQ(in_fake.dead_at, in_mysql.dead_at);
  EXPECT_EQ(in_mysql.state, DeliveryState::kPending);
  EXPECT_FALSE(fake_.FindDelivery(987654).has_value());
  EXPECT_FALSE(mysql_->FindDelivery(987654).has_value());
}

TEST_F(NotificationRepositoryContractTest, SubscriptionsAreTheSameInMysqlAndInTheFake) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"whs_c", "ACME"},   {"whs_a", "ACME"},   {"whs_g1", "GLOBEX"},
      {"whs_b", "ACME"},   {"whs_e", "ACME"},   {"whs_d", "ACME"}};
  for (const auto& [id, account] : rows) {
    mysql_->InsertWebhookSubscription(Row(id, account));
    fake_.InsertWebhookSubscription(Row(id, account));
    clock_.Advance(absl::Seconds(1));
  }
  for (NotificationRepository* repo : {static_cast<NotificationRepository*>(mysql_.get()),
                                       static_cast<NotificationRepository*>(&fake_)}) {
    EXPECT_TRUE(repo->DeleteWebhookSubscription("whs_b", clock_.Now()));
    EXPECT_FALSE(repo->DeleteWebhookSubscription("whs_b", clock_.Now()));  // already
    EXPECT_FALSE(repo->DeleteWebhookSubscription("whs_unknown", clock_.Now()));
  }

  // An account's active ones, in the order they were made, in pages of two.
  auto pages = [](NotificationRepository& repo, const std::string& account) {
    std::vector<std::string> seen;
    int64_t after = 0;
    for (int page = 0; page < 10; ++page) {
      std::vector<WebhookSubscriptionRow> got = repo.ListWebhookSubscriptions(account, after, 2);
      for (const auto& r : got) seen.push_back(r.id);
      if (got.size() < 2) break;
      after = got.back().seq;
    }
    return seen;
  };
  const std::vector<std::string> acme = pages(*mysql_, "ACME");
  EXPECT_THAT(acme, ElementsAreArray({"whs_c", "whs_a", "whs_e", "whs_d"}));
  EXPECT_THAT(pages(fake_, "ACME"), ElementsAreArray(acme));
  EXPECT_THAT(pages(fake_, "GLOBEX"), ElementsAreArray(pages(*mysql_, "GLOBEX")));
  EXPECT_THAT(Ids(fake_.ListWebhookSubscriptions("INITECH", 0, 10)), SizeIs(0));
  EXPECT_THAT(Ids(mysql_->ListWebhookSubscriptions("INITECH", 0, 10)), SizeIs(0));

  // A deleted one is still found, with its delete time; every field reads back.
  for (const char* id : {"whs_b", "whs_a"}) {
    const WebhookSubscriptionRow m = *mysql_->FindWebhookSubscription(id);
    const WebhookSubscriptionRow f = *fake_.FindWebhookSubscription(id);
    EXPECT_EQ(f.account_id, m.account_id);
    EXPECT_EQ(f.url, m.url);
    EXPECT_EQ(f.event_types, m.event_types);
    EXPECT_EQ(f.description, m.description);
    EXPECT_EQ(f.secret, m.secret);
    EXPECT_EQ(f.created_by, m.created_by);
    EXPECT_EQ(f.created_at, m.created_at);
    EXPECT_EQ(f.deleted_at, m.deleted_at) << id;
  }
  EXPECT_FALSE(mysql_->FindWebhookSubscription("whs_unknown").has_value());
  EXPECT_FALSE(fake_.FindWebhookSubscription("whs_unknown").has_value());
}

// The store keeps a write's answer as the response message itself (the
// format NotificationService stored before it had a store), and a retry is
// answered from it.
TEST_F(NotificationRepositoryContractTest, AStoredAnswerIsTheResponseItself) {
  MysqlNotificationStore store(&db_->pool(), &clock_);
  const PageTokenCodec page_tokens("0123456789abcdef0123456789abcdef");
  const NotificationUseCaseDeps deps{store, clock_, page_tokens, {}};
  const CreateWebhookSubscriptionUseCase create(deps);
  Principal caller;
  caller.role = Role::kCustomer;
  caller.subject = "ops@acme";
  caller.account_ids = {"ACME"};
  notify::v1::CreateWebhookSubscriptionRequest req;
  req.set_request_id("sub-1");
  req.set_account_id("ACME");
  req.set_url("https://hooks.acme.example/aftercare");
  ASSERT_OK_AND_ASSIGN(notify::v1::WebhookSubscription first, create.Run(caller, req));

  ASSERT_OK_AND_ASSIGN(std::string hex, db_->database().QueryValue("SELECT HEX(response) FROM "
                                                        "idempotency_keys WHERE request_id = 'sub-1'"));
  notify::v1::WebhookSubscription stored;
  ASSERT_TRUE(stored.ParseFromString(absl::HexStringToBytes(hex)));
  EXPECT_EQ(stored.SerializeAsString(), first.SerializeAsString());

  ASSERT_OK_AND_ASSIGN(notify::v1::WebhookSubscription retry, create.Run(caller, req));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(*db_->database().QueryValue("SELECT COUNT(*) FROM webhook_subscriptions"), "1");
}

}  // namespace
}  // namespace aftercare
