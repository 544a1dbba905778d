// LicensingRepositoryContractTest: the same cases against MariaDB
// (MysqlLicensingRepository) and against FakeLicensingRepository, the
// repository licensing-svc's use-case tests run on: purchases and licenses
// read back as the API shows them (active devices derived on read), the
// license list's filters and keyset pages (newest first, ties by id), an
// account's entitlements by page, a device's licenses, and a stale version.
#include <optional>
#include <string>
#include <vector>

#include "common/db/errors.h"
#include "common/db/migrations.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/fake_licensing_repository.h"
#include "licensing-svc/licensing_spec.h"
#include "licensing-svc/licensing_view.h"
#include "licensing-svc/mysql_licensing_repository.h"
#include "tests/harness/repository_database.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::RepositoryDatabase;
using ::testing::ElementsAreArray;

class LicensingRepositoryContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, RepositoryDatabase::Create({"licensing", &Migrations()}));
    mysql_ = std::make_unique<MysqlLicensingRepository>(db_->connection());
    repos_ = {mysql_.get(), &fake_};
  }

  // Purchase i: two accounts, both kinds, perpetual and subscription.
  Entitlement Purchase(int i) const {
    Entitlement e;
    e.id = absl::StrCat("ENT-", 100 + i);
    e.account_id = i % 2 == 0 ? "ACME-001" : "GLOBEX-7";
    e.product.sku = absl::StrCat("S-EX-ADV-", i);
    e.product.feature = "advanced-routing";
    e.product.capacity = 48;
    e.product.term_type = i % 3 == 0 ? TermType::kSubscription : TermType::kPerpetual;
    e.product.term_months = i % 3 == 0 ? 12 : 0;
    e.product.system = LicensingSystem::kJunos;
    e.product.unlock_key_required = i % 2 == 0;
    e.product.max_devices = 3;
    e.kind = i % 2 == 0 ? EntitlementKind::kActivationCode : EntitlementKind::kRightToUse;
    e.order_reference = absl::StrCat("SO-", i);
    e.code_hash = i % 2 == 0 ? std::string(32, static_cast<char>('a' + i)) : "";  // SHA-256
    e.start_time = clock_.Now();
    if (i % 3 == 0) e.term_end = clock_.Now() + absl::Hours(24 * 365);
    // Purchases 2 and 3 share a creation time: the id breaks the tie.
    e.create_time = e.update_time = clock_.Now() + absl::Seconds(i == 3 ? 2 : i);
    return e;
  }

  // License j on purchase `e`: devices and states vary with j.
  License Activation(const Entitlement& e, int j) const {
    License l;
    l.id = absl::StrCat("LIC-", e.id, "-", j);
    l.entitlement_id = e.id;
    l.account_id = e.account_id;
    l.sku = e.product.sku;
    l.feature = e.product.feature;
    l.capacity = e.product.capacity;
    l.system = e.product.system;
    l.term_type = e.product.term_type;
    l.device_serial = absl::StrCat("JN11DEV0000", j % 3);
    l.state = j == 2 ? LicenseState::kRevoked : LicenseState::kActive;
    l.not_before = clock_.Now();
    l.not_after = e.term_end;
    l.key_id = "k1";
    l.license_key = absl::StrCat("key-", l.id);
    if (j == 2) {
      l.revocation_reason = RevocationReason::kRefund;
      l.revocation_note = "refunded";
      l.revoke_time = clock_.Now() + absl::Minutes(5);
    }
    l.create_time = l.update_time = clock_.Now() + absl::Seconds(j);
    return l;
  }

  template <typename T>
  static std::vector<std::string> Ids(const std::vector<T>& rows) {
    std::vector<std::string> out;
    for (const T& r : rows) out.push_back(r.id);
    return out;
  }

  static std::vector<std::string> LicensePages(LicensingRepository& repo, const LicenseFilter& f) {
    std::vector<std::string> out;
    std::optional<ListCursor> after;
    for (int page = 0; page < 30; ++page) {
      absl::StatusOr<std::vector<License>> got = repo.ListLicenses(f, after, 2);
      EXPECT_OK(got.status());
      if (!got.ok()) break;
      for (const License& l : *got) out.push_back(l.id);
      if (got->size() < 2) break;
      after = ListCursor{db::ToMicros(got->back().create_time), got->back().id};
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<RepositoryDatabase> db_;
  std::unique_ptr<MysqlLicensingRepository> mysql_;
  FakeLicensingRepository fake_;
  std::vector<LicensingRepository*> repos_;
};

TEST_F(LicensingRepositoryContractTest, PurchasesAndLicensesAreTheSameInMysqlAndInTheFake) {
  std::vector<License> licenses;
  for (int i = 0; i < 5; ++i) {
    const Entitlement e = Purchase(i);
    for (LicensingRepository* repo : repos_) ASSERT_OK(repo->InsertEntitlement(e));
    for (int j = 0; j < (i == 4 ? 0 : 3); ++j) {
      licenses.push_back(Activation(e, j));
      for (LicensingRepository* repo : repos_) ASSERT_OK(repo->InsertLicense(licenses.back()));
    }
  }

  // Each reads back as the API shows it, active devices counted on read.
  for (int i = 0; i < 5; ++i) {
    const Entitlement made = Purchase(i);
    ASSERT_OK_AND_ASSIGN(std::optional<Entitlement> m, mysql_->FindEntitlement(made.id, false));
    ASSERT_OK_AND_ASSIGN(std::optional<Entitlement> f, fake_.FindEntitlement(made.id, false));
    ASSERT_TRUE(m.has_value() && f.has_value()) << made.id;
    v1::Entitlement mp, fp;
    ToProto(*m, &mp);
    ToProto(*f, &fp);
    EXPECT_EQ(mp.DebugString(), fp.DebugString());
    EXPECT_EQ(m->active_devices, i == 4 ? 0 : 2) << made.id;  // one of three is revoked
    if (!made.code_hash.empty()) {
      ASSERT_OK_AND_ASSIGN(std::optional<Entitlement> by_hash,
                           mysql_->FindEntitlementByCodeHash(made.code_hash, false));
      ASSERT_OK_AND_ASSIGN(std::optional<Entitlement> fake_by_hash,
                           fake_.FindEntitlementByCodeHash(made.code_hash, false));
      ASSERT_TRUE(by_hash.has_value() && fake_by_hash.has_value());
      EXPECT_EQ(by_hash->id, fake_by_hash->id);
    }
  }
  for (const License& made : licenses) {
    ASSERT_OK_AND_ASSIGN(std::optional<License> m, mysql_->FindLicense(made.id, false));
    ASSERT_OK_AND_ASSIGN(std::optional<License> f, fake_.FindLicense(made.id, false));
    ASSERT_TRUE(m.has_value() && f.has_value()) << made.id;
    v1::License mp, fp, written;
    ToProto(*m, &mp);
    ToProto(*f, &fp);
    ToProto(made, &written);
    EXPECT_EQ(mp.DebugString(), fp.DebugString());
    EXPECT_EQ(mp.DebugString(), written.DebugString()) << "written != read";
  }

  // The license list: every filter, whole and by pages of two.
  std::vector<LicenseFilter> filters(7);
  filters[1].account_id = "ACME-001";
  filters[2].device_serial = "JN11DEV00001";
  filters[3].entitlement_id = "ENT-101";
  filters[4].state = LicenseState::kRevoked;
  filters[5].account_id = "GLOBEX-7";
  filters[5].state = LicenseState::kActive;
  filters[6].account_id = "INITECH-4";
  for (size_t i = 0; i < filters.size(); ++i) {
    ASSERT_OK_AND_ASSIGN(std::vector<License> m, mysql_->ListLicenses(filters[i], std::nullopt, 100));
    ASSERT_OK_AND_ASSIGN(std::vector<License> f, fake_.ListLicenses(filters[i], std::nullopt, 100));
    EXPECT_THAT(Ids(f), ElementsAreArray(Ids(m))) << "filter " << i;
    EXPECT_EQ(m.empty(), i == 6) << "filter " << i;
    EXPECT_THAT(LicensePages(fake_, filters[i]), ElementsAreArray(Ids(m))) << "filter " << i;
    EXPECT_THAT(LicensePages(*mysql_, filters[i]), ElementsAreArray(Ids(m))) << "filter " << i;
  }

  // An account's purchases, newest first, by pages of two.
  for (const char* account : {"ACME-001", "GLOBEX-7"}) {
    std::vector<std::vector<std::string>> seen(2);
    for (size_t r = 0; r < repos_.size(); ++r) {
      std::optional<ListCursor> after;
      for (int page = 0; page < 10; ++page) {
        ASSERT_OK_AND_ASSIGN(std::vector<Entitlement> got,
                             repos_[r]->ListEntitlements(account, after, 2));
        for (const Entitlement& e : got) seen[r].push_back(e.id);
        if (got.size() < 2) break;
        after = ListCursor{db::ToMicros(got.back().create_time), got.back().id};
      }
    }
    EXPECT_THAT(seen[1], ElementsAreArray(seen[0])) << account;
    EXPECT_FALSE(seen[0].empty());
  }

  // A device's licenses.
  for (const char* serial : {"JN11DEV00000", "JN11DEV00002"}) {
    ASSERT_OK_AND_ASSIGN(std::vector<License> m,
                         mysql_->LicensesOfEntitlementOnDevice("ENT-100", serial));
    ASSERT_OK_AND_ASSIGN(std::vector<License> f,
                         fake_.LicensesOfEntitlementOnDevice("ENT-100", serial));
    EXPECT_THAT(Ids(f), ElementsAreArray(Ids(m))) << serial;
    for (const char* account : {"", "ACME-001", "GLOBEX-7"}) {
      ASSERT_OK_AND_ASSIGN(std::vector<License> ma,
                           mysql_->ActiveLicensesOnDevice(account, serial, false));
      ASSERT_OK_AND_ASSIGN(std::vector<License> fa,
                           fake_.ActiveLicensesOnDevice(account, serial, false));
      EXPECT_THAT(Ids(fa), ElementsAreArray(Ids(ma))) << serial << " " << account;
    }
  }
}

TEST_F(LicensingRepositoryContractTest, AStaleVersionOrATakenIdIsRefusedAlike) {
  const Entitlement e = Purchase(0);
  License l = Activation(e, 0);
  for (LicensingRepository* repo : repos_) {
    ASSERT_OK(repo->InsertEntitlement(e));
    ASSERT_OK(repo->InsertLicense(l));
  }
  // The MySQL repository throws; its store maps the exception (as here).
  absl::Status taken;
  try {
    taken = mysql_->InsertEntitlement(e);
  } catch (const sql::SQLException& ex) {
    taken = db::FromSqlException(ex, "insert entitlement", db_->pool());
  }
  EXPECT_FALSE(taken.ok());
  EXPECT_EQ(fake_.InsertEntitlement(e).code(), taken.code());

  l.version = 2;
  l.state = LicenseState::kRevoked;
  l.revocation_reason = RevocationReason::kFraud;
  l.revoke_time = clock_.Now();
  for (LicensingRepository* repo : repos_) {
    ASSERT_OK(repo->UpdateLicense(l));
    EXPECT_THAT(repo->UpdateLicense(l), StatusIs(absl::StatusCode::kAborted));
  }
  Entitlement stale = e;
  stale.version = 5;
  for (LicensingRepository* repo : repos_) {
    EXPECT_THAT(repo->UpdateEntitlement(stale), StatusIs(absl::StatusCode::kAborted));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<License> m, mysql_->FindLicense(l.id, false));
  ASSERT_OK_AND_ASSIGN(std::optional<License> f, fake_.FindLicense(l.id, false));
  v1::License mp, fp;
  ToProto(*m, &mp);
  ToProto(*f, &fp);
  EXPECT_EQ(mp.DebugString(), fp.DebugString());
  EXPECT_EQ(m->state, LicenseState::kRevoked);
}

}  // namespace
}  // namespace aftercare::licensing
