#include "case-svc/create_case.h"

#include <utility>

#include "absl/time/civil_time.h"
#include "case-svc/case_proto.h"
#include "case-svc/case_view.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<std::string> NextCaseId(CaseStore& store, const Clock& clock) {
  const absl::CivilDay day = absl::ToCivilDay(clock.Now(), absl::UTCTimeZone());
  ASSIGN_OR_RETURN(int64_t seq, store.NextCaseSequence(absl::FormatCivilTime(day)));
  return FormatCaseId(day, seq);
}

absl::StatusOr<v1::Case> CreateCaseUseCase::Run(const Principal& caller, const CallInfo* call,
                                         const v1::CreateCaseRequest& request) const {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  ASSIGN_OR_RETURN(Case draft, CaseFromProto(request.case_()));
  ASSIGN_OR_RETURN(Case prepared, domain_.PrepareCase(caller, std::move(draft)));

  ProductLookup lookup;
  if (!prepared.serial.empty() || !prepared.ssrn.empty()) {
    // On behalf of the case's account (one of a scoped caller's accounts:
    // PrepareCase): only that account's unit fills the product.
    absl::StatusOr<ProductLookup> found =
        inventory_.LookUpProduct(call, prepared.serial, prepared.ssrn, prepared.account_id);
    if (found.ok()) {
      lookup = *std::move(found);
    } else {
      LogWarning("inventory lookup failed; product fields will be filled later",
                 {{"error", found.status().ToString()}});
      lookup.state = LookupState::kPending;
    }
  }

  ASSIGN_OR_RETURN(const std::string id, NextCaseId(store_, clock_));

  // The key goes on the case row with the answer (RepositoryStore::CreateOnce).
  return store_.CreateOnce<v1::Case>(
      caller, request, "CreateCase", "create case",
      [&](CaseRepository& repo, const RowKey* key) -> absl::StatusOr<v1::Case> {
        v1::Case answer;
        const CaseCreateKey create{key, [&](const Case& c) {
                                     answer = CaseToProto(c, domain_, clock_.Now());
                                     return answer.SerializeAsString();
                                   }};
        ASSIGN_OR_RETURN(Case c, domain_.CreateCase(caller, prepared, id, lookup, repo, &create));
        if (key == nullptr) return CaseToProto(c, domain_, clock_.Now());
        return answer;  // the one stored with the case
      },
      [](CaseRepository& repo, const RowKey& key) { return repo.FindCreateAnswer(key); });
}

}  // namespace aftercare::cases
