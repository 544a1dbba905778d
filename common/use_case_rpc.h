// Serves one unary RPC with its use case, the way every service's handler
// does: the caller authenticated and the work run on the bounded executor
// (RunUnary, common/rpc.h), the use case's answer moved into the response,
// and then, when it succeeded, `after(*resp)` (counting the outcome in a
// metric, waking the outbox).
//
//   grpc::ServerUnaryReactor* RmaGrpc::GetRma(Ctx* ctx, const pb::GetRmaRequest* req,
//                                             pb::Rma* resp) {
//     return Answer(ctx, executor_, resp,
//                   [this, req](const Principal& c) { return queries_.GetRma(c, *req); });
//   }
#ifndef AFTERCARE_COMMON_USE_CASE_RPC_H_
#define AFTERCARE_COMMON_USE_CASE_RPC_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <utility>

#include "absl/status/status.h"
#include "common/auth.h"
#include "common/executor.h"
#include "common/rpc.h"

namespace aftercare {

// `run(caller) -> absl::StatusOr<Resp>`; `after(Resp&) -> void`.
template <typename Resp, typename Run, typename After>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                 Resp* resp, Run run, After after) {
  return RunUnary(ctx, executor,
                  [resp, run = std::move(run),
                   after = std::move(after)](const Principal& caller) -> absl::Status {
                    auto answer = run(caller);
                    if (!answer.ok()) return answer.status();
                    *resp = *std::move(answer);
                    after(*resp);
                    return absl::OkStatus();
                  });
}

template <typename Resp, typename Run>
grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx, BoundedExecutor& executor,
                                 Resp* resp, Run run) {
  return Answer(ctx, executor, resp, std::move(run), [](Resp&) {});
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_USE_CASE_RPC_H_
