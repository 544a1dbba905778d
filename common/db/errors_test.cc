#include "common/db/errors.h"

#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>

namespace aftercare::db {
namespace {

TEST(SqlErrorKindTest, ClassesTheMysqlErrorNumbers) {
  for (int code : {2002, 2003, 2006, 2013, 1040, 4031}) EXPECT_STREQ(SqlErrorKind(code), "connection") << code;
  EXPECT_STREQ(SqlErrorKind(2026), "tls");
  EXPECT_STREQ(SqlErrorKind(1213), "conflict");
  EXPECT_STREQ(SqlErrorKind(1205), "conflict");
  EXPECT_STREQ(SqlErrorKind(1062), "duplicate");
  for (int code : {1146, 1054, 1049}) EXPECT_STREQ(SqlErrorKind(code), "schema") << code;
  for (int code : {1451, 1452, 1048, 4025}) EXPECT_STREQ(SqlErrorKind(code), "constraint") << code;
  EXPECT_STREQ(SqlErrorKind(1064), "other");
  EXPECT_STREQ(SqlErrorKind(0), "other");
}

TEST(SqlErrorKindTest, EveryKindIsListedOnce) {
  std::set<std::string> kinds(std::begin(kSqlErrorKinds), std::end(kSqlErrorKinds));
  EXPECT_EQ(kinds.size(), std::size(kSqlErrorKinds));
  for (int code = 0; code < 5000; ++code) EXPECT_EQ(kinds.count(SqlErrorKind(code)), 1u) << code;
  EXPECT_EQ(kinds.count("pool_timeout"), 1u);
}

}  // namespace
}  // namespace aftercare::db
