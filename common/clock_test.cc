#include "common/clock.h"

#include <fstream>

#include "gtest/gtest.h"

namespace aftercare {
namespace {

TEST(OffsetFileClockTest, AddsTheOffsetWrittenInTheFile) {
  const std::string path = ::testing::TempDir() + "/clock_offset";
  std::ofstream(path) << "240h\n";
  OffsetFileClock clock(path);
  absl::Duration skew = clock.Now() - absl::Now();
  EXPECT_GT(skew, absl::Hours(239));
  EXPECT_LT(skew, absl::Hours(241));
}

TEST(OffsetFileClockTest, NoFileMeansNoOffset) {
  OffsetFileClock clock(::testing::TempDir() + "/no_such_offset_file");
  EXPECT_LT(absl::AbsDuration(clock.Now() - absl::Now()), absl::Seconds(5));
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Hours(1));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(4600));
}

}  // namespace
}  // namespace aftercare
