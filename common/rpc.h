// Runs an RPC's work off the gRPC callback thread, on the service's bounded
// executor, with the caller authenticated first (deny by default).
//
//   grpc::ServerUnaryReactor* InventoryGrpc::GetUnit(grpc::CallbackServerContext* ctx,
//                                                    const GetUnitRequest* req, Unit* resp) {
//     return RunUnary(ctx, executor_, [=](const Principal& caller) {
//       return units_.GetUnit(caller, *req, resp);   // absl::Status
//     });
//   }
//
// The work is skipped when the call was cancelled or its deadline passed
// while it waited in the queue; a full queue answers RESOURCE_EXHAUSTED.
#ifndef AFTERCARE_COMMON_RPC_H_
#define AFTERCARE_COMMON_RPC_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <chrono>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "common/executor.h"
#include "common/status.h"

namespace aftercare {

// The verified caller of `context`, or UNAUTHENTICATED.
absl::StatusOr<Principal> Caller(const grpc::ServerContextBase* context);

template <typename Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, BoundedExecutor& executor,
                                   Fn&& work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> caller = Caller(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status()));
    return reactor;
  }
  absl::Status queued = executor.Submit(
      [context, reactor, caller = *std::move(caller), work = std::forward<Fn>(work)]() mutable {
        if (context->IsCancelled()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
          return;
        }
        if (context->deadline() < std::chrono::system_clock::now()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                       "deadline passed while the request was queued"));
          return;
        }
        reactor->Finish(ToGrpcStatus(work(static_cast<const Principal&>(caller))));
      });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_RPC_H_
