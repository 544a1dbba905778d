// Fuzz target: page tokens come from clients. Decode must answer any bytes
// with a cursor or INVALID_ARGUMENT, and a token it accepts must survive a
// round trip through Encode.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/page_token.h"

namespace {
const aftercare::PageTokenCodec& Codec() {
  static const auto* codec = new aftercare::PageTokenCodec(
      *aftercare::PageTokenCodec::Create("fuzz-secret-fuzz-secret-fuzz-secret-0123"));
  return *codec;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string token(reinterpret_cast<const char*>(data), size);
  const std::string fp = aftercare::QueryFingerprint({"ListUnits", "EX4300"});
  absl::StatusOr<aftercare::PageCursor> cursor = Codec().Decode(token, fp);
  if (!cursor.ok()) {
    if (cursor.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  absl::StatusOr<aftercare::PageCursor> again = Codec().Decode(Codec().Encode(*cursor, fp), fp);
  if (!again.ok() || again->keys != cursor->keys) std::abort();
  return 0;
}
