#include "case-svc/add_technical_case_note.h"

#include "case-svc/case_proto.h"
#include "common/idempotency.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<v1::TechnicalCaseNote> AddTechnicalCaseNoteUseCase::Run(
    const Principal& caller, const v1::AddTechnicalCaseNoteRequest& request) const {
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  const TechnicalCaseNoteDraft draft{request.technical_case_id(), request.account_id(),
                                     request.note_id(), request.subject(), request.body()};
  RETURN_IF_ERROR(notes_.Validate(draft));
  return store_.WriteOnce<v1::TechnicalCaseNote>(
      caller, request, "AddTechnicalCaseNote", "add technical case note",
      [&](CaseRepository& repo) -> absl::StatusOr<v1::TechnicalCaseNote> {
        ASSIGN_OR_RETURN(TechnicalCaseNote n, notes_.Add(caller, draft, repo));
        v1::TechnicalCaseNote out;
        ToProto(n, &out);
        return out;
      });
}

}  // namespace aftercare::cases
