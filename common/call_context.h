// What the server knows about the RPC being handled: its request id, trace
// context and authenticated caller. The server interceptor fills it from the
// request metadata before the handler runs and removes it when the call ends;
// handlers read it with CurrentCall(context).
#ifndef AFTERCARE_COMMON_CALL_CONTEXT_H_
#define AFTERCARE_COMMON_CALL_CONTEXT_H_

#include <grpcpp/server_context.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/auth.h"

namespace aftercare {

// W3C trace context (https://www.w3.org/TR/trace-context/), version 00.
struct TraceContext {
  std::string trace_id;   // 32 lower-case hex digits
  std::string span_id;    // this server's span, 16 hex digits
  std::string parent_id;  // the caller's span, empty when the trace starts here
  uint8_t flags = 0;

  // Parses an incoming `traceparent` header; nullopt when absent or invalid.
  static std::optional<TraceContext> Parse(absl::string_view header);
  // Starts a new span: a child of `parent` when given, else a new trace.
  static TraceContext NewSpan(const std::optional<TraceContext>& parent);
  // The header value for an outgoing call made from this span.
  std::string Header() const;
};

struct CallInfo {
  std::string method;      // "/aftercare.inventory.v1.InventoryService/GetUnit"
  std::string request_id;  // x-request-id from the caller, or generated
  TraceContext trace;
  std::string peer;
  // The verified caller, or UNAUTHENTICATED with the reason.
  absl::StatusOr<Principal> principal = absl::UnauthenticatedError("missing bearer token");
};

// The CallInfo of a call in progress; nullptr if the interceptor did not see it.
const CallInfo* CurrentCall(const grpc::ServerContextBase* context);

// Generates a random id (32 hex digits) for requests that came without one.
std::string NewRequestId();

namespace call_context_internal {
void Register(const grpc::ServerContextBase* context, CallInfo* info);
void Unregister(const grpc::ServerContextBase* context);
}  // namespace call_context_internal

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_CALL_CONTEXT_H_
