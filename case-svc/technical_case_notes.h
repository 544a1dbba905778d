// Notes on technical (JTAC) cases. A technical case is opened and worked
// outside this suite; RMAs name it (technical_case_id) and rma-svc adds each
// RMA notification to it as a public note through its outbox. case-svc keeps
// those notes so the case's account can read them.
//
// Rules: adding is for the suite's services and admins (case_policy.cc);
// a note is idempotent by (technical_case_id, note_id) as well as by
// request_id, because an outbox may deliver one note twice under two
// request ids; all notes of a technical case belong to one account. Reading
// is account-scoped in the query: customers and partners see only notes of
// their accounts, so another account's case lists as empty, exactly like a
// case without notes.
#ifndef AFTERCARE_CASE_SVC_TECHNICAL_CASE_NOTES_H_
#define AFTERCARE_CASE_SVC_TECHNICAL_CASE_NOTES_H_

#include <string>

#include "absl/status/statusor.h"
#include "case-svc/case_repository.h"
#include "case-svc/case_types.h"
#include "case-svc/cases.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/page_token.h"

namespace aftercare::cases {

inline constexpr size_t kMaxTechnicalNoteSubjectBytes = 200;
inline constexpr size_t kMaxTechnicalNoteIdBytes = 128;

// What a caller asks to add.
struct TechnicalCaseNoteDraft {
  std::string technical_case_id;
  std::string account_id;
  std::string note_id;
  std::string subject;
  std::string body;
};

class TechnicalCaseNotes {
 public:
  TechnicalCaseNotes(const Clock& clock, const PageTokenCodec* page_tokens)
      : clock_(clock), page_tokens_(page_tokens) {}

  // INVALID_ARGUMENT naming the first bad field: technical_case_id,
  // account_id (1-64 of A-Z, a-z, 0-9, '-', '_', '.'), note_id (1-128 of
  // the same), subject (1-200 bytes of text), body (1-16 KiB of text).
  absl::Status Validate(const TechnicalCaseNoteDraft& draft) const;

  // Stores the note (source = the caller's subject, visibility PUBLIC), or
  // returns the stored one when the case already has a note with this
  // note_id and the same account, subject and body. ALREADY_EXISTS when that
  // note_id holds other content; FAILED_PRECONDITION when the technical case
  // already has notes of another account.
  absl::StatusOr<TechnicalCaseNote> Add(const Principal& caller,
                                        const TechnicalCaseNoteDraft& draft,
                                        CaseRepository& repo) const;

  // The notes of a technical case the caller may see, oldest first, keyset
  // pages. Another account's case (or an unknown one) is an empty page.
  absl::StatusOr<Page<TechnicalCaseNote>> List(const Principal& caller,
                                               const std::string& technical_case_id,
                                               int32_t page_size, const std::string& page_token,
                                               CaseRepository& repo) const;

 private:
  const Clock& clock_;
  const PageTokenCodec* page_tokens_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_TECHNICAL_CASE_NOTES_H_
