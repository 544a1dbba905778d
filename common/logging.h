// Structured logging: one JSON object per line on stderr, so that a log
// collector can index it. The per-RPC line is written by the server
// interceptor (common/interceptors.h); services log their own events with
//
//   LogInfo("outbox delivered", {{"event_id", id}, {"aggregate", agg}});
//
// Secrets (tokens, activation codes, keys) are never passed here.
#ifndef AFTERCARE_COMMON_LOGGING_H_
#define AFTERCARE_COMMON_LOGGING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

#include "nlohmann/json.hpp"

namespace aftercare {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Sets the process-wide minimum level and the service name on every line.
void InitLogging(absl::string_view service, LogLevel min_level);
bool ParseLogLevel(absl::string_view name, LogLevel* level);

// From now on, lines below warning are collected and written to stderr by a
// background thread every `interval` (or as soon as 64 KiB are waiting), so
// that a call's log line costs no write(2) of its own. Warnings and errors
// are written at once, after the lines waiting before them. At exit the
// waiting lines are written; a process killed with SIGKILL loses at most
// `interval` of lines. A zero interval (or a second call) changes nothing;
// an infinite one starts no timer (lines wait for 64 KiB, a warning or
// FlushLogs: tests).
// The service runtime calls it with --log_flush_interval.
void EnableBufferedLogging(absl::Duration interval);
// Writes the lines waiting to be written (tests read stderr after it).
void FlushLogs();

// Whether a line of `level` would be written.
bool LogEnabled(LogLevel level);

// One field of a line written by LogLine: a string or a number.
struct LogField {
  LogField() = default;
  LogField(absl::string_view k, absl::string_view v) : key(k), str(v) {}
  LogField(absl::string_view k, const char* v) : key(k), str(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), str(v) {}
  LogField(absl::string_view k, double v) : key(k), is_number(true), number(v) {}
  absl::string_view key;
  absl::string_view str;
  bool is_number = false;
  double number = 0;
};

// Writes one line like Log, from fields the caller keeps alive for the call;
// no JSON document is built (the per-RPC line uses it). Strings are escaped
// and invalid UTF-8 is replaced by U+FFFD.
void LogLine(LogLevel level, absl::string_view message, absl::Span<const LogField> fields);

// The line LogLine writes, newline included (tests and fuzzing).
std::string FormatLogLine(LogLevel level, absl::string_view message,
                          absl::Span<const LogField> fields);

// Writes one line with "ts", "level", "service", "msg" and the given fields.
void Log(LogLevel level, absl::string_view message, nlohmann::json fields = nlohmann::json::object());
inline void LogDebug(absl::string_view m, nlohmann::json f = nlohmann::json::object()) {
  Log(LogLevel::kDebug, m, std::move(f));
}
inline void LogInfo(absl::string_view m, nlohmann::json f = nlohmann::json::object()) {
  Log(LogLevel::kInfo, m, std::move(f));
}
inline void LogWarning(absl::string_view m, nlohmann::json f = nlohmann::json::object()) {
  Log(LogLevel::kWarning, m, std::move(f));
}
inline void LogError(absl::string_view m, nlohmann::json f = nlohmann::json::object()) {
  Log(LogLevel::kError, m, std::move(f));
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_LOGGING_H_
