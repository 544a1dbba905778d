// AddTechnicalCaseNoteUseCase: the use case behind
// CaseService/AddTechnicalCaseNote (rma-svc's notes on a JTAC case):
//   1. the request id and the note checked (TechnicalCaseNotes::Validate):
//      nothing is written for a bad note;
//   2. in one idempotent transaction, the note stored, or the stored one
//      returned when the case already has this note_id with the same
//      content (a redelivery); another content under that note_id is
//      ALREADY_EXISTS, and a case with another account's notes is refused.
#ifndef AFTERCARE_CASE_SVC_ADD_TECHNICAL_CASE_NOTE_H_
#define AFTERCARE_CASE_SVC_ADD_TECHNICAL_CASE_NOTE_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_repository.h"
#include "case-svc/technical_case_notes.h"
#include "common/auth.h"

namespace aftercare::cases {

class AddTechnicalCaseNoteUseCase {
 public:
  AddTechnicalCaseNoteUseCase(const TechnicalCaseNotes& notes, CaseStore& store)
      : notes_(notes), store_(store) {}

  absl::StatusOr<v1::TechnicalCaseNote> Run(const Principal& caller,
                                            const v1::AddTechnicalCaseNoteRequest& request) const;

 private:
  const TechnicalCaseNotes& notes_;
  CaseStore& store_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_ADD_TECHNICAL_CASE_NOTE_H_
