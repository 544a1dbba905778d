// A bounded pool of threads for blocking work (database calls, outgoing
// gRPC calls) so that gRPC callback threads never block. The queue has a
// fixed capacity: when it is full, Submit answers RESOURCE_EXHAUSTED and the
// RPC fails fast instead of building an unbounded backlog.
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
#include "common/sync.h"

namespace aftercare {

class BoundedExecutor {
 public:
  BoundedExecutor(int threads, int queue_capacity);
  ~BoundedExecutor();  // Runs what is queued, then joins.

  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; RESOURCE_EXHAUSTED when the queue is full, UNAVAILABLE
  // after Shutdown().
  absl::Status Submit(std::function<void()> task);
  // Stops accepting work, finishes what is queued and joins the threads.
  void Shutdown();

  int queued() const;
  int busy() const;
  int threads() const { return static_cast<int>(workers_.size()); }

 private:
  void Work();

  const int capacity_;
  mutable Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_EXECUTOR_H_
