#include "common/outbox.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/ids.h"
#include "common/db/transaction.h"
#include "common/logging.h"

namespace aftercare {

namespace {

// The payload that marks a PoisonEvent status (an internal marker: not a
// google.rpc detail, so it never goes on the wire).
constexpr char kPoisonPayload[] = "type.aftercare/outbox.poison";


}  // namespace

// Pending: neither delivered nor dead. idx_outbox_pending is
// (delivered_at_us, dead_at_us, id) (migration 0003), so this is the first
// index entry under (NULL, NULL).
const char kOldestPendingSql[] =
    "SELECT created_at_us FROM outbox_events WHERE delivered_at_us IS NULL AND dead_at_us IS NULL"
    " ORDER BY id LIMIT 1";

absl::Status PoisonEvent(absl::string_view why) {
  absl::Status status = absl::InvalidArgumentError(why);
  status.SetPayload(kPoisonPayload, absl::Cord("1"));
  return status;
}

bool IsPoison(const absl::Status& status) {
  return !status.ok() && status.GetPayload(kPoisonPayload).has_value();
}

void EnqueueEvent(db::Connection& conn, const Clock& clock, absl::string_view aggregate_type,
                  absl::string_view aggregate_id, absl::string_view event_type,
                  const google::protobuf::Message& payload) {
  std::string bytes;
  payload.SerializeToString(&bytes);
  const int64_t now = db::ToMicros(clock.Now());
  auto& insert = conn.Prepare(
      "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload,"
      " created_at_us, next_attempt_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  insert.setString(1, std::string(aggregate_type));
  insert.setString(2, std::string(aggregate_id));
  insert.setString(3, std::string(event_type));
  insert.setString(4, bytes);
  insert.setInt64(5, now);
  insert.setInt64(6, now);
  insert.executeUpdate();
}

absl::StatusOr<int64_t> PurgeDeliveredEvents(db::ConnectionPool& pool, absl::Time cutoff) {
  int64_t total = 0;
  for (;;) {
    auto deleted = db::RunTransaction<int64_t>(
        pool, "purge outbox", [&](db::Connection& conn) -> absl::StatusOr<int64_t> {
          auto& del = conn.Prepare(
              "DELETE FROM outbox_events WHERE delivered_at_us < ? LIMIT 1000");
          del.setInt64(1, db::ToMicros(cutoff));
          return static_cast<int64_t>(del.executeUpdate());
        });
    if (!deleted.ok()) return deleted.status();
    total += *deleted;
    if (*deleted < 1000) return total;
  }
}

std::string DeliveryRequestId(absl::string_view service, const OutboxEvent& event) {
  return absl::StrCat("outbox-", service, "-", event.id);
}

OutboxDispatcher::OutboxDispatcher(std::unique_ptr<db::ConnectionPool> pool, const Clock* clock,
                                   std::shared_ptr<prometheus::Registry> registry,
                                   OutboxOptions options)
    : pool_(std::move(pool)),
      clock_(clock),
      options_(std::move(options)),
      lease_("outbox",
             options_.holder.empty() ? db::LeaseHolderId(options_.service) : options_.holder,
             options_.leader_lease) {
  if (registry) {
    delivered_ = &prometheus::BuildCounter()
                      .Name("aftercare_outbox_delivered_total")
                      .Help("Outbox events delivered, by event type")
                      .Register(*registry);
    failed_ = &prometheus::BuildCounter()
                   .Name("aftercare_outbox_delivery_failures_total")
                   .Help("Failed outbox delivery attempts, by event type")
                   .Register(*registry);
    dead_lettered_ = &prometheus::BuildCounter()
                          .Name("aftercare_outbox_dead_lettered_total")
                          .Help("Outbox events dead-lettered (could never be delivered: unreadable "
                                "payload, no handler, refused by the handler), by event type")
                          .Register(*registry);
    dispatch_errors_ = &prometheus::BuildCounter()
                            .Name("aftercare_outbox_dispatch_errors_total")
                            .Help("Outbox passes that failed before reaching a handler (database "
                                  "unreachable, schema missing); retried with backoff")
                            .Register(*registry)
                            .Add({});
    pending_ = &prometheus::BuildGauge()
                    .Name("aftercare_outbox_pending")
                    .Help("Outbox events waiting for delivery, dead ones left out (set by the "
                          "delivering replica; 0 on the others)")
                    .Register(*registry)
                    .Add({});
    dead_letters_ = &prometheus::BuildGauge()
                         .Name("aftercare_outbox_dead_letters")
                         .Help("Dead outbox events kept for an operator (set by the delivering "
                               "replica; 0 on the others)")
                         .Register(*registry)
                         .Add({});
    oldest_pending_age_ = &prometheus::BuildGauge()
                               .Name("aftercare_outbox_oldest_pending_age_seconds")
                               .Help("Age of the oldest outbox event waiting for delivery (dead ones "
                                     "left out), 0 when none (set by the delivering "
                                     "replica; 0 on the others)")
                               .Register(*registry)
                               .Add({});
  }
}

OutboxDispatcher::~OutboxDispatcher() { Stop(); }

void OutboxDispatcher::RegisterHandler(std::string event_type, Handler handler) {
  // Labelled counters appear in a scrape only once a child exists: create
  // the event type's at 0, so that rate() sees the first delivery.
  if (delivered_ != nullptr) delivered_->Add({{"event_type", event_type}});
  if (failed_ != nullptr) failed_->Add({{"event_type", event_type}});
  if (dead_lettered_ != nullptr) dead_lettered_->Add({{"event_type", event_type}});
  handlers_[std::move(event_type)] = std::move(handler);
}

void OutboxDispatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OutboxDispatcher::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (!leader_) return;
  // Hand the leadership over at once rather than when the lease expires.
  leader_ = false;
  auto conn = pool_->Acquire();
  if (!conn.ok()) return;
  try {
    lease_.Release(**conn);
  } catch (const sql::SQLException&) {
    (*conn)->MarkBroken();  // the lease expires on its own
  }
}

void OutboxDispatcher::Notify() {
  MutexLock lock(&mu_);
  wake_ = true;
}

absl::Duration OutboxDispatcher::ErrorBackoff(int consecutive_failures) const {
  // poll_interval, doubled per consecutive failure, capped at 30 s (or the
  // poll interval when that is longer).
  absl::Duration wait = options_.poll_interval;
  const absl::Duration cap = std::max(options_.poll_interval, absl::Seconds(30));
  for (int i = 1; i < consecutive_failures && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

void OutboxDispatcher::Loop() {
  int failures = 0;
  for (;;) {
    absl::StatusOr<int> n = DispatchOnce();
    absl::Duration wait = leader_ ? options_.poll_interval : absl::Seconds(2);
    if (!n.ok()) {
      ++failures;
      wait = ErrorBackoff(failures);
      if (dispatch_errors_ != nullptr) dispatch_errors_->Increment();
      LogWarning("outbox dispatch failed", {{"error", std::string(n.status().message())},
                                            {"consecutive_failures", failures},
                                            {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
    } else if (failures > 0) {
      LogInfo("outbox dispatch recovered", {{"after_failures", failures}});
      failures = 0;
    }
    MutexLock lock(&mu_);
    if (stop_) return;
    if (n.ok() && *n > 0) continue;  // more may be due: go again at once
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
    wake_ = false;
    if (stop_) return;
  }
}

absl::StatusOr<bool> OutboxDispatcher::EnsureLeader(db::Connection& conn) {
  const bool was_leader = leader_;
  leader_ = lease_.TryAcquire(conn);
  if (leader_ && !was_leader) {
    LogInfo("outbox dispatcher is leader", {{"lease", lease_.name()}, {"holder", lease_.holder()},
                                            {"fence", lease_.fence()}});
  } else if (!leader_ && was_leader) {
    LogWarning("outbox dispatcher lost its lease", {{"lease", lease_.name()},
                                                    {"holder", lease_.holder()}});
  }
  return leader_;
}

absl::StatusOr<int> OutboxDispatcher::DispatchOnce() {
  auto conn_or = pool_->Acquire();
  if (!conn_or.ok()) {
    leader_ = false;
    return conn_or.status();
  }
  db::PooledConnection conn = *std::move(conn_or);
  std::vector<OutboxEvent> due;
  try {
    absl::StatusOr<bool> leader = EnsureLeader(*conn);
    if (!leader.ok() || !*leader) {
      // Only the leader's backlog figures mean anything: a standby (or a
      // former leader) reports 0, so max() or sum() over replicas is the
      // suite's value.
      if (pending_ != nullptr) pending_->Set(0);
      if (dead_letters_ != nullptr) dead_letters_->Set(0);
      if (oldest_pending_age_ != nullptr) oldest_pending_age_->Set(0);
      return 0;
    }
    // The oldest pending (neither delivered nor dead) event of each
    // aggregate, if it is due: one per aggregate per pass keeps the order
    // within an aggregate; a dead event holds nothing back.
    auto& select = conn->Prepare(
        "SELECT e.id, e.aggregate_type, e.aggregate_id, e.event_type, e.payload, e.attempts,"
        " e.created_at_us FROM outbox_events e"
        " WHERE e.delivered_at_us IS NULL AND e.dead_at_us IS NULL AND e.next_attempt_at_us <= ?"
        " AND NOT EXISTS (SELECT 1 FROM outbox_events p WHERE p.aggregate_type = e.aggregate_type"
        "   AND p.aggregate_id = e.aggregate_id AND p.delivered_at_us IS NULL"
        "   AND p.dead_at_us IS NULL AND p.id < e.id)"
        " ORDER BY e.id LIMIT ?");
    select.setInt64(1, db::ToMicros(clock_->Now()));
    select.setInt(2, options_.batch_size);
    std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
    while (rs->next()) {
      OutboxEvent e;
      e.id = rs->getInt64(1);
      e.aggregate_type = rs->getString(2);
      e.aggregate_id = rs->getString(3);
      e.event_type = rs->getString(4);
      e.payload = rs->getString(5);
      e.attempts = rs->getInt(6);
      e.created_at = db::FromMicros(rs->getInt64(7));
      due.push_back(std::move(e));
    }
    rs.reset();
  } catch (const sql::SQLException& e) {
    if (db::IsConnectionError(e.getErrorCode())) {
      conn->MarkBroken();
      leader_ = false;
    }
    return db::FromSqlException(e, "outbox select", *pool_);
  }

  absl::BitGen gen;
  int delivered = 0;
  for (const OutboxEvent& event : due) {
    absl::Status result;
    auto it = handlers_.find(event.event_type);
    if (it == handlers_.end()) {
      // Nothing in this build can deliver it; retrying would hold its
      // aggregate back for ever.
      result = PoisonEvent(absl::StrCat("no handler is registered for ", event.event_type));
    } else {
      result = it->second(event);
    }
    try {
      const bool poison = IsPoison(result);
      if (result.ok() || poison) {
        // Delivered and dead are both final: marked only while the lease is
        // still ours, in one transaction with its renewal: a replica that
        // took over meanwhile (the lease expired during a long handler) owns
        // the event now, and on a Galera cluster a takeover committed on
        // another node fails this commit. Receivers are idempotent, so the
        // overlap costs at most a repeated call, never a lost event.
        conn->Execute("START TRANSACTION");
        if (!lease_.Fence(*conn)) {
          conn->Execute("ROLLBACK");
          leader_ = false;
          LogWarning("outbox dispatcher lost its lease", {{"lease", lease_.name()},
                                                          {"holder", lease_.holder()}});
          return delivered;
        }
        if (result.ok()) {
          auto& done = conn->Prepare(
              "UPDATE outbox_events SET delivered_at_us = ?, attempts = attempts + 1,"
              " last_error = NULL WHERE id = ?");
          done.setInt64(1, db::ToMicros(clock_->Now()));
          done.setInt64(2, event.id);
          done.executeUpdate();
        } else {
          auto& dead = conn->Prepare(
              "UPDATE outbox_events SET dead_at_us = ?, attempts = attempts + 1,"
              " last_error = ? WHERE id = ? AND delivered_at_us IS NULL");
          dead.setInt64(1, db::ToMicros(clock_->Now()));
          dead.setString(2, TruncateUtf8(std::string(result.message()), 500));
          dead.setInt64(3, event.id);
          dead.executeUpdate();
        }
        conn->Execute("COMMIT");
        if (result.ok()) {
          ++delivered;
          if (delivered_ != nullptr) {
            delivered_->Add({{"event_type", event.event_type}}).Increment();
          }
        } else {
          if (dead_lettered_ != nullptr) {
            dead_lettered_->Add({{"event_type", event.event_type}}).Increment();
          }
          LogError("outbox event dead-lettered",
                   {{"event_id", event.id}, {"event_type", event.event_type},
                    {"aggregate_type", event.aggregate_type},
                    {"aggregate_id", event.aggregate_id}, {"attempts", event.attempts + 1},
                    {"reason", std::string(result.message())}});
        }
      } else {
        absl::Duration backoff = std::min(
            options_.max_backoff, options_.base_backoff * (int64_t{1} << std::min(event.attempts, 20)));
        backoff += absl::Milliseconds(absl::Uniform<int64_t>(gen, 0, 1 + absl::ToInt64Milliseconds(backoff) / 4));
        auto& fail = conn->Prepare(
            "UPDATE outbox_events SET attempts = attempts + 1, next_attempt_at_us = ?,"
            " last_error = ? WHERE id = ?");
        fail.setInt64(1, db::ToMicros(clock_->Now() + backoff));
        fail.setString(2, TruncateUtf8(result.ToString(), 500));
        fail.setInt64(3, event.id);
        fail.executeUpdate();
        if (failed_ != nullptr) failed_->Add({{"event_type", event.event_type}}).Increment();
        LogWarning("outbox delivery failed",
                   {{"event_id", event.id}, {"event_type", event.event_type},
                    {"aggregate_id", event.aggregate_id}, {"attempts", event.attempts + 1},
                    {"error", result.ToString()}});
      }
    } catch (const sql::SQLException& e) {
      if (db::IsConnectionError(e.getErrorCode())) {
        conn->MarkBroken();
      } else {
        try {
          conn->Execute("ROLLBACK");
        } catch (const sql::SQLException&) {
          conn->MarkBroken();
        }
      }
      leader_ = false;  // a conflict here is most likely a takeover: claim again next pass
      return db::FromSqlException(e, "outbox update", *pool_);
    }
  }
  try {
    UpdateBacklogGauges(*conn);
  } catch (const sql::SQLException& e) {
    if (db::IsConnectionError(e.getErrorCode())) {
      conn->MarkBroken();
      leader_ = false;
    }
    return db::FromSqlException(e, "outbox backlog", *pool_);
  }
  return delivered;
}

void OutboxDispatcher::UpdateBacklogGauges(db::Connection& conn) {
  if (pending_ != nullptr) {
    // Both ranges of idx_outbox_pending under delivered_at_us NULL.
    auto& count = conn.Prepare(
        "SELECT (SELECT COUNT(*) FROM outbox_events WHERE delivered_at_us IS NULL"
        " AND dead_at_us IS NULL), (SELECT COUNT(*) FROM outbox_events"
        " WHERE delivered_at_us IS NULL AND dead_at_us IS NOT NULL)");
    std::unique_ptr<sql::ResultSet> crs(count.executeQuery());
    if (crs->next()) {
      pending_->Set(static_cast<double>(crs->getInt64(1)));
      dead_letters_->Set(static_cast<double>(crs->getInt64(2)));
    }
  }
  if (oldest_pending_age_ != nullptr) {
    // The first entry of idx_outbox_pending (delivered_at_us, dead_at_us,
    // id) under (NULL, NULL): one index row and its primary-key lookup, however long the
    // backlog (OutboxTest.OldestPendingAgeReadsOneIndexEntry checks the plan).
    auto& oldest = conn.Prepare(kOldestPendingSql);
    std::unique_ptr<sql::ResultSet> ors(oldest.executeQuery());
    const double age =
        ors->next() ? std::max(0.0, absl::ToDoubleSeconds(clock_->Now() -
                                                          db::FromMicros(ors->getInt64(1))))
                    : 0.0;
    oldest_pending_age_->Set(age);
  }
}

}  // namespace aftercare
