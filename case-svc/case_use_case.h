// What case-svc's one-transaction use cases share (admin_case_use_cases.h,
// trade_in_use_cases.h, case_queries.h): their dependencies, and their last
// step, the change written in one idempotent transaction under the
// request's request_id and the RPC's name (a retry gets the stored answer)
// and answered as the API's message.
#ifndef AFTERCARE_CASE_SVC_CASE_USE_CASE_H_
#define AFTERCARE_CASE_SVC_CASE_USE_CASE_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_proto.h"
#include "case-svc/case_repository.h"
#include "case-svc/case_view.h"
#include "case-svc/cases.h"
#include "common/auth.h"
#include "common/clock.h"

namespace aftercare::cases {

// The domain, the store, and the clock a case's SLA view is computed at.
struct CaseUseCaseDeps {
  const Cases& domain;
  CaseStore& store;
  const Clock& clock;
};

// Runs `body(repo) -> StatusOr<Case>` as `method`'s idempotent write and
// answers the case as the API's message.
template <typename Req, typename Body>
absl::StatusOr<v1::Case> WriteCase(const CaseUseCaseDeps& deps, const Principal& caller,
                                   const Req& request, const char* method, const char* what,
                                   Body body) {
  return deps.store.WriteOnce<v1::Case>(caller, request, method, what, body, [&](const Case& c) {
    return CaseToProto(c, deps.domain, deps.clock.Now());
  });
}

// The same for a trade-in case.
template <typename Req, typename Body>
absl::StatusOr<v1::TradeInCase> WriteTradeIn(const CaseUseCaseDeps& deps, const Principal& caller,
                                             const Req& request, const char* method,
                                             const char* what, Body body) {
  return deps.store.WriteOnce<v1::TradeInCase>(caller, request, method, what, body,
                                               [](const TradeIn& trade_in) {
                                                 v1::TradeInCase out;
                                                 ToProto(trade_in, &out);
                                                 return out;
                                               });
}

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_USE_CASE_H_
