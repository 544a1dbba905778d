// One page of a List RPC's answer, and the two steps every keyset-paged list
// takes around its repository read (common/page_token.h has the tokens):
//
//   ASSIGN_OR_RETURN(int size, NormalizePageSize(req.page_size(), 50, 500));
//   const std::string fp = QueryFingerprint({"ListUnits", filter.sku});
//   ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(codec, req.page_token(), fp));
//   ASSIGN_OR_RETURN(std::vector<Unit> rows, repo.ListUnits(filter, after, size + 1));
//   return MakePage(std::move(rows), size, codec, fp, [](const Unit& u) { return u.serial; });
#ifndef AFTERCARE_COMMON_PAGING_H_
#define AFTERCARE_COMMON_PAGING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/page_token.h"

namespace aftercare {

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

// The cursor a page starts after: none for the first page (an empty token);
// INVALID_ARGUMENT "page_token is malformed" when the token does not hold
// exactly `key_count` keys, or the codec's errors (altered, other query).
absl::StatusOr<std::optional<PageCursor>> DecodePageStart(const PageTokenCodec& codec,
                                                          std::string_view token,
                                                          std::string_view fingerprint,
                                                          size_t key_count);

// For lists ordered by one key: the key after which the page starts, "" for
// the first page.
absl::StatusOr<std::string> DecodeAfterKey(const PageTokenCodec& codec, std::string_view token,
                                           std::string_view fingerprint);

// For lists ordered by one positive integer id: the id after which the page
// starts, 0 for the first page; a key that is not a number is malformed.
absl::StatusOr<int64_t> DecodeAfterId(const PageTokenCodec& codec, std::string_view token,
                                      std::string_view fingerprint);

// Trims `rows`, fetched as limit + 1, to `limit` and, when a row was cut,
// sets the next token to the cursor of the last row kept. `cursor_of(row)`
// returns a PageCursor, or a std::string for a one-key order.
template <typename T, typename CursorFn>
Page<T> MakePage(std::vector<T> rows, int limit, const PageTokenCodec& codec,
                 std::string_view fingerprint, CursorFn cursor_of) {
  Page<T> page;
  if (limit >= 0 && rows.size() > static_cast<size_t>(limit)) {
    rows.resize(static_cast<size_t>(limit));
    if (!rows.empty()) {
      auto cursor = cursor_of(rows.back());
      if constexpr (std::is_same_v<decltype(cursor), PageCursor>) {
        page.next_page_token = codec.Encode(cursor, fingerprint);
      } else {
        page.next_page_token = codec.Encode(PageCursor{{std::string(std::move(cursor))}}, fingerprint);
      }
    }
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_PAGING_H_
