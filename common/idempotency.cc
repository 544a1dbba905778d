#include "common/idempotency.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/ids.h"
#include "common/db/sql_time.h"
#include "common/errors.h"
#include "common/policy.h"

namespace aftercare {

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return InvalidField("request_id", "must be at most 128 characters");
  }
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) {
      return InvalidField("request_id",
                          "must contain only printable ASCII characters without spaces");
    }
  }
  return absl::OkStatus();
}

IdempotencyKey IdempotencyKey::For(const Principal& principal, std::string request_id,
                                   std::string method) {
  IdempotencyKey key;
  key.caller = absl::StrCat(std::string(RoleName(principal.role)), "|",
                            ScopeFingerprint(principal), "|", TruncateUtf8(principal.subject, 120));
  key.request_id = std::move(request_id);
  key.method = std::move(method);
  return key;
}

namespace idempotency_internal {

const char kRowKeyTaken[] = "request_id was committed by a concurrent call";

namespace {
// The answer to a request_id kept for another request (or method).
absl::Status UsedForAnotherRequest(absl::string_view request_id) {
  return InvalidField("request_id",
                      absl::StrCat("'", request_id,
                                   "' was already used for a different request; use a new request_id"));
}
}  // namespace

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

absl::StatusOr<std::optional<std::string>> Lookup(db::Connection& conn, const IdempotencyKey& key,
                                                  const std::string& request_hash) {
  auto& find = conn.Prepare(
      "SELECT method, request_hash, response FROM idempotency_keys"
      " WHERE caller = ? AND request_id = ?");
  find.setString(1, key.caller);
  find.setString(2, key.request_id);
  std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
  if (!rs->next()) return std::nullopt;
  if (std::string(rs->getString(1)) != key.method ||
      std::string(rs->getString(2)) != request_hash) {
    return UsedForAnotherRequest(key.request_id);
  }
  if (rs->isNull(3)) {  // written by an older version inside a transaction that failed
    return std::nullopt;
  }
  return std::string(rs->getString(3));
}

absl::Status Record(db::Connection& conn, const IdempotencyKey& key,
                    const std::string& request_hash, absl::Time now, const std::string& response) {
  auto& insert = conn.Prepare(
      "INSERT INTO idempotency_keys (caller, request_id, method, request_hash, response,"
      " created_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  insert.setString(1, key.caller);
  insert.setString(2, key.request_id);
  insert.setString(3, key.method);
  insert.setString(4, request_hash);
  insert.setString(5, response);
  insert.setInt64(6, db::ToMicros(now));
  try {
    insert.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
    // An earlier or concurrent call with the same id committed first: this
    // transaction rolls back and the caller gets that call's answer.
    return absl::AbortedError(kRowKeyTaken);
  }
  return absl::OkStatus();
}

bool IsDuplicate(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted && status.message() == kRowKeyTaken;
}

bool MayAnswerFromStore(const absl::Status& failure) {
  switch (failure.code()) {  // the database or the caller gave up: nothing to look up
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
      return false;
    default:
      break;
  }
  // The caller may not do this call now: it gets no stored answer either.
  return !IsAuthorizationFailure(failure);
}

absl::StatusOr<std::string> StoredAnswerFor(const StoredAnswer& stored, const RowKey& key) {
  if (stored.request_hash != key.request_hash) return UsedForAnotherRequest(key.request_id);
  return stored.response;
}

absl::StatusOr<std::string> AnswerAfterFailure(db::ConnectionPool& pool, const IdempotencyKey& key,
                                               const std::string& request_hash,
                                               absl::string_view context, absl::Status failure) {
  if (!MayAnswerFromStore(failure)) return failure;
  absl::StatusOr<std::optional<std::string>> found = db::RunRead<std::optional<std::string>>(
      pool, context, [&](db::Connection& conn) { return Lookup(conn, key, request_hash); });
  if (found.ok() && found->has_value()) return **found;
  if (!found.ok() && found.status().code() == absl::StatusCode::kInvalidArgument) {
    return found.status();
  }
  if (IsDuplicate(failure)) {  // the key exists but could not be read back
    return absl::AbortedError("a concurrent call with the same request_id is in progress; retry");
  }
  return failure;
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
