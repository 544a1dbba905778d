// Opaque page tokens for keyset pagination, shared by every List RPC.
//
// A List RPC orders its rows by a unique sort key (e.g. (created_at, id)) and
// returns, with each full page, a token holding the last row's key values.
// The next call decodes the token and asks the repository for rows after
// that key ("WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?"),
// so the cost of a page does not grow with its depth.
//
// Tokens are integrity-checked (a truncated HMAC-SHA256 under a server secret)
// and bound to the query that issued them: a token presented with different
// filters or a different order is refused instead of silently skipping rows.
// The key values are not encrypted; callers must not put secrets in them.
//
//   const std::string fp = QueryFingerprint({"ListCases", req.filter(), req.order_by()});
//   ASSIGN_OR_RETURN(int size, NormalizePageSize(req.page_size(), 50, 500));
//   std::optional<PageCursor> after;
//   if (!IsFirstPage(req.page_token())) {
//     ASSIGN_OR_RETURN(after, codec.Decode(req.page_token(), fp));
//   }
//   ... fetch size + 1 rows after `after` ...
//   if (more) resp.set_next_page_token(codec.Encode(PageCursor{{ts, id}}, fp));
//
// Token layout, web-safe base64 without padding of:
//   version (1 byte, 1) | SHA-256(query_fingerprint)[0..8) |
//   key count (LEB128) | per key: length (LEB128), bytes |
//   HMAC-SHA256(secret, "aftercare/page_token/v1\0" + all of the above)[0..16)
#ifndef AFTERCARE_COMMON_PAGE_TOKEN_H_
#define AFTERCARE_COMMON_PAGE_TOKEN_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace aftercare {

// Where the next page starts: the sort key values of the last row returned,
// in the order of the ORDER BY columns, each rendered as a string by the
// repository (any bytes are allowed).
struct PageCursor {
  std::vector<std::string> keys;

  friend bool operator==(const PageCursor& a, const PageCursor& b) { return a.keys == b.keys; }
  friend bool operator!=(const PageCursor& a, const PageCursor& b) { return !(a == b); }
};

// Returns a fingerprint (64 lower-case hex digits of a SHA-256) of the
// values that define a query: the RPC name first, then every filter value
// and the order. Each part is length-prefixed, so {"ab", "c"}, {"a", "bc"}
// and {"abc"} all differ.
//
//   QueryFingerprint({"ListRmas", account_id, status_filter, "create_time desc"})
std::string QueryFingerprint(std::initializer_list<std::string_view> parts);
// Same, for a list of parts built at run time.
std::string QueryFingerprint(absl::Span<const std::string> parts);

// Returns true when the request asks for the first page (an empty token).
inline bool IsFirstPage(std::string_view token) { return token.empty(); }

// Returns the page size to use: `default_size` for 0, `max_size` for
// anything larger than it, INVALID_ARGUMENT naming page_size when negative.
// Expects 0 < default_size <= max_size (a larger default is capped).
absl::StatusOr<int> NormalizePageSize(int32_t requested, int default_size, int max_size);

// Encodes and verifies page tokens with one server secret. Every replica of a
// service must share the secret (tokens cross replicas); rotating it
// invalidates outstanding tokens, which clients see as INVALID_ARGUMENT.
// Thread-safe (all methods are const).
class PageTokenCodec {
 public:
  // Secrets shorter than this are refused by Create.
  static constexpr size_t kMinSecretBytes = 16;
  // Decode refuses longer tokens without looking at them.
  static constexpr size_t kMaxTokenChars = 8192;

  // Uses `secret` as the HMAC key as is (use 32 random bytes).
  explicit PageTokenCodec(std::string secret);

  // Returns a codec, or INVALID_ARGUMENT when `secret` is shorter than
  // kMinSecretBytes; for start-up code that reads the secret from config.
  static absl::StatusOr<PageTokenCodec> Create(std::string secret);

  // Returns the token for `cursor` under `query_fingerprint` (never empty).
  std::string Encode(const PageCursor& cursor, std::string_view query_fingerprint) const;

  // Returns the cursor in `token`, or INVALID_ARGUMENT with one of
  //   "page_token is malformed" (not a token of this format),
  //   "page_token failed its integrity check" (altered, or another secret),
  //   "page_token was issued for a different query (filters or order changed)".
  // An empty token is malformed here; callers test IsFirstPage first.
  absl::StatusOr<PageCursor> Decode(std::string_view token,
                                    std::string_view query_fingerprint) const;

 private:
  // The full HMAC-SHA256 of the labelled payload.
  std::string Mac(std::string_view payload) const;

  std::string secret_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_PAGE_TOKEN_H_
