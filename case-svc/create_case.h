// CreateCaseUseCase: the use case behind CaseService/CreateCase, one step
// after the other:
//   1. the request checked and the case prepared (Cases::PrepareCase):
//      nothing is asked of inventory-svc or the database for a bad request;
//   2. the product looked up in inventory-svc on behalf of the case's
//      account, when the case names a serial or an SSRN. A lookup that
//      fails does not fail the call: the case is created with its lookup
//      PENDING and the outbox fills the product fields later;
//   3. the day's next case number taken (from a block, outside the
//      transaction: a number is never reused, one may go unused);
//   4. the case written in one idempotent transaction (Cases::CreateCase):
//      a retry with the same request_id gets the first answer.
#ifndef AFTERCARE_CASE_SVC_CREATE_CASE_H_
#define AFTERCARE_CASE_SVC_CREATE_CASE_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_repository.h"
#include "case-svc/cases.h"
#include "case-svc/inventory_client.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "common/clock.h"

namespace aftercare::cases {

// The next case number, admin and trade-in cases alike: YYYY-MMDD-NNNNN of
// today (UTC) from the day's sequence (a block of numbers, outside any
// transaction: a number is never reused, one may go unused).
absl::StatusOr<std::string> NextCaseId(CaseStore& store, const Clock& clock);

class CreateCaseUseCase {
 public:
  CreateCaseUseCase(const Cases& domain, CaseStore& store, InventoryGateway& inventory, const Clock& clock)
      : domain_(domain), store_(store), inventory_(inventory), clock_(clock) {}

  // `call`: the incoming call (its request id and trace go on to
  // inventory-svc); may be null.
  absl::StatusOr<v1::Case> Run(const Principal& caller, const CallInfo* call,
                               const v1::CreateCaseRequest& request) const;

 private:
  const Cases& domain_;
  CaseStore& store_;
  InventoryGateway& inventory_;
  const Clock& clock_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CREATE_CASE_H_
