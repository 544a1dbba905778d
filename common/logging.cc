#include "common/logging.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace aftercare {
namespace {

struct LogState {
  std::mutex mu;
  std::string service = "aftercare";  // guarded by mu
  // Read on every log call without the lock; InitLogging may run while
  // other threads log (tests start several in-process services).
  std::atomic<LogLevel> min_level{LogLevel::kInfo};
};

LogState& State() {
  static auto* state = new LogState();
  return *state;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void InitLogging(absl::string_view service, LogLevel min_level) {
  std::lock_guard<std::mutex> lock(State().mu);
  State().service = std::string(service);
  State().min_level.store(min_level, std::memory_order_relaxed);
}

bool ParseLogLevel(absl::string_view name, LogLevel* level) {
  if (name == "debug") *level = LogLevel::kDebug;
  else if (name == "info") *level = LogLevel::kInfo;
  else if (name == "warning") *level = LogLevel::kWarning;
  else if (name == "error") *level = LogLevel::kError;
  else return false;
  return true;
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >=
         static_cast<int>(State().min_level.load(std::memory_order_relaxed));
}

namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t Utf8Length(absl::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void AppendJsonString(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8Length(s.substr(i));
      if (n == 0) {
        out->append("\xef\xbf\xbd");  // U+FFFD
        ++i;
      } else {
        out->append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendKey(std::string* out, absl::string_view key) {
  out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
}

// `{"ts":…,"level":…,"service":…,"msg":…` (no closing brace).
std::string LineHead(LogLevel level, absl::string_view message, const std::string& service) {
  std::string out = "{\"ts\":\"";
  out.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()));
  out.append("\",\"level\":\"");
  out.append(LevelName(level));
  out.push_back('"');
  AppendKey(&out, "service");
  AppendJsonString(&out, service);
  AppendKey(&out, "msg");
  AppendJsonString(&out, message);
  return out;
}

bool Reserved(absl::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "msg";
}

void Write(std::string& out) {
  out.append("}\n");
  std::lock_guard<std::mutex> lock(State().mu);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace

std::string FormatLogLine(LogLevel level, absl::string_view message,
                          absl::Span<const LogField> fields) {
  std::string out = LineHead(level, message, State().service);
  out.reserve(out.size() + 64 * fields.size());
  for (const LogField& f : fields) {
    if (Reserved(f.key)) continue;
    AppendKey(&out, f.key);
    if (f.is_number) {
      out.append(nlohmann::json(f.number).dump());
    } else {
      AppendJsonString(&out, f.str);
    }
  }
  out.append("}\n");
  return out;
}

void LogLine(LogLevel level, absl::string_view message, absl::Span<const LogField> fields) {
  if (!LogEnabled(level)) return;
  std::string out = FormatLogLine(level, message, fields);
  std::lock_guard<std::mutex> lock(State().mu);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

void Log(LogLevel level, absl::string_view message, nlohmann::json fields) {
  if (!LogEnabled(level)) return;
  std::string out = LineHead(level, message, State().service);
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) {
      if (Reserved(k)) continue;
      AppendKey(&out, k);
      // Invalid UTF-8 from a client must not throw: replace it.
      out.append(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
  Write(out);
}

}  // namespace aftercare
