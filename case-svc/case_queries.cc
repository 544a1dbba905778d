#include "case-svc/case_queries.h"

#include <vector>

#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<v1::Case> CaseQueries::GetCase(const Principal& caller,
                                              const v1::GetCaseRequest& request) const {
  return deps_.store.ReadOnce<v1::Case>(
      "get case", [&](CaseRepository& repo) -> absl::StatusOr<v1::Case> {
        ASSIGN_OR_RETURN(Case c, deps_.domain.GetCase(caller, request.case_id(), repo));
        return CaseToProto(c, deps_.domain, deps_.clock.Now());
      });
}

absl::StatusOr<v1::ListCasesResponse> CaseQueries::ListCases(
    const Principal& caller, const v1::ListCasesRequest& request) const {
  CaseFilter f;
  ASSIGN_OR_RETURN(f.status,
                   FromEnum<CaseStatus>(request.status(), v1::CaseStatus_IsValid, "status"));
  ASSIGN_OR_RETURN(f.priority,
                   FromEnum<Priority>(request.priority(), v1::Priority_IsValid, "priority"));
  ASSIGN_OR_RETURN(f.request_type, FromEnum<RequestType>(request.request_type(),
                                                         v1::RequestType_IsValid, "request_type"));
  f.account_id = request.account_id();
  f.owner = request.owner();
  f.breaching_only = request.breaching_only();
  return deps_.store.ReadOnce<v1::ListCasesResponse>(
      "list cases", [&](CaseRepository& repo) -> absl::StatusOr<v1::ListCasesResponse> {
        ASSIGN_OR_RETURN(Page<Case> page, deps_.domain.ListCases(caller, f, request.page_size(),
                                                                 request.page_token(), repo));
        const absl::Time now = deps_.clock.Now();
        v1::ListCasesResponse out;
        FillPage(page, &out, [&](const Case& c, auto* o) {
          *o->add_cases() = CaseToProto(c, deps_.domain, now);
        });
        return out;
      });
}

absl::StatusOr<v1::ListCaseEventsResponse> CaseQueries::ListCaseEvents(
    const Principal& caller, const v1::ListCaseEventsRequest& request) const {
  return deps_.store.ReadOnce<v1::ListCaseEventsResponse>(
      "list case events", [&](CaseRepository& repo) -> absl::StatusOr<v1::ListCaseEventsResponse> {
        ASSIGN_OR_RETURN(Page<CaseEvent> page,
                         deps_.domain.ListEvents(caller, request.case_id(), request.page_size(),
                                                 request.page_token(), repo));
        v1::ListCaseEventsResponse out;
        FillPage(page, &out, [](const CaseEvent& e, auto* o) { ToProto(e, o->add_events()); });
        return out;
      });
}

absl::StatusOr<v1::TradeInCase> CaseQueries::GetTradeInCase(
    const Principal& caller, const v1::GetTradeInCaseRequest& request) const {
  return deps_.store.ReadOnce<v1::TradeInCase>(
      "get trade-in case", [&](CaseRepository& repo) -> absl::StatusOr<v1::TradeInCase> {
        ASSIGN_OR_RETURN(TradeIn t, deps_.domain.GetTradeIn(caller, request.case_id(), repo));
        v1::TradeInCase out;
        ToProto(t, &out);
        return out;
      });
}

absl::StatusOr<v1::ListTradeInCasesResponse> CaseQueries::ListTradeInCases(
    const Principal& caller, const v1::ListTradeInCasesRequest& request) const {
  TradeInFilter f;
  ASSIGN_OR_RETURN(f.status,
                   FromEnum<TradeInStatus>(request.status(), v1::TradeInStatus_IsValid, "status"));
  f.account_id = request.account_id();
  return deps_.store.ReadOnce<v1::ListTradeInCasesResponse>(
      "list trade-in cases",
      [&](CaseRepository& repo) -> absl::StatusOr<v1::ListTradeInCasesResponse> {
        ASSIGN_OR_RETURN(
            Page<TradeIn> page,
            deps_.domain.ListTradeIns(caller, f, request.page_size(), request.page_token(), repo));
        v1::ListTradeInCasesResponse out;
        FillPage(page, &out,
                 [](const TradeIn& t, auto* o) { ToProto(t, o->add_trade_in_cases()); });
        return out;
      });
}

absl::StatusOr<v1::ListAttachmentsResponse> CaseQueries::ListAttachments(
    const Principal& caller, const v1::ListAttachmentsRequest& request) const {
  return deps_.store.ReadOnce<v1::ListAttachmentsResponse>(
      "list attachments", [&](CaseRepository& repo) -> absl::StatusOr<v1::ListAttachmentsResponse> {
        ASSIGN_OR_RETURN(std::vector<Attachment> list,
                         deps_.domain.ListAttachments(caller, request.case_id(), repo));
        v1::ListAttachmentsResponse out;
        for (const Attachment& a : list) ToProto(a, out.add_attachments());
        return out;
      });
}

absl::StatusOr<v1::ListTechnicalCaseNotesResponse> CaseQueries::ListTechnicalCaseNotes(
    const Principal& caller, const v1::ListTechnicalCaseNotesRequest& request) const {
  return deps_.store.ReadOnce<v1::ListTechnicalCaseNotesResponse>(
      "list technical case notes",
      [&](CaseRepository& repo) -> absl::StatusOr<v1::ListTechnicalCaseNotesResponse> {
        ASSIGN_OR_RETURN(Page<TechnicalCaseNote> page,
                         technical_notes_.List(caller, request.technical_case_id(),
                                               request.page_size(), request.page_token(), repo));
        v1::ListTechnicalCaseNotesResponse out;
        FillPage(page, &out,
                 [](const TechnicalCaseNote& n, auto* o) { ToProto(n, o->add_notes()); });
        return out;
      });
}

}  // namespace aftercare::cases
