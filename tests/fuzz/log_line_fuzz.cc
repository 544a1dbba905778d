// Fuzz target: log lines carry client-chosen strings (request ids, errors,
// peers). Whatever the bytes, a line is one valid JSON object on one line,
// and valid UTF-8 comes back unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/ids.h"
#include "common/logging.h"
#include "nlohmann/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t half = size / 2;
  const std::string key = text.substr(0, half);
  const std::string value = text.substr(half);
  aftercare::LogField fields[] = {{"error", value}, {key, value}, {"n", static_cast<double>(size)}};
  const std::string line = aftercare::FormatLogLine(aftercare::LogLevel::kInfo, text, fields);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) std::abort();
  if (aftercare::IsValidUtf8(value) && j.value("error", std::string()) != value) std::abort();
  if (aftercare::IsValidUtf8(text) && j.value("msg", std::string()) != text) std::abort();
  return 0;
}
