#include "common/db/statement.h"

#include <gtest/gtest.h>

namespace aftercare::db {
namespace {

TEST(StatementSqlTest, InsertNamesEveryColumnWithOnePlaceholderEach) {
  EXPECT_EQ(InsertSql("units", {"serial", "sku", "state"}),
            "INSERT INTO units (serial, sku, state) VALUES (?, ?, ?)");
}

TEST(StatementSqlTest, UpdateSetsEveryColumnThenTheWhereClause) {
  EXPECT_EQ(UpdateSql("rmas", {"status", "version"}, "id = ? AND version = ?"),
            "UPDATE rmas SET status = ?, version = ? WHERE id = ? AND version = ?");
}

}  // namespace
}  // namespace aftercare::db
