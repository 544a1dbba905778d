#include "common/paging.h"

#include "absl/strings/numbers.h"
#include "common/errors.h"
#include "common/status.h"

namespace aftercare {

absl::StatusOr<std::optional<PageCursor>> DecodePageStart(const PageTokenCodec& codec,
                                                          std::string_view token,
                                                          std::string_view fingerprint,
                                                          size_t key_count) {
  if (IsFirstPage(token)) return std::optional<PageCursor>();
  ASSIGN_OR_RETURN(PageCursor cursor, codec.Decode(token, fingerprint));
  if (cursor.keys.size() != key_count) return InvalidField("page_token", "is malformed");
  return std::optional<PageCursor>(std::move(cursor));
}

absl::StatusOr<std::string> DecodeAfterKey(const PageTokenCodec& codec, std::string_view token,
                                           std::string_view fingerprint) {
  ASSIGN_OR_RETURN(std::optional<PageCursor> cursor,
                   DecodePageStart(codec, token, fingerprint, 1));
  if (!cursor) return std::string();
  return std::move(cursor->keys[0]);
}

absl::StatusOr<int64_t> DecodeAfterId(const PageTokenCodec& codec, std::string_view token,
                                      std::string_view fingerprint) {
  ASSIGN_OR_RETURN(std::string key, DecodeAfterKey(codec, token, fingerprint));
  if (key.empty()) return int64_t{0};
  int64_t id = 0;
  if (!absl::SimpleAtoi(key, &id) || id <= 0) return InvalidField("page_token", "is malformed");
  return id;
}

}  // namespace aftercare
