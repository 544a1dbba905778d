#include "common/periodic.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"

namespace aftercare {

PeriodicTask::PeriodicTask(std::string name, absl::Duration interval,
                           std::function<absl::Status()> tick, bool run_first)
    : name_(std::move(name)), interval_(interval), tick_(std::move(tick)), run_first_(run_first) {}

PeriodicTask::~PeriodicTask() { Stop(); }

absl::Duration PeriodicTask::NextWait(absl::Duration interval, int consecutive_failures) {
  const absl::Duration cap = std::max(interval, absl::Minutes(5));
  absl::Duration wait = interval;
  for (int i = 1; i < consecutive_failures && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

void PeriodicTask::Start() {
  if (interval_ <= absl::ZeroDuration() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void PeriodicTask::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Loop() {
  int failures = 0;
  absl::Duration wait = run_first_ ? absl::ZeroDuration() : interval_;
  while (!stop_.WaitForNotificationWithTimeout(wait)) {
    const absl::Status status = tick_();
    if (status.ok()) {
      if (failures > 0) LogInfo(name_ + " recovered", {{"after_failures", failures}});
      failures = 0;
    } else {
      ++failures;
    }
    wait = NextWait(interval_, failures);
    if (!status.ok()) {
      LogWarning(name_ + " failed", {{"error", status.ToString()},
                                     {"consecutive_failures", failures},
                                     {"retry_in_ms", absl::ToInt64Milliseconds(wait)}});
    }
  }
}

}  // namespace aftercare
