// The transaction boundary of a service's repository. A service's domain code
// runs against its repository interface inside a Store: Write() for mutating
// RPCs (retry-safe by request_id, common/idempotency.h: `body` returns the
// serialized response, stored with the change and returned again on a
// retry), Read() for reads, Transact() for background work without a
// request_id. MysqlStore implements it over a connection pool for any
// repository class constructible from (db::Connection&) or
// (db::Connection&, const Clock&).
//
//   class InventoryStore : public RepositoryStore<InventoryRepository> {};
//   class MysqlInventoryStore : public MysqlStore<InventoryStore, MysqlInventoryRepository> {
//    public:
//     using MysqlStore::MysqlStore;
//   };
//   store.Mutate(key, req, "reserve unit", &resp, [&](InventoryRepository& repo) { ... });
#ifndef AFTERCARE_COMMON_REPOSITORY_STORE_H_
#define AFTERCARE_COMMON_REPOSITORY_STORE_H_

#include <google/protobuf/message.h>
#include <google/protobuf/wrappers.pb.h>

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/db/transaction.h"
#include "common/idempotency.h"
#include "common/status.h"

namespace aftercare {

template <typename Repo>
class RepositoryStore {
 public:
  using WriteBody = std::function<absl::StatusOr<std::string>(Repo&)>;
  using ReadBody = std::function<absl::Status(Repo&)>;
  virtual ~RepositoryStore() = default;

  virtual absl::StatusOr<std::string> Write(const IdempotencyKey& key,
                                            const google::protobuf::Message& request,
                                            absl::string_view context, const WriteBody& body) = 0;
  virtual absl::Status Read(absl::string_view context, const ReadBody& body) = 0;

  // Runs `body` (Repo& -> absl::StatusOr<Resp>) through Write and parses the
  // (possibly stored) response into `*out`.
  template <typename Resp, typename Fn>
  absl::Status Mutate(const IdempotencyKey& key, const google::protobuf::Message& request,
                      absl::string_view context, Resp* out, Fn&& body) {
    absl::StatusOr<std::string> bytes =
        Write(key, request, context, [&](Repo& repo) -> absl::StatusOr<std::string> {
          absl::StatusOr<Resp> resp = body(repo);
          if (!resp.ok()) return resp.status();
          return resp->SerializeAsString();
        });
    if (!bytes.ok()) return bytes.status();
    if (!out->ParseFromString(*bytes)) return absl::InternalError("stored response is corrupt");
    return absl::OkStatus();
  }

  // A use case's write: `body` (Repo& -> absl::StatusOr<Resp>) run through
  // Mutate under `caller`'s key for `request`'s request_id and `method`
  // (IdempotencyKey::For), and the (possibly stored) answer returned.
  //   return store_.WriteOnce<v1::License>(caller, request, "RevokeLicense", "revoke license",
  //       [&](LicensingRepository& repo) -> absl::StatusOr<v1::License> { ... });
  template <typename Resp, typename Req, typename Fn>
  absl::StatusOr<Resp> WriteOnce(const Principal& caller, const Req& request, const char* method,
                                 absl::string_view what, Fn&& body) {
    Resp out;
    absl::Status written = Mutate(IdempotencyKey::For(caller, request.request_id(), method),
                                  request, what, &out, std::forward<Fn>(body));
    if (!written.ok()) return written;
    return out;
  }

  // The same for a body that returns the domain's value (Repo& ->
  // absl::StatusOr<T>): `convert` (const T& -> Resp) builds the answer inside
  // the transaction, so the stored answer is the one first given.
  //   return store_.WriteOnce<v1::Rma>(caller, request, method, method, body,
  //       [&](const Rma& rma) { return ToProto(rma, clock.Now()); });
  template <typename Resp, typename Req, typename Fn, typename Convert>
  absl::StatusOr<Resp> WriteOnce(const Principal& caller, const Req& request, const char* method,
                                 absl::string_view what, Fn&& body, Convert&& convert) {
    return WriteOnce<Resp>(caller, request, method, what,
                           [&](Repo& repo) -> absl::StatusOr<Resp> {
                             auto value = body(repo);
                             if (!value.ok()) return value.status();
                             return Resp(convert(*value));
                           });
  }

  // A use case's create whose key is kept on the created row (RowKey,
  // common/idempotency.h), one statement less than WriteOnce: `body` (Repo&,
  // const RowKey* -> absl::StatusOr<Resp>) must write the key and the
  // serialized answer with the row (the key is null without a request_id),
  // and its INSERT answers a taken key with AbortedError(kRowKeyTaken).
  // When the write fails, `find` (Repo&, const RowKey& ->
  // absl::StatusOr<std::optional<StoredAnswer>>, or INVALID_ARGUMENT when it
  // knows the key was another request's) reads the row of a call that
  // committed the key: its answer, INVALID_ARGUMENT for another request, or
  // else the failure itself — the same answers as WriteOnce.
  //   return store_.CreateOnce<v1::Case>(caller, request, "CreateCase", "create case",
  //       [&](CaseRepository& repo, const RowKey* key) -> absl::StatusOr<v1::Case> { ... },
  //       [&](CaseRepository& repo, const RowKey& key) { return repo.FindCreateAnswer(key); });
  template <typename Resp, typename Req, typename Fn, typename Find>
  absl::StatusOr<Resp> CreateOnce(const Principal& caller, const Req& request, const char* method,
                                  absl::string_view what, Fn&& body, Find&& find) {
    Resp out;
    if (request.request_id().empty()) {
      absl::Status written = Mutate(IdempotencyKey{}, request, what, &out,
                                    [&](Repo& repo) { return body(repo, nullptr); });
      if (!written.ok()) return written;
      return out;
    }
    RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
    const RowKey key{IdempotencyKey::For(caller, request.request_id(), method).caller,
                     request.request_id(), idempotency_internal::HashRequest(request)};
    // No request_id for Write: the key is the body's to write, with the row.
    absl::Status written = Mutate(IdempotencyKey{}, request, what, &out,
                                  [&](Repo& repo) { return body(repo, &key); });
    if (written.ok()) return out;
    if (!idempotency_internal::MayAnswerFromStore(written)) return written;
    std::optional<StoredAnswer> stored;
    absl::Status read = Read(what, [&](Repo& repo) -> absl::Status {
      ASSIGN_OR_RETURN(stored, find(repo, key));
      return absl::OkStatus();
    });
    // The key was another request's (or, for a key of idempotency_keys,
    // another method's): INVALID_ARGUMENT, as from WriteOnce.
    if (read.code() == absl::StatusCode::kInvalidArgument) return read;
    if (!read.ok() || !stored.has_value()) {
      if (idempotency_internal::IsDuplicate(written)) {  // taken, but not readable
        return absl::AbortedError("a concurrent call with the same request_id is in progress; retry");
      }
      return written;
    }
    ASSIGN_OR_RETURN(std::string bytes, idempotency_internal::StoredAnswerFor(*stored, key));
    if (!out.ParseFromString(bytes)) return absl::InternalError("stored response is corrupt");
    return out;
  }

  // A use case's read: `body` (Repo& -> absl::StatusOr<Resp>) run through
  // Read (no transaction), and its answer returned.
  template <typename Resp, typename Fn>
  absl::StatusOr<Resp> ReadOnce(absl::string_view what, Fn&& body) {
    Resp out;
    absl::Status read = Read(what, [&](Repo& repo) -> absl::Status {
      absl::StatusOr<Resp> r = body(repo);
      if (!r.ok()) return r.status();
      out = *std::move(r);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    return out;
  }
};

// `Base` is the service's store interface (a RepositoryStore<Repo>);
// `MysqlRepo` its MySQL repository.
template <typename Base, typename MysqlRepo>
class MysqlStore : public Base {
 public:
  using WriteBody = typename Base::WriteBody;
  using ReadBody = typename Base::ReadBody;

  MysqlStore(db::ConnectionPool* pool, const Clock* clock) : pool_(pool), clock_(clock) {}

  absl::StatusOr<std::string> Write(const IdempotencyKey& key,
                                    const google::protobuf::Message& request,
                                    absl::string_view context, const WriteBody& body) override {
    auto result = RunIdempotent<google::protobuf::BytesValue>(
        *pool_, *clock_, key, request, context,
        [&](db::Connection& conn) -> absl::StatusOr<google::protobuf::BytesValue> {
          return WithRepository(conn, [&](MysqlRepo& repo)
                                          -> absl::StatusOr<google::protobuf::BytesValue> {
            ASSIGN_OR_RETURN(std::string bytes, body(repo));
            google::protobuf::BytesValue v;
            v.set_value(std::move(bytes));
            return v;
          });
        });
    if (!result.ok()) return result.status();
    return std::string(result->value());
  }

  absl::Status Read(absl::string_view context, const ReadBody& body) override {
    return db::RunRead<bool>(*pool_, context,
                             [&](db::Connection& conn) -> absl::StatusOr<bool> {
                               return WithRepository(
                                   conn, [&](MysqlRepo& repo) -> absl::StatusOr<bool> {
                                     RETURN_IF_ERROR(body(repo));
                                     return true;
                                   });
                             })
        .status();
  }

  // Runs `body` in a transaction without a request_id (background work).
  absl::Status Transact(absl::string_view context, const ReadBody& body) {
    return db::RunTransactionStatus(*pool_, context, [&](db::Connection& conn) -> absl::Status {
      return WithRepository(conn, [&](MysqlRepo& repo) { return body(repo); });
    });
  }

 protected:
  // Builds the repository on `conn` and runs `fn` with it.
  template <typename Fn>
  auto WithRepository(db::Connection& conn, Fn&& fn) {
    if constexpr (std::is_constructible_v<MysqlRepo, db::Connection&, const Clock&>) {
      MysqlRepo repo(conn, *clock_);
      return fn(repo);
    } else {
      MysqlRepo repo(conn);
      return fn(repo);
    }
  }

  db::ConnectionPool* pool_;
  const Clock* clock_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_REPOSITORY_STORE_H_
