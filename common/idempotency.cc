#include "common/idempotency.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"

namespace aftercare {

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return absl::InvalidArgumentError("request_id must be at most 128 characters");
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "request_id must contain only printable ASCII characters without spaces");
    }
  }
  return absl::OkStatus();
}

namespace idempotency_internal {

std::string HashRequest(const google::protobuf::Message& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw(&bytes);
    google::protobuf::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&out);
  }
  std::string full_name = request.GetDescriptor()->full_name();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), full_name.data(), full_name.size());
  EVP_DigestUpdate(ctx.get(), "\0", 1);
  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

absl::StatusOr<bool> Begin(db::Connection& conn, const IdempotencyKey& key,
                           const std::string& request_hash, absl::Time now,
                           std::string* stored_response) {
  auto& find = conn.Prepare(
      "SELECT method, request_hash, response FROM idempotency_keys"
      " WHERE caller = ? AND request_id = ?");
  find.setString(1, key.caller);
  find.setString(2, key.request_id);
  std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
  if (rs->next()) {
    if (std::string(rs->getString(1)) != key.method ||
        std::string(rs->getString(2)) != request_hash) {
      return absl::InvalidArgumentError(absl::StrCat(
          "request_id '", key.request_id,
          "' was already used for a different request; use a new request_id"));
    }
    if (rs->isNull(3)) {
      return db::MarkRetryable(absl::AbortedError("request with this request_id is in progress"));
    }
    *stored_response = rs->getString(3);
    return true;
  }
  rs.reset();
  auto& insert = conn.Prepare(
      "INSERT INTO idempotency_keys (caller, request_id, method, request_hash, response,"
      " created_at_us) VALUES (?, ?, ?, ?, NULL, ?)");
  insert.setString(1, key.caller);
  insert.setString(2, key.request_id);
  insert.setString(3, key.method);
  insert.setString(4, request_hash);
  insert.setInt64(5, db::ToMicros(now));
  try {
    insert.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
    // A concurrent call with the same id committed first: the next attempt
    // of the transaction reads its stored response.
    return db::MarkRetryable(absl::AbortedError("concurrent request with the same request_id"));
  }
  return false;
}

void Finish(db::Connection& conn, const IdempotencyKey& key, const std::string& response) {
  auto& update = conn.Prepare(
      "UPDATE idempotency_keys SET response = ? WHERE caller = ? AND request_id = ?");
  update.setString(1, response);
  update.setString(2, key.caller);
  update.setString(3, key.request_id);
  update.executeUpdate();
}

}  // namespace idempotency_internal

absl::StatusOr<int64_t> PurgeIdempotencyKeys(db::ConnectionPool& pool, absl::Time cutoff) {
  int64_t total = 0;
  for (;;) {
    auto deleted = db::RunTransaction<int64_t>(
        pool, "purge idempotency keys", [&](db::Connection& conn) -> absl::StatusOr<int64_t> {
          auto& del = conn.Prepare("DELETE FROM idempotency_keys WHERE created_at_us < ? LIMIT 1000");
          del.setInt64(1, db::ToMicros(cutoff));
          return static_cast<int64_t>(del.executeUpdate());
        });
    if (!deleted.ok()) return deleted.status();
    total += *deleted;
    if (*deleted < 1000) return total;
  }
}

}  // namespace aftercare
