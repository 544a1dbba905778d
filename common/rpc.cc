#include "common/rpc.h"

#include "common/errors.h"

namespace aftercare {

absl::StatusOr<Principal> Caller(const grpc::ServerContextBase* context) {
  const CallInfo* call = CurrentCall(context);
  if (call == nullptr) {
    return WithReason(absl::UnauthenticatedError("missing bearer token"), kReasonMissingToken);
  }
  return call->principal;
}

}  // namespace aftercare
