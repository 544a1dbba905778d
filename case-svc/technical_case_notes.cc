#include "case-svc/technical_case_notes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"

namespace aftercare::cases {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

bool SameContent(const TechnicalCaseNote& n, const TechnicalCaseNoteDraft& d) {
  return n.account_id == d.account_id && n.subject == d.subject && n.body == d.body;
}

}  // namespace

absl::Status TechnicalCaseNotes::Validate(const TechnicalCaseNoteDraft& d) const {
  RETURN_IF_ERROR(CheckExternalId(d.technical_case_id, "technical_case_id", 64));
  RETURN_IF_ERROR(CheckExternalId(d.account_id, "account_id", 64));
  RETURN_IF_ERROR(CheckExternalId(d.note_id, "note_id", kMaxTechnicalNoteIdBytes));
  RETURN_IF_ERROR(CheckText(d.subject, "subject", kMaxTechnicalNoteSubjectBytes, true));
  RETURN_IF_ERROR(CheckText(d.body, "body", kMaxNoteBytes, true));
  return absl::OkStatus();
}

absl::StatusOr<TechnicalCaseNote> TechnicalCaseNotes::Add(const Principal& caller,
                                                          const TechnicalCaseNoteDraft& d,
                                                          CaseRepository& repo) const {
  RETURN_IF_ERROR(Validate(d));
  // The same note again (an outbox delivering twice): the stored answer.
  auto existing = [&]() -> absl::StatusOr<std::optional<TechnicalCaseNote>> {
    ASSIGN_OR_RETURN(std::optional<TechnicalCaseNote> found,
                     repo.FindTechnicalCaseNote(d.technical_case_id, d.note_id));
    if (!found) return found;
    if (!SameContent(*found, d)) {
      return absl::AlreadyExistsError(
          absl::StrCat("note_id: technical case ", d.technical_case_id, " already has a note ",
                       d.note_id, " with other content"));
    }
    return found;
  };
  ASSIGN_OR_RETURN(std::optional<TechnicalCaseNote> found, existing());
  if (found) return *found;

  TechnicalCaseNoteFilter first;
  first.technical_case_id = d.technical_case_id;
  ASSIGN_OR_RETURN(std::vector<TechnicalCaseNote> earlier,
                   repo.ListTechnicalCaseNotes(first, 0, 1));
  if (!earlier.empty() && earlier[0].account_id != d.account_id) {
    return FailedPrecondition(
        "TECHNICAL_CASE_ACCOUNT", absl::StrCat("technicalCases/", d.technical_case_id),
        absl::StrCat("account_id: technical case ", d.technical_case_id,
                     " has notes of another account"));
  }

  TechnicalCaseNote n;
  n.technical_case_id = d.technical_case_id;
  n.account_id = d.account_id;
  n.note_id = d.note_id;
  n.source = caller.subject;
  n.subject = d.subject;
  n.body = d.body;
  n.visibility = NoteVisibility::kPublic;
  n.create_time = clock_.Now();
  absl::Status inserted = repo.InsertTechnicalCaseNote(&n);
  if (absl::IsAlreadyExists(inserted)) {
    // A concurrent add of the same note committed first.
    ASSIGN_OR_RETURN(found, existing());
    if (!found) return absl::AbortedError("technical case note vanished; retry");
    return *found;
  }
  RETURN_IF_ERROR(inserted);
  return n;
}

absl::StatusOr<Page<TechnicalCaseNote>> TechnicalCaseNotes::List(
    const Principal& caller, const std::string& technical_case_id, int32_t page_size,
    const std::string& page_token, CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckExternalId(technical_case_id, "technical_case_id", 64));
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  TechnicalCaseNoteFilter f;
  f.technical_case_id = technical_case_id;
  f.scoped = IsScoped(caller);
  if (f.scoped) f.accounts = caller.account_ids;
  const std::string fp = QueryFingerprint({"ListTechnicalCaseNotes", technical_case_id});
  int64_t after_id = 0;
  if (!IsFirstPage(page_token)) {
    ASSIGN_OR_RETURN(PageCursor c, page_tokens_->Decode(page_token, fp));
    if (c.keys.size() != 1 || !absl::SimpleAtoi(c.keys[0], &after_id)) {
      return InvalidField("page_token", "is malformed");
    }
  }
  ASSIGN_OR_RETURN(std::vector<TechnicalCaseNote> rows,
                   repo.ListTechnicalCaseNotes(f, after_id, size + 1));
  Page<TechnicalCaseNote> page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(size);
    page.next_page_token = page_tokens_->Encode(PageCursor{{std::to_string(rows.back().id)}}, fp);
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace aftercare::cases
