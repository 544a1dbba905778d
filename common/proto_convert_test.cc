#include "common/proto_convert.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace aftercare {
namespace {

bool IsSmall(int v) { return v >= 0 && v <= 2; }
enum class Small { kZero, kOne, kTwo };

TEST(ProtoConvertTest, FromEnumNamesTheFieldForUnknownNumbers) {
  EXPECT_EQ(*FromEnum<Small>(2, IsSmall, "size"), Small::kTwo);
  EXPECT_EQ(FromEnum<Small>(7, IsSmall, "case.size").status().message(),
            "case.size has an unknown value 7");
}

TEST(ProtoConvertTest, TimestampsRoundTripToTheMicrosecondAndBadOnesAreRefused) {
  const absl::Time t = absl::FromUnixMicros(1'795'300'000'123'456);
  google::protobuf::Timestamp ts;
  SetTime(t, &ts);
  EXPECT_EQ(ts.seconds(), 1'795'300'000);
  EXPECT_EQ(ts.nanos(), 123'456'000);
  EXPECT_EQ(*FromTimestamp(ts, "ship_time"), t);
  ts.set_nanos(1'000'000'000);
  EXPECT_EQ(FromTimestamp(ts, "ship_time").status().message(), "ship_time is not a valid timestamp");
  ts.set_nanos(0);
  ts.set_seconds(-1);
  EXPECT_FALSE(FromTimestamp(ts, "ship_time").ok());
}

}  // namespace
}  // namespace aftercare
