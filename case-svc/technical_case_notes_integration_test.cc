// Integration tests of technical-case notes: the real case-svc on port 0 with
// real gRPC and a fresh MariaDB database. Adding is for the suite's services
// and admins, idempotent by request_id and by (technical_case_id, note_id);
// the list is account-scoped in the query and pages by keyset.
#include <functional>
#include <set>
#include <utility>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "case-svc/case_spec.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_service.h"

namespace aftercare::cases {
namespace {

namespace pb = ::aftercare::cases::v1;
using ::aftercare::testing::CallAs;
using ::aftercare::testing::GrpcStatusIs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;
using Stub = pb::CaseService::Stub;

constexpr char kCase[] = "2026-1121-00042";

class TechnicalCaseNotesIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No inventory-svc: notes never call it.
    auto svc = TestService::Start(
        Spec(), {.clock = &clock_,
                 .flags = {{"inventory_target", "127.0.0.1:1"}, {"case_sweep_interval", "0"}}});
    ASSERT_TRUE(svc.ok()) << svc.status();
    svc_ = *std::move(svc);
    stub_ = pb::CaseService::NewStub(svc_->channel());
    rma_ = Tok(Role::kService, "svc:rma");
    admin_ = Tok(Role::kAdmin, "admin-1");
    agent_ = Tok(Role::kCareAgent, "agent-1");
    alice_ = Tok(Role::kCustomer, "alice", {"ACME-001"});
    bob_ = Tok(Role::kCustomer, "bob", {"GLOBEX-7"});
    partner_ = Tok(Role::kPartner, "reseller", {"ACME-001"}, "P-1");
  }

  std::string Tok(Role role, const std::string& subject, std::vector<std::string> accounts = {},
                  const std::string& partner = "") {
    return TestService::Token(role, subject, std::move(accounts), partner, false, clock_.Now(),
                              absl::Hours(24 * 365));
  }

  static pb::AddTechnicalCaseNoteRequest Note(const std::string& request_id,
                                              const std::string& note_id,
                                              const std::string& account = "ACME-001",
                                              const std::string& technical_case = kCase) {
    pb::AddTechnicalCaseNoteRequest req;
    req.set_request_id(request_id);
    req.set_technical_case_id(technical_case);
    req.set_account_id(account);
    req.set_note_id(note_id);
    req.set_subject("RMA R21056835 approved");
    req.set_body("Your replacement ships today.");
    return req;
  }

  grpc::Status Add(const std::string& token, const pb::AddTechnicalCaseNoteRequest& req,
                   pb::TechnicalCaseNote* out) {
    return CallAs(stub_.get(), &Stub::AddTechnicalCaseNote, token, req, out);
  }

  grpc::Status List(const std::string& token, const std::string& technical_case, int page_size,
                    const std::string& page_token, pb::ListTechnicalCaseNotesResponse* out) {
    pb::ListTechnicalCaseNotesRequest req;
    req.set_technical_case_id(technical_case);
    req.set_page_size(page_size);
    req.set_page_token(page_token);
    return CallAs(stub_.get(), &Stub::ListTechnicalCaseNotes, token, req, out);
  }

  int64_t Rows() {
    auto v = svc_->database().QueryValue("SELECT COUNT(*) FROM technical_case_notes");
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }

  FakeClock clock_;
  std::unique_ptr<TestService> svc_;
  std::unique_ptr<Stub> stub_;
  std::string rma_, admin_, agent_, alice_, bob_, partner_;
};

TEST_F(TechnicalCaseNotesIntegrationTest, TheSameNoteAddedTwiceIsOneRowAndOneAnswer) {
  pb::TechnicalCaseNote first, again, replay;
  ASSERT_TRUE(Add(rma_, Note("d-1", "rma-R21056835-n1"), &first).ok());
  EXPECT_EQ(first.source(), "svc:rma");
  EXPECT_EQ(first.visibility(), pb::NOTE_VISIBILITY_PUBLIC);
  EXPECT_EQ(first.technical_case_id(), kCase);
  EXPECT_EQ(first.account_id(), "ACME-001");
  // The outbox delivers again under another request id, later.
  clock_.Advance(absl::Minutes(3));
  ASSERT_TRUE(Add(rma_, Note("d-2", "rma-R21056835-n1"), &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  // And under the same request id.
  ASSERT_TRUE(Add(rma_, Note("d-1", "rma-R21056835-n1"), &replay).ok());
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Rows(), 1);
  // Another note_id is another note; other content under a stored note_id is refused.
  pb::TechnicalCaseNote second;
  ASSERT_TRUE(Add(admin_, Note("d-3", "rma-R21056835-n2"), &second).ok());
  EXPECT_EQ(second.source(), "admin-1");
  pb::AddTechnicalCaseNoteRequest changed = Note("d-4", "rma-R21056835-n1");
  changed.set_body("other text");
  EXPECT_THAT(Add(rma_, changed, &again),
              GrpcStatusIs(grpc::StatusCode::ALREADY_EXISTS, HasSubstr("note_id")));
  // A technical case belongs to one account.
  EXPECT_THAT(Add(rma_, Note("d-5", "rma-R9-n1", "GLOBEX-7"), &again),
              GrpcStatusIs(grpc::StatusCode::FAILED_PRECONDITION, HasSubstr("another account")));
  EXPECT_EQ(Rows(), 2);
}

TEST_F(TechnicalCaseNotesIntegrationTest, ConcurrentDeliveriesOfOneNoteLeaveOneRow) {
  constexpr int kN = 8;
  std::vector<pb::TechnicalCaseNote> answers(kN);
  std::vector<grpc::Status> statuses(kN);
  std::vector<std::thread> threads;
  for (int i = 0; i < kN; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] = Add(rma_, Note(absl::StrCat("c-", i), "rma-R21056835-n9"), &answers[i]);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
  EXPECT_EQ(Rows(), 1);
}

TEST_F(TechnicalCaseNotesIntegrationTest, OnlyServicesAndAdminsAddNotes) {
  pb::TechnicalCaseNote n;
  for (const std::string* token : {&alice_, &partner_, &agent_}) {
    EXPECT_THAT(Add(*token, Note("p-1", "n1"), &n),
                GrpcStatusIs(grpc::StatusCode::PERMISSION_DENIED, ::testing::_));
  }
  EXPECT_EQ(Rows(), 0);
}

TEST_F(TechnicalCaseNotesIntegrationTest, AnotherAccountsCustomerGetsNothing) {
  pb::TechnicalCaseNote n;
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(Add(rma_, Note(absl::StrCat("s-", i), absl::StrCat("n", i)), &n).ok());
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_TRUE(Add(rma_, Note("s-9", "g1", "GLOBEX-7", "2026-1121-00099"), &n).ok());

  pb::ListTechnicalCaseNotesResponse resp;
  ASSERT_TRUE(List(bob_, kCase, 0, "", &resp).ok());
  EXPECT_EQ(resp.notes_size(), 0);
  EXPECT_TRUE(resp.next_page_token().empty());
  // Bob's own case: his note only.
  ASSERT_TRUE(List(bob_, "2026-1121-00099", 0, "", &resp).ok());
  ASSERT_EQ(resp.notes_size(), 1);
  EXPECT_EQ(resp.notes(0).note_id(), "g1");
  // Alice does not see Bob's case, and an unknown case looks the same.
  ASSERT_TRUE(List(alice_, "2026-1121-00099", 0, "", &resp).ok());
  EXPECT_EQ(resp.notes_size(), 0);
  ASSERT_TRUE(List(alice_, "2026-1121-77777", 0, "", &resp).ok());
  EXPECT_EQ(resp.notes_size(), 0);

  // The account's customer, its partner and staff page through all five, oldest first.
  for (const std::string* token : {&alice_, &partner_, &agent_, &admin_, &rma_}) {
    std::vector<std::string> seen;
    std::string page_token;
    do {
      pb::ListTechnicalCaseNotesResponse page;
      ASSERT_TRUE(List(*token, kCase, 2, page_token, &page).ok());
      for (const auto& note : page.notes()) seen.push_back(note.note_id());
      page_token = page.next_page_token();
    } while (!page_token.empty());
    EXPECT_EQ(seen, (std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"}));
  }
  // A page token of one case does not page another.
  ASSERT_TRUE(List(alice_, kCase, 2, "", &resp).ok());
  EXPECT_THAT(List(alice_, "2026-1121-00099", 2, resp.next_page_token(), &resp),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
}

TEST_F(TechnicalCaseNotesIntegrationTest, PagesAreIndexRangesWithoutFilesort) {
  pb::TechnicalCaseNote n;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(Add(rma_, Note(absl::StrCat("x-", i), absl::StrCat("n", i)), &n).ok());
  }
  // All notes of a case, and a scoped caller's (one account), as
  // MysqlCaseRepository::ListTechnicalCaseNotes asks for them.
  const std::pair<const char*, const char*> queries[] = {
      {"idx_technical_case_notes_case", ""},
      {"idx_technical_case_notes_account", " AND account_id IN ('ACME-001')"}};
  for (const auto& [index, scope] : queries) {
    auto plan = svc_->database().QueryValue(absl::StrCat(
        "EXPLAIN FORMAT=JSON SELECT id, body FROM technical_case_notes FORCE INDEX (", index,
        ") WHERE technical_case_id = '", kCase, "'", scope, " AND id > 1 ORDER BY id LIMIT 3"));
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_THAT(*plan, ::testing::Not(HasSubstr("filesort"))) << scope << ": " << *plan;
  }
}

TEST_F(TechnicalCaseNotesIntegrationTest, EachFieldIsValidatedByName) {
  struct Bad {
    const char* field;
    std::function<void(pb::AddTechnicalCaseNoteRequest&)> change;
  };
  const std::vector<Bad> bad = {
      {"request_id", [](auto& r) { r.set_request_id(std::string(129, 'r')); }},
      {"technical_case_id", [](auto& r) { r.set_technical_case_id(""); }},
      {"technical_case_id", [](auto& r) { r.set_technical_case_id("JTAC 42"); }},
      {"technical_case_id", [](auto& r) { r.set_technical_case_id(std::string(65, '1')); }},
      {"account_id", [](auto& r) { r.set_account_id(""); }},
      {"account_id", [](auto& r) { r.set_account_id("ACME'--"); }},
      {"note_id", [](auto& r) { r.set_note_id(""); }},
      {"note_id", [](auto& r) { r.set_note_id("n/1"); }},
      {"note_id", [](auto& r) { r.set_note_id(std::string(129, 'n')); }},
      {"subject", [](auto& r) { r.set_subject(""); }},
      {"subject", [](auto& r) { r.set_subject(std::string(201, 's')); }},
      {"body", [](auto& r) { r.set_body(""); }},
      {"body", [](auto& r) { r.set_body("nul\x01"); }},
      {"body", [](auto& r) { r.set_body(std::string(16 * 1024 + 1, 'b')); }},
  };
  int i = 0;
  for (const Bad& b : bad) {
    pb::AddTechnicalCaseNoteRequest req = Note(absl::StrCat("v-", ++i), "n1");
    b.change(req);
    pb::TechnicalCaseNote n;
    EXPECT_THAT(Add(rma_, req, &n),
                GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr(b.field)))
        << b.field;
  }
  pb::ListTechnicalCaseNotesResponse resp;
  EXPECT_THAT(List(alice_, "", 0, "", &resp),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("technical_case_id")));
  EXPECT_THAT(List(alice_, kCase, 0, "garbage", &resp),
              GrpcStatusIs(grpc::StatusCode::INVALID_ARGUMENT, HasSubstr("page_token")));
  EXPECT_EQ(Rows(), 0);
}

}  // namespace
}  // namespace aftercare::cases
