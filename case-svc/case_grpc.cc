#include "case-svc/case_grpc.h"

#include "case-svc/case_view.h"

#include "absl/strings/str_cat.h"
#include "common/call_context.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/logging.h"
#include "common/mutation.h"
#include "common/reading.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::cases {
namespace {

pb::TradeInCase ToTradeInProto(const TradeIn& t) {
  pb::TradeInCase out;
  ToProto(t, &out);
  return out;
}

}  // namespace

pb::Case CaseGrpc::ToCaseProto(const Case& c) const {
  return CaseToProto(c, domain_, clock_.Now());
}

// --- Admin cases -----------------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::CreateCase(Ctx* ctx, const pb::CreateCaseRequest* req,
                                               pb::Case* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_case_.Run(caller, CurrentCall(ctx), *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CaseGrpc::GetCase(Ctx* ctx, const pb::GetCaseRequest* req,
                                            pb::Case* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get case", resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        return domain_.GetCase(caller, req->case_id(), repo);
      },
      [this](const Case& c, pb::Case* out) { *out = ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListCases(Ctx* ctx, const pb::ListCasesRequest* req,
                                              pb::ListCasesResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list cases", resp,
      [req](const Principal&) -> absl::StatusOr<CaseFilter> {
        CaseFilter f;
        ASSIGN_OR_RETURN(f.status,
                         FromEnum<CaseStatus>(req->status(), pb::CaseStatus_IsValid, "status"));
        ASSIGN_OR_RETURN(f.priority,
                         FromEnum<Priority>(req->priority(), pb::Priority_IsValid, "priority"));
        ASSIGN_OR_RETURN(f.request_type, FromEnum<RequestType>(
                                             req->request_type(), pb::RequestType_IsValid,
                                             "request_type"));
        f.account_id = req->account_id();
        f.owner = req->owner();
        f.breaching_only = req->breaching_only();
        return f;
      },
      [this, req](const Principal& caller, const CaseFilter& f, CaseRepository& repo) {
        return domain_.ListCases(caller, f, req->page_size(), req->page_token(), repo);
      },
      [this](const Page<Case>& page, pb::ListCasesResponse* out) {
        FillPage(page, out, [this](const Case& c, auto* o) { *o->add_cases() = ToCaseProto(c); });
      });
}

grpc::ServerUnaryReactor* CaseGrpc::TakeCaseOwnership(Ctx* ctx, const pb::TakeCaseOwnershipRequest* req,
                                                      pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"TakeCaseOwnership", "take case ownership"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.TakeOwnership(caller, req->case_id(), req->owner(), req->etag(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::UpdateCaseStatus(Ctx* ctx, const pb::UpdateCaseStatusRequest* req,
                                                     pb::Case* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"UpdateCaseStatus", "update case status"}, req, resp,
      [req](const Principal&) {
        return FromEnum<CaseStatus>(req->status(), pb::CaseStatus_IsValid, "status");
      },
      [this, req](const Principal& caller, CaseStatus status, CaseRepository& repo) {
        return domain_.UpdateStatus(caller, req->case_id(), status, req->etag(), repo,
                                    req->question());
      },
      [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::AddCaseNote(Ctx* ctx, const pb::AddCaseNoteRequest* req,
                                                pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"AddCaseNote", "add case note"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.AddNote(caller, req->case_id(), req->body(), req->internal(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::EscalateCase(Ctx* ctx, const pb::EscalateCaseRequest* req,
                                                 pb::Case* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"EscalateCase", "escalate case"}, req, resp,
      [req](const Principal&) {
        return FromEnum<EscalationKind>(req->kind(), pb::EscalationKind_IsValid, "kind");
      },
      [this, req](const Principal& caller, EscalationKind kind, CaseRepository& repo) {
        return domain_.Escalate(caller, req->case_id(), kind, req->reason(), repo);
      },
      [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::ResolveCase(Ctx* ctx, const pb::ResolveCaseRequest* req,
                                                pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ResolveCase", "resolve case"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.Resolve(caller, req->case_id(), req->resolution(), req->corrected_tracking_number(), req->etag(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::CloseCase(Ctx* ctx, const pb::CloseCaseRequest* req,
                                              pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"CloseCase", "close case"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.Close(caller, req->case_id(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::ReopenCase(Ctx* ctx, const pb::ReopenCaseRequest* req,
                                               pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ReopenCase", "reopen case"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.Reopen(caller, req->case_id(), req->reason(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::ApproveReinstatement(Ctx* ctx,
                                                         const pb::ApproveReinstatementRequest* req,
                                                         pb::Case* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ApproveReinstatement", "approve reinstatement"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.ApproveReinstatement(caller, req->case_id(), req->inspection_reference(), repo);
                       },
                       [this](const Case& c) { return ToCaseProto(c); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListCaseEvents(Ctx* ctx, const pb::ListCaseEventsRequest* req,
                                                   pb::ListCaseEventsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list case events", resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        return domain_.ListEvents(caller, req->case_id(), req->page_size(), req->page_token(),
                                  repo);
      },
      [](const Page<CaseEvent>& page, pb::ListCaseEventsResponse* out) {
        FillPage(page, out, [](const CaseEvent& e, auto* o) { ToProto(e, o->add_events()); });
      });
}

// --- Trade-in cases --------------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::CreateTradeInCase(Ctx* ctx,
                                                      const pb::CreateTradeInCaseRequest* req,
                                                      pb::TradeInCase* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_trade_in_.Run(caller, CurrentCall(ctx), *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CaseGrpc::GetTradeInCase(Ctx* ctx, const pb::GetTradeInCaseRequest* req,
                                                   pb::TradeInCase* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get trade-in case", resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        return domain_.GetTradeIn(caller, req->case_id(), repo);
      },
      [](const TradeIn& t, pb::TradeInCase* out) { ToProto(t, out); });
}

grpc::ServerUnaryReactor* CaseGrpc::ListTradeInCases(Ctx* ctx, const pb::ListTradeInCasesRequest* req,
                                                     pb::ListTradeInCasesResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list trade-in cases", resp,
      [req](const Principal&) -> absl::StatusOr<TradeInFilter> {
        TradeInFilter f;
        ASSIGN_OR_RETURN(f.status,
                         FromEnum<TradeInStatus>(req->status(), pb::TradeInStatus_IsValid, "status"));
        f.account_id = req->account_id();
        return f;
      },
      [this, req](const Principal& caller, const TradeInFilter& f, CaseRepository& repo) {
        return domain_.ListTradeIns(caller, f, req->page_size(), req->page_token(), repo);
      },
      [](const Page<TradeIn>& page, pb::ListTradeInCasesResponse* out) {
        FillPage(page, out, [](const TradeIn& t, auto* o) { ToProto(t, o->add_trade_in_cases()); });
      });
}

grpc::ServerUnaryReactor* CaseGrpc::UpdateTradeInLines(Ctx* ctx,
                                                       const pb::UpdateTradeInLinesRequest* req,
                                                       pb::TradeInCase* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"UpdateTradeInLines", "update trade-in lines"}, req, resp,
      [req](const Principal&) { return LinesFromProto(req->lines(), "lines"); },
      [this, req](const Principal& caller, const std::vector<TradeInLine>& lines,
                  CaseRepository& repo) {
        return domain_.UpdateLines(caller, req->case_id(), lines, req->etag(), repo);
      },
      ToTradeInProto);
}

grpc::ServerUnaryReactor* CaseGrpc::RequestDeadlineExtension(
    Ctx* ctx, const pb::RequestDeadlineExtensionRequest* req, pb::TradeInCase* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"RequestDeadlineExtension", "request deadline extension"}, req,
      resp,
      [req](const Principal&) -> absl::StatusOr<absl::Time> {
        if (!req->has_requested_due_time()) {
          return InvalidField("requested_due_time", "is required");
        }
        return FromTimestamp(req->requested_due_time(), "requested_due_time");
      },
      [this, req](const Principal& caller, absl::Time due, CaseRepository& repo) {
        return domain_.RequestExtension(caller, req->case_id(), due, req->reason(), repo);
      },
      ToTradeInProto);
}

grpc::ServerUnaryReactor* CaseGrpc::ReviewDeadlineExtension(
    Ctx* ctx, const pb::ReviewDeadlineExtensionRequest* req, pb::TradeInCase* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ReviewDeadlineExtension", "review deadline extension"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.ReviewExtension(caller, req->case_id(), req->approve(), req->note(), repo);
                       },
                       ToTradeInProto);
}

grpc::ServerUnaryReactor* CaseGrpc::IssueShippingInstructions(
    Ctx* ctx, const pb::IssueShippingInstructionsRequest* req, pb::TradeInCase* resp) {
  return MutatingUnary(ctx, executor_, store_, {"IssueShippingInstructions", "issue shipping instructions"}, req, resp,
                       [this, req](const Principal& caller, CaseRepository& repo) {
                         return domain_.IssueShippingInstructions(caller, req->case_id(), req->prepaid_label_reference(), repo);
                       },
                       ToTradeInProto);
}

grpc::ServerUnaryReactor* CaseGrpc::RecordReceivedUnits(Ctx* ctx,
                                                        const pb::RecordReceivedUnitsRequest* req,
                                                        pb::TradeInCase* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"RecordReceivedUnits", "record received units"}, req, resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        std::vector<ReceivedUnit> units;
        for (const auto& u : req->units()) units.push_back({u.serial_number(), u.sku()});
        return domain_.RecordReceived(caller, req->case_id(), units, repo);
      },
      ToTradeInProto);
}

grpc::ServerUnaryReactor* CaseGrpc::ListAttachments(Ctx* ctx, const pb::ListAttachmentsRequest* req,
                                                    pb::ListAttachmentsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list attachments", resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        return domain_.ListAttachments(caller, req->case_id(), repo);
      },
      [](const std::vector<Attachment>& list, pb::ListAttachmentsResponse* out) {
        for (const Attachment& a : list) ToProto(a, out->add_attachments());
      });
}

// --- Technical-case notes -------------------------------------------------------

grpc::ServerUnaryReactor* CaseGrpc::AddTechnicalCaseNote(Ctx* ctx,
                                                         const pb::AddTechnicalCaseNoteRequest* req,
                                                         pb::TechnicalCaseNote* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"AddTechnicalCaseNote", "add technical case note"}, req, resp,
      [this, req](const Principal&) -> absl::StatusOr<TechnicalCaseNoteDraft> {
        RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
        TechnicalCaseNoteDraft draft{req->technical_case_id(), req->account_id(), req->note_id(),
                                     req->subject(), req->body()};
        RETURN_IF_ERROR(technical_notes_.Validate(draft));
        return draft;
      },
      [this](const Principal& caller, const TechnicalCaseNoteDraft& draft, CaseRepository& repo) {
        return technical_notes_.Add(caller, draft, repo);
      },
      [](const TechnicalCaseNote& n) {
        pb::TechnicalCaseNote out;
        ToProto(n, &out);
        return out;
      });
}

grpc::ServerUnaryReactor* CaseGrpc::ListTechnicalCaseNotes(
    Ctx* ctx, const pb::ListTechnicalCaseNotesRequest* req,
    pb::ListTechnicalCaseNotesResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list technical case notes", resp,
      [this, req](const Principal& caller, CaseRepository& repo) {
        return technical_notes_.List(caller, req->technical_case_id(), req->page_size(),
                                     req->page_token(), repo);
      },
      [](const Page<TechnicalCaseNote>& page, pb::ListTechnicalCaseNotesResponse* out) {
        FillPage(page, out,
                 [](const TechnicalCaseNote& n, auto* o) { ToProto(n, o->add_notes()); });
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
    } else if ((!message_.request_id().empty() && message_.request_id() != combined_.request_id()) ||
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
    ASSIGN_OR_RETURN(kind_, FromEnum<AttachmentKind>(combined_.kind(), pb::AttachmentKind_IsValid, "kind"));
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
          IdempotencyKey::For(caller_, combined_.request_id(), "UploadAttachment"), combined_, "upload attachment",
          resp_, [&](CaseRepository& repo) -> absl::StatusOr<pb::Attachment> {
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
    RETURN_IF_ERROR(service_->store_.Read("download attachment", [&](CaseRepository& repo) -> absl::Status {
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
