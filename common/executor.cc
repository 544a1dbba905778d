#include "common/executor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"

namespace aftercare {

BoundedExecutor::BoundedExecutor(int threads, int queue_capacity) : capacity_(queue_capacity) {
  if (threads < 1) threads = 1;
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

BoundedExecutor::~BoundedExecutor() { Shutdown(); }

absl::Status BoundedExecutor::Submit(std::function<void()> task) {
  MutexLock lock(&mu_);
  if (stopping_) {
    // Another replica answers once the load balancer sees this one go.
    return WithRetryDelay(
        WithReason(absl::UnavailableError("server is shutting down"), kReasonServerShuttingDown),
        kDefaultRetryDelay);
  }
  if (static_cast<int>(queue_.size()) >= capacity_) {
    return WithRetryDelay(
        WithReason(absl::ResourceExhaustedError(absl::StrCat(
                       "server is overloaded: ", queue_.size(), " requests already queued")),
                   kReasonServerOverloaded, {{"queued", absl::StrCat(queue_.size())}}),
        DrainTimeLocked());
  }
  queue_.push_back(std::move(task));
  return absl::OkStatus();
}

void BoundedExecutor::Shutdown() {
  {
    MutexLock lock(&mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

int BoundedExecutor::queued() const {
  MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

absl::Duration BoundedExecutor::DrainTimeLocked() const {
  const int threads = std::max<int>(1, static_cast<int>(workers_.size()));
  const int64_t rounds = static_cast<int64_t>(queue_.size()) / threads + 1;
  return std::clamp(mean_task_ * rounds, kMinRetryDelay, kMaxRetryDelay);
}

int BoundedExecutor::busy() const {
  MutexLock lock(&mu_);
  return busy_;
}

void BoundedExecutor::Work() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](BoundedExecutor* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    const absl::Time start = absl::Now();
    task();
    const absl::Duration took = absl::Now() - start;
    MutexLock lock(&mu_);
    --busy_;
    // Exponentially weighted (1/8) mean of the task run time.
    mean_task_ = mean_task_ == absl::ZeroDuration() ? took : mean_task_ + (took - mean_task_) / 8;
  }
}

}  // namespace aftercare
