#include "rma-svc/rma_sweeper.h"

#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<int> ReturnSweeper::SweepOnce(int limit) {
  std::vector<int64_t> ids;
  RETURN_IF_ERROR(store_.Read("find overdue returns", [&](RmaRepository& repo) -> absl::Status {
    ASSIGN_OR_RETURN(ids, repo.OverdueUncharged(clock_.Now(), limit));
    return absl::OkStatus();
  }));
  int charged = 0;
  for (int64_t id : ids) {
    bool mine = false;
    RETURN_IF_ERROR(store_.Transact("charge non-return", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(mine, domain_.ChargeIfOverdue(id, repo));
      return absl::OkStatus();
    }));
    if (mine) ++charged;
  }
  if (charged > 0 && outbox_ != nullptr) outbox_->Notify();
  return charged;
}

}  // namespace aftercare::rma
