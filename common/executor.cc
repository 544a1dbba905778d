#include "common/executor.h"

#include "absl/strings/str_cat.h"

namespace aftercare {

BoundedExecutor::BoundedExecutor(int threads, int queue_capacity) : capacity_(queue_capacity) {
  if (threads < 1) threads = 1;
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

BoundedExecutor::~BoundedExecutor() { Shutdown(); }

absl::Status BoundedExecutor::Submit(std::function<void()> task) {
  MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("server is shutting down");
  if (static_cast<int>(queue_.size()) >= capacity_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("server is overloaded: ", queue_.size(), " requests already queued"));
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
    task();
    MutexLock lock(&mu_);
    --busy_;
  }
}

}  // namespace aftercare
