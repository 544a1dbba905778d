#include "tests/harness/echo_service.h"

#include "absl/time/clock.h"
#include "common/call_context.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::testing {

using aftercare::testing::v1::EchoRequest;
using aftercare::testing::v1::EchoResponse;

grpc::ServerUnaryReactor* EchoService::Echo(grpc::CallbackServerContext* context,
                                            const EchoRequest* request, EchoResponse* response) {
  const CallInfo* call = CurrentCall(context);
  if (call != nullptr) response->set_request_id(call->request_id);
  if (!request->require_auth() && request->delay_ms() == 0) {
    // The baseline: answered on the callback thread, no executor hop.
    response->set_message(request->message());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  if (!request->require_auth()) {
    auto* reactor = context->DefaultReactor();
    absl::Status queued = executor_->Submit([reactor, request, response] {
      absl::SleepFor(absl::Milliseconds(request->delay_ms()));
      response->set_message(request->message());
      reactor->Finish(grpc::Status::OK);
    });
    if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
    return reactor;
  }
  return RunUnary(context, *executor_, [request, response](const Principal& caller) {
    absl::SleepFor(absl::Milliseconds(request->delay_ms()));
    response->set_message(request->message());
    response->set_caller_subject(caller.subject);
    return absl::OkStatus();
  });
}

namespace {
class EchoInstance : public ServiceInstance {
 public:
  explicit EchoInstance(BoundedExecutor* executor) : echo_(executor) {}
  std::vector<grpc::Service*> services() override { return {&echo_}; }

 private:
  EchoService echo_;
};
}  // namespace

const ServicePolicy& EchoPolicy() {
  static const ServicePolicy policy("aftercare.testing.v1.EchoService",
                                    {{"Echo", AnyRole(), ScopeKind::kNone, "any caller"}});
  return policy;
}

ServiceSpec EchoSpec() {
  ServiceSpec spec;
  spec.name = "echo";
  spec.health_names = {"aftercare.testing.v1.EchoService"};
  spec.policies = {&EchoPolicy()};
  spec.build = [](ServiceContext& ctx) -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return std::make_unique<EchoInstance>(&ctx.executor);
  };
  return spec;
}

}  // namespace aftercare::testing
