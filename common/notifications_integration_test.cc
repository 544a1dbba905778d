// The notification delivery engine on MariaDB: fan-out at publication,
// claims, retries with backoff, dead letters, resend, and replicas that
// never send one delivery twice at once.
#include "common/notifications.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/sync.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/harness/test_database.h"

namespace aftercare {
namespace {

using ::aftercare::testing::TestDatabase;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class NotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(pool_, db::ConnectionPool::Create(db_->Options(4), nullptr));
    ASSERT_OK(db::ApplyMigrations(*pool_, {{"common", &db::CommonMigrations()}}));
  }

  std::unique_ptr<NotificationDispatcher> NewDispatcher(
      std::shared_ptr<prometheus::Registry> registry = nullptr) {
    NotificationOptions options;
    options.max_attempts = 3;
    options.base_backoff = absl::Seconds(10);
    options.max_backoff = absl::Minutes(5);
    options.claim_timeout = absl::Minutes(2);
    return std::make_unique<NotificationDispatcher>(pool_.get(), &clock_, registry, options);
  }

  NotificationEvent Event(const std::string& key, const std::string& type = "rma_approved") {
    NotificationEvent e;
    e.event_key = key;
    e.event_type = type;
    e.account_id = "ACME";
    e.email_to = {"ops@acme.example", "buyer@acme.example"};
    e.technical_case_id = "2026-1205-000123";
    e.subject = "RMA R100 approved";
    e.body = "Your RMA is approved.";
    e.data = {{"rma_number", "R100"}};
    e.occurred_at = clock_.Now();
    return e;
  }

  absl::Status Publish(const NotificationEvent& e, bool commit = true) {
    return db::RunTransactionStatus(*pool_, "publish", [&](db::Connection& c) -> absl::Status {
      PublishNotification(c, e, clock_.Now());
      return commit ? absl::OkStatus() : absl::AbortedError("rolled back");
    });
  }

  absl::Status Subscribe(const std::string& id, const std::string& account,
                         std::vector<std::string> types) {
    return db::RunTransactionStatus(*pool_, "subscribe", [&](db::Connection& c) -> absl::Status {
      WebhookSubscriptionRow row;
      row.id = id;
      row.account_id = account;
      row.url = "https://hooks.example/" + id;
      row.event_types = std::move(types);
      row.secret = "s";
      row.created_by = "test";
      row.created_at = clock_.Now();
      InsertWebhookSubscription(c, row);
      return absl::OkStatus();
    });
  }

  std::string Count(const std::string& where) {
    return *db_->QueryValue("SELECT COUNT(*) FROM notification_deliveries WHERE " + where);
  }

  FakeClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(NotificationsTest, PublishingFansOutOncePerChannelAndRecipient) {
  ASSERT_OK(Subscribe("whs_all", "ACME", {}));
  ASSERT_OK(Subscribe("whs_approved", "ACME", {"rma_approved"}));
  ASSERT_OK(Subscribe("whs_other_type", "ACME", {"rma_closed"}));
  ASSERT_OK(Subscribe("whs_other_account", "GLOBEX", {}));
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to.push_back("ops@acme.example");  // named twice: one e-mail
  ASSERT_OK(Publish(e));
  ASSERT_OK(Publish(e));  // an outbox redelivery: nothing more
  EXPECT_FALSE(Publish(Event("rma-V1-n2"), /*commit=*/false).ok());  // rolled back with its change

  EXPECT_EQ(Count("channel = 'email'"), "2");
  EXPECT_EQ(Count("channel = 'case_note' AND target = '2026-1205-000123'"), "1");
  EXPECT_EQ(Count("channel = 'webhook'"), "2");
  EXPECT_EQ(Count("channel = 'webhook' AND target IN ('whs_all', 'whs_approved')"), "2");
  EXPECT_EQ(Count("state = 'pending'"), "5");
  EXPECT_EQ(Count("event_key = 'rma-V1-n2'"), "0");
}

// Every delivery of an event with fixed targets is one INSERT … SELECT (the
// subscriptions read in it); rows go in the targets' order: e-mails sorted,
// the case note, the webhooks by subscription. An event without fixed
// targets reads the subscriptions first and writes only for a match.
TEST_F(NotificationsTest, DeliveriesAreOneStatementInTheOrderOfTheirTargets) {
  ASSERT_OK(Subscribe("whs_all", "ACME", {}));
  ASSERT_OK(Subscribe("whs_second_type", "ACME", {"rma_closed", "rma_approved"}));
  ASSERT_OK(Subscribe("whs_prefix", "ACME", {"rma_approved_late"}));
  ASSERT_OK(Subscribe("whs_deleted", "ACME", {}));
  ASSERT_OK(db_->Execute(
      "UPDATE webhook_subscriptions SET deleted_at_us = 1 WHERE id = 'whs_deleted'"));
  // Statements the connection sends for one publication (the second SHOW
  // counts itself).
  auto statements = [&](const NotificationEvent& e) -> int64_t {
    int64_t n = -1;
    EXPECT_OK(db::RunTransactionStatus(*pool_, "publish", [&](db::Connection& c) -> absl::Status {
      auto questions = [&c] {
        std::unique_ptr<sql::ResultSet> rs(
            c.Prepare("SHOW SESSION STATUS LIKE 'Questions'").executeQuery());
        return rs->next() ? std::stoll(std::string(rs->getString(2))) : -1;
      };
      const int64_t before = questions();
      PublishNotification(c, e, clock_.Now());
      n = questions() - before - 1;
      return absl::OkStatus();
    }));
    return n;
  };
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"ops@acme.example", "buyer@acme.example", "ops@acme.example"};
  EXPECT_EQ(statements(e), 1);
  EXPECT_EQ(*db_->QueryValue("SELECT GROUP_CONCAT(CONCAT(channel, ':', target) ORDER BY id)"
                             " FROM notification_deliveries"),
            "email:buyer@acme.example,email:ops@acme.example,case_note:2026-1205-000123,"
            "webhook:whs_all,webhook:whs_second_type");
  EXPECT_EQ(statements(e), 1);  // again: INSERT IGNORE writes nothing
  EXPECT_EQ(Count("event_key = 'rma-V1-n1'"), "5");

  // No fixed target: the subscriptions, then one INSERT for the matches.
  NotificationEvent hooks = Event("rma-V1-n2");
  hooks.email_to.clear();
  hooks.technical_case_id.clear();
  EXPECT_EQ(statements(hooks), 2);
  EXPECT_EQ(*db_->QueryValue("SELECT GROUP_CONCAT(target ORDER BY id) FROM notification_deliveries"
                             " WHERE event_key = 'rma-V1-n2'"),
            "whs_all,whs_second_type");
  hooks.event_key = "rma-V1-n3";
  hooks.account_id = "GLOBEX";  // no subscription: the read only
  EXPECT_EQ(statements(hooks), 1);
  hooks.account_id.clear();  // no account, no target: nothing
  EXPECT_EQ(statements(hooks), 0);
  EXPECT_EQ(Count("event_key = 'rma-V1-n3'"), "0");
  // The fixed targets of an event without an account: no webhook.
  NotificationEvent mail = Event("rma-V1-n4");
  mail.account_id.clear();
  EXPECT_EQ(statements(mail), 1);
  EXPECT_EQ(Count("event_key = 'rma-V1-n4'"), "3");
  EXPECT_EQ(Count("target = 'whs_prefix' OR target = 'whs_deleted'"), "0");
}

TEST_F(NotificationsTest, DeliversEachOnceThroughItsChannel) {
  ASSERT_OK(Publish(Event("rma-V1-n1")));
  auto dispatcher = NewDispatcher();
  std::vector<std::string> emails, notes;
  dispatcher->RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery& d) {
    EXPECT_EQ(d.subject, "RMA R100 approved");
    EXPECT_EQ(d.body, "Your RMA is approved.");
    EXPECT_EQ(d.data.at("rma_number"), "R100");
    EXPECT_EQ(d.attempts, 1);
    emails.push_back(d.target);
    return absl::OkStatus();
  });
  dispatcher->RegisterChannel(DeliveryChannel::kCaseNote, [&](const Delivery& d) {
    notes.push_back(d.target);
    return absl::OkStatus();
  });
  ASSERT_OK_AND_ASSIGN(int n, dispatcher->DispatchOnce());
  EXPECT_EQ(n, 3);
  ASSERT_OK_AND_ASSIGN(n, dispatcher->DispatchOnce());
  EXPECT_EQ(n, 0);
  EXPECT_THAT(emails, UnorderedElementsAre("ops@acme.example", "buyer@acme.example"));
  EXPECT_THAT(notes, ElementsAre("2026-1205-000123"));
  EXPECT_EQ(Count("state = 'delivered' AND delivered_at_us IS NOT NULL"), "3");
}

TEST_F(NotificationsTest, AChannelWithoutSenderLeavesItsDeliveriesPending) {
  ASSERT_OK(Publish(Event("rma-V1-n1")));
  auto dispatcher = NewDispatcher();
  int notes = 0;
  dispatcher->RegisterChannel(DeliveryChannel::kCaseNote, [&](const Delivery&) {
    ++notes;
    return absl::OkStatus();
  });
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(notes, 1);
  // No SMTP server configured: the e-mails wait, untouched, for one.
  EXPECT_EQ(Count("channel = 'email' AND state = 'pending' AND attempts = 0"), "2");
}

TEST_F(NotificationsTest, TransientFailuresBackOffThenDeadLetterAfterMaxAttempts) {
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"ops@acme.example"};
  e.technical_case_id.clear();
  ASSERT_OK(Publish(e));
  auto registry = std::make_shared<prometheus::Registry>();
  auto dispatcher = NewDispatcher(registry);
  int calls = 0;
  dispatcher->RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery&) {
    ++calls;
    return absl::UnavailableError("451 try later");
  });
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Count("state = 'pending' AND attempts = 1 AND last_error LIKE '%451 try later%'"), "1");
  // Not before its backoff (10 s, plus up to a quarter of jitter).
  clock_.Advance(absl::Seconds(9));
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 1);
  clock_.Advance(absl::Seconds(4));
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 2);
  // The second wait doubles: 20 s.
  clock_.Advance(absl::Seconds(19));
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 2);
  clock_.Advance(absl::Seconds(7));
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 3);
  // The third failure is the last (max_attempts = 3): a dead letter.
  EXPECT_EQ(Count("state = 'dead' AND attempts = 3 AND dead_at_us IS NOT NULL"), "1");
  clock_.Advance(absl::Hours(2));
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(testing::MetricValue(*registry, "aftercare_notification_deliveries_total",
                                  {{"channel", "email"}, {"result", "failed"}}),
            2);
  EXPECT_EQ(testing::MetricValue(*registry, "aftercare_notification_deliveries_total",
                                  {{"channel", "email"}, {"result", "dead"}}),
            1);
  EXPECT_EQ(testing::MetricValue(*registry, "aftercare_notification_dead_letters"), 1);
}

TEST_F(NotificationsTest, APermanentRefusalIsDeadAtOnceAndAResendDeliversIt) {
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"nobody@acme.example"};
  e.technical_case_id.clear();
  ASSERT_OK(Publish(e));
  auto dispatcher = NewDispatcher();
  bool refuse = true;
  int calls = 0;
  dispatcher->RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery&) {
    ++calls;
    return refuse ? absl::FailedPreconditionError("550 mailbox unavailable") : absl::OkStatus();
  });
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(Count("state = 'dead' AND attempts = 1 AND last_error LIKE '%550%'"), "1");

  int64_t id = 0;
  ASSERT_OK(db::RunTransactionStatus(*pool_, "resend", [&](db::Connection& c) -> absl::Status {
    std::vector<Delivery> dead = ListDeliveries(c, {DeliveryState::kDead, std::nullopt, "", "", 0, 10});
    EXPECT_EQ(dead.size(), 1u);
    if (dead.empty()) return absl::NotFoundError("no dead letter");
    id = dead[0].id;
    return ResendDeadDelivery(c, id, clock_.Now());
  }));
  // Only a dead letter is resent.
  absl::Status again = db::RunTransactionStatus(*pool_, "resend", [&](db::Connection& c) {
    return ResendDeadDelivery(c, id, clock_.Now());
  });
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  refuse = false;
  ASSERT_OK(dispatcher->DispatchOnce().status());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Count("state = 'delivered' AND attempts = 1"), "1");
}

TEST_F(NotificationsTest, AClaimOfAReplicaThatDiedLapsesAfterTheClaimTimeout) {
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"ops@acme.example"};
  e.technical_case_id.clear();
  ASSERT_OK(Publish(e));
  // A replica claims it and is killed while sending: nothing recorded.
  auto dead_replica = NewDispatcher();
  dead_replica->RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery&) -> absl::Status {
    throw std::runtime_error("killed");
  });
  EXPECT_THROW(dead_replica->DispatchOnce().IgnoreError(), std::runtime_error);
  auto survivor = NewDispatcher();
  std::vector<int> attempts;
  survivor->RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery& d) {
    attempts.push_back(d.attempts);
    return absl::OkStatus();
  });
  clock_.Advance(absl::Seconds(119));
  ASSERT_OK(survivor->DispatchOnce().status());
  EXPECT_TRUE(attempts.empty());
  clock_.Advance(absl::Seconds(2));
  ASSERT_OK(survivor->DispatchOnce().status());
  EXPECT_THAT(attempts, ElementsAre(2));
}

// A slow receiver must not make a claim lapse mid-batch: what is left of a
// batch when less than one send's time remains of the claim goes back,
// unsent and its attempt not counted, for the next pass.
TEST_F(NotificationsTest, ABatchWhoseClaimRunsShortHandsTheRestBackUnsent) {
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"a@acme.example", "b@acme.example", "c@acme.example"};
  e.technical_case_id.clear();
  ASSERT_OK(Publish(e));
  NotificationOptions options;
  options.claim_timeout = absl::Minutes(2);
  options.max_send_time = absl::Seconds(30);
  NotificationDispatcher dispatcher(pool_.get(), &clock_, nullptr, options);
  std::vector<std::string> sent;
  dispatcher.RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery& d) {
    sent.push_back(d.target);
    clock_.Advance(absl::Seconds(50));  // a slow SMTP server
    return absl::OkStatus();
  });
  // Claimed at t=0 until t=120: sends at 0 and 50; at 100 only 20 s are left.
  ASSERT_OK_AND_ASSIGN(int n, dispatcher.DispatchOnce());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(Count("state = 'delivered'"), "2");
  EXPECT_EQ(Count("state = 'pending' AND attempts = 0"), "1");
  // Due again at once (not at the end of the claim): the next pass sends it.
  ASSERT_OK_AND_ASSIGN(n, dispatcher.DispatchOnce());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(sent.size(), 3u);
  EXPECT_EQ(Count("state = 'delivered' AND attempts = 1"), "3");
}

// Only this pass's claim is handed back: a delivery another replica claimed
// since (the first claim lapsed) keeps the other replica's claim.
TEST_F(NotificationsTest, HandingBackLeavesAnotherReplicasClaimAlone) {
  NotificationEvent e = Event("rma-V1-n1");
  e.email_to = {"a@acme.example", "b@acme.example"};
  e.technical_case_id.clear();
  ASSERT_OK(Publish(e));
  NotificationOptions options;
  options.claim_timeout = absl::Minutes(2);
  options.max_send_time = absl::Seconds(30);
  NotificationDispatcher slow(pool_.get(), &clock_, nullptr, options);
  NotificationDispatcher other(pool_.get(), &clock_, nullptr, options);
  other.RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery&) {
    return absl::UnavailableError("receiver down");
  });
  slow.RegisterChannel(DeliveryChannel::kEmail, [&](const Delivery&) {
    // Stalls past its whole claim; meanwhile the other replica claims the
    // second delivery (the first is still claimed... and lapsed too).
    clock_.Advance(absl::Minutes(3));
    EXPECT_TRUE(other.DispatchOnce().ok());
    return absl::OkStatus();
  });
  ASSERT_OK(slow.DispatchOnce().status());
  // The second delivery carries the other replica's failed attempt and its
  // backoff, not a handed-back "due now".
  EXPECT_EQ(*db_->QueryValue("SELECT COUNT(*) FROM notification_deliveries WHERE state = 'pending'"
                             " AND attempts >= 1 AND next_attempt_at_us > " +
                             std::to_string(absl::ToUnixMicros(clock_.Now()))),
            "1");
}

TEST_F(NotificationsTest, ReplicasDispatchingTogetherSendEveryDeliveryOnce) {
  for (int i = 0; i < 60; ++i) {
    NotificationEvent e = Event("rma-V1-n" + std::to_string(i));
    e.email_to = {"ops@acme.example"};
    ASSERT_OK(Publish(e));
  }
  Mutex mu;
  std::map<int64_t, int> sent;
  std::vector<std::unique_ptr<NotificationDispatcher>> replicas;
  for (int r = 0; r < 3; ++r) {
    replicas.push_back(NewDispatcher());
    for (DeliveryChannel c : {DeliveryChannel::kEmail, DeliveryChannel::kCaseNote}) {
      replicas.back()->RegisterChannel(c, [&](const Delivery& d) {
        MutexLock lock(&mu);
        ++sent[d.id];
        return absl::OkStatus();
      });
    }
  }
  std::vector<std::thread> threads;
  for (auto& replica : replicas) {
    threads.emplace_back([&replica] {
      for (int i = 0; i < 20; ++i) ASSERT_OK(replica->DispatchOnce().status());
    });
  }
  for (auto& t : threads) t.join();
  MutexLock lock(&mu);
  EXPECT_EQ(sent.size(), 120u);
  for (const auto& [id, times] : sent) EXPECT_EQ(times, 1) << "delivery " << id;
  EXPECT_EQ(Count("state = 'delivered'"), "120");
}

TEST_F(NotificationsTest, TheClaimReadsTheDueIndex) {
  std::string plan;
  ASSERT_OK(db::RunTransactionStatus(*pool_, "explain", [&](db::Connection& c) -> absl::Status {
    std::string sql = ClaimSql({DeliveryChannel::kEmail, DeliveryChannel::kWebhook});
    sql = sql.substr(0, sql.find(" FOR UPDATE"));
    auto& stmt = c.Prepare("EXPLAIN " + sql);
    stmt.setInt64(1, 0);
    stmt.setInt(2, 16);
    std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
    while (rs->next()) plan += std::string(rs->getString("key")) + ";";
    return absl::OkStatus();
  }));
  EXPECT_THAT(plan, HasSubstr("idx_delivery_due"));
}

}  // namespace
}  // namespace aftercare
