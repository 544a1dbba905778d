#include "case-svc/case_grpc.h"

#include "absl/strings/str_cat.h"
#include "case-svc/case_view.h"
#include "common/call_context.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/rpc.h"
#include "common/status.h"
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

// Collects the file from the stream (refusing it as soon as it grows past
// the size limit), then stores it on the executor in one idempotent
// transaction.
class CaseGrpc::UploadReactor : public grpc::ServerReadReactor<pb::UploadAttachmentRequest> {
 public:
  UploadReactor(CaseGrpc* service, Ctx* ctx, pb::Attachment* resp)
      : service_(service), ctx_(ctx), resp_(resp) {
    absl::StatusOr<Principal> caller = Caller(ctx);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *caller;
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Store();
      return;
    }
    if (messages_++ == 0) {
      combined_ = message_;
      combined_.clear_chunk();
      absl::Status header = Header();
      if (!header.ok()) {
        Finish(ToGrpcStatus(header));
        return;
      }
    } else if ((!message_.request_id().empty() &&
                message_.request_id() != combined_.request_id()) ||
               (!message_.case_id().empty() && message_.case_id() != combined_.case_id())) {
      Finish(ToGrpcStatus(InvalidFields(
          {"request_id", "case_id"},
          "request_id and case_id must be the same in every message (or only in the first)")));
      return;
    }
    if (static_cast<int64_t>(content_.size() + message_.chunk().size()) >
        service_->domain_.options().max_attachment_bytes) {
      Finish(ToGrpcStatus(
          InvalidField("chunk", absl::StrCat(": the file is larger than ",
                                             service_->domain_.options().max_attachment_bytes,
                                             " bytes (--max_attachment_bytes)"))));
      return;
    }
    content_.append(message_.chunk());
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Header() {
    ASSIGN_OR_RETURN(
        kind_, FromEnum<AttachmentKind>(combined_.kind(), pb::AttachmentKind_IsValid, "kind"));
    if (combined_.has_cod()) {
      ASSIGN_OR_RETURN(CodDetails cod, FromProto(combined_.cod()));
      cod_ = std::move(cod);
    }
    RETURN_IF_ERROR(ValidateRequestId(combined_.request_id()));
    return service_->domain_.CheckUploadHeader(caller_, combined_.case_id(), kind_,
                                               combined_.file_name(), cod_);
  }

  void Store() {
    if (messages_ == 0) {
      Finish(ToGrpcStatus(absl::InvalidArgumentError("the stream carried no message")));
      return;
    }
    absl::Status queued = service_->executor_.Submit([this] {
      if (ctx_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      combined_.set_chunk(content_);
      absl::Status s = service_->store_.Mutate(
          IdempotencyKey::For(caller_, combined_.request_id(), "UploadAttachment"), combined_,
          "upload attachment", resp_, [&](CaseRepository& repo) -> absl::StatusOr<pb::Attachment> {
            ASSIGN_OR_RETURN(Attachment a,
                             service_->domain_.Upload(caller_, combined_.case_id(), kind_,
                                                      combined_.file_name(), cod_, content_, repo));
            pb::Attachment out;
            ToProto(a, &out);
            return out;
          });
      Finish(ToGrpcStatus(s));
    });
    if (!queued.ok()) Finish(ToGrpcStatus(queued));
  }

  CaseGrpc* service_;
  Ctx* ctx_;
  pb::Attachment* resp_;
  Principal caller_;
  pb::UploadAttachmentRequest message_;
  pb::UploadAttachmentRequest combined_;
  int messages_ = 0;
  std::string content_;
  AttachmentKind kind_ = AttachmentKind::kUnspecified;
  std::optional<CodDetails> cod_;
};

grpc::ServerReadReactor<pb::UploadAttachmentRequest>* CaseGrpc::UploadAttachment(
    Ctx* ctx, pb::Attachment* resp) {
  return new UploadReactor(this, ctx, resp);
}

// --- Download (server streaming) -------------------------------------------------

// Sends the attachment's metadata, then its chunks one per message. Each
// database read runs on the executor; the next one starts only when the
// previous write is done, so at most one chunk is held in memory.
class CaseGrpc::DownloadReactor : public grpc::ServerWriteReactor<pb::DownloadAttachmentResponse> {
 public:
  DownloadReactor(CaseGrpc* service, Ctx* ctx, const pb::DownloadAttachmentRequest* req)
      : service_(service), ctx_(ctx) {
    absl::StatusOr<Principal> caller = Caller(ctx);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *caller;
    name_ = req->attachment_id();
    Submit([this] { return First(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
      return;
    }
    Submit([this] { return Next(); });
  }

  void OnDone() override { delete this; }

 private:
  // Runs `step` on the executor; it returns OK after StartWrite, or the
  // status to finish with (OK with finished_ set at the end).
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

  absl::Status First() {
    Attachment a;
    RETURN_IF_ERROR(
        service_->store_.Read("download attachment", [&](CaseRepository& repo) -> absl::Status {
          ASSIGN_OR_RETURN(a, service_->domain_.GetAttachment(caller_, name_, repo));
          return absl::OkStatus();
        }));
    id_ = a.id;
    out_.Clear();
    ToProto(a, out_.mutable_attachment());
    ASSIGN_OR_RETURN(std::optional<std::string> chunk, service_->store_.ReadChunk(id_, seq_++));
    if (chunk) out_.set_chunk(*std::move(chunk));
    StartWrite(&out_);
    return absl::OkStatus();
  }

  absl::Status Next() {
    ASSIGN_OR_RETURN(std::optional<std::string> chunk, service_->store_.ReadChunk(id_, seq_++));
    if (!chunk) {
      Finish(grpc::Status::OK);
      return absl::OkStatus();
    }
    out_.Clear();
    out_.set_chunk(*std::move(chunk));
    StartWrite(&out_);
    return absl::OkStatus();
  }

  CaseGrpc* service_;
  Ctx* ctx_;
  Principal caller_;
  std::string name_;
  int64_t id_ = 0;
  int seq_ = 0;
  pb::DownloadAttachmentResponse out_;
};

grpc::ServerWriteReactor<pb::DownloadAttachmentResponse>* CaseGrpc::DownloadAttachment(
    Ctx* ctx, const pb::DownloadAttachmentRequest* req) {
  return new DownloadReactor(this, ctx, req);
}

}  // namespace aftercare::cases
