// The two writes every repository makes from its column table, on MariaDB:
// an INSERT that reports a taken unique key instead of throwing
// (InsertUnlessDuplicate), and the UPDATE of a row read at a version
// (VersionedUpdate).
#include <memory>
#include <string>

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

}  // namespace
}  // namespace aftercare::db
