// The SQL of a create whose idempotency key is kept on the row it creates
// (RowKey, RepositoryStore::CreateOnce in common/repository_store.h), for a
// table with the columns request_caller, request_id (unique together, in an
// index named uq_<table>_request), request_hash and request_response. The
// key's INSERT is guarded by idempotency_keys (common/idempotency.cc owns
// that table): a key kept there — another method's, or one written before
// the table kept its own — stops the INSERT.
//
//   static const std::string* sql = new std::string(RowKeyInsertSql("cases", names));
//   Binder b(conn.Prepare(*sql));
//   columns.BindWithKey(b, c);
//   BindRowKey(b, key, answer);
//   RETURN_IF_ERROR(RowKeyInserted(stmt, "cases"));   // kRowKeyTaken when taken
#ifndef AFTERCARE_COMMON_ROW_KEY_SQL_H_
#define AFTERCARE_COMMON_ROW_KEY_SQL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/idempotency.h"

namespace aftercare {

// "INSERT INTO <table> (<columns>, request_caller, request_id, request_hash,
// request_response) SELECT ?, … FROM DUAL WHERE NOT EXISTS (a key of
// idempotency_keys with the same caller and request_id)": a consistent read
// under READ COMMITTED, no locks.
std::string RowKeyInsertSql(absl::string_view table, const std::vector<std::string>& columns);

// Binds, after the row's own columns, the key, the serialized `answer` and
// the guard's caller and request_id.
void BindRowKey(db::Binder& b, const RowKey& key, const std::string& answer);

// Runs the prepared RowKeyInsertSql statement: OK, or
// AbortedError(idempotency_internal::kRowKeyTaken) when the key is taken (on
// the table, or in idempotency_keys). Other errors throw sql::SQLException;
// a duplicate of another unique key of the table is rethrown too.
absl::Status RowKeyInserted(sql::PreparedStatement& insert, absl::string_view table);

// The same for RowKeyInsertSql(…) followed by " RETURNING id" (MariaDB):
// the new row's id, or AbortedError(kRowKeyTaken) when the key is taken.
// Other errors, a duplicate of another unique key included, throw.
absl::StatusOr<int64_t> RowKeyInsertedReturningId(sql::PreparedStatement& insert,
                                                  absl::string_view table);

// The answer kept with `key` on `table`, or else in idempotency_keys under
// `method` (INVALID_ARGUMENT when that key was another method's or
// request's); nullopt when neither holds it.
absl::StatusOr<std::optional<StoredAnswer>> FindRowKeyAnswer(db::Connection& conn,
                                                             absl::string_view table,
                                                             const RowKey& key,
                                                             absl::string_view method);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_ROW_KEY_SQL_H_
