// Outgoing gRPC calls from one service of the suite to another.
//
// Channels use client-side round-robin over every address the target
// resolves to (`dns:///inventory-svc-headless:50051`), a retry policy for
// attempts answered UNAVAILABLE (every call between the services is a read
// or carries a request_id), reconnection within a second of a dependency
// coming back, the client metrics interceptor, and TLS / mTLS when
// configured. Every call gets a deadline,
// the caller's `x-request-id` and `traceparent`, and the service's own bearer
// token (role `service`): read from `--service_token_file` (re-read when it
// changes, as a projected Kubernetes token is), or, in development, minted
// with the HS256 secret.
//
//   auto stub = InventoryService::NewStub(clients.Channel(inventory_target));
//   auto ctx = clients.NewContext(CurrentCall(server_ctx), absl::Seconds(2));
//   grpc::Status s = stub->GetUnit(ctx.get(), req, &unit);
#ifndef AFTERCARE_COMMON_CLIENTS_H_
#define AFTERCARE_COMMON_CLIENTS_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/call_context.h"
#include "common/clock.h"
#include "common/sync.h"
#include "prometheus/registry.h"

namespace aftercare {

struct ClientOptions {
  std::string service_name;        // who is calling: subject "svc:<name>"
  std::string service_token_file;  // a token issued for this service
  std::string hs256_secret;        // dev: mint a service token with it
  std::string issuer;
  std::string audience;
  // TLS towards the other services (CA to trust, and our own cert for mTLS).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  // How often the three files are read again (certificate rotation).
  absl::Duration tls_refresh = absl::Seconds(60);
};

class ClientFactory {
 public:
  ClientFactory(ClientOptions options, std::shared_ptr<prometheus::Registry> registry,
                const Clock* clock);

  // A channel to `target`, shared by every caller of the same target.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const std::string& target);

  // A context with deadline, request id, trace context and the service token.
  // `parent` (may be null) is the server call being handled.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewContext(const CallInfo* parent,
                                                                  absl::Duration timeout);
  // The same for calls that have no parent call (outbox deliveries, sweepers);
  // `request_id` identifies the work (for example the outbox event).
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewBackgroundContext(
      const std::string& request_id, absl::Duration timeout);

  // The bearer token sent with outgoing calls: re-read from the file every
  // minute, or minted on the current clock (again after 30 min, and at once
  // when the clock has moved back past the mint time).
  absl::StatusOr<std::string> ServiceToken();
  // Drops the cached token (a receiver answered UNAUTHENTICATED): the next
  // call reads or mints a new one.
  void ForgetServiceToken();

 private:
  ClientOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;
  const Clock* clock_;
  Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time token_refresh_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time token_obtained_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_CLIENTS_H_
