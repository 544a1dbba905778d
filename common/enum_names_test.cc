#include "common/enum_names.h"

#include <gtest/gtest.h>

namespace aftercare {
namespace {

enum class Color { kUnspecified, kRed, kGreen };
constexpr const char* kColors[] = {"UNSPECIFIED", "RED", "GREEN"};

TEST(EnumNamesTest, NamesValuesAndNamesOutOfRangeValuesUnspecified) {
  EXPECT_STREQ(NameIn(kColors, Color::kGreen), "GREEN");
  EXPECT_STREQ(NameIn(kColors, static_cast<Color>(7)), "UNSPECIFIED");
}

TEST(EnumNamesTest, ParsesKnownNamesButNeverTheUnspecifiedOne) {
  Color c = Color::kUnspecified;
  EXPECT_TRUE(ParseIn(kColors, "RED", &c));
  EXPECT_EQ(c, Color::kRed);
  EXPECT_FALSE(ParseIn(kColors, "UNSPECIFIED", &c));
  EXPECT_FALSE(ParseIn(kColors, "red", &c));
  EXPECT_EQ(c, Color::kRed);
}

}  // namespace
}  // namespace aftercare
