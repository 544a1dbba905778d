#include "common/clock.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"

namespace aftercare {

SystemClock* SystemClock::Get() {
  static auto* clock = new SystemClock();
  return clock;
}

absl::Time OffsetFileClock::Now() const {
  absl::Time real = absl::Now();
  MutexLock lock(&mu_);
  if (real - last_read_ >= absl::Seconds(1)) {
    last_read_ = real;
    std::ifstream in(path_);
    if (in) {
      std::stringstream buf;
      buf << in.rdbuf();
      absl::Duration d;
      if (absl::ParseDuration(absl::StripAsciiWhitespace(buf.str()), &d)) offset_ = d;
    }
  }
  return real + offset_;
}

}  // namespace aftercare
