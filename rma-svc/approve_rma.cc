#include "rma-svc/approve_rma.h"

#include "common/idempotency.h"
#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> ApproveRmaUseCase::Run(const Principal& caller, const CallInfo* call,
                                               const v1::ApproveRmaRequest& req) const {
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  Rma current;
  RETURN_IF_ERROR(deps_.store.Read("approve rma", [&](RmaRepository& repo) -> absl::Status {
    ASSIGN_OR_RETURN(current, deps_.domain.PrepareApprove(caller, req.name(), repo));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(EntitlementView e, deps_.inventory.GetEntitlement(current.serial, call));
  ASSIGN_OR_RETURN(int64_t seq, rma_numbers_.Next("rma"));
  return WriteRma(deps_, caller, req, "ApproveRma", [&](RmaRepository& repo) {
    return deps_.domain.Approve(caller, req.name(), req.etag(), e, seq, repo);
  });
}

}  // namespace aftercare::rma
