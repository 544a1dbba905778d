#include "case-svc/create_trade_in.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "case-svc/case_proto.h"
#include "case-svc/create_case.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<v1::TradeInCase> CreateTradeInUseCase::Run(
    const Principal& caller, const CallInfo* call,
    const v1::CreateTradeInCaseRequest& request) const {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  ASSIGN_OR_RETURN(TradeIn draft, TradeInFromProto(request.trade_in_case(), false));
  ASSIGN_OR_RETURN(TradeIn prepared, domain_.PrepareTradeIn(caller, std::move(draft)));

  std::map<std::string, CatalogEntry> catalog;
  for (const std::string& sku : domain_.SkusToLookUp(prepared)) {
    absl::StatusOr<CatalogEntry> entry = inventory_.LookUpSku(call, sku);
    if (!entry.ok()) {
      return DependencyUnavailable(
          absl::UnavailableError(absl::StrCat("cannot check TMIP eligibility now (inventory-svc: ",
                                              entry.status().message(),
                                              "); retry with the same request_id")),
          "inventory-svc");
    }
    catalog[sku] = *std::move(entry);
  }
  RETURN_IF_ERROR(domain_.CheckEligibility(prepared, catalog));

  ASSIGN_OR_RETURN(const std::string id, NextCaseId(store_, clock_));
  return store_.WriteOnce<v1::TradeInCase>(
      caller, request, "CreateTradeInCase", "create trade-in case",
      [&](CaseRepository& repo) -> absl::StatusOr<v1::TradeInCase> {
        ASSIGN_OR_RETURN(TradeIn t, domain_.CreateTradeIn(caller, prepared, id, repo));
        v1::TradeInCase proto;
        ToProto(t, &proto);
        return proto;
      });
}

}  // namespace aftercare::cases
