#include "common/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace aftercare {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// The lines written to stderr while `fn` runs, each parsed as JSON.
template <typename Fn>
std::vector<Json> Capture(Fn fn) {
  FlushLogs();  // earlier lines out of the capture
  testing::internal::CaptureStderr();
  fn();
  FlushLogs();
  const std::string text = testing::internal::GetCapturedStderr();
  std::vector<Json> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.push_back(Json::parse(line));  // throws (fails the test) on invalid JSON
  }
  return lines;
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override { InitLogging("logging-test", LogLevel::kInfo); }
};

TEST_F(LoggingTest, LogLineEscapesStringsAndKeepsNumbers) {
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 done";
  std::vector<Json> lines = Capture([&] {
    LogField fields[] = {{"method", "/pkg.Svc/Get"}, {"text", tricky}, {"duration_ms", 1.25}};
    LogLine(LogLevel::kInfo, "rpc", fields);
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "rpc");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["service"], "logging-test");
  EXPECT_EQ(lines[0]["method"], "/pkg.Svc/Get");
  EXPECT_EQ(lines[0]["text"], tricky);
  EXPECT_EQ(lines[0]["duration_ms"], 1.25);
  EXPECT_TRUE(lines[0]["ts"].is_string());
}

TEST_F(LoggingTest, InvalidUtf8IsReplacedValidUtf8Kept) {
  const std::string text = std::string("ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 bad ") +
                           "\xC3" + " \xFF \xED\xA0\x80 end";
  std::vector<Json> lines = Capture([&] {
    LogField fields[] = {{"text", text}};
    LogLine(LogLevel::kWarning, "m", fields);
    Log(LogLevel::kWarning, "m", {{"text", text}});
  });
  ASSERT_EQ(lines.size(), 2u);
  for (const Json& line : lines) {
    const std::string got = line["text"];
    EXPECT_THAT(got, HasSubstr("ok \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 bad "));
    EXPECT_THAT(got, HasSubstr("\xEF\xBF\xBD"));
    EXPECT_THAT(got, ::testing::EndsWith(" end"));
  }
}

TEST_F(LoggingTest, BelowTheLevelNothingIsWrittenAndReservedKeysStay) {
  std::vector<Json> lines = Capture([] {
    LogField fields[] = {{"x", "y"}};
    LogLine(LogLevel::kDebug, "hidden", fields);
    LogDebug("hidden too");
    LogInfo("shown", {{"msg", "not the message"}, {"level", "error"}, {"n", 3}});
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "shown");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["n"], 3);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));
}

// Several in-process services (tests) call InitLogging while the threads
// of those already started log: the level is read without the lock. Under
// the ThreadSanitizer lane this was a data race (found there).
TEST_F(LoggingTest, InitLoggingWhileOtherThreadsCheckTheLevel) {
  std::atomic<bool> stop{false};
  std::atomic<int> enabled{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) enabled += LogEnabled(LogLevel::kWarning) ? 1 : 0;
    });
  }
  for (int i = 0; i < 200; ++i) {
    InitLogging("logging-test", i % 2 == 0 ? LogLevel::kError : LogLevel::kInfo);
  }
  stop = true;
  for (auto& t : readers) t.join();
  InitLogging("logging-test", LogLevel::kInfo);
  EXPECT_TRUE(LogEnabled(LogLevel::kWarning));
}

}  // namespace
}  // namespace aftercare

namespace aftercare {
namespace {

// Buffering, once on, stays on for the process: ctest runs each test in a
// process of its own, and the other tests here flush before they read what
// they captured.
TEST(BufferedLoggingTest, InfoWaitsAndAWarningWritesWhatWaitedFirst) {
  InitLogging("logging-test", LogLevel::kInfo);
  EnableBufferedLogging(absl::InfiniteDuration());  // no timer: nothing is written by surprise
  FlushLogs();
  testing::internal::CaptureStderr();
  LogLine(LogLevel::kInfo, "first", {});
  LogInfo("second");
  const std::string before = testing::internal::GetCapturedStderr();
  EXPECT_EQ(before, "");  // still waiting

  testing::internal::CaptureStderr();
  LogWarning("third");
  const std::string after = testing::internal::GetCapturedStderr();
  const size_t first = after.find("\"msg\":\"first\"");
  const size_t second = after.find("\"msg\":\"second\"");
  const size_t third = after.find("\"msg\":\"third\"");
  ASSERT_NE(first, std::string::npos) << after;
  ASSERT_NE(second, std::string::npos) << after;
  ASSERT_NE(third, std::string::npos) << after;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);

  // 64 KiB waiting are written without a flush.
  testing::internal::CaptureStderr();
  const std::string filler(1000, 'x');
  for (int i = 0; i < 70; ++i) LogInfo("filler", {{"pad", filler}});
  const std::string burst = testing::internal::GetCapturedStderr();
  EXPECT_GE(burst.size(), 64u * 1024);
  FlushLogs();
}

}  // namespace
}  // namespace aftercare
