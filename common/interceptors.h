// gRPC interceptors installed on every server and client channel of the suite.
//
// Server side, per call: reads `x-request-id` (or generates one) and echoes
// it in the response metadata, continues the W3C `traceparent`, verifies the
// bearer token into a Principal and applies the method's declared policy
// (common/policy.h: a role the policy does not list, or a method without a
// policy, turns the principal into PERMISSION_DENIED before any handler
// runs; CurrentCall(context)->principal), counts the
// call in the metric names Go gRPC services export —
//   grpc_server_started_total, grpc_server_handled_total{grpc_code},
//   grpc_server_handling_seconds, grpc_server_msg_received_total,
//   grpc_server_msg_sent_total  (labels grpc_type, grpc_service, grpc_method)
// — every method of the served services from 0 (InitializeService) — and
// writes one JSON log line (method, code, duration, request id, trace and
// span ids, caller); health checks and reflection at debug.
//
// Client side: the grpc_client_* equivalents for outgoing calls.
#ifndef AFTERCARE_COMMON_INTERCEPTORS_H_
#define AFTERCARE_COMMON_INTERCEPTORS_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/policy.h"
#include "common/sync.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace aftercare {

// The metric families of one side (server or client).
struct RpcMetrics {
  RpcMetrics(prometheus::Registry& registry, const std::string& side);
  prometheus::Family<prometheus::Counter>& started;
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& handling_seconds;
  prometheus::Family<prometheus::Counter>& msg_received;
  prometheus::Family<prometheus::Counter>& msg_sent;
};

// The metric children of one method, looked up once per method instead of
// once per call (prometheus-cpp hashes the label set on every Add()).
struct MethodMetrics {
  MethodMetrics(RpcMetrics& metrics, std::map<std::string, std::string> labels);
  // The grpc_server_handled_total child of `code` (created on first use).
  prometheus::Counter& Handled(grpc::StatusCode code);

  RpcMetrics& family;
  const std::map<std::string, std::string> labels;
  prometheus::Counter& started;
  prometheus::Counter& msg_received;
  prometheus::Counter& msg_sent;
  prometheus::Histogram& handling_seconds;
  std::array<std::atomic<prometheus::Counter*>, 17> handled{};
};

// Splits "/pkg.Service/Method" into ("pkg.Service", "Method").
std::pair<std::string, std::string> SplitMethod(absl::string_view full_method);
// The Go label value of a gRPC code ("OK", "NOT_FOUND", ...).
const char* GrpcCodeName(grpc::StatusCode code);
// The level of the log line of a served call: error for the server's faults
// (INTERNAL, UNKNOWN, DATA_LOSS); health checks and reflection at debug
// (warning when they fail); info otherwise.
LogLevel RpcLogLevel(absl::string_view method, grpc::StatusCode code);

class ServerInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `verifier` may be null (every caller is then unauthenticated);
  // `policies` may be null (every authenticated caller is then denied).
  ServerInterceptorFactory(std::shared_ptr<prometheus::Registry> registry,
                           const JwtVerifier* verifier, const Clock* clock,
                           const PolicyIndex* policies = nullptr);
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  // The metric children of `method` ("/pkg.Service/Method"), created once.
  // Method names come from clients: past kMaxMethods distinct names the
  // rest share one series labelled "unknown".
  MethodMetrics* ForMethod(absl::string_view method, grpc::experimental::ServerRpcInfo::Type type);
  static constexpr size_t kMaxMethods = 512;

  // Creates the series of every method of `service` before its first call
  // (started, handled{grpc_code="OK"}, the histogram and the message
  // counters, all at 0), so that rate() and ratios work from the start.
  void InitializeService(const google::protobuf::ServiceDescriptor& service);

 private:
  MethodMetrics* ForOverflow(grpc::experimental::ServerRpcInfo::Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::shared_ptr<prometheus::Registry> registry_;
  RpcMetrics metrics_;
  Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodMetrics>> methods_ ABSL_GUARDED_BY(mu_);
  std::array<std::unique_ptr<MethodMetrics>, 4> overflow_ ABSL_GUARDED_BY(mu_);
  const JwtVerifier* verifier_;
  const Clock* clock_;
  const PolicyIndex* policies_;
};

class ClientInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ClientInterceptorFactory(std::shared_ptr<prometheus::Registry> registry);
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  RpcMetrics metrics_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_INTERCEPTORS_H_
