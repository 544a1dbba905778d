#include "common/periodic.h"

#include <atomic>

#include "gtest/gtest.h"

namespace aftercare {
namespace {

TEST(PeriodicTaskTest, WaitsDoubleAfterEachFailureUpToACap) {
  const absl::Duration s = absl::Seconds(1);
  EXPECT_EQ(PeriodicTask::NextWait(s, 0), s);
  EXPECT_EQ(PeriodicTask::NextWait(s, 1), s);
  EXPECT_EQ(PeriodicTask::NextWait(s, 2), 2 * s);
  EXPECT_EQ(PeriodicTask::NextWait(s, 4), 8 * s);
  EXPECT_EQ(PeriodicTask::NextWait(s, 60), absl::Minutes(5));
  // An interval longer than the cap is kept as it is.
  EXPECT_EQ(PeriodicTask::NextWait(absl::Minutes(10), 3), absl::Minutes(10));
}

// A tick that keeps failing (the database has no schema yet) is retried
// with backoff, not every interval: 5, 10, 20, ... ms leaves room for about
// 7 ticks in 600 ms where a fixed 5 ms interval would run ~120.
TEST(PeriodicTaskTest, AFailingTickIsRetriedWithBackoff) {
  std::atomic<int> ticks{0};
  PeriodicTask task("failing job", absl::Milliseconds(5), [&] {
    ++ticks;
    return absl::UnavailableError("no schema");
  });
  task.Start();
  absl::SleepFor(absl::Milliseconds(600));
  task.Stop();
  EXPECT_GE(ticks.load(), 2);
  EXPECT_LE(ticks.load(), 12);
}

// After six failures the wait is 160 ms; the first success brings it back
// to 5 ms, so 30 more ticks take ~150 ms (without the reset, ~4.8 s). The
// deadline is a bound, not a measurement: a slow machine only gets closer
// to it.
TEST(PeriodicTaskTest, TheFirstSuccessBringsTheIntervalBack) {
  std::atomic<int> ticks{0};
  PeriodicTask task("recovering job", absl::Milliseconds(5), [&] {
    return ++ticks <= 6 ? absl::UnavailableError("down") : absl::OkStatus();
  });
  task.Start();
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (ticks.load() < 7 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_GE(ticks.load(), 7);
  const absl::Time recovered = absl::Now();
  while (ticks.load() < 37 && absl::Now() < recovered + absl::Seconds(2)) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_GE(ticks.load(), 37);
  task.Stop();
  const int seen = ticks.load();
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(ticks.load(), seen);  // stopped and joined
}

TEST(PeriodicTaskTest, ANonPositiveIntervalNeverRuns) {
  std::atomic<int> ticks{0};
  PeriodicTask task("off", absl::ZeroDuration(), [&] {
    ++ticks;
    return absl::OkStatus();
  }, /*run_first=*/true);
  task.Start();
  absl::SleepFor(absl::Milliseconds(50));
  task.Stop();
  EXPECT_EQ(ticks.load(), 0);
}

}  // namespace
}  // namespace aftercare
