// UpdateRmaUseCase: the use case behind RmaService/UpdateRma (amending a
// REQUESTED RMA), one step after the other:
//   1. the request parsed (the name and etag from the request or its rma,
//      the mask, the enums) and the request id checked;
//   2. the RMA read and the amendment checked (Rmas::PrepareAmend), without
//      holding a transaction;
//   3. the unit's entitlement read from inventory-svc, outside any
//      transaction (a changed type is checked against it);
//   4. the amendment written in one idempotent transaction (Rmas::Amend).
#ifndef AFTERCARE_RMA_SVC_UPDATE_RMA_H_
#define AFTERCARE_RMA_SVC_UPDATE_RMA_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class UpdateRmaUseCase {
 public:
  explicit UpdateRmaUseCase(RmaUseCaseDeps deps) : deps_(deps) {}

  // `call`: the incoming call; may be null.
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const CallInfo* call,
                              const v1::UpdateRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_UPDATE_RMA_H_
