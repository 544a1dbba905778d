// One mutating unary RPC, the way every service writes one: the caller
// authenticated and the work run on the bounded executor (RunUnary,
// common/rpc.h), the change written through the service's store under the
// request's idempotency key (a retry gets the stored response,
// common/repository_store.h), the domain's result converted to the
// response message.
//
//   grpc::ServerUnaryReactor* CaseGrpc::CloseCase(Ctx* ctx, const pb::CloseCaseRequest* req,
//                                                 pb::Case* resp) {
//     return MutatingUnary(ctx, executor_, store_, {"CloseCase", "close case"}, req, resp,
//                          [this, req](const Principal& caller, CaseRepository& repo) {
//                            return domain_.Close(caller, req->case_id(), repo);  // StatusOr<Case>
//                          },
//                          [this](const Case& c) { return ToCaseProto(c); });
//   }
//
// The overload with a `prepare(caller) -> absl::StatusOr<P>` step runs it
// before the transaction (request parsing that needs no database, so a bad
// request never opens one) and passes the P to `body(caller, p, repo)`.
//
// The overload that also takes `after(Resp&) -> absl::Status` runs it once
// the answer is final: committed, or the stored answer of a retry. For what
// must follow a commit and never a rolled-back write: counting the result in
// a metric, waking the outbox, opening what the stored answer keeps sealed.
#ifndef AFTERCARE_COMMON_MUTATION_H_
#define AFTERCARE_COMMON_MUTATION_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <utility>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/executor.h"
#include "common/idempotency.h"
#include "common/repository_store.h"
#include "common/rpc.h"

namespace aftercare {

// The RPC's name (the idempotency key's method: a request id is reused only
// within one method) and what it does, in words (log lines, errors).
struct MutationName {
  const char* rpc;
  const char* what;
};

// The whole form: prepare, write, convert, then `after` on the final answer.
template <typename Repo, typename Req, typename Resp, typename Prepare, typename Body,
          typename Convert, typename After>
grpc::ServerUnaryReactor* MutatingUnary(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                        RepositoryStore<Repo>& store, MutationName name,
                                        const Req* req, Resp* resp, Prepare prepare, Body body,
                                        Convert convert, After after) {
  return RunUnary(ctx, executor,
                  [&store, name, req, resp, prepare = std::move(prepare), body = std::move(body),
                   convert = std::move(convert),
                   after = std::move(after)](const Principal& caller) -> absl::Status {
                    auto prepared = prepare(caller);
                    if (!prepared.ok()) return prepared.status();
                    absl::Status written = store.Mutate(
                        IdempotencyKey::For(caller, req->request_id(), name.rpc), *req, name.what,
                        resp, [&](Repo& repo) -> absl::StatusOr<Resp> {
                          auto result = body(caller, *prepared, repo);
                          if (!result.ok()) return result.status();
                          return convert(*result);
                        });
                    if (!written.ok()) return written;
                    return after(*resp);
                  });
}

// Nothing to do once the answer is final.
template <typename Resp>
absl::Status NothingAfter(Resp&) {
  return absl::OkStatus();
}

template <typename Repo, typename Req, typename Resp, typename Prepare, typename Body,
          typename Convert>
grpc::ServerUnaryReactor* MutatingUnary(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                        RepositoryStore<Repo>& store, MutationName name,
                                        const Req* req, Resp* resp, Prepare prepare, Body body,
                                        Convert convert) {
  return MutatingUnary(ctx, executor, store, name, req, resp, std::move(prepare), std::move(body),
                       std::move(convert), NothingAfter<Resp>);
}

template <typename Repo, typename Req, typename Resp, typename Body, typename Convert>
grpc::ServerUnaryReactor* MutatingUnary(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                        RepositoryStore<Repo>& store, MutationName name,
                                        const Req* req, Resp* resp, Body body, Convert convert) {
  return MutatingUnary(
      ctx, executor, store, name, req, resp, NoPreparation,
      [body = std::move(body)](const Principal& caller, NothingToPrepare, Repo& repo) {
        return body(caller, repo);
      },
      std::move(convert), NothingAfter<Resp>);
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_MUTATION_H_
