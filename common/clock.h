// The time source of every rule that depends on "now" (SLA clocks, return
// windows, reservation TTLs, token expiry). Production uses the system clock;
// tests use FakeClock; the end-to-end suite moves a running service's clock
// forward with the test-only `--test_clock_offset_file` setting (see
// docs/CONFIGURATION.md), which is refused unless `--enable_test_clock` is set.
#ifndef AFTERCARE_COMMON_CLOCK_H_
#define AFTERCARE_COMMON_CLOCK_H_

#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/sync.h"

namespace aftercare {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system's real time.
class SystemClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static SystemClock* Get();
};

// A clock that tests set and advance by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1798761600))  // 2027-01-01
      : now_(start) {}
  absl::Time Now() const override {
    MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable Mutex mu_;
  absl::Time now_;
};

// System time plus an offset read from a file (a duration such as "240h"),
// re-read at most once a second. Only for end-to-end tests of time-driven
// rules (non-return charges, defaulted trade-ins) against real processes.
class OffsetFileClock : public Clock {
 public:
  explicit OffsetFileClock(std::string path) : path_(std::move(path)) {}
  absl::Time Now() const override;

 private:
  std::string path_;
  mutable Mutex mu_;
  mutable absl::Time last_read_ = absl::InfinitePast();
  mutable absl::Duration offset_ = absl::ZeroDuration();
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_CLOCK_H_
