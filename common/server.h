// Builds and runs a gRPC server the way every Aftercare service runs it:
// callback API, health (common/health_service.h) and reflection, the
// interceptors of common/interceptors.h, message size limits, keepalive and a
// maximum connection age (so clients behind Kubernetes rebalance), TLS or
// mutual TLS from files when configured, and a graceful stop: NOT_SERVING,
// then in-flight RPCs get `grace` to finish, then the rest are cancelled.
#ifndef AFTERCARE_COMMON_SERVER_H_
#define AFTERCARE_COMMON_SERVER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/health_service.h"
#include "common/interceptors.h"
#include "common/key_files.h"

namespace aftercare {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;  // 0 picks a free port (tests)
  int max_message_bytes = 4 * 1024 * 1024;
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  absl::Duration max_connection_idle = absl::Minutes(5);
  absl::Duration max_connection_age = absl::Minutes(5);
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  int callback_threads = 0;  // 0: gRPC's default
  TlsFiles tls;
};

class GrpcServer {
 public:
  // Starts serving `services` plus health and reflection.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      HealthService* health,
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> interceptors);

  int port() const { return port_; }
  // NOT_SERVING, then waits up to `grace` for in-flight RPCs, then cancels them.
  void Shutdown(absl::Duration grace);
  void Wait() { server_->Wait(); }

 private:
  std::unique_ptr<grpc::Server> server_;
  HealthService* health_ = nullptr;
  int port_ = 0;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_SERVER_H_
