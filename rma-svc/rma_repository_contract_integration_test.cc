// RmaRepositoryContractTest: the same cases against MariaDB
// (MysqlRmaRepository) and against FakeRmaRepository, the repository every
// rma-svc use-case test runs on: an RMA reads back as it was written (each
// field the API shows), the list's five filters and its keyset pages, a
// unit's RMAs, a duplicate validation number and a stale version.
#include <optional>
#include <string>
#include <vector>

#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rma-svc/fake_rma_repository.h"
#include "rma-svc/mysql_rma_repository.h"
#include "rma-svc/rma_spec.h"
#include "rma-svc/rma_view.h"
#include "tests/harness/repository_database.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::RepositoryDatabase;
using ::testing::ElementsAreArray;

class RmaRepositoryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create({"rma", &Migrations()}));
    mysql_ = std::make_unique<MysqlRmaRepository>(db_->connection(), clock_);
  }

  // RMA number i of the test: accounts, types, states and units vary with i.
  Rma Make(int i) const {
    const absl::Time t = clock_.Now() + absl::Seconds(i);
    Rma r;
    r.validation_number = absl::StrCat("V", 1000001 + i);
    r.type = i % 2 == 0 ? RmaType::kAdvanceReplacement : RmaType::kReturnToFactory;
    r.account_id = i % 3 == 0 ? "ACME-001" : "GLOBEX-7";
    r.serial = absl::StrCat("JN11CONTRACT", i);  // one open RMA per unit
    r.sku = "EX4300-48T";
    r.technical_case_id = "2026-1205-000123";
    r.failure_description = absl::StrCat("fan tray ", i, " failed");
    r.damage_cause = DamageCause::kHardwareFailure;
    r.ship_to.recipient = "Dock 4";
    r.ship_to.address_lines = {"1 Main St", "Unit 2"};
    r.ship_to.locality = "Sunnyvale";
    r.ship_to.administrative_area = "CA";
    r.ship_to.postal_code = "94089";
    r.ship_to.region_code = "US";
    r.contact_email = "ops@acme.example";
    r.entitlement_summary = "Care Core, NBD";
    r.list_price = Money{"USD", 1250000 + i};
    r.created_by = "tse-1";
    r.create_time = r.update_time = t;
    r.version = 1;
    r.status = Status::kPending;
    if (i % 5 != 0) {
      r.status = Status::kApproved;
      r.rma_number = absl::StrCat("R", 2000001 + i);
      r.approved_by = "tse-1";
      r.approve_time = t;
    }
    if (i % 5 >= 3) {
      r.status = Status::kReplacementShipped;
      r.replacement_serial = absl::StrCat("JN11REPL000", i);
      r.replacement_shipment = Shipment{"UPS", absl::StrCat("1Z", i), t};
      r.return_due_date = "2027-01-31";
      r.return_due_time = clock_.Now() + absl::Hours(i % 5 == 3 ? -1 : 24);  // 3: overdue
    }
    return r;
  }

  static std::vector<std::string> Numbers(const std::vector<Rma>& list) {
    std::vector<std::string> out;
    for (const Rma& r : list) out.push_back(r.validation_number);
    return out;
  }

  // Every page of `filter` by twos, as the list RPC walks them.
  static std::vector<std::string> Pages(RmaRepository& repo, const RmaFilter& filter,
                                        absl::Time now) {
    std::vector<std::string> out;
    int64_t after = 0;
    for (int page = 0; page < 20; ++page) {
      absl::StatusOr<std::vector<Rma>> got = repo.ListRmas(filter, after, 2, now);
      EXPECT_OK(got.status());
      if (!got.ok()) break;
      for (const Rma& r : *got) out.push_back(r.validation_number);
      if (got->size() < 2) break;
      after = got->back().id;
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<RepositoryDatabase> db_;
  std::unique_ptr<MysqlRmaRepository> mysql_;
  FakeRmaRepository fake_;
};

TEST_F(RmaRepositoryContractTest, RmasAreTheSameInMysqlAndInTheFake) {
  constexpr int kCount = 11;
  for (int i = 0; i < kCount; ++i) {
    Rma in_mysql = Make(i);
    Rma in_fake = Make(i);
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> m_open, mysql_->InsertRma(&in_mysql, nullptr));
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> f_open, fake_.InsertRma(&in_fake, nullptr));
    ASSERT_FALSE(m_open.has_value() || f_open.has_value()) << i;
  }

  // Each reads back as the API shows it, by either number and by id.
  const absl::Time now = clock_.Now();
  for (int i = 0; i < kCount; ++i) {
    const Rma made = Make(i);
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> m,
                         mysql_->FindByValidationNumber(made.validation_number, false));
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> f,
                         fake_.FindByValidationNumber(made.validation_number, false));
    ASSERT_TRUE(m.has_value() && f.has_value()) << made.validation_number;
    v1::Rma mp = ToProto(*m, now);
    v1::Rma fp = ToProto(*f, now);
    EXPECT_EQ(mp.DebugString(), fp.DebugString()) << made.validation_number;
    EXPECT_EQ(mp.DebugString(), ToProto(made, now).DebugString()) << "written != read";
    if (!made.rma_number.empty()) {
      ASSERT_OK_AND_ASSIGN(std::optional<Rma> by_number,
                           mysql_->FindByRmaNumber(made.rma_number, false));
      ASSERT_OK_AND_ASSIGN(std::optional<Rma> fake_by_number,
                           fake_.FindByRmaNumber(made.rma_number, false));
      ASSERT_TRUE(by_number.has_value() && fake_by_number.has_value());
      EXPECT_EQ(by_number->validation_number, fake_by_number->validation_number);
    }
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> by_id, mysql_->FindById(m->id, false));
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> fake_by_id, fake_.FindById(f->id, false));
    ASSERT_TRUE(by_id.has_value() && fake_by_id.has_value());
    EXPECT_EQ(by_id->validation_number, fake_by_id->validation_number);
  }
  ASSERT_OK_AND_ASSIGN(std::optional<Rma> none, mysql_->FindByValidationNumber("V9999999", false));
  ASSERT_OK_AND_ASSIGN(std::optional<Rma> fake_none, fake_.FindByValidationNumber("V9999999", false));
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(fake_none.has_value());

  // The list: every filter, whole and in pages of two.
  std::vector<RmaFilter> filters(8);
  filters[1].status = Status::kApproved;
  filters[2].account_id = "ACME-001";
  filters[3].serial = "JN11CONTRACT1";
  filters[4].type = RmaType::kReturnToFactory;
  filters[5].overdue = true;
  filters[6].account_id = "GLOBEX-7";
  filters[6].status = Status::kReplacementShipped;
  filters[7].account_id = "INITECH-4";
  for (size_t i = 0; i < filters.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<Rma> m, mysql_->ListRmas(filters[i], 0, 100, now));
    ASSERT_OK_AND_ASSIGN(std::vector<Rma> f, fake_.ListRmas(filters[i], 0, 100, now));
    EXPECT_THAT(Numbers(f), ElementsAreArray(Numbers(m))) << "filter " << i;
    EXPECT_EQ(m.empty(), i == 7) << "filter " << i << " should match something";
    EXPECT_THAT(Pages(fake_, filters[i], now), ElementsAreArray(Numbers(m))) << "filter " << i;
    EXPECT_THAT(Pages(*mysql_, filters[i], now), ElementsAreArray(Numbers(m))) << "filter " << i;
  }

}

// One open RMA per unit: a second open RMA of the unit is not written, and
// the open one is the answer; once it is rejected, cancelled or closed the
// unit takes a new one.
TEST_F(RmaRepositoryContractTest, AUnitHasOneOpenRmaInMysqlAndInTheFake) {
  for (RmaRepository* repo : std::vector<RmaRepository*>{mysql_.get(), &fake_}) {
    SCOPED_TRACE(repo == &fake_ ? "fake" : "mysql");
    Rma first = Make(0);  // PENDING
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> open, repo->InsertRma(&first, nullptr));
    ASSERT_FALSE(open.has_value());
    for (Status later : {Status::kPending, Status::kApproved, Status::kReplacementShipped}) {
      Rma second = Make(0);
      second.validation_number = absl::StrCat("V7", static_cast<int>(later), "00001");
      second.rma_number.clear();
      second.status = later;
      ASSERT_OK_AND_ASSIGN(open, repo->InsertRma(&second, nullptr));
      ASSERT_TRUE(open.has_value()) << Name(later);
      EXPECT_EQ(open->validation_number, first.validation_number);
      EXPECT_EQ(open->status, Status::kPending);
      ASSERT_OK_AND_ASSIGN(std::optional<Rma> none,
                           repo->FindByValidationNumber(second.validation_number, false));
      EXPECT_FALSE(none.has_value()) << "nothing is written";
    }
    // Another unit is not affected.
    Rma other = Make(1);
    ASSERT_OK_AND_ASSIGN(open, repo->InsertRma(&other, nullptr));
    EXPECT_FALSE(open.has_value());
    // Each of the ends frees the unit.
    int n = 0;
    for (Status end : {Status::kRejected, Status::kCancelled, Status::kClosed}) {
      first.status = end;
      first.version += 1;
      ASSERT_OK(repo->SaveRma(first));
      Rma next = Make(0);
      next.validation_number = absl::StrCat("V8", n++, "000001");
      next.rma_number.clear();
      ASSERT_OK_AND_ASSIGN(open, repo->InsertRma(&next, nullptr));
      ASSERT_FALSE(open.has_value()) << Name(end);
      first = next;
    }
  }
}

// A CreateRma key on the RMA's row: its answer is found by the key, and the
// key cannot be taken twice (the second RMA is not written).
TEST_F(RmaRepositoryContractTest, AKeyKeptOnTheRmaIsFoundAndTakenOnce) {
  const RowKey key{"tse|*|tse-1", "create-1", std::string(32, 'h')};
  const RmaCreateKey create{&key, [](const Rma& r) { return "answer of " + r.validation_number; }};
  for (RmaRepository* repo : std::vector<RmaRepository*>{mysql_.get(), &fake_}) {
    SCOPED_TRACE(repo == &fake_ ? "fake" : "mysql");
    ASSERT_OK_AND_ASSIGN(std::optional<StoredAnswer> none, repo->FindCreateAnswer(key));
    EXPECT_FALSE(none.has_value());
    Rma r = Make(0);
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> open, repo->InsertRma(&r, &create));
    ASSERT_FALSE(open.has_value());
    ASSERT_OK_AND_ASSIGN(std::optional<StoredAnswer> found, repo->FindCreateAnswer(key));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->response, "answer of " + r.validation_number);
    EXPECT_EQ(found->request_hash, key.request_hash);
    Rma again = Make(1);
    EXPECT_THAT(repo->InsertRma(&again, &create),
                StatusIs(absl::StatusCode::kAborted, ::testing::StrEq(idempotency_internal::kRowKeyTaken)));
    ASSERT_OK_AND_ASSIGN(std::optional<Rma> not_written,
                         repo->FindByValidationNumber(again.validation_number, false));
    EXPECT_FALSE(not_written.has_value());
  }
}

TEST_F(RmaRepositoryContractTest, ADuplicateNumberAndAStaleVersionAreRefusedAlike) {
  Rma m = Make(1), f = Make(1);
  ASSERT_OK(mysql_->InsertRma(&m, nullptr));
  ASSERT_OK(fake_.InsertRma(&f, nullptr));
  // The same validation number, for another unit.
  Rma m2 = Make(1), f2 = Make(1);
  m2.serial = f2.serial = "JN11CONTRACTX";
  EXPECT_THAT(mysql_->InsertRma(&m2, nullptr), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(fake_.InsertRma(&f2, nullptr), StatusIs(absl::StatusCode::kAlreadyExists));

  // Saved at the next version: both take it; at a stale one: both refuse.
  m.version = f.version = 2;
  m.status = f.status = Status::kRejected;
  m.rejection_reason = f.rejection_reason = "out of warranty";
  ASSERT_OK(mysql_->SaveRma(m));
  ASSERT_OK(fake_.SaveRma(f));
  EXPECT_THAT(mysql_->SaveRma(m), StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(fake_.SaveRma(f), StatusIs(absl::StatusCode::kAborted));
  ASSERT_OK_AND_ASSIGN(std::optional<Rma> m_read, mysql_->FindById(m.id, false));
  ASSERT_OK_AND_ASSIGN(std::optional<Rma> f_read, fake_.FindById(f.id, false));
  EXPECT_EQ(ToProto(*m_read, clock_.Now()).DebugString(),
            ToProto(*f_read, clock_.Now()).DebugString());
  EXPECT_EQ(m_read->rejection_reason, "out of warranty");
}

}  // namespace
}  // namespace aftercare::rma
