// Integration tests of case-svc: the real service on port 0 with real gRPC,
// a fresh MariaDB database, a FakeClock shared with an in-process
// inventory-svc (serial lookups, TMIP catalog, reinstatement, trade-in
// intake).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "case-svc/case_spec.h"
#include "case-svc/fake_case_repository.h"
#include "case-svc/mysql_case_repository.h"
#include "common/db/connection_pool.h"
#include "common/db/sql_time.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/sync.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/inventory_spec.h"
#include "tests/harness/test_service.h"

namespace aftercare::cases {
namespace {

namespace pb = ::aftercare::cases::v1;
namespace inv = ::aftercare::inventory::v1;
using ::aftercare::testing::GrpcStatusIs;
using ::aftercare::testing::PickFreePort;
using ::aftercare::testing::CallAs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;
using Stub = pb::CaseService::Stub;

absl::Time T(int y, int mo, int d, int h = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, 0, 0), absl::UTCTimeZone());
}

void SetTs(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

// GET /metrics from the service's Prometheus endpoint.
std::string ScrapeMetrics(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string req = "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

// The value of an unlabelled sample `name` in a scrape (-1 when missing).
double Metric(const std::string& scrape, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (absl::StartsWith(line, name + " ")) {
      double v = -1;
      if (absl::SimpleAtod(line.substr(name.size() + 1), &v)) return v;
    }
  }
  return -1;
}

const std::string kPdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
const std::string kXlsx = std::string("PK\x03\x04\x14\0\0\0[Content_Types].xml", 27);

class CaseIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(T(2026, 11, 16, 9));  // a Monday
    auto inv_svc = TestService::Start(inventory::Spec(), {.clock = &clock_});
    ASSERT_TRUE(inv_svc.ok()) << inv_svc.status();
    inventory_ = *std::move(inv_svc);
    inv_stub_ = inv::InventoryService::NewStub(inventory_->channel());
    SeedInventory();
    StartCases(inventory_->address());
    agent_ = Tok(Role::kCareAgent, "agent-1");
    alice_ = Tok(Role::kCustomer, "alice", {"ACME-001"});
    alice2_ = Tok(Role::kCustomer, "alice-colleague", {"ACME-001"});
    bob_ = Tok(Role::kCustomer, "bob", {"GLOBEX-7"});
    logistics_ = Tok(Role::kLogistics, "depot-1");
  }

  void StartCases(const std::string& inventory_target,
                  std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> flags = {{"inventory_target", inventory_target},
                                                {"db_pool_size", "8"},
                                                {"case_sweep_interval", "100ms"},
                                                {"inventory_timeout", "1s"},
                                                {"max_attachment_bytes", "1048576"}};
    for (auto& [k, v] : extra) flags[k] = v;
    cases_.reset();
    auto svc = TestService::Start(Spec(), {.clock = &clock_, .flags = flags});
    ASSERT_TRUE(svc.ok()) << svc.status();
    cases_ = *std::move(svc);
    stub_ = pb::CaseService::NewStub(cases_->channel());
  }

  std::string Tok(Role role, const std::string& subject, std::vector<std::string> accounts = {}) {
    return TestService::Token(role, subject, std::move(accounts), "", false, clock_.Now(),
                              absl::Hours(24 * 365));
  }

  template <typename S, typename Req, typename Resp>
  grpc::Status CallOn(S* stub, grpc::Status (S::*method)(grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& req, Resp* resp) {
    return CallAs(stub, method, token, req, resp);
  }
  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& req, Resp* resp) {
    return CallOn(stub_.get(), method, token, req, resp);
  }

  void SeedInventory(inv::InventoryService::Stub* stub = nullptr) {
    if (stub == nullptr) stub = inv_stub_.get();
    const std::string admin = Tok(Role::kAdmin, "admin-1");
    struct P {
      const char* sku;
      const char* series;
      const char* platform;
      inv::Lifecycle lifecycle;
    };
    for (const P& p : {P{"EX4300-48T", "EX4300", "EX4300-48T", inv::LIFECYCLE_CURRENT},
                       P{"MX480", "MX Series", "MX480", inv::LIFECYCLE_END_OF_PRODUCTION},
                       P{"MX10008-BASE", "MX Series", "MX10008", inv::LIFECYCLE_CURRENT}}) {
      inv::CreateProductRequest req;
      req.set_request_id(absl::StrCat("p-", p.sku));
      auto* prod = req.mutable_product();
      prod->set_sku(p.sku);
      prod->set_display_name(p.sku);
      prod->set_family(inv::PRODUCT_FAMILY_ROUTING);
      prod->set_series(p.series);
      prod->set_platform(p.platform);
      prod->mutable_list_price()->set_currency_code("USD");
      prod->mutable_list_price()->set_amount_minor(100000);
      prod->set_lifecycle(p.lifecycle);
      if (p.lifecycle == inv::LIFECYCLE_END_OF_PRODUCTION) {
        SetTs(T(2024, 1, 1), prod->mutable_end_of_production_time());
      }
      prod->set_latest_software_release("23.4R1");
      prod->set_standard_warranty_months(12);
      inv::Product out;
      grpc::Status s = CallOn(stub, &inv::InventoryService::Stub::CreateProduct, admin, req, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
    // A unit in ACME-001's installed base (alice's account).
    inv::RegisterProductRequest unit;
    unit.set_request_id("u-1");
    unit.set_serial_number("JN11DEMO0001");
    unit.set_sku("EX4300-48T");
    unit.set_account_id("ACME-001");
    unit.mutable_site()->set_region_code("US");
    inv::Unit out;
    grpc::Status s = CallOn(stub, &inv::InventoryService::Stub::RegisterProduct,
                            Tok(Role::kAdmin, "admin-1"), unit, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  pb::CreateCaseRequest NewCase(const std::string& request_id, pb::Priority priority = pb::PRIORITY_P3) {
    pb::CreateCaseRequest req;
    req.set_request_id(request_id);
    auto* c = req.mutable_case_();
    c->set_request_type(pb::REQUEST_TYPE_INSTALLED_BASE_UPDATE);
    c->set_sub_type("site move");
    c->set_priority(priority);
    c->set_follow_up_method(pb::FOLLOW_UP_METHOD_PHONE);
    c->set_callback_phone("+1 (415) 555-0100");
    c->set_summary("move the switch to the new site");
    c->set_description("details");
    return req;
  }

  int64_t Count(const std::string& sql) {
    auto v = cases_->database().QueryValue(sql);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }

  // Waits until `pred` holds (the outbox and the sweeper run on their own).
  template <typename Pred>
  bool Eventually(Pred pred, absl::Duration limit = absl::Seconds(60)) {
    const absl::Time end = absl::Now() + limit;
    while (absl::Now() < end) {
      if (pred()) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return pred();
  }

  pb::Case Get(const std::string& id, const std::string& token) {
    pb::GetCaseRequest req;
    req.set_case_id(id);
    pb::Case out;
    grpc::Status s = Call(&Stub::GetCase, token, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<TestService> inventory_;
  std::unique_ptr<inv::InventoryService::Stub> inv_stub_;
  std::unique_ptr<TestService> cases_;
  std::unique_ptr<Stub> stub_;
  std::string agent_, alice_, alice2_, bob_, logistics_;
};

// --- notifications (docs/NOTIFICATIONS.md) ---------------------------------------------

TEST_F(CaseIntegrationTest, CaseTransitionsPublishDeliveriesOnceEvenWhenReplayed) {
  // A webhook subscription of alice's account for every event type.
  ASSERT_TRUE(cases_->database()
                  .Execute("INSERT INTO webhook_subscriptions (id, account_id, url, event_types,"
                           " description, secret, created_by, created_at_us) VALUES ('WH1',"
                           " 'ACME-001', 'https://hooks.acme.example/in', '', '', 's3cret',"
                           " 'alice', 0)")
                  .ok());
  pb::CreateCaseRequest create = NewCase("notify-create");
  create.mutable_case_()->add_notification_emails("ops@acme.example");
  create.mutable_case_()->add_notification_emails("noc@acme.example");
  pb::Case c;
  grpc::Status s = Call(&Stub::CreateCase, alice_, create, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(c.notification_emails_size(), 2);
  EXPECT_EQ(Get(c.case_id(), alice_).notification_emails(1), "noc@acme.example");
  const std::string of_case =
      absl::StrCat("SELECT COUNT(*) FROM notification_deliveries WHERE event_key LIKE 'case-",
                   c.case_id(), "-%'");
  auto deliveries = [&](const std::string& type) {
    return Count(absl::StrCat(of_case, " AND event_type = '", type, "'"));
  };
  // Two e-mails and one webhook.
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM notification_deliveries WHERE event_key = "
                               "'case-", c.case_id(), "-v1'")),
            3);
  EXPECT_EQ(deliveries("case_created"), 3);
  pb::Case again;
  s = Call(&Stub::CreateCase, alice_, create, &again);  // replayed
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.case_id(), c.case_id());
  EXPECT_EQ(deliveries("case_created"), 3);

  pb::TakeCaseOwnershipRequest take;
  take.set_request_id("notify-take");
  take.set_case_id(c.case_id());
  s = Call(&Stub::TakeCaseOwnership, agent_, take, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Count(of_case), 3);  // NEW -> IN_PROGRESS tells no one

  pb::UpdateCaseStatusRequest wait;
  wait.set_request_id("notify-wait");
  wait.set_case_id(c.case_id());
  wait.set_status(pb::CASE_STATUS_AWAITING_CUSTOMER);
  wait.set_question("Which release runs on the switch?");
  for (int i = 0; i < 2; ++i) {  // the second is a replay
    s = Call(&Stub::UpdateCaseStatus, agent_, wait, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(deliveries("case_awaiting_customer"), 3);
  }
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM notification_deliveries WHERE event_type ="
                               " 'case_awaiting_customer' AND payload LIKE '%Which release runs%'")),
            3);

  pb::ResolveCaseRequest resolve;
  resolve.set_request_id("notify-resolve");
  resolve.set_case_id(c.case_id());
  resolve.set_resolution("upgrade to 23.4R2");
  for (int i = 0; i < 2; ++i) {
    s = Call(&Stub::ResolveCase, agent_, resolve, &c);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(deliveries("case_resolved"), 3);
  }
  EXPECT_EQ(Count(of_case), 9);
  EXPECT_EQ(Count(absl::StrCat(of_case, " AND channel = 'email' AND target = 'ops@acme.example'")),
            3);
}

TEST_F(CaseIntegrationTest, AnInvalidNotificationEmailIsRefusedAndNothingIsWritten) {
  pb::CreateCaseRequest create = NewCase("notify-bad");
  create.mutable_case_()->add_notification_emails("ops@acme.example");
  create.mutable_case_()->add_notification_emails("ops@acme.example\r\nBcc: x@evil.example");
  pb::Case c;
  grpc::Status s = Call(&Stub::CreateCase, alice_, create, &c);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT,
                              HasSubstr("case.notification_emails[1]")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notification_deliveries"), 0);
}

// --- admin cases -------------------------------------------------------------------

TEST_F(CaseIntegrationTest, AdminCaseFromCreationToCustomerConfirmedClose) {
  pb::CreateCaseRequest req = NewCase("c-1");
  req.mutable_case_()->set_serial_number("JN11DEMO0001");
  pb::Case c;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, req, &c).ok());
  ASSERT_OK_AND_ASSIGN(CaseId id, ParseCaseId(c.case_id()));
  EXPECT_EQ(id.day, absl::CivilDay(2026, 11, 16));
  EXPECT_EQ(c.status(), pb::CASE_STATUS_NEW);
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_FILLED);
  EXPECT_EQ(c.product_series(), "EX4300");
  EXPECT_EQ(c.product_platform(), "EX4300-48T");
  EXPECT_EQ(c.callback_phone(), "+14155550100");
  EXPECT_EQ(c.account_id(), "ACME-001");
  EXPECT_EQ(c.response_due_time().seconds(), absl::ToUnixSeconds(T(2026, 11, 18, 9)));

  // Only the customer may close; the agent must take the case first.
  pb::ResolveCaseRequest resolve;
  resolve.set_request_id("r-0");
  resolve.set_case_id(c.case_id());
  resolve.set_resolution("done");
  EXPECT_THAT(Call(&Stub::ResolveCase, agent_, resolve, &c),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("NEW")));

  pb::TakeCaseOwnershipRequest take;
  take.set_request_id("t-1");
  take.set_case_id(c.case_id());
  take.set_etag(c.etag());
  ASSERT_TRUE(Call(&Stub::TakeCaseOwnership, agent_, take, &c).ok());
  EXPECT_EQ(c.status(), pb::CASE_STATUS_IN_PROGRESS);
  EXPECT_EQ(c.owner(), "agent-1");
  // A stale etag is ABORTED.
  take.set_request_id("t-2");
  take.set_etag("1");
  EXPECT_THAT(Call(&Stub::TakeCaseOwnership, agent_, take, &c),
              GrpcStatusIs(grpc::StatusCode::ABORTED, HasSubstr("etag")));

  pb::AddCaseNoteRequest note;
  note.set_request_id("n-1");
  note.set_case_id(c.case_id());
  note.set_body("suspect a licensing mix-up");
  note.set_internal(true);
  ASSERT_TRUE(Call(&Stub::AddCaseNote, agent_, note, &c).ok());
  EXPECT_FALSE(c.has_first_response_time());
  note.set_request_id("n-1b");
  note.set_internal(true);
  EXPECT_THAT(Call(&Stub::AddCaseNote, alice_, note, &c),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("internal")));
  note.set_request_id("n-2");
  note.set_internal(false);
  note.set_body("Please send the new site address.");
  ASSERT_TRUE(Call(&Stub::AddCaseNote, agent_, note, &c).ok());
  EXPECT_TRUE(c.has_first_response_time());

  pb::UpdateCaseStatusRequest wait;
  wait.set_request_id("s-1");
  wait.set_case_id(c.case_id());
  wait.set_status(pb::CASE_STATUS_AWAITING_CUSTOMER);
  ASSERT_TRUE(Call(&Stub::UpdateCaseStatus, agent_, wait, &c).ok());
  EXPECT_TRUE(c.sla_paused());
  clock_.Advance(absl::Hours(30));
  note.set_request_id("n-3");
  note.set_body("The new site is in Austin.");
  ASSERT_TRUE(Call(&Stub::AddCaseNote, alice_, note, &c).ok());
  EXPECT_EQ(c.status(), pb::CASE_STATUS_IN_PROGRESS);
  EXPECT_FALSE(c.sla_paused());

  pb::EscalateCaseRequest esc;
  esc.set_request_id("e-1");
  esc.set_case_id(c.case_id());
  esc.set_kind(pb::ESCALATION_KIND_FASTER_PROGRESS);
  esc.set_reason("site opens Monday");
  ASSERT_TRUE(Call(&Stub::EscalateCase, alice_, esc, &c).ok());
  EXPECT_EQ(c.escalation_level(), 1);
  EXPECT_TRUE(c.team_lead_attention());

  resolve.set_request_id("r-1");
  ASSERT_TRUE(Call(&Stub::ResolveCase, agent_, resolve, &c).ok());
  EXPECT_EQ(c.status(), pb::CASE_STATUS_RESOLVED);

  pb::CloseCaseRequest close;
  close.set_request_id("cl-1");
  close.set_case_id(c.case_id());
  EXPECT_THAT(Call(&Stub::CloseCase, agent_, close, &c),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("customer")));
  pb::ReopenCaseRequest reopen;
  reopen.set_request_id("ro-1");
  reopen.set_case_id(c.case_id());
  reopen.set_reason("still wrong");
  ASSERT_TRUE(Call(&Stub::ReopenCase, alice_, reopen, &c).ok());
  EXPECT_EQ(c.status(), pb::CASE_STATUS_IN_PROGRESS);
  resolve.set_request_id("r-2");
  ASSERT_TRUE(Call(&Stub::ResolveCase, agent_, resolve, &c).ok());
  ASSERT_TRUE(Call(&Stub::CloseCase, alice_, close, &c).ok());
  EXPECT_EQ(c.status(), pb::CASE_STATUS_CLOSED);

  // The timeline, page by page: agents see the internal note, customers not.
  auto timeline = [&](const std::string& token) {
    std::vector<pb::CaseEvent> all;
    pb::ListCaseEventsRequest list;
    list.set_case_id(c.case_id());
    list.set_page_size(3);
    for (int pages = 0; pages < 20; ++pages) {
      pb::ListCaseEventsResponse page;
      grpc::Status s = Call(&Stub::ListCaseEvents, token, list, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      EXPECT_LE(page.events_size(), 3);
      for (const auto& e : page.events()) all.push_back(e);
      if (page.next_page_token().empty()) break;
      list.set_page_token(page.next_page_token());
    }
    return all;
  };
  std::vector<pb::CaseEvent> staff = timeline(agent_);
  std::vector<pb::CaseEvent> customer = timeline(alice_);
  EXPECT_EQ(staff.size(), customer.size() + 1);
  for (size_t i = 1; i < staff.size(); ++i) EXPECT_LT(staff[i - 1].event_id(), staff[i].event_id());
  for (const auto& e : customer) {
    EXPECT_FALSE(e.internal());
    EXPECT_THAT(e.detail(), ::testing::Not(HasSubstr("licensing mix-up")));
  }
  EXPECT_EQ(staff.front().kind(), "created");
  EXPECT_EQ(staff.back().kind(), "closed");
}

// CreateCase's statements, counted from the server's general log (the
// transaction of the connection that wrote the case, to its COMMIT): the
// case with its idempotency key and answer (RowKey: no idempotency_keys row),
// the account's webhooks, COMMIT. The timeline's "created" entry is derived
// from the case row (no case_events row), and is still the first entry of
// ListCaseEvents. A case stored before migration 0004 (opened_by_role '')
// keeps its stored "created" event, listed once.
TEST_F(CaseIntegrationTest, CreateCaseIsOneTransactionOfThreeStatementsWithoutTimelineOrKeyRows) {
  const std::string request_id =
      absl::StrCat("stmts-", getpid(), "-", absl::ToUnixMicros(absl::Now()));
  pb::Case created;
  grpc::Status s;
  absl::StatusOr<std::vector<std::string>> txn = cases_->database().TransactionWriting(
      absl::StrCat("INSERT INTO cases%", request_id, "%"),
      [&] { s = Call(&Stub::CreateCase, alice_, NewCase(request_id, pb::PRIORITY_P2), &created); });
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(txn.ok()) << txn.status();
  const std::string all = absl::StrJoin(*txn, "\n");
  EXPECT_EQ(txn->size(), 3u) << all;
  EXPECT_THAT(all, HasSubstr("FROM webhook_subscriptions"));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("case_events")));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("INSERT INTO idempotency_keys")));
  EXPECT_EQ(txn->back(), "COMMIT") << all;
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM case_events WHERE case_id = '",
                               created.case_id(), "'")),
            0);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM idempotency_keys WHERE request_id = '",
                               request_id, "'")),
            0);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM cases WHERE request_id = '", request_id,
                               "' AND id = '", created.case_id(), "'")),
            1);

  pb::ListCaseEventsRequest list;
  list.set_case_id(created.case_id());
  pb::ListCaseEventsResponse events;
  ASSERT_TRUE(Call(&Stub::ListCaseEvents, alice_, list, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  const pb::CaseEvent& first = events.events(0);
  EXPECT_EQ(first.event_id(), 0);
  EXPECT_EQ(first.kind(), "created");
  EXPECT_EQ(first.actor(), "alice");
  EXPECT_EQ(first.actor_role(), "customer");
  EXPECT_EQ(first.detail(), "P2: move the switch to the new site");
  EXPECT_EQ(first.event_time().seconds(), created.create_time().seconds());

  // A case as stored before migration 0004: its own "created" row.
  pb::Case legacy;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("legacy-1"), &legacy).ok());
  ASSERT_TRUE(cases_->database()
                  .Execute(absl::StrCat("UPDATE cases SET opened_by_role = '' WHERE id = '",
                                        legacy.case_id(), "'"))
                  .ok());
  ASSERT_TRUE(cases_->database()
                  .Execute(absl::StrCat(
                      "INSERT INTO case_events (case_id, event_at_us, actor, actor_role, kind,"
                      " detail, internal) VALUES ('",
                      legacy.case_id(), "', 0, 'alice', 'customer', 'created', 'P3: old', 0)"))
                  .ok());
  list.set_case_id(legacy.case_id());
  ASSERT_TRUE(Call(&Stub::ListCaseEvents, alice_, list, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).detail(), "P3: old");
  EXPECT_GT(events.events(0).event_id(), 0);
}

// CreateCase keeps its idempotency key on the case (RowKey): a replay gets
// the first answer even after the case changed; the same id with another
// request is INVALID_ARGUMENT; ids are per caller; concurrent calls with one
// id create one case; a key in idempotency_keys (another method's, or a
// CreateCase key written before migration 0005) is honoured.
TEST_F(CaseIntegrationTest, CreateCaseKeepsItsKeyOnTheCaseAndAnswersReplaysFromIt) {
  pb::Case first, again;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("key-1"), &first).ok());
  pb::TakeCaseOwnershipRequest take;
  take.set_request_id("key-take");
  take.set_case_id(first.case_id());
  take.set_etag(first.etag());
  pb::Case taken;
  ASSERT_TRUE(Call(&Stub::TakeCaseOwnership, agent_, take, &taken).ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("key-1"), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());  // not the taken case
  EXPECT_EQ(again.status(), pb::CASE_STATUS_NEW);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 1);

  pb::CreateCaseRequest other = NewCase("key-1");
  other.mutable_case_()->set_summary("something else");
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, other, &again),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  pb::Case bobs;
  ASSERT_TRUE(Call(&Stub::CreateCase, bob_, NewCase("key-1"), &bobs).ok());
  EXPECT_NE(bobs.case_id(), first.case_id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 2);

  // Eight concurrent calls with one id: one case, one answer.
  std::vector<pb::Case> answers(8);
  std::vector<grpc::Status> statuses(8);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        statuses[i] = Call(&Stub::CreateCase, alice_, NewCase("key-race"), &answers[i]);
      });
    }
    for (auto& t : threads) t.join();
  }
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(answers[i].case_id(), answers[0].case_id());
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 3);

  // Another method's key first: CreateCase with it is refused, writes nothing.
  pb::AddCaseNoteRequest note;
  note.set_request_id("key-shared");
  note.set_case_id(first.case_id());
  note.set_body("calling back tomorrow");
  pb::Case noted;
  ASSERT_TRUE(Call(&Stub::AddCaseNote, alice_, note, &noted).ok());
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, NewCase("key-shared"), &again),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 3);

  // A CreateCase key as a version before migration 0005 kept it.
  ASSERT_TRUE(cases_->database()
                  .Execute(absl::StrCat(
                      "INSERT INTO idempotency_keys (caller, request_id, method, request_hash,"
                      " response, created_at_us) SELECT request_caller, request_id, 'CreateCase',"
                      " request_hash, request_response, 0 FROM cases WHERE id = '",
                      first.case_id(), "'"))
                  .ok());
  ASSERT_TRUE(cases_->database()
                  .Execute(absl::StrCat("UPDATE cases SET request_caller = NULL, request_id = NULL,"
                                        " request_hash = NULL, request_response = NULL WHERE id = '",
                                        first.case_id(), "'"))
                  .ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("key-1"), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 3);
}

TEST_F(CaseIntegrationTest, CustomersSeeOnlyTheirOwnAndTheirAccountsCases) {
  pb::Case a, b;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("a-1"), &a).ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, bob_, NewCase("b-1"), &b).ok());

  pb::GetCaseRequest get;
  get.set_case_id(a.case_id());
  pb::Case out;
  EXPECT_THAT(Call(&Stub::GetCase, bob_, get, &out),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  // A colleague on the same account sees it, also by the 13-digit phone form.
  std::string phone = a.case_id();
  phone.erase(std::remove(phone.begin(), phone.end(), '-'), phone.end());
  get.set_case_id(phone);
  ASSERT_TRUE(Call(&Stub::GetCase, alice2_, get, &out).ok());
  EXPECT_EQ(out.case_id(), a.case_id());
  ASSERT_TRUE(Call(&Stub::GetCase, agent_, get, &out).ok());

  pb::ListCasesRequest list;
  pb::ListCasesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCases, bob_, list, &page).ok());
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).case_id(), b.case_id());
  ASSERT_TRUE(Call(&Stub::ListCases, agent_, list, &page).ok());
  EXPECT_EQ(page.cases_size(), 2);
  pb::ListCaseEventsRequest events;
  events.set_case_id(a.case_id());
  pb::ListCaseEventsResponse ev;
  EXPECT_THAT(Call(&Stub::ListCaseEvents, bob_, events, &ev),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  pb::AddCaseNoteRequest note;
  note.set_request_id("bob-note");
  note.set_case_id(a.case_id());
  note.set_body("hi");
  EXPECT_THAT(Call(&Stub::AddCaseNote, bob_, note, &out),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
}

// "Breaching its response target" is decided by IsBreaching in C++ and by
// the repository's SQL over breach_at_us (the breaching_only filter and the
// gauge's count). A microsecond before the due time, at it, and a
// microsecond after, the MySQL repository, the fake and IsBreaching agree;
// a case with a first response never breaches.
TEST_F(CaseIntegrationTest, BreachingIsOneRuleInSqlAndInTheDomain) {
  pb::Case created;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("breach-1", pb::PRIORITY_P1), &created).ok());
  ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(cases_->database().Options(2), nullptr));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool->Acquire());
  MysqlCaseRepository mysql(*conn, clock_);
  ASSERT_OK_AND_ASSIGN(std::optional<Case> stored, mysql.FindCase(created.case_id(), false));
  ASSERT_TRUE(stored.has_value());
  ASSERT_TRUE(stored->sla.due.has_value()) << "a P1 case has a response target";
  const absl::Time due = *stored->sla.due;
  FakeCaseRepository fake;
  fake.cases[stored->id] = *stored;
  MysqlCaseStore store(pool.get(), &clock_);
  for (int64_t offset_us : {-1, 0, 1}) {
    SCOPED_TRACE(offset_us);
    CaseFilter f;
    f.breaching_only = true;
    f.now = due + absl::Microseconds(offset_us);
    const bool expected = offset_us > 0;
    EXPECT_EQ(IsBreaching(*stored, f.now), expected);
    ASSERT_OK_AND_ASSIGN(std::vector<Case> from_sql, mysql.ListCases(f, std::nullopt, 50));
    ASSERT_OK_AND_ASSIGN(std::vector<Case> from_fake, fake.ListCases(f, std::nullopt, 50));
    EXPECT_EQ(from_sql.size(), expected ? 1u : 0u);
    EXPECT_EQ(from_fake.size(), from_sql.size());
    ASSERT_OK_AND_ASSIGN(int64_t counted, store.CountBreaching(f.now));
    EXPECT_EQ(counted, expected ? 1 : 0);
  }
  // Answered: no longer breaching, in either.
  stored->first_response_time = due - absl::Minutes(1);
  EXPECT_FALSE(IsBreaching(*stored, due + absl::Hours(1)));
  EXPECT_FALSE(BreachAt(*stored).has_value());
}

// A contract test of the trade-in list: the same trade-ins in MariaDB and in
// the fake repository, the same filters (status, account, a scoped
// caller's accounts) and the same keyset pages give the same ids in the
// same order. (The fake once ignored all but the status.)
TEST_F(CaseIntegrationTest, ListTradeInsIsTheSameInMysqlAndInTheFake) {
  ASSERT_OK_AND_ASSIGN(auto pool,
                       db::ConnectionPool::Create(cases_->database().Options(2), nullptr));
  ASSERT_OK_AND_ASSIGN(db::PooledConnection conn, pool->Acquire());
  MysqlCaseRepository mysql(*conn, clock_);
  FakeCaseRepository fake;
  const absl::Time t0 = clock_.Now();
  for (int i = 0; i < 9; ++i) {
    TradeIn t;
    t.id = absl::StrCat("2026-1116-", 70001 + i);
    t.account_id = i % 3 == 0 ? "ACME-001" : (i % 3 == 1 ? "GLOBEX-9" : "INITECH-4");
    t.opened_by = "alice";
    t.order_number = absl::StrCat("SO-", i);
    t.order_time = t0 - absl::Hours(24);
    t.phase = TmipPhase::kPhase1;
    t.disposition = Disposition::kReturn;
    t.lines = {TradeInLine{1, "MX480", 1}};
    t.status = i % 4 == 0 ? TradeInStatus::kCompleted : TradeInStatus::kOpen;
    t.due_time = t0 + absl::Hours(24 * 30);
    // Two pairs share a creation time, so the id breaks the tie.
    t.create_time = t.update_time = t0 + absl::Seconds(i / 2);
    ASSERT_OK(mysql.InsertTradeIn(t));
    ASSERT_OK(fake.InsertTradeIn(t));
  }
  auto ids = [](const std::vector<TradeIn>& list) {
    std::vector<std::string> out;
    for (const TradeIn& t : list) out.push_back(t.id);
    return out;
  };
  std::vector<TradeInFilter> filters(5);
  filters[1].status = TradeInStatus::kOpen;
  filters[2].account_id = "GLOBEX-9";
  filters[3].scoped = true;
  filters[3].accounts = {"ACME-001", "INITECH-4"};
  filters[4].scoped = true;  // a scoped caller with no account sees nothing
  for (size_t n = 0; n < filters.size(); ++n) {
    SCOPED_TRACE(n);
    ASSERT_OK_AND_ASSIGN(std::vector<TradeIn> all_sql,
                         mysql.ListTradeIns(filters[n], std::nullopt, 50));
    ASSERT_OK_AND_ASSIGN(std::vector<TradeIn> all_fake,
                         fake.ListTradeIns(filters[n], std::nullopt, 50));
    EXPECT_EQ(ids(all_fake), ids(all_sql));
    // Pages of two, each after the last one's (create_time, id).
    std::vector<std::string> paged_sql, paged_fake;
    std::optional<PageCursor> after_sql, after_fake;
    for (int page = 0; page < 10; ++page) {
      ASSERT_OK_AND_ASSIGN(std::vector<TradeIn> sql, mysql.ListTradeIns(filters[n], after_sql, 2));
      ASSERT_OK_AND_ASSIGN(std::vector<TradeIn> in_fake,
                           fake.ListTradeIns(filters[n], after_fake, 2));
      EXPECT_EQ(ids(in_fake), ids(sql));
      if (sql.empty() || in_fake.empty()) break;
      for (const TradeIn& t : sql) paged_sql.push_back(t.id);
      for (const TradeIn& t : in_fake) paged_fake.push_back(t.id);
      after_sql = PageCursor{{std::to_string(absl::ToUnixMicros(sql.back().create_time)),
                              sql.back().id}};
      after_fake = PageCursor{{std::to_string(absl::ToUnixMicros(in_fake.back().create_time)),
                               in_fake.back().id}};
    }
    EXPECT_EQ(paged_sql, ids(all_sql));
    EXPECT_EQ(paged_fake, paged_sql);
  }
}

TEST_F(CaseIntegrationTest, ListFiltersAndKeysetPages) {
  for (int i = 0; i < 7; ++i) {
    pb::Case c;
    ASSERT_TRUE(Call(&Stub::CreateCase, alice_,
                     NewCase(absl::StrCat("l-", i), i % 2 ? pb::PRIORITY_P1 : pb::PRIORITY_P4), &c)
                    .ok());
    clock_.Advance(absl::Seconds(1));
  }
  pb::ListCasesRequest list;
  list.set_priority(pb::PRIORITY_P4);
  list.set_page_size(2);
  std::vector<std::string> ids;
  for (int pages = 0; pages < 10; ++pages) {
    pb::ListCasesResponse page;
    ASSERT_TRUE(Call(&Stub::ListCases, agent_, list, &page).ok());
    for (const auto& c : page.cases()) {
      EXPECT_EQ(c.priority(), pb::PRIORITY_P4);
      ids.push_back(c.case_id());
    }
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_TRUE(std::is_sorted(ids.rbegin(), ids.rend()));  // newest first
  // A customer's pages: its own and its account's cases (two index ranges
  // merged), nobody else's, each once.
  pb::Case other;
  ASSERT_TRUE(Call(&Stub::CreateCase, bob_, NewCase("l-bob"), &other).ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice2_, NewCase("l-colleague"), &other).ok());
  pb::ListCasesRequest mine;
  mine.set_page_size(3);
  std::set<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    pb::ListCasesResponse page;
    ASSERT_TRUE(Call(&Stub::ListCases, alice_, mine, &page).ok());
    for (const auto& c : page.cases()) {
      EXPECT_EQ(c.account_id(), "ACME-001");
      EXPECT_TRUE(seen.insert(c.case_id()).second) << c.case_id() << " twice";
    }
    if (page.next_page_token().empty()) break;
    mine.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen.size(), 8u);
  // A token is bound to its filters.
  list.set_priority(pb::PRIORITY_P1);
  pb::ListCasesResponse page;
  list.set_page_token("");
  list.set_page_size(1);
  ASSERT_TRUE(Call(&Stub::ListCases, agent_, list, &page).ok());
  list.set_page_token(page.next_page_token());
  list.set_priority(pb::PRIORITY_P4);
  EXPECT_THAT(Call(&Stub::ListCases, agent_, list, &page),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
  list.set_priority(static_cast<pb::Priority>(9));
  list.set_page_token("");
  EXPECT_THAT(Call(&Stub::ListCases, agent_, list, &page),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("priority")));
  // The page query walks an index in order: no filesort, whatever the depth.
  for (const char* filter : {"priority = 4", "status = 1", "account_id = 'ACME-001'",
                             "owner = 'agent-1'", "request_type = 7"}) {
    auto plan = cases_->database().QueryValue(absl::StrCat(
        "EXPLAIN FORMAT=JSON SELECT id FROM cases WHERE ", filter,
        " AND (created_at_us < 5 OR (created_at_us = 5 AND id < 'x'))"
        " ORDER BY created_at_us DESC, id DESC LIMIT 3"));
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_THAT(*plan, ::testing::Not(HasSubstr("filesort"))) << filter << ": " << *plan;
  }
}

TEST_F(CaseIntegrationTest, TwoHundredConcurrentCreationsGetDistinctIncreasingIds) {
  constexpr int kThreads = 64;
  constexpr int kTotal = 200;
  std::atomic<int> next{0};
  aftercare::Mutex mu;
  std::vector<std::string> ids;
  std::atomic<int> failures{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto stub = pb::CaseService::NewStub(cases_->channel());
      for (int i = next++; i < kTotal; i = next++) {
        pb::Case c;
        grpc::Status s = CallOn(stub.get(), &Stub::CreateCase, alice_, NewCase(absl::StrCat("cc-", i)), &c);
        if (!s.ok()) {
          ++failures;
          ADD_FAILURE() << s.error_message();
          continue;
        }
        aftercare::MutexLock lock(&mu);
        ids.push_back(c.case_id());
      }
    });
  }
  for (auto& t : threads) t.join();
  const absl::Duration took = absl::Now() - start;
  std::cout << "[ perf ] " << kTotal << " CreateCase calls from " << kThreads << " callers in "
            << took << " = " << kTotal / absl::ToDoubleSeconds(took) << " cases/s\n";
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kTotal));
  std::set<int64_t> seqs;
  for (const std::string& id : ids) {
    ASSERT_OK_AND_ASSIGN(CaseId parsed, ParseCaseId(id));
    EXPECT_EQ(parsed.day, absl::CivilDay(2026, 11, 16));
    EXPECT_EQ(parsed.ToString(), id);
    seqs.insert(parsed.seq);
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kTotal));  // distinct
  // One process hands out its blocks in order: 1..200 with no gap.
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), kTotal);
  // Increasing in creation order.
  std::vector<std::string> by_time;
  pb::ListCasesRequest list;
  list.set_page_size(500);
  pb::ListCasesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCases, agent_, list, &page).ok());
  EXPECT_EQ(page.cases_size(), kTotal);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), kTotal);
}

TEST_F(CaseIntegrationTest, SameRequestIdSameResultNothingWrittenTwice) {
  pb::Case first, second;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("same"), &first).ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("same"), &second).ok());
  EXPECT_EQ(first.case_id(), second.case_id());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 1);
  pb::CreateCaseRequest other = NewCase("same");
  other.mutable_case_()->set_summary("something else");
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, other, &second),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("request_id")));

  pb::AddCaseNoteRequest note;
  note.set_request_id("note-once");
  note.set_case_id(first.case_id());
  note.set_body("hello");
  pb::Case a, b;
  ASSERT_TRUE(Call(&Stub::AddCaseNote, agent_, note, &a).ok());
  ASSERT_TRUE(Call(&Stub::AddCaseNote, agent_, note, &b).ok());
  EXPECT_EQ(a.etag(), b.etag());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events WHERE kind = 'note'"), 1);
}

TEST_F(CaseIntegrationTest, BadInputIsRefusedAndWritesNothing) {
  pb::Case out;
  pb::GetCaseRequest get;
  get.set_case_id("2026-1116-0001");
  EXPECT_THAT(Call(&Stub::GetCase, agent_, get, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("case_id")));
  get.set_case_id("2026-0230-00001");
  EXPECT_THAT(Call(&Stub::GetCase, agent_, get, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("case_id")));

  pb::CreateCaseRequest req = NewCase("bad-1");
  req.mutable_case_()->set_priority(static_cast<pb::Priority>(7));
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, req, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("priority")));
  req = NewCase("bad-2");
  req.mutable_case_()->set_summary(std::string(300, 'x'));
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, req, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("summary")));
  req = NewCase("bad-3");
  req.mutable_case_()->set_callback_phone("call me");
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, req, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("callback_phone")));
  req = NewCase("bad-4");
  req.mutable_case_()->set_request_type(pb::REQUEST_TYPE_MIS_SHIPMENT);
  auto* m = req.mutable_case_()->mutable_mis_shipment();
  m->set_order_number("SO-1");
  SetTs(clock_.Now() - absl::Hours(24 * 91), m->mutable_ship_time());
  m->set_ordered_directly(true);
  m->set_category(pb::MIS_SHIPMENT_CATEGORY_MISSING_PARTS);
  auto* line = m->add_lines();
  line->set_sku("EX4300-48T");
  line->set_quantity(1);
  EXPECT_THAT(Call(&Stub::CreateCase, alice_, req, &out),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("90 days")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM idempotency_keys"), 0);

  // Within the window it works, and the resolution needs the tracking number.
  req.set_request_id("ms-ok");
  SetTs(clock_.Now() - absl::Hours(24 * 60), m->mutable_ship_time());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, req, &out).ok());
  pb::TakeCaseOwnershipRequest take;
  take.set_request_id("ms-take");
  take.set_case_id(out.case_id());
  ASSERT_TRUE(Call(&Stub::TakeCaseOwnership, agent_, take, &out).ok());
  pb::ResolveCaseRequest resolve;
  resolve.set_request_id("ms-r1");
  resolve.set_case_id(out.case_id());
  resolve.set_resolution("shipped the missing PSU");
  EXPECT_THAT(Call(&Stub::ResolveCase, agent_, resolve, &out),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("corrected_tracking_number")));
  resolve.set_request_id("ms-r2");
  resolve.set_corrected_tracking_number("1Z999AA10123456784");
  ASSERT_TRUE(Call(&Stub::ResolveCase, agent_, resolve, &out).ok());
  EXPECT_EQ(out.mis_shipment().corrected_tracking_number(), "1Z999AA10123456784");
}

TEST_F(CaseIntegrationTest, BreachingCasesAreListedAndCounted) {
  pb::Case p1, p3;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("p1", pb::PRIORITY_P1), &p1).ok());
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("p3", pb::PRIORITY_P3), &p3).ok());
  clock_.Advance(absl::Hours(3));
  pb::ListCasesRequest list;
  list.set_breaching_only(true);
  pb::ListCasesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCases, agent_, list, &page).ok());
  ASSERT_EQ(page.cases_size(), 1);
  EXPECT_EQ(page.cases(0).case_id(), p1.case_id());
  EXPECT_TRUE(page.cases(0).breaching());
  const int port = cases_->runtime().metrics_port();
  EXPECT_TRUE(Eventually([&] { return Metric(ScrapeMetrics(port), "aftercare_cases_breaching") == 1; },
                         absl::Seconds(10)));
  // A first response ends the breach.
  pb::AddCaseNoteRequest note;
  note.set_request_id("first");
  note.set_case_id(p1.case_id());
  note.set_body("looking at it");
  ASSERT_TRUE(Call(&Stub::AddCaseNote, agent_, note, &p1).ok());
  EXPECT_FALSE(p1.breaching());
  EXPECT_TRUE(Eventually([&] { return Metric(ScrapeMetrics(port), "aftercare_cases_breaching") == 0; },
                         absl::Seconds(10)));
}

// case-svc looks a serial up on behalf of the case's account: another
// account's unit fills nothing (the same as an unknown serial), so a caller
// learns nothing through a case that inventory-svc would not show it.
TEST_F(CaseIntegrationTest, AnotherAccountsUnitFillsNoProductFields) {
  pb::CreateCaseRequest req = NewCase("leak-1");
  req.mutable_case_()->set_serial_number("JN11DEMO0001");  // ACME-001's unit
  pb::Case c;
  ASSERT_TRUE(Call(&Stub::CreateCase, bob_, req, &c).ok());
  EXPECT_EQ(c.account_id(), "GLOBEX-7");
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_NOT_FOUND);
  EXPECT_EQ(c.product_series(), "");
  EXPECT_EQ(c.product_platform(), "");
  // Staff opening a case for GLOBEX-7 get the same: the unit is not theirs.
  req.set_request_id("leak-2");
  req.mutable_case_()->set_account_id("GLOBEX-7");
  ASSERT_TRUE(Call(&Stub::CreateCase, agent_, req, &c).ok());
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_NOT_FOUND);
  EXPECT_EQ(c.product_series(), "");
  // For ACME-001 it fills (the control).
  req.set_request_id("leak-3");
  req.mutable_case_()->set_account_id("ACME-001");
  ASSERT_TRUE(Call(&Stub::CreateCase, agent_, req, &c).ok());
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_FILLED);
  EXPECT_EQ(c.product_series(), "EX4300");
}

// Visibility follows the accounts in the token, not who opened the case.
TEST_F(CaseIntegrationTest, TheCreatorWhoLostTheAccountNoLongerSeesTheCase) {
  pb::Case c;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, NewCase("lost-1"), &c).ok());
  const std::string moved = Tok(Role::kCustomer, "alice", {"GLOBEX-7"});
  pb::GetCaseRequest get;
  get.set_case_id(c.case_id());
  pb::Case out;
  grpc::Status s = Call(&Stub::GetCase, moved, get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), absl::StrCat("case ", c.case_id(), " not found"));
  EXPECT_EQ(out.case_id(), "");
  pb::ListCasesRequest list;
  pb::ListCasesResponse page;
  ASSERT_TRUE(Call(&Stub::ListCases, moved, list, &page).ok());
  for (const auto& x : page.cases()) EXPECT_NE(x.case_id(), c.case_id());
  // No account at all: cannot open a case nobody could see afterwards.
  const std::string none = Tok(Role::kCustomer, "alice");
  const int64_t before = Count("SELECT COUNT(*) FROM cases");
  EXPECT_EQ(Call(&Stub::CreateCase, none, NewCase("lost-2"), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(&Stub::GetCase, none, get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cases"), before);
}

// An outbox event whose payload does not parse is dead-lettered (kept for an
// operator, counted), never marked delivered (common/outbox.h).
TEST_F(CaseIntegrationTest, AnUnreadableOutboxPayloadIsDeadLetteredNotDelivered) {
  // Field 1, 5 bytes announced, none there: no message parses from it.
  for (const char* type : {kEventProductLookup, kEventReinstate, kEventTradeInIntake}) {
    ASSERT_TRUE(cases_->database()
                    .Execute(absl::StrCat("INSERT INTO outbox_events (aggregate_type, aggregate_id,"
                                          " event_type, payload, created_at_us, next_attempt_at_us)"
                                          " VALUES ('case', 'poison-", type, "', '", type,
                                          "', X'0A05', 0, 0)"))
                    .ok());
  }
  const std::string poison = "aggregate_id LIKE 'poison-%'";
  EXPECT_TRUE(Eventually([&] {
    return Count(absl::StrCat("SELECT COUNT(*) FROM outbox_events WHERE ", poison,
                              " AND dead_at_us IS NOT NULL")) == 3;
  }));
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM outbox_events WHERE ", poison,
                               " AND delivered_at_us IS NOT NULL")),
            0);
  EXPECT_EQ(Count(absl::StrCat("SELECT COUNT(*) FROM outbox_events WHERE ", poison,
                               " AND last_error LIKE 'payload of % is not a %'")),
            3);
  const std::string scrape = ScrapeMetrics(cases_->runtime().metrics_port());
  for (const char* type : {kEventProductLookup, kEventReinstate, kEventTradeInIntake}) {
    EXPECT_EQ(Metric(scrape, absl::StrCat("aftercare_outbox_dead_lettered_total{event_type=\"",
                                          type, "\"}")),
              1)
        << type;
  }
}

TEST_F(CaseIntegrationTest, ProductFieldsAreFilledLaterWhenInventoryWasDown) {
  const int port = PickFreePort();
  StartCases(absl::StrCat("127.0.0.1:", port));  // nothing listens there yet
  pb::CreateCaseRequest req = NewCase("down-1");
  req.mutable_case_()->set_serial_number("JN11DEMO0001");
  pb::Case c;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, req, &c).ok());
  EXPECT_EQ(c.product_lookup_state(), pb::PRODUCT_LOOKUP_STATE_PENDING);
  EXPECT_EQ(c.product_series(), "");

  auto late = TestService::Start(inventory::Spec(),
                                 {.clock = &clock_, .flags = {{"grpc_port", std::to_string(port)}}});
  ASSERT_TRUE(late.ok()) << late.status();
  auto late_stub = inv::InventoryService::NewStub((*late)->channel());
  SeedInventory(late_stub.get());
  // The outbox retries on the service clock's schedule: move it along.
  EXPECT_TRUE(Eventually([&] {
    clock_.Advance(absl::Seconds(5));
    return Get(c.case_id(), alice_).product_lookup_state() == pb::PRODUCT_LOOKUP_STATE_FILLED;
  }));
  pb::Case filled = Get(c.case_id(), alice_);
  EXPECT_EQ(filled.product_series(), "EX4300");
  EXPECT_EQ(filled.product_platform(), "EX4300-48T");
  cases_.reset();
}

TEST_F(CaseIntegrationTest, ApprovedGreyMarketCaseReinstatesTheUnit) {
  inv::RegisterProductRequest reg;
  reg.set_request_id("reg-1");
  reg.set_serial_number("JN11GREY0001");
  reg.set_sku("EX4300-48T");
  reg.set_account_id("ACME-001");
  reg.mutable_site()->set_region_code("US");
  inv::Unit registered;
  grpc::Status r = CallOn(inv_stub_.get(), &inv::InventoryService::Stub::RegisterProduct,
                          Tok(Role::kAdmin, "admin-1"), reg, &registered);
  ASSERT_TRUE(r.ok()) << r.error_message();
  inv::FlagGreyMarketRequest flag;
  flag.set_request_id("flag-1");
  flag.set_serial_number("JN11GREY0001");
  flag.set_reason("bought from a broker");
  inv::Unit unit;
  grpc::Status flagged =
      CallOn(inv_stub_.get(), &inv::InventoryService::Stub::FlagGreyMarket, agent_, flag, &unit);
  ASSERT_TRUE(flagged.ok()) << flagged.error_message();
  ASSERT_TRUE(unit.grey_market());

  pb::CreateCaseRequest req = NewCase("gm-1");
  req.mutable_case_()->set_request_type(pb::REQUEST_TYPE_GREY_MARKET_REINSTATEMENT);
  req.mutable_case_()->set_serial_number("JN11GREY0001");
  pb::Case c;
  ASSERT_TRUE(Call(&Stub::CreateCase, alice_, req, &c).ok());
  EXPECT_EQ(c.reinstatement_status(), pb::REINSTATEMENT_STATUS_AWAITING_APPROVAL);
  pb::ApproveReinstatementRequest approve;
  approve.set_request_id("ap-1");
  approve.set_case_id(c.case_id());
  approve.set_inspection_reference("INSP-42");
  EXPECT_THAT(Call(&Stub::ApproveReinstatement, alice_, approve, &c),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("care_agent")));
  ASSERT_TRUE(Call(&Stub::ApproveReinstatement, agent_, approve, &c).ok());
  EXPECT_EQ(c.reinstatement_status(), pb::REINSTATEMENT_STATUS_APPROVED);
  EXPECT_TRUE(Eventually([&] {
    return Get(c.case_id(), agent_).reinstatement_status() == pb::REINSTATEMENT_STATUS_REINSTATED;
  }));
  inv::GetUnitRequest get;
  get.set_serial_number("JN11GREY0001");
  ASSERT_TRUE(CallOn(inv_stub_.get(), &inv::InventoryService::Stub::GetUnit, agent_, get, &unit).ok());
  EXPECT_FALSE(unit.grey_market());
}

// --- trade-in cases -------------------------------------------------------------------

class TradeInIntegrationTest : public CaseIntegrationTest {
 protected:
  pb::CreateTradeInCaseRequest NewTradeIn(const std::string& request_id, pb::Disposition d,
                                          std::vector<std::string> serials, int quantity) {
    pb::CreateTradeInCaseRequest req;
    req.set_request_id(request_id);
    auto* t = req.mutable_trade_in_case();
    t->set_account_id("ACME-001");
    t->set_order_number("SO-7001");
    SetTs(clock_.Now() - absl::Hours(24), t->mutable_order_time());
    t->set_phase(pb::TMIP_PHASE_PHASE1);
    t->set_disposition(d);
    t->mutable_credit()->set_currency_code("USD");
    t->mutable_credit()->set_amount_minor(500000);
    auto* line = t->add_lines();
    line->set_sku("MX480");
    line->set_quantity(quantity);
    for (const auto& s : serials) line->add_serial_numbers(s);
    return req;
  }

  grpc::Status Upload(const std::string& token, const std::string& request_id,
                      const std::string& case_id, pb::AttachmentKind kind,
                      const std::string& file_name, const std::string& content,
                      pb::Attachment* out, const pb::CodDetails* cod = nullptr) {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, token);
    auto writer = stub_->UploadAttachment(&ctx, out);
    pb::UploadAttachmentRequest first;
    first.set_request_id(request_id);
    first.set_case_id(case_id);
    first.set_kind(kind);
    first.set_file_name(file_name);
    if (cod != nullptr) *first.mutable_cod() = *cod;
    const size_t piece = 100 * 1024;
    first.set_chunk(content.substr(0, piece));
    bool ok = writer->Write(first);
    for (size_t off = piece; ok && off < content.size(); off += piece) {
      pb::UploadAttachmentRequest next;
      next.set_chunk(content.substr(off, piece));
      ok = writer->Write(next);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::string Download(const std::string& token, const std::string& attachment_id,
                       pb::Attachment* meta, grpc::Status* status) {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, token);
    pb::DownloadAttachmentRequest req;
    req.set_attachment_id(attachment_id);
    auto reader = stub_->DownloadAttachment(&ctx, req);
    std::string content;
    pb::DownloadAttachmentResponse msg;
    while (reader->Read(&msg)) {
      if (msg.has_attachment()) *meta = msg.attachment();
      content += msg.chunk();
    }
    *status = reader->Finish();
    return content;
  }
};

TEST_F(TradeInIntegrationTest, EligibilityByPhase) {
  pb::TradeInCase t;
  pb::CreateTradeInCaseRequest req = NewTradeIn("p1-bad", pb::DISPOSITION_RETURN, {}, 1);
  req.mutable_trade_in_case()->mutable_lines(0)->set_sku("EX4300-48T");
  EXPECT_THAT(Call(&Stub::CreateTradeInCase, alice_, req, &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("end-of-life")));
  req = NewTradeIn("p2-bad", pb::DISPOSITION_RETURN, {}, 1);
  req.mutable_trade_in_case()->set_phase(pb::TMIP_PHASE_PHASE2);
  req.mutable_trade_in_case()->add_new_order_skus("EX4300-48T");
  EXPECT_THAT(Call(&Stub::CreateTradeInCase, alice_, req, &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("MX10008")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM trade_in_cases"), 0);
  req.set_request_id("p2-ok");
  req.mutable_trade_in_case()->add_new_order_skus("MX10008-BASE");
  ASSERT_TRUE(Call(&Stub::CreateTradeInCase, alice_, req, &t).ok());
  EXPECT_EQ(t.status(), pb::TRADE_IN_STATUS_OPEN);
  EXPECT_EQ(t.documents_due_time().seconds(), absl::ToUnixSeconds(T(2026, 2 + 12, 15, 9)));
  // Another account's customer cannot see it.
  pb::GetTradeInCaseRequest get;
  get.set_case_id(t.case_id());
  EXPECT_THAT(Call(&Stub::GetTradeInCase, bob_, get, &t),
              GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
}

TEST_F(TradeInIntegrationTest, ReturnPath) {
  pb::TradeInCase t;
  ASSERT_TRUE(Call(&Stub::CreateTradeInCase, alice_,
                   NewTradeIn("ret-1", pb::DISPOSITION_RETURN, {"TI0000001", "TI0000002"}, 2), &t)
                  .ok());
  pb::IssueShippingInstructionsRequest ship;
  ship.set_request_id("ship-1");
  ship.set_case_id(t.case_id());
  ship.set_prepaid_label_reference("LBL-123");
  EXPECT_THAT(Call(&Stub::IssueShippingInstructions, agent_, ship, &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("trade-in form")));

  pb::Attachment a;
  EXPECT_THAT(Upload(alice_, "up-png", t.case_id(), pb::ATTACHMENT_KIND_TRADE_IN_FORM, "form.pdf",
                     kPng, &a),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("image/png")));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM attachments"), 0);
  ASSERT_TRUE(Upload(alice_, "up-1", t.case_id(), pb::ATTACHMENT_KIND_TRADE_IN_FORM, "form.xlsx",
                     kXlsx, &a)
                  .ok());
  EXPECT_EQ(a.version(), 1);
  ASSERT_TRUE(Upload(alice_, "up-2", t.case_id(), pb::ATTACHMENT_KIND_TRADE_IN_FORM, "form-v2.pdf",
                     kPdf, &a)
                  .ok());
  EXPECT_EQ(a.version(), 2);
  // The same request_id again: the first answer, nothing stored twice.
  pb::Attachment again;
  ASSERT_TRUE(Upload(alice_, "up-1", t.case_id(), pb::ATTACHMENT_KIND_TRADE_IN_FORM, "form.xlsx",
                     kXlsx, &again)
                  .ok());
  EXPECT_EQ(again.version(), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM attachments"), 2);
  pb::ListAttachmentsRequest la;
  la.set_case_id(t.case_id());
  pb::ListAttachmentsResponse list;
  ASSERT_TRUE(Call(&Stub::ListAttachments, alice_, la, &list).ok());
  EXPECT_EQ(list.attachments_size(), 2);  // versions kept

  ASSERT_TRUE(Call(&Stub::IssueShippingInstructions, agent_, ship, &t).ok());
  EXPECT_EQ(t.shipping_instructions().return_address().locality(), "Austin");
  EXPECT_EQ(t.trade_in_form_version(), 2);

  pb::RecordReceivedUnitsRequest recv;
  recv.set_request_id("recv-1");
  recv.set_case_id(t.case_id());
  auto* u = recv.add_units();
  u->set_serial_number("TI0000001");
  u->set_sku("MX480");
  recv.add_units()->set_serial_number("TI0009999");
  ASSERT_TRUE(Call(&Stub::RecordReceivedUnits, logistics_, recv, &t).ok());
  EXPECT_EQ(t.lines(0).received_quantity(), 1);
  ASSERT_EQ(t.exceptions_size(), 1);
  EXPECT_EQ(t.exceptions(0).serial_number(), "TI0009999");
  EXPECT_EQ(t.status(), pb::TRADE_IN_STATUS_OPEN);
  recv.set_request_id("recv-2");
  recv.clear_units();
  recv.add_units()->set_serial_number("TI0000002");
  ASSERT_TRUE(Call(&Stub::RecordReceivedUnits, logistics_, recv, &t).ok());
  EXPECT_EQ(t.status(), pb::TRADE_IN_STATUS_COMPLETED);
  EXPECT_EQ(t.exceptions_size(), 1);

  // The received units reach inventory-svc as trade-in intake (outbox).
  inv::GetUnitRequest get;
  get.set_serial_number("TI0000002");
  EXPECT_TRUE(Eventually([&] {
    inv::Unit unit;
    return CallOn(inv_stub_.get(), &inv::InventoryService::Stub::GetUnit, agent_, get, &unit).ok() &&
           unit.source() == inv::UNIT_SOURCE_TRADE_IN;
  }));
  get.set_serial_number("TI0009999");
  inv::Unit unit;
  EXPECT_FALSE(CallOn(inv_stub_.get(), &inv::InventoryService::Stub::GetUnit, agent_, get, &unit).ok());
}

TEST_F(TradeInIntegrationTest, DestroyPathAndDownloadByteForByte) {
  pb::TradeInCase t;
  ASSERT_TRUE(Call(&Stub::CreateTradeInCase, alice_,
                   NewTradeIn("des-1", pb::DISPOSITION_DESTROY, {}, 1), &t)
                  .ok());
  std::string big = kPdf;
  for (int i = 0; big.size() < 700 * 1024; ++i) big += absl::StrCat("% filler line ", i, "\n");
  big += std::string("\0\x01\xFF binary tail", 15);
  pb::CodDetails cod;
  cod.add_destroyed_serial_numbers("TD0000001");
  cod.set_signer_name("Jane Roe");
  cod.set_signer_title("VP Operations");
  cod.set_sign_date("2026-11-15");
  pb::Attachment a;
  EXPECT_THAT(Upload(alice_, "cod-0", t.case_id(), pb::ATTACHMENT_KIND_CERTIFICATE_OF_DESTRUCTION,
                     "cod.pdf", big, &a, &cod),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("not registered")));
  EXPECT_THAT(Upload(alice_, "cod-png", t.case_id(), pb::ATTACHMENT_KIND_CERTIFICATE_OF_DESTRUCTION,
                     "cod.pdf", kPng, &a, &cod),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("PDF or a JPEG")));
  EXPECT_THAT(Upload(alice_, "cod-big", t.case_id(), pb::ATTACHMENT_KIND_CERTIFICATE_OF_DESTRUCTION,
                     "cod.pdf", big + std::string(400 * 1024, 'x'), &a, &cod),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("larger than")));

  pb::UpdateTradeInLinesRequest lines;
  lines.set_request_id("lines-1");
  lines.set_case_id(t.case_id());
  lines.set_etag(t.etag());
  auto* l = lines.add_lines();
  l->set_sku("MX480");
  l->set_quantity(1);
  l->add_serial_numbers("TD0000001");
  ASSERT_TRUE(Call(&Stub::UpdateTradeInLines, alice_, lines, &t).ok());
  ASSERT_TRUE(Upload(alice_, "cod-1", t.case_id(), pb::ATTACHMENT_KIND_CERTIFICATE_OF_DESTRUCTION,
                     "cod.pdf", big, &a, &cod)
                  .ok());
  EXPECT_EQ(a.content_type(), "application/pdf");
  EXPECT_EQ(a.size_bytes(), static_cast<int64_t>(big.size()));

  pb::GetTradeInCaseRequest get;
  get.set_case_id(t.case_id());
  ASSERT_TRUE(Call(&Stub::GetTradeInCase, alice_, get, &t).ok());
  EXPECT_EQ(t.status(), pb::TRADE_IN_STATUS_COMPLETED);
  EXPECT_EQ(t.lines(0).destroyed_quantity(), 1);

  pb::Attachment meta;
  grpc::Status s;
  std::string back = Download(alice_, a.attachment_id(), &meta, &s);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(back, big);
  EXPECT_EQ(meta.sha256(), a.sha256());
  EXPECT_EQ(meta.cod().signer_name(), "Jane Roe");
  back = Download(bob_, a.attachment_id(), &meta, &s);
  EXPECT_THAT(s, GrpcStatusIs(grpc::StatusCode::NOT_FOUND, HasSubstr("not found")));
  EXPECT_TRUE(back.empty());
}

TEST_F(TradeInIntegrationTest, ExtensionAndDefaultByTheService) {
  pb::CreateTradeInCaseRequest req = NewTradeIn("def-1", pb::DISPOSITION_RETURN, {}, 1);
  SetTs(T(2026, 9, 1), req.mutable_trade_in_case()->mutable_order_time());  // due 2026-12-01
  pb::TradeInCase t, other;
  ASSERT_TRUE(Call(&Stub::CreateTradeInCase, alice_, req, &t).ok());
  req.set_request_id("def-2");
  ASSERT_TRUE(Call(&Stub::CreateTradeInCase, alice_, req, &other).ok());
  EXPECT_EQ(t.documents_due_time().seconds(), absl::ToUnixSeconds(T(2026, 12, 1)));

  pb::RequestDeadlineExtensionRequest ext;
  ext.set_request_id("ext-1");
  ext.set_case_id(t.case_id());
  SetTs(T(2027, 1, 15), ext.mutable_requested_due_time());
  ext.set_reason("equipment still in production");
  ASSERT_TRUE(Call(&Stub::RequestDeadlineExtension, alice_, ext, &t).ok());
  EXPECT_EQ(t.extension_status(), pb::EXTENSION_STATUS_PENDING);
  pb::ReviewDeadlineExtensionRequest review;
  review.set_request_id("rev-1");
  review.set_case_id(t.case_id());
  review.set_approve(true);
  EXPECT_THAT(Call(&Stub::ReviewDeadlineExtension, alice_, review, &t),
              GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, HasSubstr("may not call ReviewDeadlineExtension")));
  ASSERT_TRUE(Call(&Stub::ReviewDeadlineExtension, agent_, review, &t).ok());
  EXPECT_EQ(t.documents_due_time().seconds(), absl::ToUnixSeconds(T(2027, 1, 15)));

  clock_.Set(T(2026, 12, 2));  // past the original deadline
  pb::GetTradeInCaseRequest get;
  get.set_case_id(other.case_id());
  EXPECT_TRUE(Eventually([&] {
    pb::TradeInCase x;
    return Call(&Stub::GetTradeInCase, agent_, get, &x).ok() &&
           x.status() == pb::TRADE_IN_STATUS_DEFAULTED;
  }, absl::Seconds(10)));
  get.set_case_id(t.case_id());
  ASSERT_TRUE(Call(&Stub::GetTradeInCase, agent_, get, &t).ok());
  EXPECT_EQ(t.status(), pb::TRADE_IN_STATUS_OPEN);  // extended
  const int port = cases_->runtime().metrics_port();
  EXPECT_EQ(Metric(ScrapeMetrics(port), "aftercare_cases_trade_in_defaulted_total"), 1);

  clock_.Set(T(2027, 1, 16));
  EXPECT_TRUE(Eventually([&] {
    pb::TradeInCase x;
    return Call(&Stub::GetTradeInCase, agent_, get, &x).ok() &&
           x.status() == pb::TRADE_IN_STATUS_DEFAULTED;
  }, absl::Seconds(10)));
  EXPECT_TRUE(Eventually([&] {
    return Metric(ScrapeMetrics(port), "aftercare_cases_trade_in_defaulted_total") == 2;
  }, absl::Seconds(10)));
  // Defaulted once each, never twice.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_events WHERE kind = 'defaulted'"), 2);
  pb::RecordReceivedUnitsRequest recv;
  recv.set_request_id("late");
  recv.set_case_id(t.case_id());
  recv.add_units()->set_serial_number("TI0000001");
  EXPECT_THAT(Call(&Stub::RecordReceivedUnits, logistics_, recv, &t),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("DEFAULTED")));
}

}  // namespace
}  // namespace aftercare::cases
