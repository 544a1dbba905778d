#include "rma-svc/rma_grpc.h"

#include "common/call_context.h"
#include "common/rpc.h"
#include "common/status.h"
#include "common/use_case_rpc.h"

namespace aftercare::rma {

grpc::ServerUnaryReactor* RmaGrpc::CreateRma(Ctx* ctx, const pb::CreateRmaRequest* req,
                                             pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, ctx, req](const Principal& c) { return create_rma_.Run(c, CurrentCall(ctx), *req); },
      [this](pb::Rma&) {
        // The request-opened notification's deliveries are written in the
        // transaction (rma.h, Handover): the delivery loop is woken, not the outbox.
        if (notifications_ != nullptr) notifications_->Notify();
      });
}

grpc::ServerUnaryReactor* RmaGrpc::GetRma(Ctx* ctx, const pb::GetRmaRequest* req, pb::Rma* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetRma(c, *req); });
}

grpc::ServerUnaryReactor* RmaGrpc::ListRmas(Ctx* ctx, const pb::ListRmasRequest* req,
                                            pb::ListRmasResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListRmas(c, *req); });
}

grpc::ServerUnaryReactor* RmaGrpc::ListOverdueReturns(Ctx* ctx,
                                                      const pb::ListOverdueReturnsRequest* req,
                                                      pb::ListOverdueReturnsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListOverdueReturns(c, *req); });
}

grpc::ServerUnaryReactor* RmaGrpc::UpdateRma(Ctx* ctx, const pb::UpdateRmaRequest* req,
                                             pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, ctx, req](const Principal& c) { return update_rma_.Run(c, CurrentCall(ctx), *req); },
      [this](pb::Rma&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::CancelRma(Ctx* ctx, const pb::CancelRmaRequest* req,
                                             pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp, [this, req](const Principal& c) { return cancel_rma_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::ApproveRma(Ctx* ctx, const pb::ApproveRmaRequest* req,
                                              pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, ctx, req](const Principal& c) { return approve_rma_.Run(c, CurrentCall(ctx), *req); },
      [this](pb::Rma&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::RejectRma(Ctx* ctx, const pb::RejectRmaRequest* req,
                                             pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp, [this, req](const Principal& c) { return reject_rma_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipReplacement(Ctx* ctx, const pb::ShipReplacementRequest* req,
                                                   pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return ship_replacement_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::ReceiveReturn(Ctx* ctx, const pb::ReceiveReturnRequest* req,
                                                 pb::ReceiveReturnResponse* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return receive_return_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::RecordRepair(Ctx* ctx, const pb::RecordRepairRequest* req,
                                                pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp, [this, req](const Principal& c) { return record_repair_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipRepairedUnit(Ctx* ctx,
                                                    const pb::ShipRepairedUnitRequest* req,
                                                    pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return ship_repaired_unit_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::CloseRma(Ctx* ctx, const pb::CloseRmaRequest* req,
                                            pb::Rma* resp) {
  return Answer(
      ctx, executor_, resp, [this, req](const Principal& c) { return close_rma_.Run(c, *req); },
      [this](auto&) { WakeOutbox(); });
}

grpc::ServerUnaryReactor* RmaGrpc::ListNotifications(Ctx* ctx,
                                                     const pb::ListNotificationsRequest* req,
                                                     pb::ListNotificationsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListNotifications(c, *req); });
}

grpc::ServerUnaryReactor* RmaGrpc::GetReturnLabel(Ctx* ctx, const pb::GetReturnLabelRequest* req,
                                                  pb::ReturnLabel* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetReturnLabel(c, *req); });
}

grpc::ServerUnaryReactor* RmaGrpc::ListReturnLocations(Ctx* ctx,
                                                       const pb::ListReturnLocationsRequest* req,
                                                       pb::ListReturnLocationsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListReturnLocations(c, *req); });
}

}  // namespace aftercare::rma
