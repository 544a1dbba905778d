// The return clock's sweeper: finds replacement RMAs whose defective unit is
// past due and not received, and records the non-return charge (the
// product's full list price) with its notification. Each charge is a
// conditional UPDATE in its own transaction, so when several replicas sweep
// at once every RMA is charged exactly once. rma_spec.cc runs it on a
// thread every --return_sweep_interval; tests call SweepOnce directly.
#ifndef AFTERCARE_RMA_SVC_RMA_SWEEPER_H_
#define AFTERCARE_RMA_SVC_RMA_SWEEPER_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/outbox.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_repository.h"

namespace aftercare::rma {

class ReturnSweeper {
 public:
  // `outbox` (may be null) is woken when a charge enqueued a notification.
  ReturnSweeper(const Rmas* domain, RmaStore* store, const Clock* clock, OutboxDispatcher* outbox)
      : domain_(*domain), store_(*store), clock_(*clock), outbox_(outbox) {}

  // Charges up to `limit` overdue RMAs; returns how many this call charged.
  absl::StatusOr<int> SweepOnce(int limit = 200);

 private:
  const Rmas& domain_;
  RmaStore& store_;
  const Clock& clock_;
  OutboxDispatcher* outbox_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_SWEEPER_H_
