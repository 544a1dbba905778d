// Attachments of a case: the upload's header check, the upload and reads.
// Part of Cases (cases.h); shared helpers are in cases_internal.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "case-svc/cases.h"
#include "case-svc/cases_internal.h"
#include "case-svc/file_types.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::cases {

// --- Attachments -----------------------------------------------------------------

absl::Status Cases::CheckUploadHeader(const Principal& caller, const std::string& case_id,
                                      AttachmentKind kind, const std::string& file_name,
                                      const std::optional<CodDetails>& cod) const {
  RETURN_IF_ERROR(ParseCaseId(case_id, "case_id").status());
  if (kind == AttachmentKind::kUnspecified) {
    return InvalidField("kind", "must be TRADE_IN_FORM or CERTIFICATE_OF_DESTRUCTION");
  }
  RETURN_IF_ERROR(CheckText(file_name, "file_name", 255, true));
  if (file_name.find('/') != std::string::npos || file_name.find('\\') != std::string::npos) {
    return InvalidField("file_name", "must not contain a path");
  }
  if (kind == AttachmentKind::kCertificateOfDestruction) {
    if (!cod) return InvalidField("cod", "is required for a Certificate of Destruction");
    if (cod->serials.empty()) {
      return InvalidField("cod.destroyed_serial_numbers", "is required");
    }
    RETURN_IF_ERROR(CheckText(cod->signer_name, "cod.signer_name", 200, true));
    RETURN_IF_ERROR(CheckText(cod->signer_title, "cod.signer_title", 200, true));
    absl::CivilDay day;
    if (!absl::ParseCivilTime(cod->sign_date, &day)) {
      return InvalidField("cod.sign_date", "must be a date YYYY-MM-DD");
    }
    if (absl::FromCivil(day, absl::UTCTimeZone()) > clock_.Now() + absl::Hours(24)) {
      return InvalidField("cod.sign_date", "must not be in the future");
    }
  } else if (cod) {
    return InvalidField("cod", "is only for a Certificate of Destruction");
  }
  return absl::OkStatus();
}

absl::StatusOr<Attachment> Cases::Upload(const Principal& caller, const std::string& case_id,
                                         AttachmentKind kind, const std::string& file_name,
                                         std::optional<CodDetails> cod, const std::string& content,
                                         CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckUploadHeader(caller, case_id, kind, file_name, cod));
  if (static_cast<int64_t>(content.size()) > options_.max_attachment_bytes) {
    return InvalidField("chunk", absl::StrCat(": the file is larger than ",
                                              options_.max_attachment_bytes, " bytes"));
  }
  ASSIGN_OR_RETURN(std::string mime, CheckAttachmentContent(kind, file_name, content));
  if (cod) {
    for (size_t i = 0; i < cod->serials.size(); ++i) {
      ASSIGN_OR_RETURN(cod->serials[i], NormalizeSerial(cod->serials[i],
                                                        absl::StrCat("cod.destroyed_serial_numbers[", i, "]")));
    }
  }
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, case_id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "take documents"));
  std::string detail;
  if (kind == AttachmentKind::kCertificateOfDestruction) {
    if (t.disposition != Disposition::kDestroy) {
      return FailedPrecondition(
          "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
          absl::StrCat(
              "trade-in case ", t.id,
              " returns its equipment; a Certificate of Destruction is for destroy cases"));
    }
    for (size_t i = 0; i < cod->serials.size(); ++i) {
      const std::string& s = cod->serials[i];
      TradeInLine* line = nullptr;
      for (TradeInLine& l : t.lines) {
        if (Contains(l.serials, s)) line = &l;
      }
      if (line == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cod.destroyed_serial_numbers[", i, "] ", s,
            " is not registered on the case; add it to the lines first"));
      }
      if (!Contains(line->destroyed_serials, s)) line->destroyed_serials.push_back(s);
    }
  }
  Attachment a;
  a.case_id = t.id;
  a.kind = kind;
  a.file_name = file_name;
  a.content_type = mime;
  a.size = static_cast<int64_t>(content.size());
  a.uploaded_by = caller.subject;
  a.create_time = clock_.Now();
  a.cod = cod;
  ASSIGN_OR_RETURN(int32_t latest, repo.LatestAttachmentVersion(t.id, kind));
  a.version = latest + 1;
  RETURN_IF_ERROR(repo.InsertAttachment(&a, content));
  if (kind == AttachmentKind::kTradeInForm) {
    t.form_version = a.version;
    detail = absl::StrCat("trade-in form version ", a.version, " (", file_name, ")");
  } else {
    detail = absl::StrCat("Certificate of Destruction version ", a.version, " (", file_name,
                          "), signed by ", cod->signer_name, ", ", cod->signer_title, " on ",
                          cod->sign_date, "; ", cod->serials.size(), " serial(s)");
  }
  CompleteIfDone(t, &detail);
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "attachment", detail, repo));
  return a;
}

absl::StatusOr<std::vector<Attachment>> Cases::ListAttachments(const Principal& caller,
                                                               const std::string& case_id,
                                                               CaseRepository& repo) const {
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, case_id, repo, false));
  return repo.ListAttachments(t.id);
}

absl::StatusOr<Attachment> Cases::GetAttachment(const Principal& caller, const std::string& name,
                                                CaseRepository& repo) const {
  std::optional<int64_t> id = ParseAttachmentName(name);
  if (!id) return InvalidField("attachment_id", "must look like AT0000000042");
  ASSIGN_OR_RETURN(std::optional<Attachment> a, repo.FindAttachment(*id));
  if (!a) return absl::NotFoundError(absl::StrCat("attachment ", name, " not found"));
  absl::StatusOr<TradeIn> t = LoadTradeIn(caller, a->case_id, repo, false);
  if (!t.ok()) return OutOfScope(absl::StrCat("attachment ", name));
  return *std::move(a);
}

}  // namespace aftercare::cases
