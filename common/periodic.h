// A background job run every `interval` on its own thread (the services'
// sweepers), with the error backoff every such loop needs: after a failed
// tick the next one waits interval × 2^(failures − 1), capped at
// max(interval, 5 min), so a database without its schema or out of reach is
// not hammered; the first success brings the interval back. One log line per
// failure says when the next attempt is.
//
//   PeriodicTask sweeper("reservation sweep", absl::Seconds(30),
//                        [&]() -> absl::Status { return SweepOnce(); });
//   sweeper.Start();
//   ...
//   sweeper.Stop();  // wakes the thread and joins it
#ifndef AFTERCARE_COMMON_PERIODIC_H_
#define AFTERCARE_COMMON_PERIODIC_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/sync.h"

namespace aftercare {

class PeriodicTask {
 public:
  // `run_first`: tick once at Start instead of one interval later.
  PeriodicTask(std::string name, absl::Duration interval, std::function<absl::Status()> tick,
               bool run_first = false);
  ~PeriodicTask();  // Stop()
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // No-op when the interval is not positive (the job is switched off).
  void Start();
  void Stop();

  // The wait after `consecutive_failures` failed ticks (0: the interval).
  static absl::Duration NextWait(absl::Duration interval, int consecutive_failures);

 private:
  void Loop();

  const std::string name_;
  const absl::Duration interval_;
  const std::function<absl::Status()> tick_;
  const bool run_first_;
  Notification stop_;
  std::thread thread_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_PERIODIC_H_
