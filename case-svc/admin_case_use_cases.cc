#include "case-svc/admin_case_use_cases.h"

#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<v1::Case> TakeCaseOwnershipUseCase::Run(
    const Principal& caller, const v1::TakeCaseOwnershipRequest& request) const {
  return WriteCase(deps_, caller, request, "TakeCaseOwnership", "take case ownership",
                   [&](CaseRepository& repo) {
                     return deps_.domain.TakeOwnership(caller, request.case_id(), request.owner(),
                                                       request.etag(), repo);
                   });
}

absl::StatusOr<v1::Case> UpdateCaseStatusUseCase::Run(
    const Principal& caller, const v1::UpdateCaseStatusRequest& request) const {
  ASSIGN_OR_RETURN(CaseStatus status,
                   FromEnum<CaseStatus>(request.status(), v1::CaseStatus_IsValid, "status"));
  return WriteCase(deps_, caller, request, "UpdateCaseStatus", "update case status",
                   [&](CaseRepository& repo) {
                     return deps_.domain.UpdateStatus(caller, request.case_id(), status,
                                                      request.etag(), repo, request.question());
                   });
}

absl::StatusOr<v1::Case> AddCaseNoteUseCase::Run(const Principal& caller,
                                                 const v1::AddCaseNoteRequest& request) const {
  return WriteCase(deps_, caller, request, "AddCaseNote", "add case note",
                   [&](CaseRepository& repo) {
                     return deps_.domain.AddNote(caller, request.case_id(), request.body(),
                                                 request.internal(), repo);
                   });
}

absl::StatusOr<v1::Case> EscalateCaseUseCase::Run(const Principal& caller,
                                                  const v1::EscalateCaseRequest& request) const {
  ASSIGN_OR_RETURN(EscalationKind kind,
                   FromEnum<EscalationKind>(request.kind(), v1::EscalationKind_IsValid, "kind"));
  return WriteCase(
      deps_, caller, request, "EscalateCase", "escalate case", [&](CaseRepository& repo) {
        return deps_.domain.Escalate(caller, request.case_id(), kind, request.reason(), repo);
      });
}

absl::StatusOr<v1::Case> ResolveCaseUseCase::Run(const Principal& caller,
                                                 const v1::ResolveCaseRequest& request) const {
  return WriteCase(
      deps_, caller, request, "ResolveCase", "resolve case", [&](CaseRepository& repo) {
        return deps_.domain.Resolve(caller, request.case_id(), request.resolution(),
                                    request.corrected_tracking_number(), request.etag(), repo);
      });
}

absl::StatusOr<v1::Case> CloseCaseUseCase::Run(const Principal& caller,
                                               const v1::CloseCaseRequest& request) const {
  return WriteCase(deps_, caller, request, "CloseCase", "close case", [&](CaseRepository& repo) {
    return deps_.domain.Close(caller, request.case_id(), repo);
  });
}

absl::StatusOr<v1::Case> ReopenCaseUseCase::Run(const Principal& caller,
                                                const v1::ReopenCaseRequest& request) const {
  return WriteCase(deps_, caller, request, "ReopenCase", "reopen case", [&](CaseRepository& repo) {
    return deps_.domain.Reopen(caller, request.case_id(), request.reason(), repo);
  });
}

absl::StatusOr<v1::Case> ApproveReinstatementUseCase::Run(
    const Principal& caller, const v1::ApproveReinstatementRequest& request) const {
  return WriteCase(deps_, caller, request, "ApproveReinstatement", "approve reinstatement",
                   [&](CaseRepository& repo) {
                     return deps_.domain.ApproveReinstatement(caller, request.case_id(),
                                                              request.inspection_reference(), repo);
                   });
}

}  // namespace aftercare::cases
