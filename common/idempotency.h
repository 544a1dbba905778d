// Makes a mutating RPC safe to retry. Every mutating request carries a
// `request_id`; the first successful response is stored in the same
// transaction as the change, keyed by (caller, request_id):
//   - same id, same request  → the stored response, nothing changes;
//   - same id, other request → INVALID_ARGUMENT;
//   - two concurrent calls   → both may run the body, but only one commits:
//                              the other meets its key, rolls back and
//                              returns the stored response.
// Failed calls store nothing, so they can be retried. Keys are kept for
// `--idempotency_retention` (default 48h) and then purged.
//
// The common case, a new request_id, costs one statement: the body runs
// first and the key is inserted with the response at the end of the same
// transaction. A duplicate key there, or a failing body, rolls the
// transaction back and looks the key up: a committed earlier call with the
// same id answers (its response, or INVALID_ARGUMENT for another request);
// otherwise the body's error is returned (without a look-up when it is
// UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED or CANCELLED, or an
// authorization failure, PERMISSION_DENIED or UNAUTHENTICATED).
//
// Who gets a stored answer: the key binds it to the caller's subject, role
// and scope (IdempotencyKey::For), and the method's policy admits the
// caller again before the handler runs (common/policy.h). So a replay is
// answered only to a caller with exactly the rights of the one the answer
// was made for — also when the call itself moved the aggregate out of that
// caller's reach (a partner's sale, a transfer): it already saw the answer.
//
//   return RunIdempotent<Unit>(pool, clock, IdempotencyKey::For(principal,
//       req.request_id(), "ReserveUnit"), req, "reserve unit",
//       [&](db::Connection& c) -> absl::StatusOr<Unit> { ... });
#ifndef AFTERCARE_COMMON_IDEMPOTENCY_H_
#define AFTERCARE_COMMON_IDEMPOTENCY_H_

#include <google/protobuf/message.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/db/transaction.h"

namespace aftercare {

struct IdempotencyKey {
  std::string caller;      // who may replay: see For()
  std::string request_id;  // empty: the call is not idempotent-keyed
  std::string method;      // full or short RPC name (a stored key answers only its method)

  // The key of `principal`'s call: bound to its subject, role and scope
  // ("<role>|<ScopeFingerprint>|<subject, first 120 bytes>"), so a stored
  // answer is returned only to a caller with exactly the rights of the one
  // who made the call — not to the same subject under another role, nor
  // after it lost or gained an account.
  static IdempotencyKey For(const Principal& principal, std::string request_id,
                            std::string method);
};

// Checks the shape of a request_id: at most 128 printable ASCII characters.
absl::Status ValidateRequestId(absl::string_view request_id);

// A create's key kept on the row it creates instead of in idempotency_keys
// (RepositoryStore::CreateOnce): the row's own INSERT writes `caller`,
// `request_id` (unique together), `request_hash` and the serialized first
// answer, one statement less than a separate key row. Such a key lives as
// long as its row (no retention purge), and answers only the create of that
// table: it is not compared with the keys of idempotency_keys.
struct RowKey {
  std::string caller;        // IdempotencyKey::For(...).caller
  std::string request_id;
  std::string request_hash;  // idempotency_internal::HashRequest of the request
};

// What a row key's row holds: its request's hash and the first answer.
struct StoredAnswer {
  std::string request_hash;
  std::string response;
};

namespace idempotency_internal {
// Looks the key up; on a hit returns the stored response, or
// INVALID_ARGUMENT when the key was used for another request; nullopt when
// the key is unknown. Throws sql::SQLException.
absl::StatusOr<std::optional<std::string>> Lookup(db::Connection& conn, const IdempotencyKey& key,
                                                  const std::string& request_hash);
// Inserts the key with its response. A key that exists already (a
// concurrent call committed first) answers kDuplicate. Throws
// sql::SQLException for other errors.
absl::Status Record(db::Connection& conn, const IdempotencyKey& key,
                    const std::string& request_hash, absl::Time now, const std::string& response);
// Whether `status` is Record's duplicate-key answer.
bool IsDuplicate(const absl::Status& status);
// The stored response of `key` read after the transaction failed with
// `failure`: the response, INVALID_ARGUMENT for another request, or `failure`
// itself when no call with the key committed (or the lookup fails).
absl::StatusOr<std::string> AnswerAfterFailure(db::ConnectionPool& pool, const IdempotencyKey& key,
                                               const std::string& request_hash,
                                               absl::string_view context, absl::Status failure);
// Whether a write that failed with `failure` may have met a key committed by
// an earlier call, so its stored answer is to be looked up: not when the
// database or the caller gave up (UNAVAILABLE, RESOURCE_EXHAUSTED,
// DEADLINE_EXCEEDED, CANCELLED) nor for an authorization failure.
bool MayAnswerFromStore(const absl::Status& failure);
// The answer a row key's `stored` row gives to a request hashed `request_hash`:
// the stored response, or INVALID_ARGUMENT naming `request_id` when the row
// was created by another request.
absl::StatusOr<std::string> StoredAnswerFor(const StoredAnswer& stored, const RowKey& key);
// The message of the AbortedError a key's INSERT answers when another call
// committed the key first (Record, and a row key's INSERT): IsDuplicate.
extern const char kRowKeyTaken[];
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
  absl::StatusOr<Resp> result = db::RunTransaction<Resp>(
      pool, context, [&](db::Connection& conn) -> absl::StatusOr<Resp> {
        absl::StatusOr<Resp> result = body(conn);
        if (!result.ok()) return result;
        std::string bytes;
        result->SerializeToString(&bytes);
        absl::Status recorded = idempotency_internal::Record(conn, key, hash, clock.Now(), bytes);
        if (!recorded.ok()) return recorded;
        return result;
      });
  if (result.ok()) return result;
  absl::StatusOr<std::string> stored = idempotency_internal::AnswerAfterFailure(
      pool, key, hash, context, std::move(result).status());
  if (!stored.ok()) return stored.status();
  Resp resp;
  if (!resp.ParseFromString(*stored)) {
    return absl::InternalError("stored response for request_id cannot be parsed");
  }
  return resp;
}

// Deletes keys created before `cutoff`, in batches; returns how many.
absl::StatusOr<int64_t> PurgeIdempotencyKeys(db::ConnectionPool& pool, absl::Time cutoff);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_IDEMPOTENCY_H_
