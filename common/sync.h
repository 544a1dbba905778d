// The locks the suite's own code takes: aftercare::Mutex, MutexLock and
// Notification, with absl::Mutex's interface (Lock, Unlock, Await with an
// absl::Condition, AwaitWithTimeout) and its thread-safety annotations.
//
// In every normal build they are absl::Mutex, absl::MutexLock and
// absl::Notification. In a ThreadSanitizer build (scripts/sanitizers/tsan)
// they are built on std::mutex and std::condition_variable instead: Debian's
// Abseil is compiled without TSan, so absl::Mutex locks and unlocks on
// futexes inside an uninstrumented library, TSan never sees those
// happens-before edges and would report every guarded access as a race.
// pthread mutexes and condition variables are intercepted by TSan's runtime
// whether or not the library calling them was instrumented.
//
//   aftercare::Mutex mu_;
//   int n_ ABSL_GUARDED_BY(mu_) = 0;
//   { aftercare::MutexLock lock(&mu_); ++n_; }
#ifndef AFTERCARE_COMMON_SYNC_H_
#define AFTERCARE_COMMON_SYNC_H_

#include "absl/base/config.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#ifdef ABSL_HAVE_THREAD_SANITIZER
#include <chrono>
#include <condition_variable>
#include <mutex>
#endif

namespace aftercare {

#ifndef ABSL_HAVE_THREAD_SANITIZER

using Mutex = absl::Mutex;
using MutexLock = absl::MutexLock;
using Notification = absl::Notification;

#else  // ThreadSanitizer build

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  // Every unlock may have made a waiter's condition true (absl::Mutex
  // re-evaluates conditions on unlock; here the waiters do). Notified
  // before the unlock: once unlocked, another thread may destroy the mutex
  // (lock, unlock, destroy is allowed, as with absl::Mutex).
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    changed_.notify_all();
    mu_.unlock();
  }

  void Await(const absl::Condition& cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    std::unique_lock<std::mutex> held(mu_, std::adopt_lock);
    changed_.wait(held, [&] { return cond.Eval(); });
    held.release();
  }

  // True when `cond` holds on return, false when `timeout` passed first.
  bool AwaitWithTimeout(const absl::Condition& cond, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    if (timeout == absl::InfiniteDuration()) {
      Await(cond);
      return true;
    }
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
    std::unique_lock<std::mutex> held(mu_, std::adopt_lock);
    const bool met = changed_.wait_until(held, deadline, [&] { return cond.Eval(); });
    held.release();
    return met;
  }

  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  std::mutex mu_;
  std::condition_variable changed_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

class Notification {
 public:
  Notification() = default;
  Notification(const Notification&) = delete;
  Notification& operator=(const Notification&) = delete;

  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
  }
  bool HasBeenNotified() const {
    MutexLock lock(&mu_);
    return notified_;
  }
  void WaitForNotification() const {
    MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&notified_));
  }
  bool WaitForNotificationWithTimeout(absl::Duration timeout) const {
    MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&notified_), timeout);
  }

 private:
  mutable Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

#endif  // ABSL_HAVE_THREAD_SANITIZER

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_SYNC_H_
