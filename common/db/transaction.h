// Runs repository code against a pooled connection and turns every
// Connector/C++ exception into an absl::Status.
//
//   absl::StatusOr<Unit> unit = RunTransaction<Unit>(pool, "reserve unit",
//       [&](Connection& c) -> absl::StatusOr<Unit> {
//         auto& stmt = c.Prepare("UPDATE units SET state = ? WHERE serial = ?");
//         ...
//       });
//
// RunTransaction runs the body on a connection with autocommit off
// (CommitMode::kTransaction: its first statement opens the transaction, so
// there is no START TRANSACTION round trip), ends it with COMMIT (ROLLBACK
// when the body fails) and starts it again, up to `max_attempts` times with a
// jittered backoff, when it fails with a retryable conflict (deadlock 1213
// — on a Galera cluster also a certification failure —, lock wait timeout
// 1205, or a status marked with MarkRetryable) or loses its connection
// before COMMIT (the database node died: the next attempt fails over).
// RunRead runs a body that only reads, in autocommit mode, with the same
// retries.
#ifndef AFTERCARE_COMMON_DB_TRANSACTION_H_
#define AFTERCARE_COMMON_DB_TRANSACTION_H_

#include <functional>
#include "absl/strings/string_view.h"
#include <type_traits>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/db/connection_pool.h"
#include "common/db/errors.h"

namespace aftercare::db {

struct TxOptions {
  int max_attempts = 5;
  absl::Duration base_backoff = absl::Milliseconds(5);
};

namespace internal {

template <typename T>
struct StatusOrValue;
template <typename T>
struct StatusOrValue<absl::StatusOr<T>> {
  using type = T;
};

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

// Runs `fn(conn)` once, converting exceptions. R is absl::Status or absl::StatusOr<T>.
template <typename R, typename Fn>
R RunOnce(ConnectionPool& pool, Connection& conn, absl::string_view context, bool transactional,
          Fn& fn) {
  bool committing = false;
  try {
    // Autocommit is off on a transaction's connection (Run acquires it in
    // CommitMode::kTransaction): the body's first statement opens the
    // transaction.
    R result = fn(conn);
    if (transactional) {
      if (StatusOf(result).ok()) {
        committing = true;
        conn.Execute("COMMIT");
      } else {
        conn.Execute("ROLLBACK");
      }
    }
    return result;
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e.getErrorCode())) {
      conn.MarkBroken();
      // The server (or the Galera node) is gone: so are the other idle
      // connections to it, most likely.
      pool.DropIdle();
      // Lost before COMMIT was sent, nothing was written (the server rolls
      // back an open transaction with its session): another attempt, on a
      // new connection — on the next endpoint if need be — is safe. A
      // COMMIT whose answer was lost may have landed: the caller decides
      // (a retry with the same request_id replays it).
      if (!committing) return MarkRetryable(FromSqlException(e, context, pool));
    } else {
      if (transactional) {
        try {
          conn.Execute("ROLLBACK");
        } catch (const sql::SQLException&) {
          conn.MarkBroken();
        }
      }
    }
    return FromSqlException(e, context, pool);  // counts it
  }
}

template <typename R, typename Fn>
R Run(ConnectionPool& pool, absl::string_view context, bool transactional, const TxOptions& opts,
      Fn&& fn) {
  absl::BitGen gen;
  absl::Status last;
  for (int attempt = 1; attempt <= opts.max_attempts; ++attempt) {
    auto conn = pool.Acquire(transactional ? CommitMode::kTransaction : CommitMode::kAutocommit);
    if (!conn.ok()) return conn.status();
    R result = RunOnce<R>(pool, **conn, context, transactional, fn);
    const absl::Status& s = StatusOf(result);
    if (s.ok() || !IsRetryable(s) || attempt == opts.max_attempts) return result;
    last = s;
    absl::Duration backoff = opts.base_backoff * (1 << (attempt - 1));
    absl::SleepFor(backoff + absl::Microseconds(absl::Uniform<int64_t>(
                                 gen, 0, absl::ToInt64Microseconds(backoff) + 1)));
  }
  return last;
}

}  // namespace internal

// Runs `fn(Connection&) -> absl::StatusOr<T>` in a transaction.
template <typename T, typename Fn>
absl::StatusOr<T> RunTransaction(ConnectionPool& pool, absl::string_view context, Fn&& fn,
                                 TxOptions opts = {}) {
  return internal::Run<absl::StatusOr<T>>(pool, context, true, opts, fn);
}

// Runs `fn(Connection&) -> absl::Status` in a transaction.
template <typename Fn>
absl::Status RunTransactionStatus(ConnectionPool& pool, absl::string_view context, Fn&& fn,
                                  TxOptions opts = {}) {
  return internal::Run<absl::Status>(pool, context, true, opts, fn);
}

// Runs `fn(Connection&) -> absl::StatusOr<T>` without a transaction (reads).
template <typename T, typename Fn>
absl::StatusOr<T> RunRead(ConnectionPool& pool, absl::string_view context, Fn&& fn) {
  return internal::Run<absl::StatusOr<T>>(pool, context, false, TxOptions{}, fn);
}

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_TRANSACTION_H_
