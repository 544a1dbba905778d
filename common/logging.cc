#include "common/logging.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

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

  // Buffered output (EnableBufferedLogging): lines below warning wait in
  // `pending` for the flusher thread, which writes them every interval.
  std::atomic<bool> buffered{false};
  std::mutex pending_mu;
  std::string pending;  // guarded by pending_mu
  // Serialises the write(2) calls so that lines never interleave.
  std::mutex write_mu;
};

LogState& State() {
  static auto* state = new LogState();
  return *state;
}

// Writes all of `bytes` to stderr (fd 2) with write(2); the caller holds
// write_mu. stdio is bypassed: stderr is unbuffered and would split a long
// line into several writes anyway.
void WriteAll(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(STDERR_FILENO, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report it
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Writes the pending lines, then `line` (may be empty).
void WritePendingThen(absl::string_view line) {
  LogState& st = State();
  std::string batch;
  std::lock_guard<std::mutex> write_lock(st.write_mu);
  {
    std::lock_guard<std::mutex> lock(st.pending_mu);
    batch.swap(st.pending);
  }
  WriteAll(batch);
  WriteAll(line);
}

constexpr size_t kMaxPendingBytes = 64 * 1024;

void Emit(LogLevel level, const std::string& line) {
  LogState& st = State();
  if (st.buffered.load(std::memory_order_relaxed) && level < LogLevel::kWarning) {
    std::unique_lock<std::mutex> lock(st.pending_mu);
    st.pending.append(line);
    if (st.pending.size() < kMaxPendingBytes) return;
    lock.unlock();
    WritePendingThen("");
    return;
  }
  // Warnings and errors go out at once, after what is pending (order kept).
  WritePendingThen(line);
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

void Write(LogLevel level, std::string& out) {
  out.append("}\n");
  Emit(level, out);
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
  Emit(level, FormatLogLine(level, message, fields));
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
  Write(level, out);
}

void EnableBufferedLogging(absl::Duration interval) {
  LogState& st = State();
  if (interval <= absl::ZeroDuration() || st.buffered.exchange(true)) return;
  std::atexit([] { FlushLogs(); });
  if (interval == absl::InfiniteDuration()) return;  // no timer: size, warnings, FlushLogs
  std::thread([interval] {
    LogState& st = State();
    // At least 1 ms: a sub-millisecond interval must not become a busy loop.
    const auto period = std::max(absl::ToChronoMilliseconds(interval), std::chrono::milliseconds(1));
    for (;;) {
      std::this_thread::sleep_for(period);
      bool waiting = false;
      {
        std::lock_guard<std::mutex> lock(st.pending_mu);
        waiting = !st.pending.empty();
      }
      if (waiting) WritePendingThen("");
    }
  }).detach();
}

void FlushLogs() { WritePendingThen(""); }

}  // namespace aftercare
