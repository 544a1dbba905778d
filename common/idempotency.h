// Makes a mutating RPC safe to retry. Every mutating request carries a
// `request_id`; the first successful response is stored in the same
// transaction as the change, keyed by (caller, request_id):
//   - same id, same request  → the stored response, nothing changes;
//   - same id, other request → INVALID_ARGUMENT;
//   - two concurrent calls   → one runs the body, the other waits for its
//                              row lock and then returns the stored response.
// Failed calls store nothing, so they can be retried. Keys are kept for
// `--idempotency_retention` (default 48h) and then purged.
//
//   return RunIdempotent<Unit>(pool, clock, {principal.subject, req.request_id(),
//       "ReserveUnit"}, req, "reserve unit",
//       [&](db::Connection& c) -> absl::StatusOr<Unit> { ... });
#ifndef AFTERCARE_COMMON_IDEMPOTENCY_H_
#define AFTERCARE_COMMON_IDEMPOTENCY_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/db/transaction.h"

namespace aftercare {

struct IdempotencyKey {
  std::string caller;      // principal subject
  std::string request_id;  // empty: the call is not idempotent-keyed
  std::string method;      // full or short RPC name
};

// Checks the shape of a request_id: at most 128 printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id);

namespace idempotency_internal {
// Looks the key up; on a hit fills `stored_response` and returns true.
// Otherwise inserts the placeholder row (returning a retryable ABORTED if a
// concurrent call inserted it first). Throws sql::SQLException.
absl::StatusOr<bool> Begin(db::Connection& conn, const IdempotencyKey& key,
                           const std::string& request_hash, absl::Time now,
                           std::string* stored_response);
void Finish(db::Connection& conn, const IdempotencyKey& key, const std::string& response);
std::string HashRequest(const google::protobuf::Message& request);
}  // namespace idempotency_internal

template <typename Resp, typename Fn>
absl::StatusOr<Resp> RunIdempotent(db::ConnectionPool& pool, const Clock& clock,
                                   const IdempotencyKey& key,
                                   const google::protobuf::Message& request,
                                   absl::string_view context, Fn&& body) {
  if (key.request_id.empty()) return db::RunTransaction<Resp>(pool, context, body);
  if (absl::Status s = ValidateRequestId(key.request_id); !s.ok()) return s;
  const std::string hash = idempotency_internal::HashRequest(request);
  return db::RunTransaction<Resp>(
      pool, context, [&](db::Connection& conn) -> absl::StatusOr<Resp> {
        std::string stored;
        absl::StatusOr<bool> hit =
            idempotency_internal::Begin(conn, key, hash, clock.Now(), &stored);
        if (!hit.ok()) return hit.status();
        if (*hit) {
          Resp resp;
          if (!resp.ParseFromString(stored)) {
            return absl::InternalError("stored response for request_id cannot be parsed");
          }
          return resp;
        }
        absl::StatusOr<Resp> result = body(conn);
        if (!result.ok()) return result;
        std::string bytes;
        result->SerializeToString(&bytes);
        idempotency_internal::Finish(conn, key, bytes);
        return result;
      });
}

// Deletes keys created before `cutoff`, in batches; returns how many.
absl::StatusOr<int64_t> PurgeIdempotencyKeys(db::ConnectionPool& pool, absl::Time cutoff);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_IDEMPOTENCY_H_
