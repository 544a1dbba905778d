// Serves a client-streaming RPC with its use case, one object per call
// (case-svc's attachment upload, inventory-svc's genuine-serial load): the
// caller authenticated first (deny by default); each message handed to
// `use_case.Add(caller, message)` on the callback thread as it arrives
// (checks only, no blocking work; an error ends the call at once and
// nothing is written); at the end of the stream `use_case.Finish(caller)`
// run on the bounded executor (skipped when the call was cancelled) and its
// answer moved into the response.
//
//   grpc::ServerReadReactor<pb::UploadAttachmentRequest>* CaseGrpc::UploadAttachment(
//       Ctx* ctx, pb::Attachment* resp) {
//     return AnswerStream<pb::UploadAttachmentRequest>(ctx, executor_, resp,
//                                                      AttachmentUpload(domain_, store_));
//   }
#ifndef AFTERCARE_COMMON_STREAM_RPC_H_
#define AFTERCARE_COMMON_STREAM_RPC_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <utility>

#include "absl/status/status.h"
#include "common/auth.h"
#include "common/executor.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare {

// `UseCase`: absl::Status Add(const Principal&, const Req&);
//            absl::StatusOr<Resp> Finish(const Principal&).
template <typename Req, typename Resp, typename UseCase>
class StreamInReactor final : public grpc::ServerReadReactor<Req> {
 public:
  StreamInReactor(grpc::CallbackServerContext* ctx, BoundedExecutor& executor, Resp* resp,
                  UseCase use_case)
      : ctx_(ctx), executor_(executor), resp_(resp), use_case_(std::move(use_case)) {
    absl::StatusOr<Principal> caller = Caller(ctx);
    if (!caller.ok()) {
      this->Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *std::move(caller);
    this->StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Store();
      return;
    }
    absl::Status added = use_case_.Add(caller_, message_);
    if (!added.ok()) {
      this->Finish(ToGrpcStatus(added));
      return;
    }
    this->StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Store() {
    absl::Status queued = executor_.Submit([this] {
      if (ctx_->IsCancelled()) {
        this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      auto answer = use_case_.Finish(caller_);
      if (answer.ok()) *resp_ = *std::move(answer);
      this->Finish(ToGrpcStatus(answer.status()));
    });
    if (!queued.ok()) this->Finish(ToGrpcStatus(queued));
  }

  grpc::CallbackServerContext* ctx_;
  BoundedExecutor& executor_;
  Resp* resp_;
  UseCase use_case_;
  Principal caller_;
  Req message_;
};

template <typename Req, typename Resp, typename UseCase>
grpc::ServerReadReactor<Req>* AnswerStream(grpc::CallbackServerContext* ctx,
                                           BoundedExecutor& executor, Resp* resp,
                                           UseCase use_case) {
  return new StreamInReactor<Req, Resp, UseCase>(ctx, executor, resp, std::move(use_case));
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_STREAM_RPC_H_
