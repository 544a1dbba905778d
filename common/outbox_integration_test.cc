#include "common/outbox.h"

#include <map>
#include <vector>

#include "aftercare/testing/v1/echo.pb.h"
#include "common/db/migrations.h"
#include "common/db/transaction.h"
#include "common/status.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/harness/test_database.h"

namespace aftercare {
namespace {

using ::aftercare::testing::TestDatabase;
using ::aftercare::testing::v1::EchoRequest;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(pool_, db::ConnectionPool::Create(db_->Options(2), nullptr));
    ASSERT_OK(db::ApplyMigrations(*pool_, {{"common", &db::CommonMigrations()}}));
  }

  std::unique_ptr<OutboxDispatcher> NewDispatcher(
      std::shared_ptr<prometheus::Registry> registry = nullptr) {
    auto pool = db::ConnectionPool::Create(db_->Options(1), nullptr);
    OutboxOptions options;
    options.service = "test";
    options.base_backoff = absl::Seconds(1);
    return std::make_unique<OutboxDispatcher>(*std::move(pool), &clock_, registry, options);
  }

  absl::Status Enqueue(const std::string& aggregate, const std::string& message, bool commit) {
    return db::RunTransactionStatus(*pool_, "enqueue", [&](db::Connection& c) -> absl::Status {
      EchoRequest payload;
      payload.set_message(message);
      EnqueueEvent(c, clock_, "thing", aggregate, "thing.changed", payload);
      return commit ? absl::OkStatus() : absl::AbortedError("rolled back");
    });
  }

  absl::Status EnqueueTyped(const std::string& aggregate, const std::string& event_type,
                            const std::string& message) {
    return db::RunTransactionStatus(*pool_, "enqueue", [&](db::Connection& c) -> absl::Status {
      EchoRequest payload;
      payload.set_message(message);
      EnqueueEvent(c, clock_, "thing", aggregate, event_type, payload);
      return absl::OkStatus();
    });
  }

  // "<delivered>/<dead>/<last_error>" of the one event `where` selects
  // (flags 0 or 1).
  std::string State(const std::string& where) {
    auto v = db_->QueryValue(
        "SELECT CONCAT(delivered_at_us IS NOT NULL, '/', dead_at_us IS NOT NULL, '/',"
        " COALESCE(last_error, '')) FROM outbox_events WHERE " + where);
    return v.ok() ? *v : v.status().ToString();
  }

  FakeClock clock_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(OutboxTest, DeliversCommittedEventsInOrderPerAggregateOnlyOnce) {
  ASSERT_OK(Enqueue("a", "a1", true));
  ASSERT_OK(Enqueue("b", "b1", true));
  ASSERT_OK(Enqueue("a", "a2", true));
  EXPECT_FALSE(Enqueue("a", "never", false).ok());  // rolled back with its transaction
  ASSERT_OK(Enqueue("a", "a3", true));

  std::map<std::string, std::vector<std::string>> received;
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) {
    EchoRequest payload;
    payload.ParseFromString(e.payload);
    received[e.aggregate_id].push_back(payload.message());
    EXPECT_EQ(DeliveryRequestId("test", e), "outbox-test-" + std::to_string(e.id));
    return absl::OkStatus();
  });
  int total = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(int n, dispatcher->DispatchOnce());
    total += n;
  }
  EXPECT_EQ(total, 4);
  EXPECT_THAT(received["a"], ::testing::ElementsAre("a1", "a2", "a3"));
  EXPECT_THAT(received["b"], ::testing::ElementsAre("b1"));
  EXPECT_EQ(*db_->QueryValue("SELECT COUNT(*) FROM outbox_events WHERE delivered_at_us IS NULL"), "0");
}

TEST_F(OutboxTest, AFailedDeliveryIsRetriedAfterBackoffAndHoldsBackItsAggregate) {
  ASSERT_OK(Enqueue("a", "a1", true));
  ASSERT_OK(Enqueue("a", "a2", true));
  ASSERT_OK(Enqueue("b", "b1", true));
  int failures_left = 2;
  std::vector<std::string> received;
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) -> absl::Status {
    EchoRequest payload;
    payload.ParseFromString(e.payload);
    if (payload.message() == "a1" && failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("receiver down");
    }
    received.push_back(payload.message());
    return absl::OkStatus();
  });
  ASSERT_OK(dispatcher->DispatchOnce());
  EXPECT_THAT(received, ::testing::ElementsAre("b1"));  // a1 failed, a2 waits behind it
  ASSERT_OK(dispatcher->DispatchOnce());
  EXPECT_THAT(received, ::testing::ElementsAre("b1"));  // still in backoff
  clock_.Advance(absl::Seconds(2));
  ASSERT_OK(dispatcher->DispatchOnce());  // second failure
  clock_.Advance(absl::Seconds(10));
  for (int i = 0; i < 3; ++i) ASSERT_OK(dispatcher->DispatchOnce());
  EXPECT_THAT(received, ::testing::ElementsAre("b1", "a1", "a2"));
  EXPECT_EQ(*db_->QueryValue("SELECT attempts FROM outbox_events ORDER BY id LIMIT 1"), "3");
}

TEST_F(OutboxTest, CountsDeliveriesFromZeroAndExportsTheOldestPendingAge) {
  using ::aftercare::testing::MetricValue;
  auto registry = std::make_shared<prometheus::Registry>();
  auto dispatcher = NewDispatcher(registry);
  bool receiver_up = false;
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent&) -> absl::Status {
    return receiver_up ? absl::OkStatus() : absl::UnavailableError("receiver down");
  });
  const std::map<std::string, std::string> type = {{"event_type", "thing.changed"}};
  // Exported before the first delivery, so that rate() and alerts see them.
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivered_total", type), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivery_failures_total", type), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_oldest_pending_age_seconds"), 0);

  ASSERT_OK(Enqueue("a", "a1", true));
  clock_.Advance(absl::Seconds(30));
  ASSERT_OK(Enqueue("b", "b1", true));
  clock_.Advance(absl::Seconds(60));
  ASSERT_OK(dispatcher->DispatchOnce());  // both fail
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivery_failures_total", type), 2);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_pending"), 2);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_oldest_pending_age_seconds"), 90);

  receiver_up = true;
  clock_.Advance(absl::Seconds(10));  // past the backoff
  ASSERT_OK_AND_ASSIGN(int delivered, dispatcher->DispatchOnce());
  EXPECT_EQ(delivered, 2);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivered_total", type), 2);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_pending"), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_oldest_pending_age_seconds"), 0);

  // A standby reports 0: max() or sum() over replicas is the leader's value.
  auto standby_registry = std::make_shared<prometheus::Registry>();
  auto standby = NewDispatcher(standby_registry);
  ASSERT_OK(Enqueue("c", "c1", true));
  clock_.Advance(absl::Seconds(5));
  receiver_up = false;
  ASSERT_OK(dispatcher->DispatchOnce());
  ASSERT_OK(standby->DispatchOnce());
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_oldest_pending_age_seconds"), 5);
  EXPECT_EQ(MetricValue(*standby_registry, "aftercare_outbox_oldest_pending_age_seconds"), 0);
}

// The age query reads the first entry of idx_outbox_pending, not the table.
TEST_F(OutboxTest, OldestPendingAgeReadsOneIndexEntry) {
  for (int i = 0; i < 50; ++i) ASSERT_OK(Enqueue("a" + std::to_string(i % 7), "m", true));
  ASSERT_OK(db_->Execute("UPDATE outbox_events SET delivered_at_us = created_at_us WHERE id % 3 = 0"));
  ASSERT_OK(db_->Execute("ANALYZE TABLE outbox_events"));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool_->Acquire());
  std::unique_ptr<sql::Statement> stmt(conn->raw().createStatement());
  std::unique_ptr<sql::ResultSet> plan(
      stmt->executeQuery(std::string("EXPLAIN ") + kOldestPendingSql));
  ASSERT_TRUE(plan->next());
  EXPECT_EQ(std::string(plan->getString("key")), "idx_outbox_pending");
  EXPECT_EQ(std::string(plan->getString("Extra")).find("filesort"), std::string::npos)
      << plan->getString("Extra");
  EXPECT_FALSE(plan->next());
}

TEST_F(OutboxTest, PurgesOnlyDeliveredEventsOlderThanTheCutoff) {
  ASSERT_OK(Enqueue("a", "old", true));
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [](const OutboxEvent&) { return absl::OkStatus(); });
  ASSERT_OK(dispatcher->DispatchOnce());
  clock_.Advance(absl::Hours(24 * 8));
  ASSERT_OK(Enqueue("b", "pending", true));  // not delivered: never purged
  ASSERT_OK_AND_ASSIGN(int64_t purged, PurgeDeliveredEvents(*pool_, clock_.Now() - absl::Hours(24 * 7)));
  EXPECT_EQ(purged, 1);
  EXPECT_EQ(*db_->QueryValue("SELECT aggregate_id FROM outbox_events"), "b");
}

TEST_F(OutboxTest, OnlyOneDispatcherDeliversAtATime) {
  ASSERT_OK(Enqueue("a", "a1", true));
  int first_count = 0, second_count = 0;
  auto first = NewDispatcher();
  auto second = NewDispatcher();
  first->RegisterHandler("thing.changed", [&](const OutboxEvent&) {
    ++first_count;
    return absl::OkStatus();
  });
  second->RegisterHandler("thing.changed", [&](const OutboxEvent&) {
    ++second_count;
    return absl::OkStatus();
  });
  ASSERT_OK(first->DispatchOnce());   // takes the leader lock
  ASSERT_OK(Enqueue("a", "a2", true));
  ASSERT_OK_AND_ASSIGN(int by_second, second->DispatchOnce());
  EXPECT_EQ(by_second, 0);  // standby
  ASSERT_OK(first->DispatchOnce());
  EXPECT_EQ(first_count, 2);
  EXPECT_EQ(second_count, 0);
  first.reset();  // stops and hands the lock over
  ASSERT_OK(Enqueue("a", "a3", true));
  ASSERT_OK_AND_ASSIGN(int taken_over, second->DispatchOnce());
  EXPECT_EQ(taken_over, 1);
  EXPECT_EQ(second_count, 1);
}

// The failure rule (issue 20): an event that can never be delivered is dead,
// not delivered, and no longer holds its aggregate back.
TEST_F(OutboxTest, APayloadThatDoesNotParseIsDeadLetteredAndItsAggregateGoesOn) {
  using ::aftercare::testing::MetricValue;
  ASSERT_OK(Enqueue("a", "a1", true));
  ASSERT_OK(Enqueue("a", "a2", true));
  ASSERT_OK(Enqueue("b", "b1", true));
  // a1's payload: field 1, 5 bytes announced, none there.
  ASSERT_OK(db_->Execute("UPDATE outbox_events SET payload = X'0A05' ORDER BY id LIMIT 1"));
  auto registry = std::make_shared<prometheus::Registry>();
  auto dispatcher = NewDispatcher(registry);
  std::vector<std::string> received;
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) -> absl::Status {
    ASSIGN_OR_RETURN(EchoRequest payload, ParseEventPayload<EchoRequest>(e));
    received.push_back(payload.message());
    return absl::OkStatus();
  });
  const std::map<std::string, std::string> type = {{"event_type", "thing.changed"}};
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_lettered_total", type), 0);

  ASSERT_OK_AND_ASSIGN(int first, dispatcher->DispatchOnce());
  EXPECT_EQ(first, 1);  // b1; a1 is dead, not delivered
  EXPECT_THAT(received, ::testing::ElementsAre("b1"));
  EXPECT_EQ(State("aggregate_id = 'a' ORDER BY id LIMIT 1"),
            "0/1/payload of thing.changed is not a aftercare.testing.v1.EchoRequest");
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_lettered_total", type), 1);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivered_total", type), 1);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_delivery_failures_total", type), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_pending"), 1);  // a2
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_letters"), 1);

  // a2 is next in its aggregate: the dead a1 holds nothing back.
  ASSERT_OK_AND_ASSIGN(int second, dispatcher->DispatchOnce());
  EXPECT_EQ(second, 1);
  EXPECT_THAT(received, ::testing::ElementsAre("b1", "a2"));
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_pending"), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_oldest_pending_age_seconds"), 0);
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_letters"), 1);
  ASSERT_OK_AND_ASSIGN(int third, dispatcher->DispatchOnce());
  EXPECT_EQ(third, 0);  // never tried again
  EXPECT_EQ(*db_->QueryValue("SELECT attempts FROM outbox_events ORDER BY id LIMIT 1"), "1");
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_lettered_total", type), 1);
}

TEST_F(OutboxTest, AnEventTypeWithoutAHandlerIsDeadLettered) {
  using ::aftercare::testing::MetricValue;
  ASSERT_OK(EnqueueTyped("a", "thing.renamed", "a1"));  // nothing handles it
  ASSERT_OK(Enqueue("a", "a2", true));
  auto registry = std::make_shared<prometheus::Registry>();
  auto dispatcher = NewDispatcher(registry);
  std::vector<std::string> received;
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) -> absl::Status {
    ASSIGN_OR_RETURN(EchoRequest payload, ParseEventPayload<EchoRequest>(e));
    received.push_back(payload.message());
    return absl::OkStatus();
  });
  ASSERT_OK_AND_ASSIGN(int first, dispatcher->DispatchOnce());
  EXPECT_EQ(first, 0);
  EXPECT_EQ(State("event_type = 'thing.renamed'"),
            "0/1/no handler is registered for thing.renamed");
  EXPECT_EQ(MetricValue(*registry, "aftercare_outbox_dead_lettered_total",
                        {{"event_type", "thing.renamed"}}),
            1);
  ASSERT_OK_AND_ASSIGN(int second, dispatcher->DispatchOnce());
  EXPECT_EQ(second, 1);
  EXPECT_THAT(received, ::testing::ElementsAre("a2"));
}

// A handler says "poison" with PoisonEvent; other errors are still retried.
TEST_F(OutboxTest, AHandlerDeadLettersWithPoisonEventAndRetriesOtherErrors) {
  ASSERT_OK(Enqueue("a", "refused", true));
  ASSERT_OK(Enqueue("b", "flaky", true));
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) -> absl::Status {
    ASSIGN_OR_RETURN(EchoRequest payload, ParseEventPayload<EchoRequest>(e));
    if (payload.message() == "refused") return PoisonEvent("the receiver refuses it for good");
    return absl::UnavailableError("receiver down");
  });
  ASSERT_OK(dispatcher->DispatchOnce());
  EXPECT_EQ(State("aggregate_id = 'a'"), "0/1/the receiver refuses it for good");
  EXPECT_THAT(State("aggregate_id = 'b'"),
              ::testing::StartsWith("0/0/UNAVAILABLE: receiver down"));
}

// last_error keeps 500 bytes at most, never half a character: an UPDATE
// with invalid UTF-8 fails in strict mode and the event could never be
// marked.
TEST_F(OutboxTest, ALongErrorIsKeptWholeCharactersOnly) {
  ASSERT_OK(Enqueue("a", "refused", true));
  ASSERT_OK(Enqueue("b", "flaky", true));
  // "é" is 2 bytes; the 500-byte cut falls inside one of them.
  std::string words(497, 'x');
  for (int i = 0; i < 10; ++i) words += "\xc3\xa9";
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent& e) -> absl::Status {
    ASSIGN_OR_RETURN(EchoRequest payload, ParseEventPayload<EchoRequest>(e));
    if (payload.message() == "refused") return PoisonEvent(words);
    return absl::UnavailableError(words);  // "UNAVAILABLE: " + words
  });
  ASSERT_OK(dispatcher->DispatchOnce());
  // Dead: 497 + one whole "é" = 499 bytes.
  EXPECT_EQ(*db_->QueryValue("SELECT CONCAT(attempts, '/', dead_at_us IS NOT NULL, '/',"
                             " LENGTH(last_error)) FROM outbox_events WHERE aggregate_id = 'a'"),
            "1/1/499");
  // Failed, to be retried: its attempt counted, 500 bytes of whole characters.
  EXPECT_EQ(*db_->QueryValue("SELECT CONCAT(attempts, '/', LENGTH(last_error) <= 500, '/',"
                             " last_error LIKE 'UNAVAILABLE: xxx%') FROM outbox_events"
                             " WHERE aggregate_id = 'b'"),
            "1/1/1");
}

// The operator's replay (outbox.h): clear dead_at_us, make it due.
TEST_F(OutboxTest, AReplayedDeadEventIsDeliveredAndDeadOnesAreNotPurged) {
  ASSERT_OK(Enqueue("a", "a1", true));
  bool fixed = false;
  auto dispatcher = NewDispatcher();
  dispatcher->RegisterHandler("thing.changed", [&](const OutboxEvent&) -> absl::Status {
    return fixed ? absl::OkStatus() : PoisonEvent("not yet");
  });
  ASSERT_OK(dispatcher->DispatchOnce());
  EXPECT_EQ(State("aggregate_id = 'a'"), "0/1/not yet");

  // Kept by the purge, however old.
  clock_.Advance(absl::Hours(24 * 30));
  ASSERT_OK_AND_ASSIGN(int64_t purged, PurgeDeliveredEvents(*pool_, clock_.Now()));
  EXPECT_EQ(purged, 0);

  fixed = true;
  ASSERT_OK(db_->Execute("UPDATE outbox_events SET dead_at_us = NULL, next_attempt_at_us = 0"
                         " WHERE aggregate_id = 'a'"));
  ASSERT_OK_AND_ASSIGN(int n, dispatcher->DispatchOnce());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(State("aggregate_id = 'a'"), "1/0/");
}

// Dead events are not pending: the age query skips them, still through one
// entry of idx_outbox_pending.
TEST_F(OutboxTest, OldestPendingAgeSkipsDeadEventsThroughTheIndex) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(Enqueue("a" + std::to_string(i % 7), "m", true));
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_OK(db_->Execute(
      "UPDATE outbox_events SET delivered_at_us = created_at_us WHERE id % 3 = 0"));
  ASSERT_OK(db_->Execute(
      "UPDATE outbox_events SET dead_at_us = created_at_us WHERE id % 3 <> 0 AND id < 20"));
  ASSERT_OK(db_->Execute("ANALYZE TABLE outbox_events"));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool_->Acquire());
  std::unique_ptr<sql::Statement> stmt(conn->raw().createStatement());
  std::unique_ptr<sql::ResultSet> plan(
      stmt->executeQuery(std::string("EXPLAIN ") + kOldestPendingSql));
  ASSERT_TRUE(plan->next());
  EXPECT_EQ(std::string(plan->getString("key")), "idx_outbox_pending");
  EXPECT_EQ(std::string(plan->getString("Extra")).find("filesort"), std::string::npos)
      << plan->getString("Extra");
  std::unique_ptr<sql::ResultSet> oldest(stmt->executeQuery(kOldestPendingSql));
  ASSERT_TRUE(oldest->next());
  const std::string got = std::to_string(oldest->getInt64(1));
  EXPECT_EQ(got, *db_->QueryValue("SELECT MIN(created_at_us) FROM outbox_events"
                                  " WHERE delivered_at_us IS NULL AND dead_at_us IS NULL"));
  EXPECT_NE(got, *db_->QueryValue("SELECT MIN(created_at_us) FROM outbox_events"
                                  " WHERE delivered_at_us IS NULL"));  // a dead one
}

// A database without the outbox's tables (a replica started before the
// migrations ran): the loop backs off instead of failing every poll.
TEST(OutboxBackoffTest, FailingPassesBackOffExponentially) {
  ASSERT_OK_AND_ASSIGN(auto empty, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(empty->Options(1), nullptr));
  auto registry = std::make_shared<prometheus::Registry>();
  OutboxOptions options;
  options.service = "test";
  options.poll_interval = absl::Milliseconds(10);
  FakeClock clock;
  OutboxDispatcher dispatcher(std::move(pool), &clock, registry, options);
  dispatcher.Start();
  absl::SleepFor(absl::Milliseconds(1500));
  dispatcher.Stop();
  double errors = -1;
  for (const auto& family : registry->Collect()) {
    if (family.name == "aftercare_outbox_dispatch_errors_total") errors = family.metric.at(0).counter.value;
  }
  // 10, 20, 40, ... ms: 7 passes fit in 1.5 s; one pass per poll would be ~150.
  EXPECT_GE(errors, 3);
  EXPECT_LE(errors, 9);
}

}  // namespace
}  // namespace aftercare
