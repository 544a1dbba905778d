// Unit tests of the domain (cases.h) against the in-memory repository:
// lifecycle transitions, the SLA clock through the lifecycle, visibility and
// internal notes, reinstatement, and the trade-in rules (receipts and
// exceptions, CoD coverage, lines, extension and default).
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "case-svc/case_policy.h"
#include "case-svc/cases.h"
#include "case-svc/fake_case_repository.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCaller;
using ::testing::HasSubstr;

absl::Time T(int y, int mo, int d, int h = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), absl::UTCTimeZone());
}

class DomainTest : public ::testing::Test {
 protected:
  DomainTest() : codec_("0123456789abcdef0123"), cases_(clock_, CaseOptions{}, &codec_) {
    clock_.Set(T(2026, 11, 16, 9));  // Monday
  }

  Case Open(Priority p = Priority::kP3, RequestType type = RequestType::kOther,
            const std::string& serial = "") {
    Case d;
    d.request_type = type;
    d.priority = p;
    d.follow_up = FollowUp::kEmail;
    d.summary = "help";
    d.serial = serial;
    auto prepared = cases_.PrepareCase(alice_, d);
    EXPECT_TRUE(prepared.ok()) << prepared.status();
    const std::string id = absl::StrCat("2026-1116-", 10000 + ++seq_);
    ProductLookup lookup;
    lookup.state = serial.empty() ? LookupState::kNotRequested : LookupState::kFilled;
    auto c = cases_.CreateCase(alice_, *prepared, id, lookup, repo_);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  Cases cases_;
  FakeCaseRepository repo_;
  int seq_ = 0;
  Principal alice_ = TestCaller(Role::kCustomer, "alice", {"ACME-001"});
  Principal colleague_ = TestCaller(Role::kCustomer, "carol", {"ACME-001"});
  Principal bob_ = TestCaller(Role::kCustomer, "bob", {"GLOBEX-7"});
  Principal agent_ = TestCaller(Role::kCareAgent, "agent-1");
  Principal depot_ = TestCaller(Role::kLogistics, "depot-1");
};

TEST_F(DomainTest, LifecycleTransitionsNameTheCurrentState) {
  Case c = Open();
  EXPECT_THAT(cases_.Resolve(agent_, c.id, "done", "", "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is NEW")));
  EXPECT_THAT(cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is NEW")));
  EXPECT_FALSE(CasePolicy().Allows("TakeCaseOwnership", Role::kCustomer));
  ASSERT_OK_AND_ASSIGN(c, cases_.TakeOwnership(agent_, c.id, "", "", repo_));
  EXPECT_EQ(c.status, CaseStatus::kInProgress);
  EXPECT_THAT(cases_.TakeOwnership(agent_, c.id, "agent-2", "1", repo_),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("etag")));
  EXPECT_THAT(cases_.UpdateStatus(agent_, c.id, CaseStatus::kResolved, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  EXPECT_THAT(cases_.Close(alice_, c.id, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("IN_PROGRESS")));
  EXPECT_THAT(cases_.Reopen(alice_, c.id, "why", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("IN_PROGRESS")));
  ASSERT_OK_AND_ASSIGN(c, cases_.Resolve(agent_, c.id, "done", "", "", repo_));
  // Only the customer confirms: staff may not close.
  for (Role r : {Role::kCareAgent, Role::kAdmin, Role::kTse, Role::kLogistics, Role::kService}) {
    EXPECT_FALSE(CasePolicy().Allows("CloseCase", r)) << RoleName(r);
    EXPECT_FALSE(CasePolicy().Allows("ReopenCase", r)) << RoleName(r);
  }
  EXPECT_THAT(cases_.Escalate(alice_, c.id, EscalationKind::kReassignment, "slow", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("RESOLVED")));
  ASSERT_OK_AND_ASSIGN(c, cases_.Close(colleague_, c.id, repo_));  // same account
  EXPECT_EQ(c.status, CaseStatus::kClosed);
  EXPECT_THAT(cases_.AddNote(alice_, c.id, "hello?", false, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("CLOSED")));
}

TEST_F(DomainTest, SlaClockPausesWhileAwaitingTheCustomer) {
  Case c = Open(Priority::kP3);
  EXPECT_EQ(*c.sla.due, T(2026, 11, 18, 9));
  ASSERT_OK_AND_ASSIGN(c, cases_.TakeOwnership(agent_, c.id, "", "", repo_));
  clock_.Set(T(2026, 11, 16, 15));
  ASSERT_OK_AND_ASSIGN(c, cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "", repo_));
  EXPECT_FALSE(c.sla.due.has_value());
  clock_.Set(T(2026, 11, 20, 10));  // past the original target, but paused
  EXPECT_FALSE(cases_.Breaching(c, clock_.Now()));
  ASSERT_OK_AND_ASSIGN(c, cases_.AddNote(alice_, c.id, "here you go", false, repo_));
  EXPECT_EQ(c.status, CaseStatus::kInProgress);
  EXPECT_EQ(*c.sla.due, T(2026, 11, 24, 4));  // 42 business hours left
  EXPECT_FALSE(cases_.Breaching(c, T(2026, 11, 24, 3)));
  EXPECT_TRUE(cases_.Breaching(c, T(2026, 11, 24, 5)));
  // An agent's public note is the first response: no breach any more.
  clock_.Set(T(2026, 11, 24, 6));
  ASSERT_OK_AND_ASSIGN(c, cases_.AddNote(agent_, c.id, "internal only", true, repo_));
  EXPECT_TRUE(cases_.Breaching(c, clock_.Now()));
  ASSERT_OK_AND_ASSIGN(c, cases_.AddNote(agent_, c.id, "answer", false, repo_));
  EXPECT_FALSE(cases_.Breaching(c, clock_.Now()));
}

TEST_F(DomainTest, CustomersSeeTheirCasesButNeverInternalNotes) {
  Case c = Open();
  EXPECT_THAT(cases_.GetCase(bob_, c.id, repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(cases_.AddNote(bob_, c.id, "x", false, repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(cases_.ListEvents(bob_, c.id, 10, "", repo_), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(cases_.GetCase(colleague_, c.id, repo_).status());
  EXPECT_OK(cases_.GetCase(agent_, c.id, repo_).status());
  EXPECT_THAT(cases_.AddNote(alice_, c.id, "secret", true, repo_),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("internal")));
  ASSERT_OK(cases_.AddNote(agent_, c.id, "customer seems confused", true, repo_).status());
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> mine, cases_.ListEvents(alice_, c.id, 10, "", repo_));
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> staff, cases_.ListEvents(agent_, c.id, 10, "", repo_));
  EXPECT_EQ(mine.items.size(), 1u);
  EXPECT_EQ(staff.items.size(), 2u);
  for (const CaseEvent& e : mine.items) EXPECT_FALSE(e.internal);

  ASSERT_OK_AND_ASSIGN(Page<Case> bobs, cases_.ListCases(bob_, CaseFilter{}, 10, "", repo_));
  EXPECT_TRUE(bobs.items.empty());
  CaseFilter other;
  other.account_id = "ACME-001";
  ASSERT_OK_AND_ASSIGN(bobs, cases_.ListCases(bob_, other, 10, "", repo_));
  EXPECT_TRUE(bobs.items.empty());
  ASSERT_OK_AND_ASSIGN(Page<Case> carols, cases_.ListCases(colleague_, CaseFilter{}, 10, "", repo_));
  EXPECT_EQ(carols.items.size(), 1u);
}

TEST_F(DomainTest, TimelinePagesAreBoundToTheirCase) {
  Case c = Open();
  for (int i = 0; i < 5; ++i) ASSERT_OK(cases_.AddNote(agent_, c.id, "n", false, repo_).status());
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> p1, cases_.ListEvents(agent_, c.id, 4, "", repo_));
  ASSERT_EQ(p1.items.size(), 4u);
  ASSERT_FALSE(p1.next_page_token.empty());
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> p2, cases_.ListEvents(agent_, c.id, 4, p1.next_page_token, repo_));
  EXPECT_EQ(p2.items.size(), 2u);
  EXPECT_TRUE(p2.next_page_token.empty());
  EXPECT_GT(p2.items[0].id, p1.items.back().id);
  Case other = Open();
  EXPECT_THAT(cases_.ListEvents(agent_, other.id, 4, p1.next_page_token, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

// The "created" entry is derived from the case, not stored: creating a case
// writes no event; every walk of the timeline starts with it (event 0) and
// meets it once, also with pages of one; a case stored before migration
// 0004 (no opened_by_role) keeps its stored entry, shown once.
TEST_F(DomainTest, TheCreatedEntryIsDerivedFromTheCaseAndWalkedOnce) {
  Case c = Open(Priority::kP2);
  for (const CaseEvent& e : repo_.events) EXPECT_NE(e.case_id, c.id) << e.kind;
  ASSERT_OK(cases_.AddNote(agent_, c.id, "first", false, repo_).status());
  ASSERT_OK(cases_.AddNote(agent_, c.id, "second", false, repo_).status());

  std::vector<CaseEvent> walked;
  std::string token;
  for (int pages = 0; pages < 10; ++pages) {
    ASSERT_OK_AND_ASSIGN(Page<CaseEvent> p, cases_.ListEvents(alice_, c.id, 1, token, repo_));
    ASSERT_EQ(p.items.size(), 1u);
    walked.push_back(p.items[0]);
    token = p.next_page_token;
    if (token.empty()) break;
  }
  ASSERT_EQ(walked.size(), 3u);
  EXPECT_EQ(walked[0].id, 0);
  EXPECT_EQ(walked[0].kind, "created");
  EXPECT_EQ(walked[0].case_id, c.id);
  EXPECT_EQ(walked[0].actor, "alice");
  EXPECT_EQ(walked[0].actor_role, "customer");
  EXPECT_EQ(walked[0].time, c.create_time);
  EXPECT_EQ(walked[0].detail, "P2: help");
  EXPECT_FALSE(walked[0].internal);
  EXPECT_EQ(walked[1].detail, "first");
  EXPECT_EQ(walked[2].detail, "second");
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> all, cases_.ListEvents(agent_, c.id, 10, "", repo_));
  ASSERT_EQ(all.items.size(), 3u);
  EXPECT_EQ(all.items[0].kind, "created");

  // Stored before migration 0004: no role, the entry is a stored event.
  Case legacy = Open();
  repo_.cases.at(legacy.id).opened_by_role.clear();
  ASSERT_OK(repo_.AppendEvent(CaseEvent{0, legacy.id, legacy.create_time, "alice", "customer",
                                        "created", "P3: help", false}));
  ASSERT_OK(cases_.AddNote(agent_, legacy.id, "later", false, repo_).status());
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> old, cases_.ListEvents(agent_, legacy.id, 10, "", repo_));
  ASSERT_EQ(old.items.size(), 2u);
  EXPECT_EQ(old.items[0].kind, "created");
  EXPECT_GT(old.items[0].id, 0);
  EXPECT_EQ(old.items[1].detail, "later");
}

TEST_F(DomainTest, ReinstatementOnlyByCareAgentsAndOnce) {
  Case c = Open(Priority::kP3, RequestType::kGreyMarketReinstatement, "JN11GREY0001");
  EXPECT_EQ(c.reinstatement, Reinstatement::kAwaitingApproval);
  for (Role r : {Role::kCustomer, Role::kPartner, Role::kAdmin, Role::kTse, Role::kLogistics,
                 Role::kService}) {
    EXPECT_FALSE(CasePolicy().Allows("ApproveReinstatement", r)) << RoleName(r);
  }
  EXPECT_TRUE(repo_.outbox.empty());
  ASSERT_OK_AND_ASSIGN(c, cases_.ApproveReinstatement(agent_, c.id, "INSP-1", repo_));
  EXPECT_EQ(c.reinstatement, Reinstatement::kApproved);
  ASSERT_EQ(repo_.outbox.size(), 1u);
  EXPECT_EQ(repo_.outbox[0].type, "reinstate");
  EXPECT_EQ(repo_.outbox[0].serial, "JN11GREY0001");
  EXPECT_THAT(cases_.ApproveReinstatement(agent_, c.id, "INSP-1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already approved")));
  EXPECT_EQ(repo_.outbox.size(), 1u);
  ASSERT_OK(cases_.RecordReinstatement(c.id, true, "", repo_));
  EXPECT_EQ(repo_.cases[c.id].reinstatement, Reinstatement::kReinstated);
  Case plain = Open();
  EXPECT_THAT(cases_.ApproveReinstatement(agent_, plain.id, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not a grey-market")));
}

TEST_F(DomainTest, PendingLookupIsQueuedAndFilledOnce) {
  Case d;
  d.request_type = RequestType::kProductRegistration;
  d.priority = Priority::kP4;
  d.follow_up = FollowUp::kChat;
  d.summary = "register";
  d.serial = "JN11DEMO0001";
  ASSERT_OK_AND_ASSIGN(Case prepared, cases_.PrepareCase(alice_, d));
  ProductLookup pending;
  pending.state = LookupState::kPending;
  ASSERT_OK_AND_ASSIGN(Case c, cases_.CreateCase(alice_, prepared, "2026-1116-00001", pending, repo_));
  EXPECT_EQ(c.lookup, LookupState::kPending);
  ASSERT_EQ(repo_.outbox.size(), 1u);
  EXPECT_EQ(repo_.outbox[0].type, "lookup");
  ProductLookup filled{LookupState::kFilled, "EX Series", "EX4300"};
  ASSERT_OK(cases_.ApplyProductLookup(c.id, filled, repo_));
  EXPECT_EQ(repo_.cases[c.id].product_series, "EX Series");
  const size_t events = repo_.events.size();
  ASSERT_OK(cases_.ApplyProductLookup(c.id, filled, repo_));  // redelivery: no change
  EXPECT_EQ(repo_.events.size(), events);
}

// --- trade-in -------------------------------------------------------------------------

class TradeInDomainTest : public DomainTest {
 protected:
  TradeIn Register(Disposition d, std::vector<std::string> serials, int quantity) {
    TradeIn t;
    t.account_id = "ACME-001";
    t.order_number = "SO-1";
    t.order_time = clock_.Now() - absl::Hours(24);
    t.phase = TmipPhase::kPhase1;
    t.disposition = d;
    TradeInLine line;
    line.sku = "MX480";
    line.quantity = quantity;
    line.serials = std::move(serials);
    t.lines = {line};
    auto prepared = cases_.PrepareTradeIn(alice_, t);
    EXPECT_TRUE(prepared.ok()) << prepared.status();
    auto created = cases_.CreateTradeIn(alice_, *prepared, absl::StrCat("2026-1116-", 20000 + ++seq_), repo_);
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }
  const std::string kPdf = "%PDF-1.7\n";
  const std::string kXlsx = std::string("PK\x03\x04\x14\0\0\0[Content_Types].xml", 27);
};

TEST_F(TradeInDomainTest, ReceiptsMatchRegisteredSerialsAndKeepExceptions) {
  TradeIn t = Register(Disposition::kReturn, {"TI0000001", "TI0000002"}, 2);
  EXPECT_THAT(cases_.RecordReceived(depot_, t.id, {{"TI0000001", ""}}, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("shipping instructions")));
  EXPECT_THAT(cases_.IssueShippingInstructions(agent_, t.id, "LBL-1", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("trade-in form")));
  ASSERT_OK(cases_.Upload(alice_, t.id, AttachmentKind::kTradeInForm, "f.xlsx", std::nullopt, kXlsx, repo_)
                .status());
  ASSERT_OK(cases_.IssueShippingInstructions(agent_, t.id, "LBL-1", repo_).status());
  ASSERT_OK_AND_ASSIGN(t, cases_.RecordReceived(depot_, t.id,
                                                {{"TI0000001", "MX480"},
                                                 {"TI0000002", "EX4300-48T"},
                                                 {"TI0000777", ""}},
                                                repo_));
  ASSERT_EQ(t.exceptions.size(), 2u);
  EXPECT_THAT(t.exceptions[0].reason, HasSubstr("registered as SKU MX480"));
  EXPECT_THAT(t.exceptions[1].reason, HasSubstr("not registered"));
  EXPECT_EQ(t.status, TradeInStatus::kOpen);
  ASSERT_EQ(repo_.outbox.size(), 1u);  // only the matching unit goes to inventory
  EXPECT_EQ(repo_.outbox[0].type, "intake");
  EXPECT_EQ(repo_.outbox[0].serial, "TI0000001");
  ASSERT_OK_AND_ASSIGN(t, cases_.RecordReceived(depot_, t.id, {{"TI0000001", ""}}, repo_));
  EXPECT_THAT(t.exceptions.back().reason, HasSubstr("already received"));
  ASSERT_OK_AND_ASSIGN(t, cases_.RecordReceived(depot_, t.id, {{"TI0000002", ""}}, repo_));
  EXPECT_EQ(t.status, TradeInStatus::kCompleted);
  EXPECT_EQ(repo_.outbox.size(), 2u);
  EXPECT_THAT(cases_.RecordReceived(depot_, t.id, {{"TI0000002", ""}}, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("COMPLETED")));
}

TEST_F(TradeInDomainTest, CompletesOnlyWhenSignedCodsCoverEveryLine) {
  TradeIn t = Register(Disposition::kDestroy, {"TD0000001", "TD0000002"}, 3);
  CodDetails cod{{"TD0000001", "TD0000002"}, "Jane Roe", "VP", "2026-11-15"};
  ASSERT_OK(cases_.Upload(alice_, t.id, AttachmentKind::kCertificateOfDestruction, "cod.pdf", cod, kPdf,
                          repo_)
                .status());
  ASSERT_OK_AND_ASSIGN(t, cases_.GetTradeIn(alice_, t.id, repo_));
  EXPECT_EQ(t.status, TradeInStatus::kOpen);  // 2 of 3 destroyed
  CodDetails unknown{{"TD0000099"}, "Jane Roe", "VP", "2026-11-15"};
  EXPECT_THAT(cases_.Upload(alice_, t.id, AttachmentKind::kCertificateOfDestruction, "cod.pdf",
                            unknown, kPdf, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not registered")));
  CodDetails unsigned_cod{{"TD0000002"}, "", "VP", "2026-11-15"};
  EXPECT_THAT(cases_.Upload(alice_, t.id, AttachmentKind::kCertificateOfDestruction, "cod.pdf",
                            unsigned_cod, kPdf, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("signer_name")));
  // The third serial is supplied later, then covered by a second CoD.
  TradeInLine line = t.lines[0];
  line.serials.push_back("TD0000003");
  line.received_serials.clear();
  line.destroyed_serials.clear();
  EXPECT_THAT(cases_.UpdateLines(alice_, t.id, {TradeInLine{0, "MX480", 3, {"TD0000003"}, {}, {}}},
                                 "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Certificate of Destruction")));
  ASSERT_OK(cases_.UpdateLines(alice_, t.id, {line}, "", repo_).status());
  CodDetails third{{"TD0000003"}, "Jane Roe", "VP", "2026-11-16"};
  ASSERT_OK_AND_ASSIGN(Attachment a, cases_.Upload(alice_, t.id, AttachmentKind::kCertificateOfDestruction,
                                                   "cod2.jpg", third,
                                                   std::string("\xFF\xD8\xFF\xE0", 4), repo_));
  EXPECT_EQ(a.version, 2);
  ASSERT_OK_AND_ASSIGN(t, cases_.GetTradeIn(alice_, t.id, repo_));
  EXPECT_EQ(t.status, TradeInStatus::kCompleted);
  EXPECT_EQ(t.lines[0].destroyed_serials.size(), 3u);
}

TEST_F(TradeInDomainTest, ExtensionMovesTheDeadlineAndDefaultHappensOnce) {
  TradeIn t = Register(Disposition::kReturn, {}, 1);
  const absl::Time due = t.due_time;
  EXPECT_THAT(cases_.ReviewExtension(agent_, t.id, true, "", repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no pending")));
  EXPECT_THAT(cases_.RequestExtension(alice_, t.id, due - absl::Hours(1), "more time", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("requested_due_time")));
  ASSERT_OK(cases_.RequestExtension(alice_, t.id, due + absl::Hours(24 * 30), "more time", repo_).status());
  EXPECT_FALSE(CasePolicy().Allows("ReviewDeadlineExtension", Role::kCustomer));
  ASSERT_OK_AND_ASSIGN(t, cases_.ReviewExtension(agent_, t.id, true, "ok", repo_));
  EXPECT_EQ(t.due_time, due + absl::Hours(24 * 30));
  clock_.Set(due + absl::Hours(1));
  ASSERT_OK_AND_ASSIGN(bool defaulted, cases_.DefaultIfOverdue(t.id, repo_));
  EXPECT_FALSE(defaulted);
  clock_.Set(due + absl::Hours(24 * 31));
  ASSERT_OK_AND_ASSIGN(defaulted, cases_.DefaultIfOverdue(t.id, repo_));
  EXPECT_TRUE(defaulted);
  ASSERT_OK_AND_ASSIGN(defaulted, cases_.DefaultIfOverdue(t.id, repo_));
  EXPECT_FALSE(defaulted);  // a second sweeper (or replica) changes nothing
  EXPECT_EQ(repo_.trade_ins[t.id].status, TradeInStatus::kDefaulted);
}

TEST_F(TradeInDomainTest, UploadsAreContentCheckedAndSizeLimited) {
  TradeIn t = Register(Disposition::kReturn, {}, 1);
  EXPECT_THAT(cases_.Upload(alice_, t.id, AttachmentKind::kTradeInForm, "form.pdf", std::nullopt,
                            std::string("\x89PNG\r\n\x1A\n", 8), repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("image/png")));
  CaseOptions small;
  small.max_attachment_bytes = 1024;
  Cases limited(clock_, small, &codec_);
  EXPECT_THAT(limited.Upload(alice_, t.id, AttachmentKind::kTradeInForm, "form.pdf", std::nullopt,
                             kPdf + std::string(2000, ' '), repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("larger than 1024")));
  EXPECT_THAT(cases_.Upload(bob_, t.id, AttachmentKind::kTradeInForm, "form.pdf", std::nullopt, kPdf,
                            repo_),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(repo_.attachments.empty());
  EXPECT_THAT(cases_.Upload(alice_, t.id, AttachmentKind::kCertificateOfDestruction, "cod.pdf",
                            CodDetails{{"X1234"}, "A", "B", "2026-11-15"}, kPdf, repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("destroy cases")));
}

// --- notifications (docs/NOTIFICATIONS.md) -------------------------------------------

TEST_F(DomainTest, CreationAwaitingCustomerAndResolutionEachPublishOneNotification) {
  Case d;
  d.request_type = RequestType::kOther;
  d.priority = Priority::kP3;
  d.follow_up = FollowUp::kEmail;
  d.summary = "switch reboots";
  d.notification_emails = {"ops@acme.example", "noc@acme.example"};
  ASSERT_OK_AND_ASSIGN(Case prepared, cases_.PrepareCase(alice_, d));
  ASSERT_OK_AND_ASSIGN(Case c, cases_.CreateCase(alice_, prepared, "2026-1116-20001",
                                                 ProductLookup{}, repo_));
  EXPECT_EQ(c.notification_emails, d.notification_emails);
  ASSERT_EQ(repo_.notifications.size(), 1u);
  const NotificationEvent created = repo_.notifications[0];
  EXPECT_EQ(created.event_type, "case_created");
  EXPECT_EQ(created.event_key, "case-2026-1116-20001-v1");
  EXPECT_EQ(created.account_id, "ACME-001");
  EXPECT_EQ(created.email_to, d.notification_emails);
  EXPECT_EQ(created.data.at("case_id"), "2026-1116-20001");
  EXPECT_EQ(created.data.at("status"), "NEW");
  EXPECT_EQ(created.data.at("subject"), "switch reboots");
  EXPECT_THAT(created.subject, HasSubstr("2026-1116-20001"));
  EXPECT_THAT(created.body, HasSubstr("switch reboots"));

  // Taking ownership (NEW -> IN_PROGRESS) and a note notify no one.
  ASSERT_OK_AND_ASSIGN(c, cases_.TakeOwnership(agent_, c.id, "", "", repo_));
  ASSERT_OK_AND_ASSIGN(c, cases_.AddNote(agent_, c.id, "looking", false, repo_));
  EXPECT_EQ(repo_.notifications.size(), 1u);

  ASSERT_OK_AND_ASSIGN(c, cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "",
                                              repo_, "Which software release runs on it?"));
  ASSERT_EQ(repo_.notifications.size(), 2u);
  const NotificationEvent waiting = repo_.notifications[1];
  EXPECT_EQ(waiting.event_type, "case_awaiting_customer");
  EXPECT_EQ(waiting.event_key, absl::StrCat("case-", c.id, "-v", c.version));
  EXPECT_EQ(waiting.email_to, d.notification_emails);
  EXPECT_EQ(waiting.data.at("status"), "AWAITING_CUSTOMER");
  EXPECT_EQ(waiting.data.at("question"), "Which software release runs on it?");
  EXPECT_THAT(waiting.body, HasSubstr("Which software release runs on it?"));
  ASSERT_OK_AND_ASSIGN(Page<CaseEvent> timeline, cases_.ListEvents(agent_, c.id, 0, "", repo_));
  EXPECT_THAT(timeline.items.back().detail, HasSubstr("Which software release runs on it?"));

  // Back to IN_PROGRESS (staff or the customer's answer): nothing.
  ASSERT_OK_AND_ASSIGN(c, cases_.UpdateStatus(agent_, c.id, CaseStatus::kInProgress, "", repo_));
  EXPECT_EQ(repo_.notifications.size(), 2u);
  // A second wait without a question: the fixed sentence, a new key.
  ASSERT_OK_AND_ASSIGN(c, cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "", repo_));
  ASSERT_EQ(repo_.notifications.size(), 3u);
  EXPECT_EQ(repo_.notifications[2].data.at("question"), kDefaultCustomerQuestion);
  EXPECT_NE(repo_.notifications[2].event_key, waiting.event_key);
  ASSERT_OK_AND_ASSIGN(c, cases_.AddNote(alice_, c.id, "23.4R1", false, repo_));
  EXPECT_EQ(c.status, CaseStatus::kInProgress);
  EXPECT_EQ(repo_.notifications.size(), 3u);

  ASSERT_OK_AND_ASSIGN(c, cases_.Resolve(agent_, c.id, "upgrade to 23.4R2", "", "", repo_));
  ASSERT_EQ(repo_.notifications.size(), 4u);
  const NotificationEvent resolved = repo_.notifications[3];
  EXPECT_EQ(resolved.event_type, "case_resolved");
  EXPECT_EQ(resolved.event_key, absl::StrCat("case-", c.id, "-v", c.version));
  EXPECT_EQ(resolved.data.at("status"), "RESOLVED");
  EXPECT_EQ(resolved.data.at("resolution"), "upgrade to 23.4R2");
  EXPECT_EQ(resolved.email_to, d.notification_emails);

  // Closing and reopening notify no one.
  ASSERT_OK_AND_ASSIGN(c, cases_.Reopen(alice_, c.id, "still reboots", repo_));
  EXPECT_EQ(repo_.notifications.size(), 4u);
  std::set<std::string> keys;
  for (const NotificationEvent& e : repo_.notifications) keys.insert(e.event_key);
  EXPECT_EQ(keys.size(), repo_.notifications.size());
}

TEST_F(DomainTest, ACaseWithoutAddressesOrAccountNotifiesWebhooksOnlyOrNobody) {
  Case c = Open();  // alice's account, no addresses
  ASSERT_EQ(repo_.notifications.size(), 1u);
  EXPECT_TRUE(repo_.notifications[0].email_to.empty());
  EXPECT_EQ(repo_.notifications[0].account_id, "ACME-001");

  Case d;
  d.request_type = RequestType::kOther;
  d.priority = Priority::kP4;
  d.follow_up = FollowUp::kEmail;
  d.summary = "internal";
  ASSERT_OK_AND_ASSIGN(Case prepared, cases_.PrepareCase(agent_, d));  // staff: no account
  ASSERT_OK_AND_ASSIGN(c, cases_.CreateCase(agent_, prepared, "2026-1116-20002", ProductLookup{},
                                            repo_));
  ASSERT_EQ(repo_.notifications.size(), 2u);
  EXPECT_TRUE(repo_.notifications[1].account_id.empty());
  EXPECT_TRUE(repo_.notifications[1].email_to.empty());
}

TEST_F(DomainTest, RefusedTransitionsPublishNothing) {
  Case c = Open();
  repo_.notifications.clear();
  EXPECT_FALSE(cases_.Resolve(agent_, c.id, "done", "", "", repo_).ok());  // NEW
  EXPECT_FALSE(cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "", repo_).ok());
  ASSERT_OK_AND_ASSIGN(c, cases_.TakeOwnership(agent_, c.id, "", "", repo_));
  EXPECT_THAT(cases_.UpdateStatus(agent_, c.id, CaseStatus::kInProgress, "", repo_, "why?"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("question")));
  EXPECT_THAT(cases_.UpdateStatus(agent_, c.id, CaseStatus::kAwaitingCustomer, "1", repo_, "q"),
              StatusIs(absl::StatusCode::kAborted));  // stale etag
  EXPECT_TRUE(repo_.notifications.empty());
}

TEST_F(DomainTest, NotificationEmailsAreCheckedAndNothingIsWrittenWhenOneIsInvalid) {
  Case d;
  d.request_type = RequestType::kOther;
  d.priority = Priority::kP3;
  d.follow_up = FollowUp::kEmail;
  d.summary = "help";
  d.notification_emails = {"ops@acme.example", "not an address"};
  EXPECT_THAT(cases_.PrepareCase(alice_, d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case.notification_emails[1]")));
  d.notification_emails = {"ops@acme.example", "Ops@ACME.example"};
  EXPECT_THAT(cases_.PrepareCase(alice_, d),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("case.notification_emails[1]")));
  d.notification_emails.clear();
  for (int i = 0; i < 11; ++i) d.notification_emails.push_back(absl::StrCat("u", i, "@acme.example"));
  EXPECT_THAT(cases_.PrepareCase(alice_, d),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("case.notification_emails")));
  d.notification_emails.pop_back();
  EXPECT_OK(cases_.PrepareCase(alice_, d).status());
  EXPECT_TRUE(repo_.cases.empty());
  EXPECT_TRUE(repo_.notifications.empty());
}

}  // namespace
}  // namespace aftercare::cases
