#include "common/clients.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/interceptors.h"
#include "common/key_files.h"
#include "common/server.h"
#include "common/status.h"

namespace aftercare {

namespace {

// Every call between the services is a read or a write carrying a
// request_id (the receiver's idempotency key makes a repeat harmless), so
// every method may be retried (gRFC A6) when the attempt failed without
// reaching the service: UNAVAILABLE only. Attempts stay inside the call's
// deadline.
constexpr char kChannelServiceConfig[] = R"({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{}],
    "retryPolicy": {
      "maxAttempts": 5,
      "initialBackoff": "0.1s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})";

// A call answered UNAUTHENTICATED may have carried a token the receiver no
// longer accepts (a rotated secret, a clock that moved): mint or re-read it
// for the next call.
class TokenRejectedInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit TokenRejectedInterceptor(ClientFactory* factory) : factory_(factory) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_STATUS) &&
        methods->GetRecvStatus()->error_code() == grpc::StatusCode::UNAUTHENTICATED) {
      factory_->ForgetServiceToken();
    }
    methods->Proceed();
  }

 private:
  ClientFactory* factory_;
};

class TokenRejectedInterceptorFactory
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit TokenRejectedInterceptorFactory(ClientFactory* factory) : factory_(factory) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new TokenRejectedInterceptor(factory_);
  }

 private:
  ClientFactory* factory_;
};

}  // namespace

ClientFactory::ClientFactory(ClientOptions options, std::shared_ptr<prometheus::Registry> registry,
                             const Clock* clock)
    : options_(std::move(options)), registry_(std::move(registry)), clock_(clock) {}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ClientFactory::Channel(const std::string& target) {
  MutexLock lock(&mu_);
  auto it = channels_.find(target);
  if (it != channels_.end()) return it->second;

  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (!options_.ca_file.empty()) {
    ASSIGN_OR_RETURN(creds, WatchedChannelCredentials(options_.ca_file, options_.cert_file,
                                                      options_.key_file, options_.tls_refresh));
  }
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kChannelServiceConfig);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A restarted dependency is dialled again within a second (gRPC's default
  // backoff grows to 120 s; 5 s here before issue 15 left callers seeing
  // UNAVAILABLE for ~5 s after the dependency was back).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  if (registry_) factories.push_back(std::make_unique<ClientInterceptorFactory>(registry_));
  factories.push_back(std::make_unique<TokenRejectedInterceptorFactory>(this));
  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(target, creds, args,
                                                                         std::move(factories));
  channels_[target] = channel;
  return channel;
}

absl::StatusOr<std::string> ClientFactory::ServiceToken() {
  MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  // Re-mint when the clock moved back past the mint time: the token would
  // be "issued in the future" for every receiver.
  if (!token_.empty() && now < token_refresh_at_ && now >= token_obtained_at_) return token_;
  token_obtained_at_ = now;
  if (!options_.service_token_file.empty()) {
    auto token = ReadFileToString(options_.service_token_file);
    if (!token.ok()) return token.status();
    token_ = std::string(absl::StripAsciiWhitespace(*token));
    token_refresh_at_ = now + absl::Minutes(1);  // projected tokens rotate: re-read
    return token_;
  }
  if (!options_.hs256_secret.empty()) {
    TokenClaims claims;
    claims.subject = absl::StrCat("svc:", options_.service_name);
    claims.role = Role::kService;
    claims.issuer = options_.issuer;
    claims.audience = options_.audience;
    claims.ttl = absl::Hours(1);
    auto token = MintHs256(claims, options_.hs256_secret, now);
    if (!token.ok()) return token.status();
    token_ = *token;
    token_refresh_at_ = now + absl::Minutes(30);
    return token_;
  }
  return absl::FailedPreconditionError(
      "no credentials for outgoing calls: set --service_token_file or --jwt_hs256_secret");
}

void ClientFactory::ForgetServiceToken() {
  MutexLock lock(&mu_);
  token_.clear();
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> ClientFactory::NewContext(
    const CallInfo* parent, absl::Duration timeout) {
  auto token = ServiceToken();
  if (!token.ok()) return token.status();
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  if (parent != nullptr) {
    ctx->AddMetadata("x-request-id", parent->request_id);
    // The serving call's span (its log line's span_id) is the parent of
    // the callee's span, so the two log lines link up.
    ctx->AddMetadata("traceparent", parent->trace.Header());
  } else {
    ctx->AddMetadata("traceparent", TraceContext::NewSpan(std::nullopt).Header());
  }
  return ctx;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> ClientFactory::NewBackgroundContext(
    const std::string& request_id, absl::Duration timeout) {
  auto ctx = NewContext(nullptr, timeout);
  if (ctx.ok()) (*ctx)->AddMetadata("x-request-id", request_id);
  return ctx;
}

}  // namespace aftercare
