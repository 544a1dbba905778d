#include "rma-svc/decision_use_cases.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> CancelRmaUseCase::Run(const Principal& caller,
                                              const v1::CancelRmaRequest& request) const {
  return WriteRma(deps_, caller, request, "CancelRma", [&](RmaRepository& repo) {
    return deps_.domain.Cancel(caller, request.name(), request.reason(), request.etag(), repo);
  });
}

absl::StatusOr<v1::Rma> RejectRmaUseCase::Run(const Principal& caller,
                                              const v1::RejectRmaRequest& request) const {
  return WriteRma(deps_, caller, request, "RejectRma", [&](RmaRepository& repo) {
    return deps_.domain.Reject(caller, request.name(), request.reason(), request.etag(), repo);
  });
}

}  // namespace aftercare::rma
