// CreateRmaUseCase: the use case behind RmaService/CreateRma, one step after
// the other:
//   1. the request checked (Rmas::ValidateCreate, the request id, the damage
//      cause): nothing is asked of inventory-svc or the database for a bad
//      request;
//   2. the unit's entitlement read from inventory-svc, outside any
//      transaction (UNAVAILABLE when it cannot answer: an RMA is not opened
//      on a guess);
//   3. the next validation number taken (from a block, outside the
//      transaction: a number is never reused, one may go unused);
//   4. the RMA and its first notification written in one idempotent
//      transaction (Rmas::Create): a retry with the same request_id gets the
//      first answer.
#ifndef AFTERCARE_RMA_SVC_CREATE_RMA_H_
#define AFTERCARE_RMA_SVC_CREATE_RMA_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "common/db/id_allocator.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class CreateRmaUseCase {
 public:
  // `validation_numbers`: the "rma" sequence of validation numbers.
  CreateRmaUseCase(RmaUseCaseDeps deps, db::IdSource& validation_numbers)
      : deps_(deps), validation_numbers_(validation_numbers) {}

  // `call`: the incoming call (its request id and trace go on to
  // inventory-svc); may be null.
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const CallInfo* call,
                              const v1::CreateRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
  db::IdSource& validation_numbers_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_CREATE_RMA_H_
