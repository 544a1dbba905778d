#include "rma-svc/approve_rma.h"

#include "common/idempotency.h"
#include "common/status.h"
#include "rma-svc/rma_view.h"

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
  v1::Rma out;
  RETURN_IF_ERROR(deps_.store.Mutate(
      IdempotencyKey::For(caller, req.request_id(), "ApproveRma"), req, "ApproveRma", &out,
      [&](RmaRepository& repo) -> absl::StatusOr<v1::Rma> {
        ASSIGN_OR_RETURN(Rma r, deps_.domain.Approve(caller, req.name(), req.etag(), e, seq, repo));
        return ToProto(r, deps_.clock.Now());
      }));
  return out;
}

}  // namespace aftercare::rma
