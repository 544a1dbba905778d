// The use cases of an RMA's decisions besides approval (approve_rma.h):
// CancelRma and RejectRma. Each runs one idempotent transaction (a retry
// with the same request_id gets the first answer): the RMA found in the
// caller's reach (another account's answers NOT_FOUND, like an unknown
// one), its etag checked, the decision recorded with its reason
// (Rmas::Cancel, Rmas::Reject), and the RMA answered as the API's message.
// The handler wakes the outbox after the commit (the customer's
// notification).
#ifndef AFTERCARE_RMA_SVC_DECISION_USE_CASES_H_
#define AFTERCARE_RMA_SVC_DECISION_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

// The customer (or support) withdraws a request still PENDING.
class CancelRmaUseCase {
 public:
  explicit CancelRmaUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const v1::CancelRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

// The TSE refuses a PENDING request, with the reason the customer is told.
class RejectRmaUseCase {
 public:
  explicit RejectRmaUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const v1::RejectRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_DECISION_USE_CASES_H_
