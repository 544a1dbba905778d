// ApproveRmaUseCase: the use case behind RmaService/ApproveRma, one step
// after the other:
//   1. the request id checked, and the RMA read and checked for approval
//      (Rmas::PrepareApprove: it exists for the caller, it is REQUESTED),
//      without holding a transaction;
//   2. the unit's entitlement read again from inventory-svc, outside any
//      transaction: the decision is taken on today's entitlement, not the
//      one seen at request time;
//   3. the next RMA number taken (outside the transaction);
//   4. the approval written in one idempotent transaction (Rmas::Approve,
//      which checks the state and the etag again under the row lock).
// UpdateRmaUseCase (update_rma.h) has the same shape for amendments.
#ifndef AFTERCARE_RMA_SVC_APPROVE_RMA_H_
#define AFTERCARE_RMA_SVC_APPROVE_RMA_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "common/db/id_allocator.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class ApproveRmaUseCase {
 public:
  // `rma_numbers`: the "rma" sequence of RMA numbers.
  ApproveRmaUseCase(RmaUseCaseDeps deps, db::IdSource& rma_numbers)
      : deps_(deps), rma_numbers_(rma_numbers) {}

  // `call`: the incoming call; may be null.
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const CallInfo* call,
                              const v1::ApproveRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
  db::IdSource& rma_numbers_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_APPROVE_RMA_H_
