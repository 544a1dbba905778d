// The gRPC face of case-svc (aftercare.cases.v1.CaseService): each unary
// handler is one Answer (common/use_case_rpc.h: the caller authenticated, the work
// on the bounded executor) over its use case — create_case.h,
// create_trade_in.h, admin_case_use_cases.h, trade_in_use_cases.h,
// add_technical_case_note.h, case_queries.h. The attachment streams run
// attachment_use_cases.h, one object per call: the upload (client
// streaming) through AnswerStream (common/stream_rpc.h), the download
// (server streaming) through a reactor here; their database work runs on
// the executor too.
#ifndef AFTERCARE_CASE_SVC_CASE_GRPC_H_
#define AFTERCARE_CASE_SVC_CASE_GRPC_H_

#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "case-svc/add_technical_case_note.h"
#include "case-svc/admin_case_use_cases.h"
#include "case-svc/case_proto.h"
#include "case-svc/case_queries.h"
#include "case-svc/case_use_case.h"
#include "case-svc/cases.h"
#include "case-svc/create_case.h"
#include "case-svc/create_trade_in.h"
#include "case-svc/inventory_client.h"
#include "case-svc/mysql_case_repository.h"
#include "case-svc/technical_case_notes.h"
#include "case-svc/trade_in_use_cases.h"
#include "common/clock.h"
#include "common/executor.h"

namespace aftercare::cases {

class CaseGrpc final : public pb::CaseService::CallbackService {
 public:
  CaseGrpc(const Cases* domain, const TechnicalCaseNotes* technical_notes, MysqlCaseStore* store,
           InventoryGateway* inventory, BoundedExecutor* executor, const Clock* clock)
      : domain_(*domain), technical_notes_(*technical_notes), store_(*store),
        inventory_(*inventory), executor_(*executor), clock_(*clock),
        create_case_(*domain, *store, *inventory, *clock),
        create_trade_in_(*domain, *store, *inventory, *clock),
        take_ownership_(Deps()),
        update_status_(Deps()),
        add_note_(Deps()),
        escalate_(Deps()),
        resolve_(Deps()),
        close_(Deps()),
        reopen_(Deps()),
        approve_reinstatement_(Deps()),
        update_lines_(Deps()),
        request_extension_(Deps()),
        review_extension_(Deps()),
        issue_shipping_(Deps()),
        record_received_(Deps()),
        add_technical_note_(*technical_notes, *store),
        queries_(Deps(), *technical_notes) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateCase(Ctx* ctx, const pb::CreateCaseRequest* req, pb::Case* resp) override;
  Reactor* GetCase(Ctx* ctx, const pb::GetCaseRequest* req, pb::Case* resp) override;
  Reactor* ListCases(Ctx* ctx, const pb::ListCasesRequest* req, pb::ListCasesResponse* resp) override;
  Reactor* TakeCaseOwnership(Ctx* ctx, const pb::TakeCaseOwnershipRequest* req, pb::Case* resp) override;
  Reactor* UpdateCaseStatus(Ctx* ctx, const pb::UpdateCaseStatusRequest* req, pb::Case* resp) override;
  Reactor* AddCaseNote(Ctx* ctx, const pb::AddCaseNoteRequest* req, pb::Case* resp) override;
  Reactor* EscalateCase(Ctx* ctx, const pb::EscalateCaseRequest* req, pb::Case* resp) override;
  Reactor* ResolveCase(Ctx* ctx, const pb::ResolveCaseRequest* req, pb::Case* resp) override;
  Reactor* CloseCase(Ctx* ctx, const pb::CloseCaseRequest* req, pb::Case* resp) override;
  Reactor* ReopenCase(Ctx* ctx, const pb::ReopenCaseRequest* req, pb::Case* resp) override;
  Reactor* ApproveReinstatement(Ctx* ctx, const pb::ApproveReinstatementRequest* req,
                                pb::Case* resp) override;
  Reactor* ListCaseEvents(Ctx* ctx, const pb::ListCaseEventsRequest* req,
                          pb::ListCaseEventsResponse* resp) override;
  Reactor* CreateTradeInCase(Ctx* ctx, const pb::CreateTradeInCaseRequest* req,
                             pb::TradeInCase* resp) override;
  Reactor* GetTradeInCase(Ctx* ctx, const pb::GetTradeInCaseRequest* req,
                          pb::TradeInCase* resp) override;
  Reactor* ListTradeInCases(Ctx* ctx, const pb::ListTradeInCasesRequest* req,
                            pb::ListTradeInCasesResponse* resp) override;
  Reactor* UpdateTradeInLines(Ctx* ctx, const pb::UpdateTradeInLinesRequest* req,
                              pb::TradeInCase* resp) override;
  Reactor* RequestDeadlineExtension(Ctx* ctx, const pb::RequestDeadlineExtensionRequest* req,
                                    pb::TradeInCase* resp) override;
  Reactor* ReviewDeadlineExtension(Ctx* ctx, const pb::ReviewDeadlineExtensionRequest* req,
                                   pb::TradeInCase* resp) override;
  Reactor* IssueShippingInstructions(Ctx* ctx, const pb::IssueShippingInstructionsRequest* req,
                                     pb::TradeInCase* resp) override;
  Reactor* RecordReceivedUnits(Ctx* ctx, const pb::RecordReceivedUnitsRequest* req,
                               pb::TradeInCase* resp) override;
  grpc::ServerReadReactor<pb::UploadAttachmentRequest>* UploadAttachment(
      Ctx* ctx, pb::Attachment* resp) override;
  Reactor* ListAttachments(Ctx* ctx, const pb::ListAttachmentsRequest* req,
                           pb::ListAttachmentsResponse* resp) override;
  grpc::ServerWriteReactor<pb::DownloadAttachmentResponse>* DownloadAttachment(
      Ctx* ctx, const pb::DownloadAttachmentRequest* req) override;
  Reactor* AddTechnicalCaseNote(Ctx* ctx, const pb::AddTechnicalCaseNoteRequest* req,
                                pb::TechnicalCaseNote* resp) override;
  Reactor* ListTechnicalCaseNotes(Ctx* ctx, const pb::ListTechnicalCaseNotesRequest* req,
                                  pb::ListTechnicalCaseNotesResponse* resp) override;

 private:
  class DownloadReactor;

  CaseUseCaseDeps Deps() { return CaseUseCaseDeps{domain_, store_, clock_}; }

  const Cases& domain_;
  const TechnicalCaseNotes& technical_notes_;
  MysqlCaseStore& store_;
  InventoryGateway& inventory_;
  BoundedExecutor& executor_;
  const Clock& clock_;
  // One use case per unary RPC (the attachment streams are reactors).
  const CreateCaseUseCase create_case_;
  const CreateTradeInUseCase create_trade_in_;
  const TakeCaseOwnershipUseCase take_ownership_;
  const UpdateCaseStatusUseCase update_status_;
  const AddCaseNoteUseCase add_note_;
  const EscalateCaseUseCase escalate_;
  const ResolveCaseUseCase resolve_;
  const CloseCaseUseCase close_;
  const ReopenCaseUseCase reopen_;
  const ApproveReinstatementUseCase approve_reinstatement_;
  const UpdateTradeInLinesUseCase update_lines_;
  const RequestDeadlineExtensionUseCase request_extension_;
  const ReviewDeadlineExtensionUseCase review_extension_;
  const IssueShippingInstructionsUseCase issue_shipping_;
  const RecordReceivedUnitsUseCase record_received_;
  const AddTechnicalCaseNoteUseCase add_technical_note_;
  const CaseQueries queries_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_GRPC_H_
