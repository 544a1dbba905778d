// CaseRepositoryContractTest: the same cases against MariaDB
// (MysqlCaseRepository) and against FakeCaseRepository, the repository
// case-svc's use-case tests run on: an admin case reads back field for
// field, the case list's filters (a scoped caller's accounts, breaching at
// a time) and keyset pages (newest first, ties by id), the timeline with
// and without internal entries, and a stale version. (The trade-in list has
// its own, CaseIntegrationTest.ListTradeInsIsTheSameInMysqlAndInTheFake.)
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "case-svc/case_spec.h"
#include "case-svc/fake_case_repository.h"
#include "case-svc/mysql_case_repository.h"
#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/repository_database.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::RepositoryDatabase;
using ::testing::ElementsAreArray;

std::string T(const std::optional<absl::Time>& t) {
  return t ? absl::StrCat(absl::ToUnixMicros(*t)) : "-";
}

// Every field of a case, as one line.
std::string Describe(const Case& c) {
  std::string mis = "-";
  if (c.mis_shipment) {
    mis = absl::StrCat(c.mis_shipment->order_number, "/", T(c.mis_shipment->ship_time), "/",
                       c.mis_shipment->ordered_directly, "/",
                       static_cast<int>(c.mis_shipment->category), "/",
                       c.mis_shipment->corrected_tracking_number);
    for (const MisShipmentLine& l : c.mis_shipment->lines) {
      absl::StrAppend(&mis, "/", l.sku, "x", l.quantity, ":", l.note);
    }
  }
  return absl::StrCat(
      c.id, "|", static_cast<int>(c.request_type), "|", c.sub_type, "|",
      static_cast<int>(c.priority), "|", static_cast<int>(c.status), "|",
      static_cast<int>(c.follow_up), "|", c.callback_phone, "|", c.summary, "|", c.description,
      "|", c.serial, "|", c.ssrn, "|", c.product_series, "|", c.product_platform, "|",
      static_cast<int>(c.lookup), "|", c.account_id, "|", c.opened_by, "|", c.owner, "|",
      c.escalation_level, "|", c.team_lead_attention, "|", T(c.create_time), "|",
      T(c.update_time), "|", T(c.sla.due), "|", T(c.sla.paused_at), "|",
      absl::ToInt64Microseconds(c.sla.remaining), "|", T(c.first_response_time), "|", mis, "|",
      static_cast<int>(c.reinstatement), "|", c.resolution, "|", T(c.resolve_time), "|",
      T(c.close_time), "|", absl::StrJoin(c.notification_emails, ","), "|", c.version);
}

class CaseRepositoryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create({"cases", &Migrations()}));
    mysql_ = std::make_unique<MysqlCaseRepository>(db_->connection(), clock_);
    repos_ = {mysql_.get(), &fake_};
  }

  // Case i: accounts, priorities, types, states, owners and SLA vary with i.
  Case Make(int i) const {
    static const CaseStatus kStates[] = {CaseStatus::kNew, CaseStatus::kInProgress,
                                         CaseStatus::kAwaitingCustomer, CaseStatus::kResolved,
                                         CaseStatus::kClosed};
    const absl::Time t0 = clock_.Now();
    Case c;
    c.id = absl::StrCat("2026-1207-", 10001 + i);
    c.request_type = i % 3 == 0 ? RequestType::kMisShipment : RequestType::kLoginAssistance;
    c.sub_type = "portal";
    c.priority = static_cast<Priority>(1 + i % 4);
    c.status = kStates[i % 5];
    c.follow_up = FollowUp::kEmail;
    c.callback_phone = "+14085550100";
    c.summary = absl::StrCat("case ", i);
    c.description = "cannot log in";
    c.serial = absl::StrCat("JN11CASE000", i);
    c.product_series = "EX Series";
    c.product_platform = "EX4300";
    c.lookup = LookupState::kFilled;
    c.account_id = i % 3 == 1 ? "GLOBEX-9" : "ACME-001";
    c.opened_by = "alice";
    c.owner = i % 2 == 0 ? "agent-7" : "";
    c.escalation_level = i % 3;
    c.team_lead_attention = i % 4 == 0;
    // Pairs share a creation time, so the id breaks the tie.
    c.create_time = t0 + absl::Seconds(i / 2);
    c.update_time = c.create_time + absl::Minutes(1);
    // Cases 0..3 have a response target an hour in; the odd ones answered.
    if (i < 4) c.sla.due = t0 + absl::Hours(1);
    if (i % 2 == 1) c.first_response_time = t0 + absl::Minutes(10);
    if (c.status == CaseStatus::kAwaitingCustomer) {
      c.sla.paused_at = t0 + absl::Minutes(20);
      c.sla.remaining = absl::Minutes(40);
    }
    if (c.request_type == RequestType::kMisShipment) {
      MisShipment m;
      m.order_number = absl::StrCat("SO-", i);
      m.ship_time = t0 - absl::Hours(48);
      m.ordered_directly = true;
      m.category = MisShipmentCategory::kMissingParts;
      m.lines = {MisShipmentLine{"EX4300-48T", 2, "two short"}};
      c.mis_shipment = m;
    }
    if (c.status == CaseStatus::kResolved || c.status == CaseStatus::kClosed) {
      c.resolution = "reset the password";
      c.resolve_time = t0 + absl::Hours(2);
    }
    if (c.status == CaseStatus::kClosed) c.close_time = t0 + absl::Hours(3);
    c.notification_emails = {"ops@acme.example", "it@acme.example"};
    c.version = 1;
    return c;
  }

  static std::vector<std::string> Ids(const std::vector<Case>& cases) {
    std::vector<std::string> out;
    for (const Case& c : cases) out.push_back(c.id);
    return out;
  }

  static std::vector<std::string> Pages(CaseRepository& repo, const CaseFilter& f) {
    std::vector<std::string> out;
    std::optional<PageCursor> after;
    for (int page = 0; page < 30; ++page) {
      absl::StatusOr<std::vector<Case>> got = repo.ListCases(f, after, 2);
      EXPECT_OK(got.status());
      if (!got.ok()) break;
      for (const Case& c : *got) out.push_back(c.id);
      if (got->size() < 2) break;
      after = PageCursor{{std::to_string(absl::ToUnixMicros(got->back().create_time)),
                          got->back().id}};
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<RepositoryDatabase> db_;
  std::unique_ptr<MysqlCaseRepository> mysql_;
  FakeCaseRepository fake_;
  std::vector<CaseRepository*> repos_;
};

TEST_F(CaseRepositoryContractTest, AdminCasesAreTheSameInMysqlAndInTheFake) {
  constexpr int kCount = 12;
  for (int i = 0; i < kCount; ++i) {
    for (CaseRepository* repo : repos_) ASSERT_OK(repo->InsertCase(Make(i), nullptr));
  }
  for (int i = 0; i < kCount; ++i) {
    const Case made = Make(i);
    ASSERT_OK_AND_ASSIGN(std::optional<Case> m, mysql_->FindCase(made.id, false));
    ASSERT_OK_AND_ASSIGN(std::optional<Case> f, fake_.FindCase(made.id, false));
    ASSERT_TRUE(m.has_value() && f.has_value()) << made.id;
    EXPECT_EQ(Describe(*m), Describe(*f));
    EXPECT_EQ(Describe(*m), Describe(made)) << "written != read";
  }

  std::vector<CaseFilter> filters(11);
  filters[1].status = CaseStatus::kInProgress;
  filters[2].priority = Priority::kP1;
  filters[3].request_type = RequestType::kMisShipment;
  filters[4].account_id = "GLOBEX-9";
  filters[5].owner = "agent-7";
  filters[6].scoped = true;
  filters[6].accounts = {"ACME-001"};
  filters[7].scoped = true;  // a scoped caller without accounts sees none
  filters[8].breaching_only = true;
  filters[8].now = clock_.Now() + absl::Hours(2);  // past the due time: 0 and 2
  filters[9].breaching_only = true;
  filters[9].now = clock_.Now();  // not yet
  filters[10].account_id = "ACME-001";
  filters[10].priority = Priority::kP3;
  for (size_t i = 0; i < filters.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<Case> m, mysql_->ListCases(filters[i], std::nullopt, 100));
    ASSERT_OK_AND_ASSIGN(std::vector<Case> f, fake_.ListCases(filters[i], std::nullopt, 100));
    EXPECT_THAT(Ids(f), ElementsAreArray(Ids(m))) << "filter " << i;
    EXPECT_EQ(m.empty(), i == 7 || i == 9) << "filter " << i;
    EXPECT_THAT(Pages(fake_, filters[i]), ElementsAreArray(Ids(m))) << "filter " << i;
    EXPECT_THAT(Pages(*mysql_, filters[i]), ElementsAreArray(Ids(m))) << "filter " << i;
  }
}

TEST_F(CaseRepositoryContractTest, TheTimelineAndAStaleVersionAreTheSameInMysqlAndInTheFake) {
  Case c = Make(1);
  for (CaseRepository* repo : repos_) {
    ASSERT_OK(repo->InsertCase(c, nullptr));
    for (int e = 0; e < 7; ++e) {
      CaseEvent event;
      event.case_id = c.id;
      event.time = clock_.Now() + absl::Seconds(e);
      event.actor = e % 2 == 0 ? "alice" : "agent-7";
      event.actor_role = e % 2 == 0 ? "customer" : "care_agent";
      event.kind = absl::StrCat("kind-", e);
      event.detail = absl::StrCat("detail ", e);
      event.internal = e % 3 == 1;
      ASSERT_OK(repo->AppendEvent(event));
    }
  }
  auto describe = [](const std::vector<CaseEvent>& events) {
    std::vector<std::string> out;
    for (const CaseEvent& e : events) {
      out.push_back(absl::StrCat(e.kind, "|", absl::ToUnixMicros(e.time), "|", e.actor, "|",
                                 e.actor_role, "|", e.detail, "|", e.internal));
    }
    return out;
  };
  for (bool internal : {false, true}) {
    std::vector<std::vector<std::string>> pages(2);
    for (size_t r = 0; r < repos_.size(); ++r) {
      int64_t after = 0;
      for (int page = 0; page < 10; ++page) {
        ASSERT_OK_AND_ASSIGN(std::vector<CaseEvent> got,
                             repos_[r]->ListEvents(c.id, after, internal, 2));
        for (const std::string& d : describe(got)) pages[r].push_back(d);
        if (got.size() < 2) break;
        after = got.back().id;
      }
    }
    EXPECT_THAT(pages[1], ElementsAreArray(pages[0])) << "internal: " << internal;
    EXPECT_EQ(pages[0].size(), internal ? 7u : 5u);
  }

  c.version = 2;
  c.status = CaseStatus::kResolved;
  c.resolution = "done";
  c.resolve_time = clock_.Now();
  for (CaseRepository* repo : repos_) {
    ASSERT_OK(repo->UpdateCase(c, 1));
    EXPECT_THAT(repo->UpdateCase(c, 1), StatusIs(absl::StatusCode::kAborted));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<Case> m, mysql_->FindCase(c.id, false));
  ASSERT_OK_AND_ASSIGN(std::optional<Case> f, fake_.FindCase(c.id, false));
  EXPECT_EQ(Describe(*m), Describe(*f));
  EXPECT_EQ(Describe(*m), Describe(c));
}

}  // namespace
}  // namespace aftercare::cases
