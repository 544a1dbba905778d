#include "common/executor.h"

#include <atomic>

#include "common/errors.h"
#include "common/sync.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;

TEST(BoundedExecutorTest, RunsEveryTaskSubmitted) {
  std::atomic<int> ran{0};
  {
    BoundedExecutor executor(4, 1000);
    for (int i = 0; i < 500; ++i) ASSERT_OK(executor.Submit([&] { ++ran; }));
  }  // destructor drains
  EXPECT_EQ(ran.load(), 500);
}

TEST(BoundedExecutorTest, AFullQueueAnswersResourceExhausted) {
  // Declared before the executor, so that they outlive its worker (the
  // executor's destructor joins it); found by the ThreadSanitizer pass.
  Notification release;
  Notification started;
  BoundedExecutor executor(1, 2);
  ASSERT_OK(executor.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the one worker is busy
  ASSERT_OK(executor.Submit([] {}));
  ASSERT_OK(executor.Submit([] {}));
  const absl::Status full = executor.Submit([] {});
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kResourceExhausted));
  // The client learns why and when to come back (the queue's drain time).
  ASSERT_TRUE(GetDetail<google::rpc::ErrorInfo>(full).has_value());
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(full)->reason(), kReasonServerOverloaded);
  std::optional<google::rpc::RetryInfo> retry = GetDetail<google::rpc::RetryInfo>(full);
  ASSERT_TRUE(retry.has_value());
  const absl::Duration delay = absl::Seconds(retry->retry_delay().seconds()) +
                               absl::Nanoseconds(retry->retry_delay().nanos());
  EXPECT_GE(delay, BoundedExecutor::kMinRetryDelay);
  EXPECT_LE(delay, BoundedExecutor::kMaxRetryDelay);
  EXPECT_EQ(executor.queued(), 2);
  release.Notify();
}

TEST(BoundedExecutorTest, RefusesWorkAfterShutdown) {
  BoundedExecutor executor(2, 10);
  executor.Shutdown();
  const absl::Status refused = executor.Submit([] {});
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_TRUE(GetDetail<google::rpc::ErrorInfo>(refused).has_value());
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(refused)->reason(), kReasonServerShuttingDown);
  EXPECT_TRUE(GetDetail<google::rpc::RetryInfo>(refused).has_value());
}

}  // namespace
}  // namespace aftercare
