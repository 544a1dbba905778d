#include "common/rpc.h"

namespace aftercare {

absl::StatusOr<Principal> Caller(const grpc::ServerContextBase* context) {
  const CallInfo* call = CurrentCall(context);
  if (call == nullptr) return absl::UnauthenticatedError("missing bearer token");
  return call->principal;
}

}  // namespace aftercare
