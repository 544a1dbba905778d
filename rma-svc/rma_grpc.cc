#include "rma-svc/rma_grpc.h"

#include "common/call_context.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::rma {

grpc::ServerUnaryReactor* RmaGrpc::CreateRma(Ctx* ctx, const pb::CreateRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_rma_.Run(caller, CurrentCall(ctx), *req));
    // The request-opened notification's deliveries are written in the
    // transaction (rma.h, Handover): the delivery loop is woken, not the outbox.
    if (notifications_ != nullptr) notifications_->Notify();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::GetRma(Ctx* ctx, const pb::GetRmaRequest* req, pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetRma(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListRmas(Ctx* ctx, const pb::ListRmasRequest* req,
                                            pb::ListRmasResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListRmas(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListOverdueReturns(Ctx* ctx,
                                                      const pb::ListOverdueReturnsRequest* req,
                                                      pb::ListOverdueReturnsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListOverdueReturns(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::UpdateRma(Ctx* ctx, const pb::UpdateRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, update_rma_.Run(caller, CurrentCall(ctx), *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::CancelRma(Ctx* ctx, const pb::CancelRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, cancel_rma_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ApproveRma(Ctx* ctx, const pb::ApproveRmaRequest* req,
                                              pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, approve_rma_.Run(caller, CurrentCall(ctx), *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::RejectRma(Ctx* ctx, const pb::RejectRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, reject_rma_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipReplacement(Ctx* ctx, const pb::ShipReplacementRequest* req,
                                                   pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, ship_replacement_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ReceiveReturn(Ctx* ctx, const pb::ReceiveReturnRequest* req,
                                                 pb::ReceiveReturnResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, receive_return_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::RecordRepair(Ctx* ctx, const pb::RecordRepairRequest* req,
                                                pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, record_repair_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipRepairedUnit(Ctx* ctx,
                                                    const pb::ShipRepairedUnitRequest* req,
                                                    pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, ship_repaired_unit_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::CloseRma(Ctx* ctx, const pb::CloseRmaRequest* req,
                                            pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, close_rma_.Run(caller, *req));
    WakeOutbox();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListNotifications(Ctx* ctx,
                                                     const pb::ListNotificationsRequest* req,
                                                     pb::ListNotificationsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListNotifications(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::GetReturnLabel(Ctx* ctx, const pb::GetReturnLabelRequest* req,
                                                  pb::ReturnLabel* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetReturnLabel(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListReturnLocations(Ctx* ctx,
                                                       const pb::ListReturnLocationsRequest* req,
                                                       pb::ListReturnLocationsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListReturnLocations(caller, *req));
    return absl::OkStatus();
  });
}

}  // namespace aftercare::rma
