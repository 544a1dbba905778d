#include "common/interceptors.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/types/span.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/call_context.h"
#include "common/errors.h"
#include "common/logging.h"
#include "common/status.h"

namespace aftercare {
namespace {

using grpc::experimental::InterceptionHookPoints;

prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

const char* ServerTypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using T = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case T::UNARY: return "unary";
    case T::CLIENT_STREAMING: return "client_stream";
    case T::SERVER_STREAMING: return "server_stream";
    case T::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

absl::string_view Ref(const grpc::string_ref& r) { return absl::string_view(r.data(), r.size()); }

// Keeps only characters that are safe to log and to send back as metadata.
std::string SanitizeRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return "";
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return "";
  }
  return std::string(id);
}

class ServerInterceptor : public grpc::experimental::Interceptor {
 public:
  ServerInterceptor(grpc::experimental::ServerRpcInfo* info, MethodMetrics* metrics,
                    const JwtVerifier* verifier, const Clock* clock, const PolicyIndex* policies)
      : info_(info),
        metrics_(metrics),
        verifier_(verifier),
        clock_(clock),
        policies_(policies),
        start_(absl::Now()) {
    call_.method = info->method();
  }

  ~ServerInterceptor() override {
    if (registered_) call_context_internal::Unregister(info_->server_context());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnMetadata(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      metrics_->msg_received.Increment();
      // The request of a unary or server-streaming call is parsed before this
      // hook: nullptr means its bytes are not a valid message (or, for a
      // client stream, that the stream ended — whose status is never the
      // UNIMPLEMENTED rewritten below).
      if (methods->GetRecvMessage() == nullptr) malformed_request_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (!call_.request_id.empty()) {
        methods->GetSendInitialMetadata()->emplace("x-request-id", call_.request_id);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_->msg_sent.Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      if (malformed_request_ && status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        // gRPC 1.51's callback handlers answer a request that does not parse
        // with UNIMPLEMENTED and no message (server_callback_handlers.h,
        // UnimplementedUnaryReactor); the sync API says what it is.
        status = ToGrpcStatus(WithReason(
            absl::InvalidArgumentError("the request message could not be parsed (malformed protobuf)"),
            kReasonMalformedRequest));
        methods->ModifySendStatus(status);
      } else if (!status.ok() && status.error_details().empty()) {
        // Statuses made by gRPC itself or built directly as grpc::Status
        // (cancelled, deadline passed in the queue) get their ErrorInfo here.
        status = WithDefaultDetails(status);
        methods->ModifySendStatus(status);
      }
      OnStatus(status);
    }
    methods->Proceed();
  }

 private:
  void OnMetadata(std::multimap<grpc::string_ref, grpc::string_ref>* md) {
    std::optional<TraceContext> parent;
    std::string auth_header;
    bool has_auth = false;
    for (const auto& [key, value] : *md) {
      absl::string_view k = Ref(key);
      if (k == "x-request-id") {
        call_.request_id = SanitizeRequestId(Ref(value));
      } else if (k == "traceparent") {
        parent = TraceContext::Parse(Ref(value));
      } else if (k == "authorization") {
        auth_header = std::string(Ref(value));
        has_auth = true;
      }
    }
    if (call_.request_id.empty()) call_.request_id = NewRequestId();
    call_.trace = TraceContext::NewSpan(parent);
    call_.peer = info_->server_context()->peer();
    if (!has_auth) {
      call_.principal = WithReason(
          absl::UnauthenticatedError("missing bearer token (authorization metadata)"),
          kReasonMissingToken);
    } else if (verifier_ == nullptr) {
      call_.principal =
          WithReason(absl::UnauthenticatedError("this server verifies no tokens"), kReasonInvalidToken);
    } else {
      absl::StatusOr<std::string> token = BearerFromHeader(auth_header);
      call_.principal = token.ok() ? verifier_->Verify(*token, clock_->Now()) : token.status();
    }
    Authorize();
    call_context_internal::Register(info_->server_context(), &call_);
    registered_ = true;
    metrics_->started.Increment();
  }

  // The method's declared policy decides before any handler runs; the
  // caller's identity is kept for the log line.
  void Authorize() {
    if (!call_.principal.ok()) return;
    static const PolicyIndex kNoPolicies;
    absl::Status allowed =
        (policies_ != nullptr ? *policies_ : kNoPolicies).Authorize(call_.method, *call_.principal);
    if (allowed.ok()) return;
    denied_subject_ = call_.principal->subject;
    denied_role_ = std::string(RoleName(call_.principal->role));
    call_.principal = std::move(allowed);
  }

  void OnStatus(const grpc::Status& status) {
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    metrics_->Handled(status.error_code()).Increment();
    metrics_->handling_seconds.Observe(seconds);
    const LogLevel level = RpcLogLevel(call_.method, status.error_code());
    if (!LogEnabled(level)) return;
    LogField fields[11] = {
        {"method", call_.method},
        {"code", GrpcCodeName(status.error_code())},
        {"duration_ms", seconds * 1000.0},
        {"request_id", call_.request_id},
        {"trace_id", call_.trace.trace_id},
        {"span_id", call_.trace.span_id},
        {"peer", call_.peer},
    };
    size_t n = 7;
    if (!call_.trace.parent_id.empty()) fields[n++] = {"parent_span_id", call_.trace.parent_id};
    std::string role;
    if (call_.principal.ok()) {
      role = std::string(RoleName(call_.principal->role));
      fields[n++] = {"caller", call_.principal->subject};
      fields[n++] = {"role", role};
    } else if (!denied_role_.empty()) {
      fields[n++] = {"caller", denied_subject_};
      fields[n++] = {"role", denied_role_};
    }
    // error_message() returns a copy: keep it alive as long as the fields.
    const std::string error = status.error_message();
    if (!status.ok()) fields[n++] = {"error", error};
    LogLine(level, "rpc", absl::MakeConstSpan(fields, n));
  }

  grpc::experimental::ServerRpcInfo* info_;
  MethodMetrics* metrics_;
  const JwtVerifier* verifier_;
  const Clock* clock_;
  const PolicyIndex* policies_;
  absl::Time start_;
  CallInfo call_;
  bool malformed_request_ = false;
  std::string denied_subject_;  // an authenticated caller its policy refused
  std::string denied_role_;
  bool registered_ = false;
};

class ClientInterceptor : public grpc::experimental::Interceptor {
 public:
  ClientInterceptor(grpc::experimental::ClientRpcInfo* info, RpcMetrics* metrics)
      : metrics_(metrics), start_(absl::Now()) {
    auto [service, method] = SplitMethod(info->method());
    const char* type = "unary";
    switch (info->type()) {
      case grpc::experimental::ClientRpcInfo::Type::CLIENT_STREAMING: type = "client_stream"; break;
      case grpc::experimental::ClientRpcInfo::Type::SERVER_STREAMING: type = "server_stream"; break;
      case grpc::experimental::ClientRpcInfo::Type::BIDI_STREAMING: type = "bidi_stream"; break;
      default: break;
    }
    labels_ = {{"grpc_type", type}, {"grpc_service", service}, {"grpc_method", method}};
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      metrics_->started.Add(labels_).Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      metrics_->msg_sent.Add(labels_).Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      metrics_->msg_received.Add(labels_).Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      auto handled_labels = labels_;
      handled_labels["grpc_code"] = GrpcCodeName(methods->GetRecvStatus()->error_code());
      metrics_->handled.Add(handled_labels).Increment();
      metrics_->handling_seconds.Add(labels_, LatencyBuckets())
          .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* metrics_;
  absl::Time start_;
  std::map<std::string, std::string> labels_;
};

}  // namespace

LogLevel RpcLogLevel(absl::string_view method, grpc::StatusCode code) {
  if (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
      code == grpc::StatusCode::DATA_LOSS) {
    return LogLevel::kError;  // the server's fault
  }
  // Probes (a few a minute per pod) and reflection (grpcurl, buf curl) are
  // not traffic: debug when they succeed, warning when they do not.
  if (absl::StartsWith(method, "/grpc.health.v1.Health/") ||
      absl::StartsWith(method, "/grpc.reflection.")) {
    return code == grpc::StatusCode::OK ? LogLevel::kDebug : LogLevel::kWarning;
  }
  return LogLevel::kInfo;
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry, const std::string& side)
    : started(prometheus::BuildCounter()
                  .Name("grpc_" + side + "_started_total")
                  .Help("Total number of RPCs started on the " + side + ".")
                  .Register(registry)),
      handled(prometheus::BuildCounter()
                  .Name("grpc_" + side + "_handled_total")
                  .Help("Total number of RPCs completed on the " + side + ", regardless of success or failure.")
                  .Register(registry)),
      handling_seconds(prometheus::BuildHistogram()
                           .Name("grpc_" + side + "_handling_seconds")
                           .Help("Histogram of response latency (seconds) of gRPC that had been application-level handled by the " + side + ".")
                           .Register(registry)),
      msg_received(prometheus::BuildCounter()
                       .Name("grpc_" + side + "_msg_received_total")
                       .Help("Total number of RPC stream messages received on the " + side + ".")
                       .Register(registry)),
      msg_sent(prometheus::BuildCounter()
                   .Name("grpc_" + side + "_msg_sent_total")
                   .Help("Total number of gRPC stream messages sent by the " + side + ".")
                   .Register(registry)) {}

std::pair<std::string, std::string> SplitMethod(absl::string_view full) {
  if (!full.empty() && full[0] == '/') full.remove_prefix(1);
  auto slash = full.find('/');
  if (slash == absl::string_view::npos) return {std::string(full), ""};
  return {std::string(full.substr(0, slash)), std::string(full.substr(slash + 1))};
}

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "Canceled";
    case grpc::StatusCode::UNKNOWN: return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND: return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::StatusCode::ABORTED: return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED: return "Unimplemented";
    case grpc::StatusCode::INTERNAL: return "Internal";
    case grpc::StatusCode::UNAVAILABLE: return "Unavailable";
    case grpc::StatusCode::DATA_LOSS: return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

ServerInterceptorFactory::ServerInterceptorFactory(std::shared_ptr<prometheus::Registry> registry,
                                                   const JwtVerifier* verifier, const Clock* clock,
                                                   const PolicyIndex* policies)
    : registry_(std::move(registry)), metrics_(*registry_, "server"), verifier_(verifier),
      clock_(clock), policies_(policies) {}

MethodMetrics::MethodMetrics(RpcMetrics& metrics, std::map<std::string, std::string> l)
    : family(metrics),
      labels(std::move(l)),
      started(metrics.started.Add(labels)),
      msg_received(metrics.msg_received.Add(labels)),
      msg_sent(metrics.msg_sent.Add(labels)),
      handling_seconds(metrics.handling_seconds.Add(labels, LatencyBuckets())) {}

prometheus::Counter& MethodMetrics::Handled(grpc::StatusCode code) {
  const size_t i = static_cast<size_t>(code) < handled.size() ? static_cast<size_t>(code) : 2;
  prometheus::Counter* c = handled[i].load(std::memory_order_acquire);
  if (c == nullptr) {  // Family::Add returns the same child to racing callers
    auto with_code = labels;
    with_code["grpc_code"] = GrpcCodeName(static_cast<grpc::StatusCode>(i));
    c = &family.handled.Add(with_code);
    handled[i].store(c, std::memory_order_release);
  }
  return *c;
}

MethodMetrics* ServerInterceptorFactory::ForMethod(absl::string_view name,
                                                   grpc::experimental::ServerRpcInfo::Type type) {
  MutexLock lock(&mu_);
  auto it = methods_.find(name);
  if (it == methods_.end() && methods_.size() >= kMaxMethods) {
    // Method names come from the client: past the suite's own methods, any
    // further name shares one series instead of growing the registry.
    return ForOverflow(type);
  }
  if (it == methods_.end()) {
    auto [service, short_name] = SplitMethod(name);
    it = methods_
             .emplace(std::string(name),
                      std::make_unique<MethodMetrics>(
                          metrics_, std::map<std::string, std::string>{
                                        {"grpc_type", ServerTypeName(type)},
                                        {"grpc_service", service},
                                        {"grpc_method", short_name}}))
             .first;
  }
  return it->second.get();
}

void ServerInterceptorFactory::InitializeService(const google::protobuf::ServiceDescriptor& service) {
  using T = grpc::experimental::ServerRpcInfo::Type;
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& m = *service.method(i);
    const T type = m.client_streaming()
                       ? (m.server_streaming() ? T::BIDI_STREAMING : T::CLIENT_STREAMING)
                       : (m.server_streaming() ? T::SERVER_STREAMING : T::UNARY);
    ForMethod(absl::StrCat("/", service.full_name(), "/", m.name()), type)
        ->Handled(grpc::StatusCode::OK);
  }
}

MethodMetrics* ServerInterceptorFactory::ForOverflow(grpc::experimental::ServerRpcInfo::Type type) {
  auto& slot = overflow_[static_cast<size_t>(type) % overflow_.size()];
  if (slot == nullptr) {
    slot = std::make_unique<MethodMetrics>(
        metrics_, std::map<std::string, std::string>{{"grpc_type", ServerTypeName(type)},
                                                     {"grpc_service", "unknown"},
                                                     {"grpc_method", "unknown"}});
  }
  return slot.get();
}

grpc::experimental::Interceptor* ServerInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const char* method = info->method();
  return new ServerInterceptor(info, ForMethod(method == nullptr ? "" : method, info->type()),
                               verifier_, clock_, policies_);
}

ClientInterceptorFactory::ClientInterceptorFactory(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)), metrics_(*registry_, "client") {}

grpc::experimental::Interceptor* ClientInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  return new ClientInterceptor(info, &metrics_);
}

}  // namespace aftercare
