// The report of an aftercare-load run, apart from the run itself: calls per
// method (latency, outcomes by gRPC code), their total, the generator's CPU
// and the peak RSS of the watched processes, as text for a person and as one
// JSON object for scripts/bench (docs/BENCHMARKS.md reads its fields).
#ifndef AFTERCARE_TESTS_LOAD_LOAD_REPORT_H_
#define AFTERCARE_TESTS_LOAD_LOAD_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aftercare::load {

// What the calls of one method (or of a slot, before merging) came to.
struct CallStats {
  std::vector<uint32_t> latency_us;  // successful and failed calls
  int64_t ok = 0;
  std::map<int, int64_t> errors;            // by gRPC status code
  std::map<int, std::string> sample_error;  // one message per code

  // Adds `other`'s calls to these.
  void Merge(const CallStats& other);
};

struct RunReport {
  std::string label;
  std::string target;
  int concurrency = 0;
  int connections = 0;
  double rate_limit = 0;
  double seconds = 0;  // the measured window
  double client_cpu_seconds = 0;
  int walked_pages = -1;  // -1: no --walk_pages
  std::vector<std::pair<std::string, CallStats>> methods;  // in --call order
  std::map<int, int64_t> rss_max_kib;                      // by pid
};

// The latency at quantile `q` (0..1) of sorted microseconds, in ms.
double QuantileMs(const std::vector<uint32_t>& sorted_us, double q);

// "INVALID_ARGUMENT" for 3; "?" outside 0..16.
const char* CodeName(int code);

// The text report: a line per method and for the total, error codes with a
// sample message, and the peak RSS per pid.
std::string ReportText(const RunReport& report);
// The JSON report: {"label", "target", ..., "methods": [...], "total": {...},
// "rss_max_kib": {...}}.
std::string ReportJson(const RunReport& report);

}  // namespace aftercare::load

#endif  // AFTERCARE_TESTS_LOAD_LOAD_REPORT_H_
