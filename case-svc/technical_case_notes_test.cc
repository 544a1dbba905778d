// Unit tests of technical-case notes (technical_case_notes.h) against the
// in-memory repository: validation naming the field, idempotence by
// (technical_case_id, note_id), one account per technical case, and the
// account scope of the list with keyset pages.
#include "case-svc/technical_case_notes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "case-svc/fake_case_repository.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCaller;
using ::testing::HasSubstr;

class TechnicalCaseNotesTest : public ::testing::Test {
 protected:
  TechnicalCaseNotesTest() : codec_("0123456789abcdef0123"), notes_(clock_, &codec_) {
    clock_.Set(absl::FromUnixSeconds(1795000000));
  }

  static TechnicalCaseNoteDraft Draft(const std::string& note_id = "rma-V10000001-n1",
                                      const std::string& account = "ACME-001",
                                      const std::string& technical_case = "2026-1121-00042") {
    return {technical_case, account, note_id, "RMA V10000001 received",
            "We received your request."};
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  TechnicalCaseNotes notes_;
  FakeCaseRepository repo_;
  Principal rma_ = TestCaller(Role::kService, "svc:rma");
  Principal admin_ = TestCaller(Role::kAdmin, "admin-1");
  Principal alice_ = TestCaller(Role::kCustomer, "alice", {"ACME-001"});
  Principal mallory_ = TestCaller(Role::kCustomer, "mallory", {"GLOBEX-9"});
  Principal partner_ = TestCaller(Role::kPartner, "p", {"ACME-001", "OTHER-1"});
  Principal agent_ = TestCaller(Role::kCareAgent, "agent-1");
};

TEST_F(TechnicalCaseNotesTest, AddStoresAPublicNoteFromTheCaller) {
  auto n = notes_.Add(rma_, Draft(), repo_);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->technical_case_id, "2026-1121-00042");
  EXPECT_EQ(n->account_id, "ACME-001");
  EXPECT_EQ(n->note_id, "rma-V10000001-n1");
  EXPECT_EQ(n->source, "svc:rma");
  EXPECT_EQ(n->visibility, NoteVisibility::kPublic);
  EXPECT_EQ(n->create_time, clock_.Now());
  EXPECT_EQ(repo_.technical_notes.size(), 1u);
}

TEST_F(TechnicalCaseNotesTest, TheSameNoteTwiceIsOneNoteAndTheSameAnswer) {
  auto first = notes_.Add(rma_, Draft(), repo_);
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(5));
  auto again = notes_.Add(rma_, Draft(), repo_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->create_time, first->create_time);
  EXPECT_EQ(repo_.technical_notes.size(), 1u);
  // The same note_id with other content is a conflict, not a silent overwrite.
  TechnicalCaseNoteDraft other = Draft();
  other.body = "something else";
  EXPECT_THAT(notes_.Add(rma_, other, repo_),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("note_id")));
  // The same note_id on another technical case is another note.
  EXPECT_TRUE(notes_.Add(rma_, Draft("rma-V10000001-n1", "ACME-001", "2026-1121-00043"), repo_).ok());
  EXPECT_EQ(repo_.technical_notes.size(), 2u);
}

TEST_F(TechnicalCaseNotesTest, ATechnicalCaseBelongsToOneAccount) {
  ASSERT_TRUE(notes_.Add(rma_, Draft("n1"), repo_).ok());
  EXPECT_THAT(notes_.Add(rma_, Draft("n2", "GLOBEX-9"), repo_),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("another account")));
  EXPECT_TRUE(notes_.Add(rma_, Draft("n3"), repo_).ok());
}

TEST_F(TechnicalCaseNotesTest, ValidationNamesTheField) {
  struct Bad {
    std::string field;
    TechnicalCaseNoteDraft draft;
  };
  std::vector<Bad> bad;
  auto with = [](auto set) {
    TechnicalCaseNoteDraft d = Draft();
    set(d);
    return d;
  };
  bad.push_back({"technical_case_id", with([](auto& d) { d.technical_case_id = ""; })});
  bad.push_back({"technical_case_id", with([](auto& d) { d.technical_case_id = "a b"; })});
  bad.push_back({"technical_case_id",
                 with([](auto& d) { d.technical_case_id = std::string(65, 'x'); })});
  bad.push_back({"account_id", with([](auto& d) { d.account_id = ""; })});
  bad.push_back({"account_id", with([](auto& d) { d.account_id = "ACME'; --"; })});
  bad.push_back({"note_id", with([](auto& d) { d.note_id = ""; })});
  bad.push_back({"note_id", with([](auto& d) { d.note_id = std::string(129, 'n'); })});
  bad.push_back({"subject", with([](auto& d) { d.subject = ""; })});
  bad.push_back({"subject", with([](auto& d) { d.subject = std::string(201, 's'); })});
  bad.push_back({"body", with([](auto& d) { d.body = ""; })});
  bad.push_back({"body", with([](auto& d) { d.body = "bell \a"; })});
  bad.push_back({"body", with([](auto& d) { d.body = std::string(kMaxNoteBytes + 1, 'b'); })});
  for (const Bad& b : bad) {
    EXPECT_THAT(notes_.Add(rma_, b.draft, repo_),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(b.field)))
        << b.field;
  }
  EXPECT_TRUE(repo_.technical_notes.empty());
  EXPECT_TRUE(notes_.Add(rma_, with([](auto& d) { d.note_id = std::string(128, 'n'); }), repo_).ok());
}

TEST_F(TechnicalCaseNotesTest, ListIsScopedToTheCallersAccountsAndPagesByKeyset) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(notes_.Add(rma_, Draft(absl::StrCat("n", i)), repo_).ok());
  }
  ASSERT_TRUE(notes_.Add(rma_, Draft("g1", "GLOBEX-9", "2026-1121-00099"), repo_).ok());

  // Another account's customer: an empty list, exactly as for a case
  // without notes.
  auto hidden = notes_.List(mallory_, "2026-1121-00042", 0, "", repo_);
  ASSERT_TRUE(hidden.ok());
  EXPECT_TRUE(hidden->items.empty());
  EXPECT_TRUE(hidden->next_page_token.empty());
  auto unknown = notes_.List(mallory_, "2026-1121-77777", 0, "", repo_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->items.empty());
  // A customer without accounts sees nothing either.
  auto none = notes_.List(TestCaller(Role::kCustomer, "nobody"), "2026-1121-00042", 0, "", repo_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());

  // The account's customer, a partner of it and staff see every note, oldest first.
  for (const Principal* p : {&alice_, &partner_, &agent_, &admin_}) {
    std::vector<std::string> seen;
    std::string token;
    int pages = 0;
    do {
      auto page = notes_.List(*p, "2026-1121-00042", 2, token, repo_);
      ASSERT_TRUE(page.ok()) << page.status();
      for (const auto& n : page->items) seen.push_back(n.note_id);
      token = page->next_page_token;
      ++pages;
    } while (!token.empty());
    EXPECT_EQ(seen, (std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"})) << p->subject;
    EXPECT_EQ(pages, 3);
  }
  // A page token belongs to its technical case.
  auto first = notes_.List(alice_, "2026-1121-00042", 2, "", repo_);
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(notes_.List(alice_, "2026-1121-00099", 2, first->next_page_token, repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
  EXPECT_THAT(notes_.List(alice_, "", 0, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("technical_case_id")));
  EXPECT_THAT(notes_.List(alice_, "2026-1121-00042", -1, "", repo_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

}  // namespace
}  // namespace aftercare::cases
