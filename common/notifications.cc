#include "common/notifications.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/ids.h"
#include "common/logging.h"

namespace aftercare {
namespace {

using Json = nlohmann::json;

constexpr char kDeliveryColumns[] =
    "id, event_key, event_type, account_id, channel, target, payload, state, attempts,"
    " next_attempt_at_us, last_error, created_at_us, delivered_at_us, dead_at_us";

std::string Payload(const NotificationEvent& e) {
  Json j;
  j["subject"] = e.subject;
  j["body"] = e.body;
  j["data"] = e.data;
  j["occurred_at_us"] = db::ToMicros(e.occurred_at);
  return j.dump();
}

Delivery ReadDelivery(sql::ResultSet& rs) {
  Delivery d;
  d.id = rs.getInt64(1);
  d.event_key = rs.getString(2);
  d.event_type = rs.getString(3);
  d.account_id = rs.getString(4);
  d.channel = ParseDeliveryChannel(std::string(rs.getString(5))).value_or(DeliveryChannel::kEmail);
  d.target = rs.getString(6);
  const Json payload = Json::parse(std::string(rs.getString(7)), nullptr, /*allow_exceptions=*/false);
  if (payload.is_object()) {
    d.subject = payload.value("subject", "");
    d.body = payload.value("body", "");
    if (payload.contains("data") && payload["data"].is_object()) {
      for (const auto& [k, v] : payload["data"].items()) {
        if (v.is_string()) d.data[k] = v.get<std::string>();
      }
    }
    d.occurred_at = db::FromMicros(payload.value("occurred_at_us", int64_t{0}));
  }
  d.state = ParseDeliveryState(std::string(rs.getString(8))).value_or(DeliveryState::kPending);
  d.attempts = rs.getInt(9);
  d.next_attempt_at = db::FromMicros(rs.getInt64(10));
  if (!rs.isNull(11)) d.last_error = rs.getString(11);
  d.created_at = db::FromMicros(rs.getInt64(12));
  if (!rs.isNull(13)) d.delivered_at = db::FromMicros(rs.getInt64(13));
  if (!rs.isNull(14)) d.dead_at = db::FromMicros(rs.getInt64(14));
  return d;
}

std::vector<std::string> SplitTypes(const std::string& csv) {
  std::vector<std::string> out;
  for (absl::string_view p : absl::StrSplit(csv, ',', absl::SkipEmpty())) out.emplace_back(p);
  return out;
}

WebhookSubscriptionRow ReadSubscription(sql::ResultSet& rs) {
  WebhookSubscriptionRow r;
  r.id = rs.getString(1);
  r.account_id = rs.getString(2);
  r.url = rs.getString(3);
  r.event_types = SplitTypes(rs.getString(4));
  r.description = rs.getString(5);
  r.secret = rs.getString(6);
  r.created_by = rs.getString(7);
  r.created_at = db::FromMicros(rs.getInt64(8));
  if (!rs.isNull(9)) r.deleted_at = db::FromMicros(rs.getInt64(9));
  r.seq = rs.getInt64(10);
  return r;
}

constexpr char kSubscriptionColumns[] =
    "id, account_id, url, event_types, description, secret, created_by, created_at_us,"
    " deleted_at_us, seq";

}  // namespace

std::string_view DeliveryChannelName(DeliveryChannel channel) {
  switch (channel) {
    case DeliveryChannel::kEmail:
      return "email";
    case DeliveryChannel::kWebhook:
      return "webhook";
    case DeliveryChannel::kCaseNote:
      return "case_note";
  }
  return "email";
}

std::optional<DeliveryChannel> ParseDeliveryChannel(std::string_view name) {
  for (DeliveryChannel c : kAllDeliveryChannels) {
    if (DeliveryChannelName(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kDead:
      return "dead";
  }
  return "pending";
}

std::optional<DeliveryState> ParseDeliveryState(std::string_view name) {
  for (DeliveryState s : {DeliveryState::kPending, DeliveryState::kDelivered, DeliveryState::kDead}) {
    if (DeliveryStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsTransientDeliveryError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

namespace {

constexpr char kDeliveryInsert[] =
    "INSERT IGNORE INTO notification_deliveries (event_key, event_type, account_id, channel,"
    " target, payload, state, attempts, next_attempt_at_us, created_at_us)";

// The account's live subscriptions that take `event_type` (an empty list
// takes every event); the same test as SplitTypes and std::find, in SQL.
constexpr char kSubscribed[] =
    "SELECT id, seq FROM webhook_subscriptions WHERE account_id = ? AND deleted_at_us IS NULL"
    " AND (REPLACE(event_types, ',', '') = '' OR FIND_IN_SET(?, event_types) > 0)";

// The channel's name as an SQL literal: 'email'.
std::string Quoted(DeliveryChannel channel) {
  return absl::StrCat("'", std::string(DeliveryChannelName(channel)), "'");
}

// "SELECT 'email' AS channel, ? AS target, 0 AS o": a fixed target of
// `channel` with its rank, a row of the deliveries' derived table.
void FixedTargets(DeliveryChannel channel, int count, int* rank, std::vector<std::string>* rows) {
  for (int i = 0; i < count; ++i) {
    rows->push_back(absl::StrCat("SELECT ", Quoted(channel), " AS channel, ? AS target, ",
                                 (*rank)++, " AS o"));
  }
}

}  // namespace

void PublishNotification(db::Connection& conn, const NotificationEvent& event, absl::Time now) {
  // INSERT IGNORE on (event_key, channel, target): a second publication of
  // the key (an outbox redelivery, a retried transaction) writes nothing.
  const int64_t now_us = db::ToMicros(now);
  std::vector<std::string> emails = event.email_to;
  std::sort(emails.begin(), emails.end());
  emails.erase(std::unique(emails.begin(), emails.end()), emails.end());
  const bool case_note = !event.technical_case_id.empty();
  const bool webhooks = !event.account_id.empty();
  if (emails.empty() && !case_note) {
    // No fixed target (most events of most accounts): the subscriptions are
    // read first, and the payload made and a row written only for a match.
    if (!webhooks) return;
    auto& subs = conn.Prepare(absl::StrCat(kSubscribed, " ORDER BY seq"));
    db::Binder(subs).Str(event.account_id).Str(event.event_type);
    std::vector<std::string> targets;
    {
      std::unique_ptr<sql::ResultSet> rs(subs.executeQuery());
      while (rs->next()) targets.push_back(rs->getString(1));
    }
    if (targets.empty()) return;
    const std::string row =
        absl::StrCat("(?, ?, ?, ", Quoted(DeliveryChannel::kWebhook), ", ?, ?, 'pending', 0, ?, ?)");
    std::vector<absl::string_view> rows(targets.size(), row);
    auto& insert =
        conn.Prepare(absl::StrCat(kDeliveryInsert, " VALUES ", absl::StrJoin(rows, ", ")));
    db::Binder b(insert);
    const std::string payload = Payload(event);
    for (const std::string& id : targets) {
      b.Str(event.event_key).Str(event.event_type).Str(event.account_id).Str(id).Str(payload)
          .Int(now_us).Int(now_us);
    }
    insert.executeUpdate();
    return;
  }
  // Fixed targets (e-mail addresses, a case note): every delivery, the
  // matching subscriptions' included, in one INSERT … SELECT. Its read of
  // webhook_subscriptions is a consistent read under READ COMMITTED (no
  // locks). Rows go in the old order: e-mails sorted, the case note, then
  // the webhooks by subscription.
  int rank = 0;
  std::vector<std::string> rows;
  FixedTargets(DeliveryChannel::kEmail, static_cast<int>(emails.size()), &rank, &rows);
  FixedTargets(DeliveryChannel::kCaseNote, case_note ? 1 : 0, &rank, &rows);
  if (webhooks) {
    rows.push_back(absl::StrCat("SELECT ", Quoted(DeliveryChannel::kWebhook), ", id, ", rank,
                                " + seq FROM (", kSubscribed, ") w"));
  }
  auto& insert = conn.Prepare(absl::StrCat(
      kDeliveryInsert, " SELECT ?, ?, ?, t.channel, t.target, ?, 'pending', 0, ?, ? FROM (",
      absl::StrJoin(rows, " UNION ALL "), ") t ORDER BY t.o"));
  db::Binder b(insert);
  b.Str(event.event_key).Str(event.event_type).Str(event.account_id).Str(Payload(event))
      .Int(now_us).Int(now_us);
  for (const std::string& to : emails) b.Str(to);
  if (case_note) b.Str(event.technical_case_id);
  if (webhooks) b.Str(event.account_id).Str(event.event_type);
  insert.executeUpdate();
}

std::string ClaimSql(const std::vector<DeliveryChannel>& channels) {
  std::vector<std::string> quoted;
  for (DeliveryChannel c : channels) quoted.push_back(Quoted(c));
  if (quoted.empty()) quoted.push_back("''");
  return absl::StrCat("SELECT ", kDeliveryColumns,
                      " FROM notification_deliveries"
                      " WHERE state = 'pending' AND next_attempt_at_us <= ? AND channel IN (",
                      absl::StrJoin(quoted, ", "),
                      ") ORDER BY next_attempt_at_us, id LIMIT ? FOR UPDATE SKIP LOCKED");
}

// --- Dispatcher --------------------------------------------------------------------

NotificationDispatcher::NotificationDispatcher(db::ConnectionPool* pool, const Clock* clock,
                                               std::shared_ptr<prometheus::Registry> registry,
                                               NotificationOptions options)
    : pool_(pool), clock_(clock), options_(options) {
  claim_sql_ = ClaimSql({});
  if (registry) {
    outcomes_ = &prometheus::BuildCounter()
                     .Name("aftercare_notification_deliveries_total")
                     .Help("Notification delivery attempts by channel and result (delivered, "
                           "failed: retried later, dead: given up)")
                     .Register(*registry);
    for (DeliveryChannel c : kAllDeliveryChannels) {
      for (const char* result : {"delivered", "failed", "dead"}) {
        outcomes_->Add({{"channel", std::string(DeliveryChannelName(c))}, {"result", result}});
      }
    }
    dispatch_errors_ = &prometheus::BuildCounter()
                            .Name("aftercare_notification_dispatch_errors_total")
                            .Help("Delivery-loop passes that failed before sending (database "
                                  "unreachable); retried with backoff")
                            .Register(*registry)
                            .Add({});
    pending_ = &prometheus::BuildGauge()
                    .Name("aftercare_notification_pending")
                    .Help("Notification deliveries not delivered yet (the same on every replica)")
                    .Register(*registry)
                    .Add({});
    dead_ = &prometheus::BuildGauge()
                 .Name("aftercare_notification_dead_letters")
                 .Help("Notification deliveries given up (dead letters), until resent")
                 .Register(*registry)
                 .Add({});
    oldest_pending_age_ = &prometheus::BuildGauge()
                               .Name("aftercare_notification_oldest_pending_age_seconds")
                               .Help("Age of the oldest pending notification delivery, 0 when none")
                               .Register(*registry)
                               .Add({});
  }
}

NotificationDispatcher::~NotificationDispatcher() { Stop(); }

void NotificationDispatcher::RegisterChannel(DeliveryChannel channel, Channel send) {
  channels_[channel] = std::move(send);
  std::vector<DeliveryChannel> names;
  for (const auto& [c, unused] : channels_) names.push_back(c);
  claim_sql_ = ClaimSql(names);
}

void NotificationDispatcher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void NotificationDispatcher::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void NotificationDispatcher::Notify() {
  MutexLock lock(&mu_);
  wake_ = true;
}

void NotificationDispatcher::Loop() {
  int failures = 0;
  for (;;) {
    absl::StatusOr<int> n = DispatchOnce();
    absl::Duration wait = options_.poll_interval;
    if (!n.ok()) {
      ++failures;
      for (int i = 1; i < failures && wait < absl::Seconds(30); ++i) wait *= 2;
      wait = std::min(wait, std::max(options_.poll_interval, absl::Seconds(30)));
      if (dispatch_errors_ != nullptr) dispatch_errors_->Increment();
      LogWarning("notification dispatch failed", {{"error", std::string(n.status().message())},
                                                  {"consecutive_failures", failures},
                                                  {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
    } else if (failures > 0) {
      LogInfo("notification dispatch recovered", {{"after_failures", failures}});
      failures = 0;
    }
    MutexLock lock(&mu_);
    if (stop_) return;
    if (n.ok() && *n > 0) continue;  // more may be due
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), wait);
    wake_ = false;
    if (stop_) return;
  }
}

absl::StatusOr<std::vector<Delivery>> NotificationDispatcher::Claim(absl::Time now) {
  return db::RunTransaction<std::vector<Delivery>>(
      *pool_, "claim notification deliveries",
      [&](db::Connection& conn) -> absl::StatusOr<std::vector<Delivery>> {
        auto& select = conn.Prepare(claim_sql_);
        select.setInt64(1, db::ToMicros(now));
        select.setInt(2, options_.batch_size);
        std::vector<Delivery> due;
        {
          std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
          while (rs->next()) due.push_back(ReadDelivery(*rs));
        }
        // The claim: nobody else takes them before claim_timeout; a replica
        // that dies holding them leaves them due again after it.
        auto& claim = conn.Prepare(
            "UPDATE notification_deliveries SET attempts = attempts + 1, next_attempt_at_us = ?"
            " WHERE id = ? AND state = 'pending'");
        for (Delivery& d : due) {
          claim.setInt64(1, db::ToMicros(now + options_.claim_timeout));
          claim.setInt64(2, d.id);
          claim.executeUpdate();
          d.attempts += 1;
        }
        return due;
      });
}

absl::Status NotificationDispatcher::Record(const Delivery& d, const absl::Status& result) {
  const std::string channel(DeliveryChannelName(d.channel));
  const absl::Time now = clock_->Now();
  std::string outcome;
  absl::Status written = db::RunTransactionStatus(
      *pool_, "record notification delivery", [&](db::Connection& conn) -> absl::Status {
        if (result.ok()) {
          auto& done = conn.Prepare(
              "UPDATE notification_deliveries SET state = 'delivered', delivered_at_us = ?,"
              " last_error = NULL WHERE id = ? AND state = 'pending'");
          done.setInt64(1, db::ToMicros(now));
          done.setInt64(2, d.id);
          done.executeUpdate();
          outcome = "delivered";
          return absl::OkStatus();
        }
        const std::string error = TruncateUtf8(result.ToString(), 500);
        if (!IsTransientDeliveryError(result) || d.attempts >= options_.max_attempts) {
          auto& dead = conn.Prepare(
              "UPDATE notification_deliveries SET state = 'dead', dead_at_us = ?, last_error = ?"
              " WHERE id = ? AND state = 'pending'");
          dead.setInt64(1, db::ToMicros(now));
          dead.setString(2, error);
          dead.setInt64(3, d.id);
          dead.executeUpdate();
          outcome = "dead";
          return absl::OkStatus();
        }
        absl::Duration backoff =
            std::min(options_.max_backoff,
                     options_.base_backoff * (int64_t{1} << std::min(d.attempts - 1, 20)));
        absl::BitGen gen;
        backoff += absl::Milliseconds(
            absl::Uniform<int64_t>(gen, 0, 1 + absl::ToInt64Milliseconds(backoff) / 4));
        auto& retry = conn.Prepare(
            "UPDATE notification_deliveries SET next_attempt_at_us = ?, last_error = ?"
            " WHERE id = ? AND state = 'pending'");
        retry.setInt64(1, db::ToMicros(now + backoff));
        retry.setString(2, error);
        retry.setInt64(3, d.id);
        retry.executeUpdate();
        outcome = "failed";
        return absl::OkStatus();
      });
  if (!written.ok()) return written;
  if (outcomes_ != nullptr) outcomes_->Add({{"channel", channel}, {"result", outcome}}).Increment();
  if (outcome == "delivered") {
    LogInfo("notification delivered", {{"delivery_id", d.id}, {"channel", channel},
                                       {"event_type", d.event_type}, {"event_key", d.event_key},
                                       {"attempts", d.attempts}});
  } else {
    LogWarning(outcome == "dead" ? "notification dead-lettered" : "notification delivery failed",
               {{"delivery_id", d.id}, {"channel", channel}, {"event_type", d.event_type},
                {"event_key", d.event_key}, {"attempts", d.attempts},
                {"error", result.ToString()}});
  }
  return absl::OkStatus();
}

absl::Status NotificationDispatcher::UpdateGauges() {
  if (pending_ == nullptr) return absl::OkStatus();
  absl::StatusOr<bool> read = db::RunRead<bool>(*pool_, "notification backlog", [&](db::Connection& conn) -> absl::StatusOr<bool> {
    auto& counts = conn.Prepare(
        "SELECT (SELECT COUNT(*) FROM notification_deliveries WHERE state = 'pending'),"
        " (SELECT COUNT(*) FROM notification_deliveries WHERE state = 'dead'),"
        " (SELECT MIN(created_at_us) FROM notification_deliveries WHERE state = 'pending')");
    std::unique_ptr<sql::ResultSet> rs(counts.executeQuery());
    if (rs->next()) {
      pending_->Set(static_cast<double>(rs->getInt64(1)));
      dead_->Set(static_cast<double>(rs->getInt64(2)));
      oldest_pending_age_->Set(
          rs->isNull(3) ? 0.0
                        : std::max(0.0, absl::ToDoubleSeconds(clock_->Now() -
                                                              db::FromMicros(rs->getInt64(3)))));
    }
    return true;
  });
  return read.status();
}

absl::StatusOr<int> NotificationDispatcher::DispatchOnce() {
  const absl::Time claimed_at = clock_->Now();
  absl::StatusOr<std::vector<Delivery>> due = Claim(claimed_at);
  if (!due.ok()) return due.status();
  const absl::Time claimed_until = claimed_at + options_.claim_timeout;
  int sent = 0;
  for (const Delivery& d : *due) {
    // Sent only if the send ends, at the latest, before the claim lapses.
    if (clock_->Now() + options_.max_send_time >= claimed_until) {
      std::vector<Delivery> unsent(due->begin() + sent, due->end());
      LogInfo("notification claim running short: handing deliveries back",
              {{"unsent", static_cast<int64_t>(unsent.size())}});
      if (absl::Status s = Unclaim(unsent, claimed_until); !s.ok()) return s;
      break;
    }
    auto it = channels_.find(d.channel);
    absl::Status result = it == channels_.end()
                              ? absl::UnavailableError("no sender for this channel")
                              : it->second(d);
    if (absl::Status s = Record(d, result); !s.ok()) return s;
    ++sent;
  }
  if (absl::Status s = UpdateGauges(); !s.ok()) return s;
  return sent;
}

absl::Status NotificationDispatcher::Unclaim(const std::vector<Delivery>& unsent,
                                             absl::Time claimed_until) {
  return db::RunTransactionStatus(
      *pool_, "unclaim notification deliveries", [&](db::Connection& conn) -> absl::Status {
        auto& back = conn.Prepare(
            "UPDATE notification_deliveries SET attempts = attempts - 1, next_attempt_at_us = ?"
            " WHERE id = ? AND state = 'pending' AND next_attempt_at_us = ?");
        for (const Delivery& d : unsent) {
          back.setInt64(1, db::ToMicros(clock_->Now()));
          back.setInt64(2, d.id);
          back.setInt64(3, db::ToMicros(claimed_until));
          back.executeUpdate();
        }
        return absl::OkStatus();
      });
}

// --- Reads and admin changes ----------------------------------------------------------

std::vector<Delivery> ListDeliveries(db::Connection& conn, const DeliveryFilter& f) {
  // One statement per filter shape, each on an index: (state, id),
  // (channel, target, id) or the primary key.
  std::string sql = absl::StrCat("SELECT ", kDeliveryColumns, " FROM notification_deliveries WHERE id < ?");
  if (f.state) sql += " AND state = ?";
  if (f.channel) sql += " AND channel = ?";
  if (!f.target.empty()) sql += " AND target = ?";
  if (!f.account_id.empty()) sql += " AND account_id = ?";
  sql += " ORDER BY id DESC LIMIT ?";
  auto& stmt = conn.Prepare(sql);
  int i = 1;
  stmt.setInt64(i++, f.before_id > 0 ? f.before_id : INT64_MAX);
  if (f.state) stmt.setString(i++, std::string(DeliveryStateName(*f.state)));
  if (f.channel) stmt.setString(i++, std::string(DeliveryChannelName(*f.channel)));
  if (!f.target.empty()) stmt.setString(i++, f.target);
  if (!f.account_id.empty()) stmt.setString(i++, f.account_id);
  stmt.setInt(i++, f.limit);
  std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
  std::vector<Delivery> out;
  while (rs->next()) out.push_back(ReadDelivery(*rs));
  return out;
}

std::optional<Delivery> FindDelivery(db::Connection& conn, int64_t id) {
  auto& stmt = conn.Prepare(
      absl::StrCat("SELECT ", kDeliveryColumns, " FROM notification_deliveries WHERE id = ?"));
  stmt.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadDelivery(*rs);
}

absl::Status ResendDeadDelivery(db::Connection& conn, int64_t id, absl::Time now) {
  auto& stmt = conn.Prepare(
      "UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at_us = ?,"
      " dead_at_us = NULL WHERE id = ? AND state = 'dead'");
  stmt.setInt64(1, db::ToMicros(now));
  stmt.setInt64(2, id);
  if (stmt.executeUpdate() == 1) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("delivery ", id, " is not dead; only dead letters are resent"));
}

void InsertWebhookSubscription(db::Connection& conn, const WebhookSubscriptionRow& row) {
  auto& stmt = conn.Prepare(
      "INSERT INTO webhook_subscriptions (id, account_id, url, event_types, description, secret,"
      " created_by, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  stmt.setString(1, row.id);
  stmt.setString(2, row.account_id);
  stmt.setString(3, row.url);
  stmt.setString(4, absl::StrJoin(row.event_types, ","));
  stmt.setString(5, row.description);
  stmt.setString(6, row.secret);
  stmt.setString(7, row.created_by);
  stmt.setInt64(8, db::ToMicros(row.created_at));
  stmt.executeUpdate();
}

std::optional<WebhookSubscriptionRow> FindWebhookSubscription(db::Connection& conn,
                                                              std::string_view id) {
  auto& stmt = conn.Prepare(
      absl::StrCat("SELECT ", kSubscriptionColumns, " FROM webhook_subscriptions WHERE id = ?"));
  stmt.setString(1, std::string(id));
  std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadSubscription(*rs);
}

std::vector<WebhookSubscriptionRow> ListWebhookSubscriptions(db::Connection& conn,
                                                             std::string_view account_id,
                                                             int64_t after_seq, int limit) {
  auto& stmt = conn.Prepare(absl::StrCat(
      "SELECT ", kSubscriptionColumns,
      " FROM webhook_subscriptions WHERE account_id = ? AND deleted_at_us IS NULL AND seq > ?"
      " ORDER BY seq LIMIT ?"));
  stmt.setString(1, std::string(account_id));
  stmt.setInt64(2, after_seq);
  stmt.setInt(3, limit);
  std::unique_ptr<sql::ResultSet> rs(stmt.executeQuery());
  std::vector<WebhookSubscriptionRow> out;
  while (rs->next()) out.push_back(ReadSubscription(*rs));
  return out;
}

bool DeleteWebhookSubscription(db::Connection& conn, std::string_view id, absl::Time now) {
  auto& stmt = conn.Prepare(
      "UPDATE webhook_subscriptions SET deleted_at_us = ? WHERE id = ? AND deleted_at_us IS NULL");
  stmt.setInt64(1, db::ToMicros(now));
  stmt.setString(2, std::string(id));
  return stmt.executeUpdate() == 1;
}

}  // namespace aftercare
