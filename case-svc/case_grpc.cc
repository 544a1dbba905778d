#include "case-svc/case_grpc.h"

#include "absl/strings/str_cat.h"
#include "case-svc/attachment_use_cases.h"
#include "case-svc/case_view.h"
#include "common/call_context.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/rpc.h"
#include "common/status.h"
#include "common/stream_rpc.h"
#include "common/use_case_rpc.h"

namespace aftercare::cases {

// --- Admin cases -----------------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::CreateCase(Ctx* ctx, const pb::CreateCaseRequest* req,
                                               pb::Case* resp) {
  return Answer(ctx, executor_, resp, [this, ctx, req](const Principal& c) {
    return create_case_.Run(c, CurrentCall(ctx), *req);
  });
}

grpc::ServerUnaryReactor* CaseGrpc::GetCase(Ctx* ctx, const pb::GetCaseRequest* req,
                                            pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetCase(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListCases(Ctx* ctx, const pb::ListCasesRequest* req,
                                              pb::ListCasesResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListCases(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::TakeCaseOwnership(Ctx* ctx,
                                                      const pb::TakeCaseOwnershipRequest* req,
                                                      pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return take_ownership_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::UpdateCaseStatus(Ctx* ctx,
                                                     const pb::UpdateCaseStatusRequest* req,
                                                     pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return update_status_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::AddCaseNote(Ctx* ctx, const pb::AddCaseNoteRequest* req,
                                                pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return add_note_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::EscalateCase(Ctx* ctx, const pb::EscalateCaseRequest* req,
                                                 pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return escalate_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ResolveCase(Ctx* ctx, const pb::ResolveCaseRequest* req,
                                                pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return resolve_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::CloseCase(Ctx* ctx, const pb::CloseCaseRequest* req,
                                              pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return close_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ReopenCase(Ctx* ctx, const pb::ReopenCaseRequest* req,
                                               pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return reopen_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ApproveReinstatement(Ctx* ctx,
                                                         const pb::ApproveReinstatementRequest* req,
                                                         pb::Case* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return approve_reinstatement_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListCaseEvents(Ctx* ctx, const pb::ListCaseEventsRequest* req,
                                                   pb::ListCaseEventsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListCaseEvents(c, *req); });
}

// --- Trade-in cases --------------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::CreateTradeInCase(Ctx* ctx,
                                                      const pb::CreateTradeInCaseRequest* req,
                                                      pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp, [this, ctx, req](const Principal& c) {
    return create_trade_in_.Run(c, CurrentCall(ctx), *req);
  });
}

grpc::ServerUnaryReactor* CaseGrpc::GetTradeInCase(Ctx* ctx, const pb::GetTradeInCaseRequest* req,
                                                   pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetTradeInCase(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListTradeInCases(Ctx* ctx,
                                                     const pb::ListTradeInCasesRequest* req,
                                                     pb::ListTradeInCasesResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListTradeInCases(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::UpdateTradeInLines(Ctx* ctx,
                                                       const pb::UpdateTradeInLinesRequest* req,
                                                       pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return update_lines_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::RequestDeadlineExtension(
    Ctx* ctx, const pb::RequestDeadlineExtensionRequest* req, pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return request_extension_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ReviewDeadlineExtension(
    Ctx* ctx, const pb::ReviewDeadlineExtensionRequest* req, pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return review_extension_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::IssueShippingInstructions(
    Ctx* ctx, const pb::IssueShippingInstructionsRequest* req, pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return issue_shipping_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::RecordReceivedUnits(Ctx* ctx,
                                                        const pb::RecordReceivedUnitsRequest* req,
                                                        pb::TradeInCase* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return record_received_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListAttachments(Ctx* ctx, const pb::ListAttachmentsRequest* req,
                                                    pb::ListAttachmentsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListAttachments(c, *req); });
}

// --- Technical-case notes -------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::AddTechnicalCaseNote(Ctx* ctx,
                                                         const pb::AddTechnicalCaseNoteRequest* req,
                                                         pb::TechnicalCaseNote* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return add_technical_note_.Run(c, *req); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListTechnicalCaseNotes(
    Ctx* ctx, const pb::ListTechnicalCaseNotesRequest* req,
    pb::ListTechnicalCaseNotesResponse* resp) {
  return Answer(ctx, executor_, resp, [this, req](const Principal& c) {
    return queries_.ListTechnicalCaseNotes(c, *req);
  });
}

// --- Upload (client streaming) ---------------------------------------------------

// Each message to the call's AttachmentUpload (attachment_use_cases.h), which
// refuses a bad header or a file past the size limit at once; the file is
// stored on the executor at the end of the stream (common/stream_rpc.h).
grpc::ServerReadReactor<pb::UploadAttachmentRequest>* CaseGrpc::UploadAttachment(
    Ctx* ctx, pb::Attachment* resp) {
  return AnswerStream<pb::UploadAttachmentRequest>(ctx, executor_, resp,
                                                   AttachmentUpload(domain_, store_));
}

// --- Download (server streaming) -------------------------------------------------

// Writes what the call's AttachmentDownload answers: the metadata with the
// first chunk, then a chunk per message. Each read runs on the executor; the
// next one starts only when the previous write is done, so at most one
// chunk is held in memory.
class CaseGrpc::DownloadReactor : public grpc::ServerWriteReactor<pb::DownloadAttachmentResponse> {
 public:
  DownloadReactor(CaseGrpc* service, Ctx* ctx, const pb::DownloadAttachmentRequest* req)
      : service_(service), ctx_(ctx), download_(service->domain_, service->store_) {
    absl::StatusOr<Principal> caller = Caller(ctx);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *caller;
    name_ = req->attachment_id();
    Submit([this]() -> absl::Status {
      ASSIGN_OR_RETURN(out_, download_.First(caller_, name_));
      StartWrite(&out_);
      return absl::OkStatus();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    Submit([this]() -> absl::Status {
      ASSIGN_OR_RETURN(std::optional<pb::DownloadAttachmentResponse> next, download_.Next());
      if (!next) {
        Finish(grpc::Status::OK);
        return absl::OkStatus();
      }
      out_ = *std::move(next);
      StartWrite(&out_);
      return absl::OkStatus();
    });
  }

  void OnDone() override { delete this; }

 private:
  // Runs `step` on the executor; it returns OK after StartWrite or Finish,
  // or the status to finish with.
  template <typename Fn>
  void Submit(Fn step) {
    absl::Status queued = service_->executor_.Submit([this, step] {
      if (ctx_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      absl::Status s = step();
      if (!s.ok()) Finish(ToGrpcStatus(s));
    });
    if (!queued.ok()) Finish(ToGrpcStatus(queued));
  }

  CaseGrpc* service_;
  Ctx* ctx_;
  AttachmentDownload download_;
  Principal caller_;
  std::string name_;
  pb::DownloadAttachmentResponse out_;
};

grpc::ServerWriteReactor<pb::DownloadAttachmentResponse>* CaseGrpc::DownloadAttachment(
    Ctx* ctx, const pb::DownloadAttachmentRequest* req) {
  return new DownloadReactor(this, ctx, req);
}

}  // namespace aftercare::cases
