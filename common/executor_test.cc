#include "common/executor.h"

#include <atomic>

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
  EXPECT_THAT(executor.Submit([] {}), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(executor.queued(), 2);
  release.Notify();
}

TEST(BoundedExecutorTest, RefusesWorkAfterShutdown) {
  BoundedExecutor executor(2, 10);
  executor.Shutdown();
  EXPECT_THAT(executor.Submit([] {}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace aftercare
