#include "common/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "prometheus/gauge.h"

#ifndef AFTERCARE_VERSION
#define AFTERCARE_VERSION "unknown"
#endif
#ifndef AFTERCARE_COMMIT
#define AFTERCARE_COMMIT "unknown"
#endif

namespace aftercare {
namespace {

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

prometheus::MetricFamily Family(const std::string& name, const std::string& help,
                                prometheus::MetricType type, double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(absl::string_view text, long ticks_per_second,
                                      long page_size) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields are counted from the last ')'.
  const size_t close = text.rfind(')');
  if (close == absl::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<absl::string_view> f =
      absl::StrSplit(text.substr(close + 1), ' ', absl::SkipWhitespace());
  // f[0] is field 3 (state): field n is f[n - 3].
  if (f.size() < 22) return std::nullopt;
  double utime, stime, start, vsize, rss;
  if (!absl::SimpleAtod(f[14 - 3], &utime) || !absl::SimpleAtod(f[15 - 3], &stime) ||
      !absl::SimpleAtod(f[22 - 3], &start) || !absl::SimpleAtod(f[23 - 3], &vsize) ||
      !absl::SimpleAtod(f[24 - 3], &rss)) {
    return std::nullopt;
  }
  ProcStat s;
  s.cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
  s.start_seconds_since_boot = start / static_cast<double>(ticks_per_second);
  s.virtual_bytes = vsize;
  s.resident_bytes = rss * static_cast<double>(page_size);
  return s;
}

std::optional<double> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      double v;
      if (absl::SimpleAtod(absl::StripAsciiWhitespace(line), &v)) return v;
    }
  }
  return std::nullopt;
}

std::optional<double> ParseMaxOpenFiles(absl::string_view limits) {
  // "Max open files            1024                 1048576              files"
  for (absl::string_view line : absl::StrSplit(limits, '\n')) {
    if (!absl::ConsumePrefix(&line, "Max open files")) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    double v;
    if (!f.empty() && absl::SimpleAtod(f[0], &v)) return v;
    return std::nullopt;
  }
  return std::nullopt;
}

ProcessCollector::ProcessCollector(std::string proc, std::string pid)
    : proc_(std::move(proc)), pid_(std::move(pid)) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const std::string dir = proc_ + "/" + pid_;
  if (auto text = ReadFile(dir + "/stat")) {
    if (auto stat = ParseProcStat(*text, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE))) {
      out.push_back(Family("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds.", MetricType::Counter,
                           stat->cpu_seconds));
      out.push_back(Family("process_resident_memory_bytes", "Resident memory size in bytes.",
                           MetricType::Gauge, stat->resident_bytes));
      out.push_back(Family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           MetricType::Gauge, stat->virtual_bytes));
      auto boot = ReadFile(proc_ + "/stat");
      std::optional<double> btime = boot ? ParseBootTime(*boot) : std::nullopt;
      if (btime) {
        out.push_back(Family("process_start_time_seconds",
                             "Start time of the process since unix epoch in seconds.",
                             MetricType::Gauge, *btime + stat->start_seconds_since_boot));
      }
    }
  }
  if (DIR* fds = opendir((dir + "/fd").c_str())) {
    double open = 0;
    while (const dirent* e = readdir(fds)) {
      if (e->d_name[0] != '.') ++open;
    }
    closedir(fds);
    out.push_back(Family("process_open_fds", "Number of open file descriptors.",
                         MetricType::Gauge, open));
  }
  if (auto limits = ReadFile(dir + "/limits")) {
    if (auto max = ParseMaxOpenFiles(*limits)) {
      out.push_back(Family("process_max_fds", "Maximum number of open file descriptors.",
                           MetricType::Gauge, *max));
    }
  }
  return out;
}

const char* BuildVersion() { return AFTERCARE_VERSION; }
const char* BuildCommit() { return AFTERCARE_COMMIT; }

void RegisterBuildInfo(prometheus::Registry& registry, const std::string& service) {
  prometheus::BuildGauge()
      .Name("aftercare_build_info")
      .Help("The build of this binary: version, git commit and service; always 1")
      .Register(registry)
      .Add({{"version", BuildVersion()}, {"commit", BuildCommit()}, {"service", service}})
      .Set(1);
}

}  // namespace aftercare
