// CreateTradeInUseCase: the use case behind CaseService/CreateTradeInCase,
// one step after the other:
//   1. the request checked and the trade-in case prepared
//      (Cases::PrepareTradeIn): nothing is asked or written for a bad one;
//   2. each SKU that decides TMIP eligibility looked up in inventory-svc's
//      catalog. Unlike a product lookup, eligibility cannot wait: when
//      inventory-svc cannot answer, the call fails UNAVAILABLE (retry with
//      the same request_id) and nothing is written;
//   3. the eligibility rules (Cases::CheckEligibility);
//   4. the day's next case number (NextCaseId, create_case.h);
//   5. the case written in one idempotent transaction.
#ifndef AFTERCARE_CASE_SVC_CREATE_TRADE_IN_H_
#define AFTERCARE_CASE_SVC_CREATE_TRADE_IN_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_repository.h"
#include "case-svc/cases.h"
#include "case-svc/inventory_client.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "common/clock.h"

namespace aftercare::cases {

class CreateTradeInUseCase {
 public:
  CreateTradeInUseCase(const Cases& domain, CaseStore& store, InventoryGateway& inventory,
                       const Clock& clock)
      : domain_(domain), store_(store), inventory_(inventory), clock_(clock) {}

  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller, const CallInfo* call,
                                      const v1::CreateTradeInCaseRequest& request) const;

 private:
  const Cases& domain_;
  CaseStore& store_;
  InventoryGateway& inventory_;
  const Clock& clock_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CREATE_TRADE_IN_H_
