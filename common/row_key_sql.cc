#include "common/row_key_sql.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/errors.h"
#include "common/status.h"

namespace aftercare {

std::string RowKeyInsertSql(absl::string_view table, const std::vector<std::string>& columns) {
  std::vector<std::string> names = columns;
  for (const char* k : {"request_caller", "request_id", "request_hash", "request_response"}) {
    names.emplace_back(k);
  }
  std::vector<absl::string_view> marks(names.size(), "?");
  return absl::StrCat("INSERT INTO ", table, " (", absl::StrJoin(names, ", "), ") SELECT ",
                      absl::StrJoin(marks, ", "),
                      " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys"
                      " WHERE caller = ? AND request_id = ?)");
}

void BindRowKey(db::Binder& b, const RowKey& key, const std::string& answer) {
  b.Str(key.caller).Str(key.request_id).Str(key.request_hash).Str(answer);
  b.Str(key.caller).Str(key.request_id);
}

namespace {

// Runs `insert` (`run` answers whether a row went in): kRowKeyTaken when the
// guard stopped it or the key's unique index refused it.
template <typename Run>
absl::Status RunRowKeyInsert(absl::string_view table, Run&& run) {
  try {
    if (!run()) {  // the guard: idempotency_keys holds the key
      return absl::AbortedError(idempotency_internal::kRowKeyTaken);
    }
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == db::kErrDuplicateKey &&
        absl::StrContains(std::string(e.what()), absl::StrCat("uq_", table, "_request"))) {
      return absl::AbortedError(idempotency_internal::kRowKeyTaken);
    }
    throw;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RowKeyInserted(sql::PreparedStatement& insert, absl::string_view table) {
  return RunRowKeyInsert(table, [&] { return insert.executeUpdate() != 0; });
}

absl::StatusOr<int64_t> RowKeyInsertedReturningId(sql::PreparedStatement& insert,
                                                  absl::string_view table) {
  int64_t id = 0;
  RETURN_IF_ERROR(RunRowKeyInsert(table, [&] {
    std::unique_ptr<sql::ResultSet> rs(insert.executeQuery());
    if (!rs->next()) return false;
    id = rs->getInt64(1);
    return true;
  }));
  return id;
}

absl::StatusOr<std::optional<StoredAnswer>> FindRowKeyAnswer(db::Connection& conn,
                                                             absl::string_view table,
                                                             const RowKey& key,
                                                             absl::string_view method) {
  auto& s = conn.Prepare(absl::StrCat("SELECT request_hash, request_response FROM ", table,
                                      " WHERE request_caller = ? AND request_id = ?"));
  db::Binder(s).Str(key.caller).Str(key.request_id);
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) {
      return std::optional<StoredAnswer>(StoredAnswer{db::GetBlob(*rs, 1), db::GetBlob(*rs, 2)});
    }
  }
  ASSIGN_OR_RETURN(std::optional<std::string> kept,
                   idempotency_internal::Lookup(
                       conn, IdempotencyKey{key.caller, key.request_id, std::string(method)},
                       key.request_hash));
  if (!kept) return std::optional<StoredAnswer>();
  return std::optional<StoredAnswer>(StoredAnswer{key.request_hash, *std::move(kept)});
}

}  // namespace aftercare
