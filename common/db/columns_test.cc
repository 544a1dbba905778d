#include "common/db/columns.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::db {
namespace {

using ::testing::ElementsAre;

struct Thing {
  std::string name;
  int64_t count = 0;
  bool on = false;
  std::optional<absl::Time> seen;
};

const Columns<Thing>& ThingColumns() {
  static const auto* const kColumns = new Columns<Thing>({
      StrColumn<&Thing::name>("name"),
      IntColumn<&Thing::count>("item_count"),
      BoolColumn<&Thing::on>("is_on"),
      OptTimeColumn<&Thing::seen>("seen_at_us"),
  });
  return *kColumns;
}

TEST(ColumnsTest, OneTableGivesTheNamesInOrder) {
  EXPECT_EQ(ThingColumns().size(), 4);
  EXPECT_THAT(ThingColumns().names(), ElementsAre("name", "item_count", "is_on", "seen_at_us"));
  EXPECT_EQ(ThingColumns().List(), "name, item_count, is_on, seen_at_us");
  EXPECT_EQ(ThingColumns().List("t"), "t.name, t.item_count, t.is_on, t.seen_at_us");
  // The statements built from it put the placeholders in the same order.
  EXPECT_EQ(UpdateSql("things", ThingColumns().names(), "id = ?"),
            "UPDATE things SET name = ?, item_count = ?, is_on = ?, seen_at_us = ? WHERE id = ?");
}

struct Keyed {
  int64_t id = 0;
  std::string name;
};

TEST(ColumnsTest, AKeyedTableReadsItsKeyFirstAndWritesItOnlyWhenAsked) {
  const Columns<Keyed> keyed(IntColumn<&Keyed::id>("id"), {StrColumn<&Keyed::name>("name")});
  EXPECT_EQ(keyed.SelectList(), "id, name");
  EXPECT_THAT(keyed.names(), ElementsAre("name"));  // what an UPDATE keyed on id sets
  EXPECT_THAT(keyed.NamesWithKey(), ElementsAre("id", "name"));
  EXPECT_EQ(InsertSql("keyed", keyed.NamesWithKey()), "INSERT INTO keyed (id, name) VALUES (?, ?)");
  EXPECT_EQ(ThingColumns().SelectList(), ThingColumns().List());  // no key
  EXPECT_THAT(ThingColumns().NamesWithKey(), ElementsAre("name", "item_count", "is_on", "seen_at_us"));
}

}  // namespace
}  // namespace aftercare::db
