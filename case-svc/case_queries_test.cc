// CaseQueries (case_queries.h), the use cases of case-svc's unary reads,
// against fakes: another account's case or trade-in answers like an
// unknown one, a list's enums are checked before reading, the timeline
// hides internal notes from customers, and technical-case notes are the
// account's only.
#include "case-svc/case_queries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "case-svc/add_technical_case_note.h"
#include "case-svc/admin_case_use_cases.h"
#include "case-svc/use_case_fakes.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CaseQueriesTest : public CaseUseCaseTest {
 protected:
  // agent_ adds a note to `c`; internal or not.
  void Note(const v1::Case& c, const std::string& body, bool internal) {
    v1::AddCaseNoteRequest req;
    req.set_request_id("note-" + body);
    req.set_case_id(c.case_id());
    req.set_body(body);
    req.set_internal(internal);
    ASSERT_OK(AddCaseNoteUseCase(Deps()).Run(agent_, req).status());
  }

  TechnicalCaseNotes technical_notes_{clock_, &codec_};
  CaseQueries queries_{Deps(), technical_notes_};
};

TEST_F(CaseQueriesTest, GetCaseAndTheTimelineAreTheAccountsAndHideInternalNotesFromCustomers) {
  const v1::Case c = Opened();
  v1::GetCaseRequest get;
  get.set_case_id(c.case_id());
  ASSERT_OK_AND_ASSIGN(v1::Case mine, queries_.GetCase(alice_, get));
  EXPECT_EQ(mine.summary(), "the PSU fan is loud");
  v1::GetCaseRequest unknown;
  unknown.set_case_id("2026-1116-09999");
  EXPECT_THAT(queries_.GetCase(mallory_, get), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(queries_.GetCase(mallory_, unknown), StatusIs(absl::StatusCode::kNotFound));

  Note(c, "customer-visible", false);
  Note(c, "internal-only", true);
  v1::ListCaseEventsRequest events;
  events.set_case_id(c.case_id());
  ASSERT_OK_AND_ASSIGN(v1::ListCaseEventsResponse seen_by_alice,
                       queries_.ListCaseEvents(alice_, events));
  ASSERT_OK_AND_ASSIGN(v1::ListCaseEventsResponse seen_by_agent,
                       queries_.ListCaseEvents(agent_, events));
  EXPECT_EQ(seen_by_agent.events_size(), seen_by_alice.events_size() + 1);
  for (const v1::CaseEvent& e : seen_by_alice.events()) {
    EXPECT_NE(e.kind(), "internal_note");
  }
  EXPECT_THAT(queries_.ListCaseEvents(mallory_, events), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseQueriesTest, ListCasesChecksItsEnumsAndShowsOnlyTheCallersAccounts) {
  const v1::Case c = Opened();
  v1::ListCasesRequest bad;
  bad.set_priority(static_cast<v1::Priority>(99));
  EXPECT_THAT(queries_.ListCases(alice_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("priority")));
  bad.set_priority(v1::PRIORITY_UNSPECIFIED);
  bad.set_request_type(static_cast<v1::RequestType>(99));
  EXPECT_THAT(queries_.ListCases(alice_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_type")));

  v1::ListCasesRequest all;
  ASSERT_OK_AND_ASSIGN(v1::ListCasesResponse mine, queries_.ListCases(alice_, all));
  ASSERT_EQ(mine.cases_size(), 1);
  EXPECT_EQ(mine.cases(0).case_id(), c.case_id());
  ASSERT_OK_AND_ASSIGN(v1::ListCasesResponse theirs, queries_.ListCases(mallory_, all));
  EXPECT_EQ(theirs.cases_size(), 0);
  all.set_status(v1::CASE_STATUS_CLOSED);
  ASSERT_OK_AND_ASSIGN(v1::ListCasesResponse closed, queries_.ListCases(agent_, all));
  EXPECT_EQ(closed.cases_size(), 0);

  v1::ListTradeInCasesRequest trade_ins;
  trade_ins.set_status(static_cast<v1::TradeInStatus>(99));
  EXPECT_THAT(queries_.ListTradeInCases(alice_, trade_ins),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
}

TEST_F(CaseQueriesTest, ATradeInAndItsAttachmentsAreTheAccountsOnly) {
  const v1::TradeInCase t = OpenedTradeIn();
  const v1::Case admin_case = Opened();
  v1::GetTradeInCaseRequest get;
  get.set_case_id(t.case_id());
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase mine, queries_.GetTradeInCase(alice_, get));
  EXPECT_EQ(mine.order_number(), "SO-1");
  EXPECT_THAT(queries_.GetTradeInCase(mallory_, get), StatusIs(absl::StatusCode::kNotFound));
  get.set_case_id(admin_case.case_id());  // an admin case is not a trade-in
  EXPECT_THAT(queries_.GetTradeInCase(alice_, get), StatusIs(absl::StatusCode::kNotFound));

  v1::ListTradeInCasesRequest list;
  list.set_status(v1::TRADE_IN_STATUS_OPEN);
  ASSERT_OK_AND_ASSIGN(v1::ListTradeInCasesResponse open, queries_.ListTradeInCases(alice_, list));
  ASSERT_EQ(open.trade_in_cases_size(), 1);
  EXPECT_EQ(open.trade_in_cases(0).case_id(), t.case_id());
  ASSERT_OK_AND_ASSIGN(v1::ListTradeInCasesResponse theirs,
                       queries_.ListTradeInCases(mallory_, list));
  EXPECT_EQ(theirs.trade_in_cases_size(), 0);

  v1::ListAttachmentsRequest files;
  files.set_case_id(t.case_id());
  ASSERT_OK_AND_ASSIGN(v1::ListAttachmentsResponse none, queries_.ListAttachments(alice_, files));
  EXPECT_EQ(none.attachments_size(), 0);
  EXPECT_THAT(queries_.ListAttachments(mallory_, files), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseQueriesTest, TechnicalCaseNotesAreAddedOnceAndListedToTheirAccountOnly) {
  AddTechnicalCaseNoteUseCase add(technical_notes_, store_);
  const Principal rma = ::aftercare::testing::TestCaller(Role::kService, "svc:rma");
  v1::AddTechnicalCaseNoteRequest req;
  req.set_request_id("n-1");
  req.set_technical_case_id("2026-1121-00042");
  req.set_account_id("ACME-001");
  req.set_note_id("rma-V10000001-n1");
  req.set_subject("RMA V10000001 received");
  req.set_body("We received your request.");
  v1::AddTechnicalCaseNoteRequest bad = req;
  bad.set_subject("");
  EXPECT_THAT(add.Run(rma, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject")));
  EXPECT_EQ(store_.writes(), 0);

  ASSERT_OK_AND_ASSIGN(v1::TechnicalCaseNote first, add.Run(rma, req));
  // The outbox delivers it again under another request id: the same note.
  req.set_request_id("n-2");
  ASSERT_OK_AND_ASSIGN(v1::TechnicalCaseNote again, add.Run(rma, req));
  EXPECT_EQ(again.note_id(), first.note_id());
  EXPECT_EQ(repo_.technical_notes.size(), 1u);
  req.set_request_id("n-3");
  req.set_body("Something else.");
  EXPECT_THAT(add.Run(rma, req), StatusIs(absl::StatusCode::kAlreadyExists));

  v1::ListTechnicalCaseNotesRequest list;
  list.set_technical_case_id("2026-1121-00042");
  ASSERT_OK_AND_ASSIGN(v1::ListTechnicalCaseNotesResponse mine,
                       queries_.ListTechnicalCaseNotes(alice_, list));
  ASSERT_EQ(mine.notes_size(), 1);
  EXPECT_EQ(mine.notes(0).subject(), "RMA V10000001 received");
  ASSERT_OK_AND_ASSIGN(v1::ListTechnicalCaseNotesResponse theirs,
                       queries_.ListTechnicalCaseNotes(mallory_, list));
  EXPECT_THAT(theirs.notes(), IsEmpty());
}

}  // namespace
}  // namespace aftercare::cases
