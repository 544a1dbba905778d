// The two writes every repository makes from its column table, on MariaDB:
// an INSERT that reports a taken unique key instead of throwing
// (InsertUnlessDuplicate), and the UPDATE of a row read at a version
// (VersionedUpdate); and a postal address's seven columns
// (PostalAddressColumns).
#include <memory>
#include <string>
#include <vector>

#include "common/db/address_columns.h"
#include "common/db/columns.h"
#include "common/db/connection_pool.h"
#include "common/db/errors.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::TestDatabase;

struct Gadget {
  std::string serial;
  std::string note;
  int64_t version = 1;
};

const Columns<Gadget>& GadgetColumns() {
  static const auto* const kColumns = new Columns<Gadget>({
      StrColumn<&Gadget::note>("note"),
      IntColumn<&Gadget::version>("version"),
  });
  return *kColumns;
}

class ColumnsWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(pool_, ConnectionPool::Create(db_->Options(1), nullptr));
    ASSERT_OK(db_->Execute(
        "CREATE TABLE gadgets (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
        " serial VARCHAR(16) NOT NULL UNIQUE, note VARCHAR(64) NOT NULL, version BIGINT NOT NULL)"));
    absl::StatusOr<PooledConnection> conn = pool_->Acquire();
    ASSERT_OK(conn.status());
    conn_ = std::make_unique<PooledConnection>(*std::move(conn));
  }

  bool Insert(const Gadget& g) {
    auto& s = (*conn_)->Prepare("INSERT INTO gadgets (serial, note, version) VALUES (?, ?, ?)");
    Binder(s).Str(g.serial).Str(g.note).Int(g.version);
    return InsertUnlessDuplicate(s);
  }

  std::string Row(const std::string& serial) {
    absl::StatusOr<std::string> row = db_->QueryValue(
        "SELECT CONCAT(note, '@', version) FROM gadgets WHERE serial = '" + serial + "'");
    return row.ok() ? *row : row.status().ToString();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<PooledConnection> conn_;  // autocommit: each write stands
};

TEST_F(ColumnsWriteTest, ATakenUniqueKeyIsAnsweredNotThrownAndWritesNothing) {
  EXPECT_TRUE(Insert({"G1", "first", 1}));
  EXPECT_FALSE(Insert({"G1", "second", 1}));
  EXPECT_EQ(Row("G1"), "first@1");
  EXPECT_EQ(db_->QueryValue("SELECT COUNT(*) FROM gadgets").value_or("?"), "1");
  // Any other error still reaches the caller (and the error boundary).
  auto& bad = (*conn_)->Prepare("INSERT INTO gadgets (serial, note, version) VALUES (?, ?, ?)");
  Binder(bad).Str(std::string(40, 'x')).Str("too long a serial").Int(1);
  EXPECT_THROW(InsertUnlessDuplicate(bad), sql::SQLException);
}

TEST_F(ColumnsWriteTest, AVersionedUpdateWritesOnlyOverTheVersionItWasReadAt) {
  const VersionedUpdate<Gadget> update("gadgets", GadgetColumns(), "serial");
  EXPECT_EQ(update.sql(), "UPDATE gadgets SET note = ?, version = ? WHERE serial = ? AND version = ?");
  ASSERT_TRUE(Insert({"G1", "new", 1}));

  // Read at version 1, written as version 2.
  EXPECT_TRUE(update.Apply(**conn_, Gadget{"G1", "checked", 2}, std::string("G1"), 1));
  EXPECT_EQ(Row("G1"), "checked@2");
  // A second writer that also read version 1 is refused and changes nothing.
  EXPECT_FALSE(update.Apply(**conn_, Gadget{"G1", "stale", 2}, std::string("G1"), 1));
  EXPECT_EQ(Row("G1"), "checked@2");
  // No such row.
  EXPECT_FALSE(update.Apply(**conn_, Gadget{"G9", "ghost", 2}, std::string("G9"), 1));
  EXPECT_EQ(db_->QueryValue("SELECT COUNT(*) FROM gadgets").value_or("?"), "1");

  // An integer key binds as one.
  const VersionedUpdate<Gadget> by_id("gadgets", GadgetColumns(), "id");
  EXPECT_TRUE(by_id.Apply(**conn_, Gadget{"G1", "by id", 3}, int64_t{1}, 2));
  EXPECT_EQ(Row("G1"), "by id@3");
}

struct Depot {
  std::string name;
  PostalAddress site;
  PostalAddress dock;
};

const Columns<Depot>& DepotColumns() {
  static const auto* const kColumns = new Columns<Depot>(Concat<Depot>({
      {StrColumn<&Depot::name>("name")},
      PostalAddressColumns<&Depot::site, Blank::kNull>("site"),
      PostalAddressColumns<&Depot::dock, Blank::kEmptyString>("dock"),
  }));
  return *kColumns;
}

TEST_F(ColumnsWriteTest, APostalAddressIsSevenColumnsThatReadBackAsWritten) {
  EXPECT_EQ(DepotColumns().List(),
            "name, site_region_code, site_postal_code, site_administrative_area, site_locality,"
            " site_address_lines, site_recipient, site_organization, dock_region_code,"
            " dock_postal_code, dock_administrative_area, dock_locality, dock_address_lines,"
            " dock_recipient, dock_organization");
  std::string ddl = "CREATE TABLE depots (name VARCHAR(16) NOT NULL PRIMARY KEY";
  for (const std::string& c : DepotColumns().names()) {
    if (c == "name") continue;
    // site_* may be NULL; dock_* may not, so an empty field must be ''.
    ddl += ", " + c + (c.rfind("site_", 0) == 0 ? " VARCHAR(200) NULL" : " VARCHAR(200) NOT NULL");
  }
  ASSERT_OK(db_->Execute(ddl + ")"));

  Depot full{"D1", {}, {}};
  full.site = {"US", "94089", "CA", "Sunnyvale", {"1133 Innovation Way", "Building A"},
               "Receiving", "Example Networks"};
  full.dock = full.site;
  full.dock.address_lines = {"Dock 4"};
  Depot blank{"D2", {}, {}};
  blank.site.region_code = "DE";  // one field set, the others empty
  for (const Depot* d : {&full, &blank}) {
    auto& insert = (*conn_)->Prepare(InsertSql("depots", DepotColumns().names()));
    Binder b(insert);
    DepotColumns().Bind(b, *d);
    ASSERT_TRUE(InsertUnlessDuplicate(insert));
  }

  // Empty fields of a NULL-able address are stored as NULL, of the other as ''.
  EXPECT_EQ(db_->QueryValue("SELECT CONCAT(site_locality IS NULL, ':', dock_locality = '')"
                            " FROM depots WHERE name = 'D2'").value_or("?"),
            "1:1");
  EXPECT_EQ(db_->QueryValue("SELECT site_address_lines FROM depots WHERE name = 'D1'").value_or("?"),
            "1133 Innovation Way\nBuilding A");

  auto& select = (*conn_)->Prepare("SELECT " + DepotColumns().SelectList() +
                                   " FROM depots ORDER BY name");
  std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
  std::vector<Depot> read;
  while (rs->next()) read.push_back(DepotColumns().ReadRow(*rs));
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].site, full.site);
  EXPECT_EQ(read[0].dock, full.dock);
  EXPECT_EQ(read[1].site, blank.site);
  EXPECT_TRUE(read[1].dock.empty());
  EXPECT_TRUE(read[1].site.address_lines.empty());
}

}  // namespace
}  // namespace aftercare::db
