#include "tests/load/load_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace aftercare::load {
namespace {

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// One method's (or the total's) figures, its latencies sorted.
struct Summary {
  std::string name;
  CallStats stats;
  int64_t calls = 0;
  int64_t errors = 0;
  double mean_ms = 0;
  double max_ms = 0;
};

Summary Summarize(std::string name, CallStats stats) {
  Summary s;
  s.name = std::move(name);
  s.stats = std::move(stats);
  std::sort(s.stats.latency_us.begin(), s.stats.latency_us.end());
  s.calls = static_cast<int64_t>(s.stats.latency_us.size());
  for (const auto& [code, n] : s.stats.errors) s.errors += n;
  double sum = 0;
  for (uint32_t v : s.stats.latency_us) sum += v;
  s.mean_ms = s.calls > 0 ? sum / static_cast<double>(s.calls) / 1000.0 : 0;
  s.max_ms = s.calls > 0 ? s.stats.latency_us.back() / 1000.0 : 0;
  return s;
}

std::vector<Summary> SummarizeAll(const RunReport& r, Summary* total) {
  std::vector<Summary> out;
  CallStats all;
  for (const auto& [name, stats] : r.methods) {
    all.Merge(stats);
    out.push_back(Summarize(name, stats));
  }
  *total = Summarize("total", std::move(all));
  return out;
}

void TextLine(const Summary& s, double secs, std::ostringstream& text) {
  const std::vector<uint32_t>& l = s.stats.latency_us;
  char line[512];
  std::snprintf(line, sizeof(line),
                "%-58s %9lld calls %9.1f/s  ok %lld  err %lld  p50 %.2f p90 %.2f p99 %.2f p99.9 "
                "%.2f max %.2f ms\n",
                s.name.c_str(), static_cast<long long>(s.calls), s.calls / secs,
                static_cast<long long>(s.stats.ok), static_cast<long long>(s.errors),
                QuantileMs(l, .5), QuantileMs(l, .9), QuantileMs(l, .99), QuantileMs(l, .999),
                s.max_ms);
  text << line;
  for (const auto& [code, n] : s.stats.errors) {
    text << "    " << CodeName(code) << " x" << n;
    auto sample = s.stats.sample_error.find(code);
    if (sample != s.stats.sample_error.end()) text << ": " << sample->second.substr(0, 160);
    text << "\n";
  }
}

void JsonObject(const Summary& s, double secs, std::ostringstream& json) {
  const std::vector<uint32_t>& l = s.stats.latency_us;
  json << "{\"method\":\"" << JsonEscape(s.name) << "\",\"calls\":" << s.calls
       << ",\"ok\":" << s.stats.ok << ",\"errors\":" << s.errors
       << ",\"throughput\":" << s.calls / secs << ",\"ok_throughput\":" << s.stats.ok / secs
       << ",\"latency_ms\":{\"mean\":" << s.mean_ms << ",\"p50\":" << QuantileMs(l, .5)
       << ",\"p90\":" << QuantileMs(l, .9) << ",\"p99\":" << QuantileMs(l, .99)
       << ",\"p99_9\":" << QuantileMs(l, .999) << ",\"max\":" << s.max_ms
       << "},\"errors_by_code\":{";
  const char* sep = "";
  for (const auto& [code, n] : s.stats.errors) {
    json << sep << "\"" << CodeName(code) << "\":" << n;
    sep = ",";
  }
  json << "},\"error_samples\":{";
  sep = "";
  for (const auto& [code, m] : s.stats.sample_error) {
    json << sep << "\"" << CodeName(code) << "\":\"" << JsonEscape(m.substr(0, 300)) << "\"";
    sep = ",";
  }
  json << "}}";
}

}  // namespace

void CallStats::Merge(const CallStats& other) {
  latency_us.insert(latency_us.end(), other.latency_us.begin(), other.latency_us.end());
  ok += other.ok;
  for (const auto& [code, n] : other.errors) errors[code] += n;
  for (const auto& [code, m] : other.sample_error) sample_error[code] = m;
}

double QuantileMs(const std::vector<uint32_t>& sorted_us, double q) {
  if (sorted_us.empty()) return 0;
  const size_t i = static_cast<size_t>(q * static_cast<double>(sorted_us.size() - 1) + 0.5);
  return sorted_us[std::min(i, sorted_us.size() - 1)] / 1000.0;
}

const char* CodeName(int code) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "?";
}

std::string ReportText(const RunReport& r) {
  Summary total;
  const std::vector<Summary> methods = SummarizeAll(r, &total);
  std::ostringstream text;
  if (!r.label.empty()) text << "== " << r.label << "\n";
  for (const Summary& s : methods) TextLine(s, r.seconds, text);
  text << "-- total (" << r.concurrency << " in flight, " << r.connections << " connections, "
       << r.seconds << " s; the generator used " << r.client_cpu_seconds << " CPU s)\n";
  TextLine(total, r.seconds, text);
  for (const auto& [pid, kib] : r.rss_max_kib) {
    text << "pid " << pid << " max VmRSS " << kib << " KiB during the run\n";
  }
  return text.str();
}

std::string ReportJson(const RunReport& r) {
  Summary total;
  const std::vector<Summary> methods = SummarizeAll(r, &total);
  std::ostringstream json;
  json << "{\"label\":\"" << JsonEscape(r.label) << "\",\"target\":\"" << JsonEscape(r.target)
       << "\",\"concurrency\":" << r.concurrency << ",\"connections\":" << r.connections
       << ",\"rate_limit\":" << r.rate_limit << ",\"seconds\":" << r.seconds
       << ",\"client_cpu_seconds\":" << r.client_cpu_seconds;
  if (r.walked_pages >= 0) json << ",\"walked_pages\":" << r.walked_pages;
  json << ",\"methods\":[";
  for (size_t i = 0; i < methods.size(); ++i) {
    if (i > 0) json << ",";
    JsonObject(methods[i], r.seconds, json);
  }
  json << "],\"total\":";
  JsonObject(total, r.seconds, json);
  json << ",\"rss_max_kib\":{";
  const char* sep = "";
  for (const auto& [pid, kib] : r.rss_max_kib) {
    json << sep << "\"" << pid << "\":" << kib;
    sep = ",";
  }
  json << "}}\n";
  return json.str();
}

}  // namespace aftercare::load
