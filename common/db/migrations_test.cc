#include "common/db/migrations.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::db {
namespace {

using ::testing::ElementsAre;

TEST(SplitSqlStatementsTest, SplitsAtSemicolonsOutsideQuotesAndComments) {
  EXPECT_THAT(SplitSqlStatements("CREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);"),
              ElementsAre("CREATE TABLE a (x INT)", "INSERT INTO a VALUES (1)"));
  EXPECT_THAT(SplitSqlStatements("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`);"),
              ElementsAre("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)"));
  EXPECT_THAT(SplitSqlStatements("-- a comment; with a semicolon\nSELECT 1; /* x; y */ SELECT 2"),
              ElementsAre("SELECT 1", "SELECT 2"));
  EXPECT_THAT(SplitSqlStatements("INSERT INTO t VALUES ('it\\'s; fine');"),
              ElementsAre("INSERT INTO t VALUES ('it\\'s; fine')"));
  EXPECT_THAT(SplitSqlStatements("  \n-- only a comment\n"), ElementsAre());
}

TEST(CommonMigrationsTest, AreEmbeddedAndNumbered) {
  const auto& files = CommonMigrations();
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files[0].version, 1);
  EXPECT_THAT(std::string(files[0].sql), ::testing::HasSubstr("idempotency_keys"));
}

}  // namespace
}  // namespace aftercare::db
