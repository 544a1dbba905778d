// CaseQueries: the use cases behind case-svc's unary reads, one method per
// RPC, each answering the API's message. A list's enums are checked before
// any read; then one read through the store (no transaction) with the
// domain's scope rules: another account's case, trade-in, timeline or
// attachments answer exactly like an unknown case, a list shows only the
// caller's accounts, and customers never see internal notes. A case's SLA
// view is computed at the clock's now.
#ifndef AFTERCARE_CASE_SVC_CASE_QUERIES_H_
#define AFTERCARE_CASE_SVC_CASE_QUERIES_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_use_case.h"
#include "case-svc/technical_case_notes.h"
#include "common/auth.h"

namespace aftercare::cases {

class CaseQueries {
 public:
  CaseQueries(CaseUseCaseDeps deps, const TechnicalCaseNotes& technical_notes)
      : deps_(deps), technical_notes_(technical_notes) {}

  absl::StatusOr<v1::Case> GetCase(const Principal& caller,
                                   const v1::GetCaseRequest& request) const;
  // status, priority, request_type: INVALID_ARGUMENT outside their enums.
  absl::StatusOr<v1::ListCasesResponse> ListCases(const Principal& caller,
                                                  const v1::ListCasesRequest& request) const;
  absl::StatusOr<v1::ListCaseEventsResponse> ListCaseEvents(
      const Principal& caller, const v1::ListCaseEventsRequest& request) const;
  absl::StatusOr<v1::TradeInCase> GetTradeInCase(const Principal& caller,
                                                 const v1::GetTradeInCaseRequest& request) const;
  // status: INVALID_ARGUMENT outside its enum.
  absl::StatusOr<v1::ListTradeInCasesResponse> ListTradeInCases(
      const Principal& caller, const v1::ListTradeInCasesRequest& request) const;
  absl::StatusOr<v1::ListAttachmentsResponse> ListAttachments(
      const Principal& caller, const v1::ListAttachmentsRequest& request) const;
  absl::StatusOr<v1::ListTechnicalCaseNotesResponse> ListTechnicalCaseNotes(
      const Principal& caller, const v1::ListTechnicalCaseNotesRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
  const TechnicalCaseNotes& technical_notes_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_QUERIES_H_
