// A bounded pool of threads for blocking work (database calls, outgoing
// gRPC calls) so that gRPC callback threads never block. The queue has a
// fixed capacity: when it is full, Submit answers RESOURCE_EXHAUSTED and the
// RPC fails fast instead of building an unbounded backlog; its RetryInfo is
// the time the queue takes to drain at the mean task time measured so far
// (kMinRetryDelay to kMaxRetryDelay).
//
//   BoundedExecutor executor(/*threads=*/8, /*queue_capacity=*/256);
//   absl::Status s = executor.Submit([=] { ... blocking work ... });
#ifndef AFTERCARE_COMMON_EXECUTOR_H_
#define AFTERCARE_COMMON_EXECUTOR_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/sync.h"

namespace aftercare {

class BoundedExecutor {
 public:
  BoundedExecutor(int threads, int queue_capacity);
  ~BoundedExecutor();  // Runs what is queued, then joins.

  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; RESOURCE_EXHAUSTED (reason SERVER_OVERLOADED) when the
  // queue is full, UNAVAILABLE (SERVER_SHUTTING_DOWN) after Shutdown().
  absl::Status Submit(std::function<void()> task);
  // Stops accepting work, finishes what is queued and joins the threads.
  void Shutdown();

  int queued() const;
  int busy() const;
  int threads() const { return static_cast<int>(workers_.size()); }

  static constexpr absl::Duration kMinRetryDelay = absl::Milliseconds(100);
  static constexpr absl::Duration kMaxRetryDelay = absl::Seconds(10);

 private:
  void Work();
  // The retry delay of a full queue: its drain time at the mean task time.
  absl::Duration DrainTimeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int capacity_;
  mutable Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration mean_task_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  std::vector<std::thread> workers_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_EXECUTOR_H_
