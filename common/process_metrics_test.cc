#include "common/process_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/metrics.h"

namespace aftercare {
namespace {

using ::aftercare::testing::MetricValue;

// A /proc/<pid>/stat line whose command name holds spaces and a ')'.
constexpr char kStat[] =
    "4242 (my (odd) svc) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 50 0 0 20 0 9 0 "
    "100000 734003200 5000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcStatTest, ParsesCpuMemoryAndStartFromTheFieldsAfterTheCommand) {
  auto s = ParseProcStat(kStat, 100, 4096);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.0);  // (250 + 50) ticks / 100
  EXPECT_DOUBLE_EQ(s->start_seconds_since_boot, 1000.0);
  EXPECT_DOUBLE_EQ(s->virtual_bytes, 734003200.0);
  EXPECT_DOUBLE_EQ(s->resident_bytes, 5000.0 * 4096);
  EXPECT_FALSE(ParseProcStat("garbage", 100, 4096).has_value());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2 3", 100, 4096).has_value());
}

TEST(ProcStatTest, ReadsBootTimeAndTheSoftFdLimit) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1764892800\nprocesses 9\n"), 1764892800.0);
  EXPECT_FALSE(ParseBootTime("cpu 1\n").has_value());
  EXPECT_EQ(ParseMaxOpenFiles("Limit                     Soft Limit           Hard Limit           Units\n"
                              "Max open files            1024                 524288               files\n"),
            1024.0);
  EXPECT_FALSE(ParseMaxOpenFiles("Max open files            unlimited            unlimited            files\n")
                   .has_value());
}

TEST(ProcessCollectorTest, ExportsTheStandardProcessMetricsOfThisProcess) {
  ProcessCollector collector;
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_start_time_seconds",
                           "process_open_fds", "process_max_fds"}) {
    EXPECT_TRUE(MetricValue(collector, name).has_value()) << name;
  }
  EXPECT_GT(*MetricValue(collector, "process_resident_memory_bytes"), 0);
  EXPECT_GE(*MetricValue(collector, "process_virtual_memory_bytes"),
            *MetricValue(collector, "process_resident_memory_bytes"));
  EXPECT_GE(*MetricValue(collector, "process_open_fds"), 3);  // stdin, stdout, stderr
  EXPECT_GE(*MetricValue(collector, "process_max_fds"), *MetricValue(collector, "process_open_fds"));
  const double start = *MetricValue(collector, "process_start_time_seconds");
  EXPECT_GT(start, 1.5e9);  // after 2017
  EXPECT_LE(start, absl::ToUnixSeconds(absl::Now()) + 1);
}

TEST(ProcessCollectorTest, AProcessWithoutProcFilesExportsNothing) {
  ProcessCollector collector("/nonexistent-proc", "self");
  EXPECT_TRUE(collector.Collect().empty());
}

TEST(BuildInfoTest, OneSeriesAtOneWithVersionCommitAndService) {
  auto registry = std::make_shared<prometheus::Registry>();
  RegisterBuildInfo(*registry, "case-svc");
  EXPECT_EQ(MetricValue(*registry, "aftercare_build_info",
                        {{"version", BuildVersion()}, {"commit", BuildCommit()}, {"service", "case-svc"}}),
            1);
  EXPECT_THAT(std::string(BuildVersion()), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  // A short hash from git, or "unknown" outside a checkout.
  EXPECT_THAT(std::string(BuildCommit()), ::testing::MatchesRegex("[0-9a-f]{7,40}|unknown"));
}

}  // namespace
}  // namespace aftercare
