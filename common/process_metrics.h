// The process metrics every Prometheus client library exports, read from
// /proc at scrape time, and the build of the binary:
//   process_cpu_seconds_total       user + system CPU time
//   process_resident_memory_bytes   resident set size
//   process_virtual_memory_bytes    virtual memory size
//   process_start_time_seconds      start time, seconds since the Unix epoch
//   process_open_fds                open file descriptors
//   process_max_fds                 the soft limit on them
//   aftercare_build_info{version,commit,service} = 1
//
// The service runtime registers both on the /metrics endpoint:
//   exposer.RegisterCollectable(std::make_shared<ProcessCollector>());
//   RegisterBuildInfo(*registry, "case-svc");
#ifndef AFTERCARE_COMMON_PROCESS_METRICS_H_
#define AFTERCARE_COMMON_PROCESS_METRICS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace aftercare {

// What /proc/<pid>/stat says about a process (the fields the metrics need).
struct ProcStat {
  double cpu_seconds = 0;         // utime + stime
  double virtual_bytes = 0;       // vsize
  double resident_bytes = 0;      // rss pages * page size
  double start_seconds_since_boot = 0;
};

// Parses the text of /proc/<pid>/stat; nullopt when it is not one.
std::optional<ProcStat> ParseProcStat(absl::string_view text, long ticks_per_second,
                                      long page_size);
// The "btime" line of /proc/stat (boot time, seconds since the epoch).
std::optional<double> ParseBootTime(absl::string_view proc_stat);
// The soft limit of "Max open files" in /proc/<pid>/limits ("unlimited": nullopt).
std::optional<double> ParseMaxOpenFiles(absl::string_view limits);

// Reads /proc at every Collect(). `proc` is the /proc directory and `pid`
// the process ("self"); a file that cannot be read leaves its metric out.
class ProcessCollector : public prometheus::Collectable {
 public:
  explicit ProcessCollector(std::string proc = "/proc", std::string pid = "self");
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string proc_;
  const std::string pid_;
};

// The version of the build (CMake project version) and its commit
// (`git rev-parse --short HEAD` when CMake configured it; "unknown"
// outside a git checkout).
const char* BuildVersion();
const char* BuildCommit();

// Adds aftercare_build_info{version,commit,service} = 1 to `registry`.
void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_PROCESS_METRICS_H_
