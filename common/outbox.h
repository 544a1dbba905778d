// Transactional outbox: a service that owes another service a call writes an
// event in the same transaction as its own change (EnqueueEvent), and the
// OutboxDispatcher delivers it afterwards, at least once, in order per
// aggregate, retrying with exponential backoff. Receivers are idempotent:
// handlers pass `DeliveryRequestId(event)` as the request_id of the call.
//
// One dispatcher per service is active at a time: it holds the 'outbox'
// lease (common/db/lease.h), renewed at every pass and with every event it
// marks delivered; other replicas stand by and take over when the lease
// expires (--outbox_leader_lease after the leader's last renewal) or is
// released by a stopping leader.
//
//   // inside RunTransaction:
//   EnqueueEvent(conn, clock, "rma", rma_number, "inventory.AllocateSpare", request);
//   // at start-up:
//   dispatcher.RegisterHandler("inventory.AllocateSpare", [&](const OutboxEvent& e) {
//     ASSIGN_OR_RETURN(auto req, ParseEventPayload<inv::AllocateSpareRequest>(e));
//     return Call(req);  // UNAVAILABLE etc.: retried; PoisonEvent(...): dead-lettered
//   });
//   dispatcher.Start();
//
// The failure rule. A handler's answer decides the event's fate:
//   - OK: delivered (delivered_at_us set);
//   - IsPoison(status) (PoisonEvent, or ParseEventPayload on a payload that
//     does not parse): the event can never be delivered. It is dead-lettered
//     (dead_at_us set, last_error kept, never delivered_at_us), counted in
//     aftercare_outbox_dead_lettered_total{event_type} and logged at error
//     level ("outbox event dead-lettered" with its id, type, aggregate and
//     reason). An event whose event_type has no registered handler is poison
//     too (during a rollout that adds an event type, a leader still on the
//     old build dead-letters the new type's events: replay them afterwards);
//   - any other error: retried with backoff, holding back the later events
//     of its aggregate meanwhile.
// A dead event no longer counts as pending: the later events of its
// aggregate are delivered after it (the aggregate goes on without the dead
// effect rather than stopping for good), and aftercare_outbox_pending and
// aftercare_outbox_oldest_pending_age_seconds leave it out;
// aftercare_outbox_dead_letters counts the dead events kept. Dead events are
// never purged (PurgeDeliveredEvents deletes delivered events only): they
// stay until an operator acts (docs/RUNBOOKS.md#aftercareoutboxdeadlettered).
//   -- see them (in the service's database):
//   SELECT id, aggregate_type, aggregate_id, event_type, attempts, last_error, dead_at_us
//     FROM outbox_events WHERE delivered_at_us IS NULL AND dead_at_us IS NOT NULL ORDER BY id;
//   -- replay one once its cause is fixed (a build with the handler, the data
//   -- corrected): due at once, and ahead of its aggregate's still pending
//   -- later events; those delivered while it was dead stay delivered.
//   UPDATE outbox_events SET dead_at_us = NULL, next_attempt_at_us = 0 WHERE id = ...;
//   -- or give it up for good:
//   DELETE FROM outbox_events WHERE id = ... AND dead_at_us IS NOT NULL;
#ifndef AFTERCARE_COMMON_OUTBOX_H_
#define AFTERCARE_COMMON_OUTBOX_H_

#include <google/protobuf/message.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/db/lease.h"
#include "common/sync.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace aftercare {

struct OutboxEvent {
  int64_t id = 0;
  std::string aggregate_type;
  std::string aggregate_id;
  std::string event_type;
  std::string payload;  // serialized protobuf message
  int attempts = 0;
  absl::Time created_at;
};

// Returns the status a handler returns for an event that can never be
// delivered (its content refused for good, whatever the receiver's state):
// the dispatcher dead-letters the event instead of retrying it. The code is
// INVALID_ARGUMENT; what marks it is a payload (IsPoison), so it survives
// RETURN_IF_ERROR and ASSIGN_OR_RETURN.
//   if (req.rma_number().empty()) return PoisonEvent("AllocateSpare without an RMA number");
absl::Status PoisonEvent(absl::string_view why);

// True when `status` came from PoisonEvent.
bool IsPoison(const absl::Status& status);

// Returns the event's payload parsed as an M, or PoisonEvent("payload of
// <event_type> is not a <M's full name>") when it does not parse: every
// handler reads its payload this way.
//   ASSIGN_OR_RETURN(auto req, ParseEventPayload<inv::ReinstateUnitRequest>(e));
template <typename M>
absl::StatusOr<M> ParseEventPayload(const OutboxEvent& event) {
  M message;
  if (!message.ParseFromString(event.payload)) {
    return PoisonEvent(absl::StrCat("payload of ", event.event_type, " is not a ",
                                    M::descriptor()->full_name()));
  }
  return message;
}

// Writes an event in the caller's transaction. Throws sql::SQLException.
void EnqueueEvent(db::Connection& conn, const Clock& clock, absl::string_view aggregate_type,
                  absl::string_view aggregate_id, absl::string_view event_type,
                  const google::protobuf::Message& payload);

// Deletes events delivered before `cutoff`, in batches; returns how many.
// Dead events (dead_at_us set) are kept, whatever their age.
absl::StatusOr<int64_t> PurgeDeliveredEvents(db::ConnectionPool& pool, absl::Time cutoff);

// The request_id a handler uses for the delivery call: stable across retries.
std::string DeliveryRequestId(absl::string_view service, const OutboxEvent& event);

struct OutboxOptions {
  std::string service;  // used in the request ids
  // Who holds the lease: stable across restarts of one instance (so a
  // restarted replica takes its own lease back at once); empty: a new
  // LeaseHolderId(service) per dispatcher.
  std::string holder;
  absl::Duration leader_lease = absl::Seconds(10);
  absl::Duration poll_interval = absl::Milliseconds(200);
  absl::Duration base_backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Minutes(5);
  int batch_size = 64;
  absl::Duration retention = absl::Hours(24 * 7);  // delivered events kept this long
};

class OutboxDispatcher {
 public:
  // A handler returns OK when the receiver has the event, a PoisonEvent
  // status when it can never have it (dead-lettered), any other status to
  // be retried later; handlers must not block past their own deadline.
  using Handler = std::function<absl::Status(const OutboxEvent&)>;

  // `pool` is the dispatcher's own pool (size 1 is enough).
  OutboxDispatcher(std::unique_ptr<db::ConnectionPool> pool, const Clock* clock,
                   std::shared_ptr<prometheus::Registry> registry, OutboxOptions options);
  ~OutboxDispatcher();

  void RegisterHandler(std::string event_type, Handler handler);

  // Runs the delivery loop on a thread until Stop().
  void Start();
  void Stop();
  // Wakes the loop now (after a commit that enqueued events).
  void Notify();

  // Delivers what is due once, as the loop does; returns how many events were
  // delivered (dead-lettered ones are not). Used by tests and by the loop
  // itself.
  absl::StatusOr<int> DispatchOnce();

 private:
  absl::StatusOr<bool> EnsureLeader(db::Connection& conn);
  void Loop();
  absl::Duration ErrorBackoff(int consecutive_failures) const;
  // Sets the pending, dead-letter and oldest-pending-age gauges (leader
  // only). Throws sql::SQLException.
  void UpdateBacklogGauges(db::Connection& conn);

  std::unique_ptr<db::ConnectionPool> pool_;
  const Clock* clock_;
  OutboxOptions options_;
  std::map<std::string, Handler> handlers_;
  db::Lease lease_;
  bool leader_ = false;

  Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  prometheus::Family<prometheus::Counter>* delivered_ = nullptr;
  prometheus::Family<prometheus::Counter>* failed_ = nullptr;
  prometheus::Family<prometheus::Counter>* dead_lettered_ = nullptr;
  prometheus::Counter* dispatch_errors_ = nullptr;
  prometheus::Gauge* pending_ = nullptr;
  prometheus::Gauge* dead_letters_ = nullptr;
  prometheus::Gauge* oldest_pending_age_ = nullptr;
};

// The query behind aftercare_outbox_oldest_pending_age_seconds (its plan is
// tested).
extern const char kOldestPendingSql[];

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_OUTBOX_H_
