// One reading unary RPC, the way every service writes one: the caller
// authenticated and the work run on the bounded executor (RunUnary,
// common/rpc.h), the domain's read run through the service's store (a pooled
// connection, no transaction, common/repository_store.h), and its result
// written into the response. The read-side twin of MutatingUnary
// (common/mutation.h).
//
//   grpc::ServerUnaryReactor* RmaGrpc::GetRma(Ctx* ctx, const pb::GetRmaRequest* req,
//                                             pb::Rma* resp) {
//     return ReadingUnary(ctx, executor_, store_, "get rma", resp,
//                         [this, req](const Principal& caller, RmaRepository& repo) {
//                           return domain_.Get(caller, req->name(), repo);  // StatusOr<Rma>
//                         },
//                         [this](const Rma& r, pb::Rma* out) { *out = ToProto(r, clock_.Now()); });
//   }
//
// The overload with a `prepare(caller) -> absl::StatusOr<P>` step runs it
// before the connection is taken (request parsing that needs no database: a
// list's filter, say) and passes the P to `body(caller, p, repo)`.
//
// A page of results is filled with FillPage:
//
//   [](const Page<Rma>& page, pb::ListRmasResponse* out) {
//     FillPage(page, out, [](const Rma& r, pb::ListRmasResponse* o) { *o->add_rmas() = ToProto(r); });
//   }
#ifndef AFTERCARE_COMMON_READING_H_
#define AFTERCARE_COMMON_READING_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/executor.h"
#include "common/paging.h"
#include "common/repository_store.h"
#include "common/rpc.h"

namespace aftercare {

template <typename Repo, typename Resp, typename Prepare, typename Body, typename Fill>
grpc::ServerUnaryReactor* ReadingUnary(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                       RepositoryStore<Repo>& store, const char* what, Resp* resp,
                                       Prepare prepare, Body body, Fill fill) {
  return RunUnary(ctx, executor,
                  [&store, what, resp, prepare = std::move(prepare), body = std::move(body),
                   fill = std::move(fill)](const Principal& caller) -> absl::Status {
                    auto prepared = prepare(caller);
                    if (!prepared.ok()) return prepared.status();
                    return store.Read(what, [&](Repo& repo) -> absl::Status {
                      auto result = body(caller, *prepared, repo);
                      if (!result.ok()) return result.status();
                      fill(*result, resp);
                      return absl::OkStatus();
                    });
                  });
}

template <typename Repo, typename Resp, typename Body, typename Fill>
grpc::ServerUnaryReactor* ReadingUnary(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                       RepositoryStore<Repo>& store, const char* what, Resp* resp,
                                       Body body, Fill fill) {
  return ReadingUnary(
      ctx, executor, store, what, resp, NoPreparation,
      [body = std::move(body)](const Principal& caller, NothingToPrepare, Repo& repo) {
        return body(caller, repo);
      },
      std::move(fill));
}

// Adds each item of `page` to `out` with `add(item, out)` and sets
// out->next_page_token.
template <typename T, typename Resp, typename Add>
void FillPage(const Page<T>& page, Resp* out, Add add) {
  for (const T& item : page.items) add(item, out);
  out->set_next_page_token(page.next_page_token);
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_READING_H_
