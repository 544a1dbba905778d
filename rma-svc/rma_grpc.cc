#include "rma-svc/rma_grpc.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/mutation.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/call_context.h"
#include "common/db/sql_time.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::rma {
namespace {

pb::Notification ToProto(const Notification& n) {
  pb::Notification out;
  out.set_notification_id(n.id);
  out.set_validation_number(n.validation_number);
  out.set_rma_number(n.rma_number);
  out.set_template_(n.template_name);
  out.set_recipient(n.recipient);
  out.set_copy_to_case_id(n.copy_to_case_id);
  out.set_subject(n.subject);
  out.set_body(n.body);
  out.set_status(static_cast<pb::RmaStatus>(n.status));
  SetTime(n.create_time, out.mutable_create_time());
  if (n.deliver_time) SetTime(*n.deliver_time, out.mutable_deliver_time());
  return out;
}

void ToProto(const ReturnLocation& l, pb::ReturnLocation* out) {
  out->set_location_code(l.code);
  out->set_name(l.name);
  out->set_theater(l.theater);
  ToProto(l.address, out->mutable_address());
  for (const auto& c : l.served_region_codes) out->add_served_region_codes(c);
}

}  // namespace

template <typename Req, typename Body>
grpc::ServerUnaryReactor* RmaGrpc::RmaMutation(Ctx* ctx, const Req* req, pb::Rma* resp,
                                               const char* method, Body body) {
  return MutatingUnary(
      ctx, executor_, store_, {method, method}, req, resp, NoPreparation,
      [body = std::move(body)](const Principal& caller, NothingToPrepare, RmaRepository& repo) {
        return body(caller, repo);
      },
      [this](const Rma& r) { return ToProto(r, clock_.Now()); },
      [this](pb::Rma&) {
        WakeOutbox();
        return absl::OkStatus();
      });
}

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
  return ReadingUnary(
      ctx, executor_, store_, "get rma", resp,
      [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.Get(caller, req->name(), repo);
      },
      [this](const Rma& r, pb::Rma* out) { *out = ToProto(r, clock_.Now()); });
}

grpc::ServerUnaryReactor* RmaGrpc::ListRmas(Ctx* ctx, const pb::ListRmasRequest* req,
                                            pb::ListRmasResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list rmas", resp,
      [req](const Principal&) -> absl::StatusOr<RmaFilter> {
        RmaFilter filter;
        ASSIGN_OR_RETURN(filter.status,
                         FromEnum<Status>(req->status(), pb::RmaStatus_IsValid, "status"));
        ASSIGN_OR_RETURN(filter.type, FromEnum<RmaType>(req->type(), pb::RmaType_IsValid, "type"));
        filter.account_id = req->account_id();
        filter.serial = req->serial_number();
        filter.overdue = req->overdue();
        return filter;
      },
      [this, req](const Principal& caller, const RmaFilter& filter, RmaRepository& repo) {
        return domain_.List(caller, filter, req->page_size(), req->page_token(), repo);
      },
      [this](const Page<Rma>& page, pb::ListRmasResponse* out) {
        const absl::Time now = clock_.Now();
        FillPage(page, out, [now](const Rma& r, auto* o) { *o->add_rmas() = ToProto(r, now); });
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ListOverdueReturns(Ctx* ctx,
                                                      const pb::ListOverdueReturnsRequest* req,
                                                      pb::ListOverdueReturnsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list overdue returns", resp,
      [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.ListOverdue(caller, req->page_size(), req->page_token(), repo);
      },
      [this](const Page<Rma>& page, pb::ListOverdueReturnsResponse* out) {
        const absl::Time now = clock_.Now();
        FillPage(page, out, [now](const Rma& r, auto* o) { *o->add_rmas() = ToProto(r, now); });
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
  return RmaMutation(
      ctx, req, resp, "CancelRma", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.Cancel(caller, req->name(), req->reason(), req->etag(), repo);
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
  return RmaMutation(
      ctx, req, resp, "RejectRma", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.Reject(caller, req->name(), req->reason(), req->etag(), repo);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipReplacement(Ctx* ctx, const pb::ShipReplacementRequest* req,
                                                   pb::Rma* resp) {
  return RmaMutation(
      ctx, req, resp, "ShipReplacement", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.ShipReplacement(caller, req->name(), req->carrier(), req->tracking_number(),
                                       repo);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ReceiveReturn(Ctx* ctx, const pb::ReceiveReturnRequest* req,
                                                 pb::ReceiveReturnResponse* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"ReceiveReturn", "receive return"}, req, resp, NoPreparation,
      [this, req](const Principal& caller, NothingToPrepare, RmaRepository& repo) {
        return domain_.Receive(caller, req->rma_number(), req->serial_number(), req->note(), repo);
      },
      [this](const ReceiveResult& r) {
        pb::ReceiveReturnResponse out;
        out.set_accepted(r.accepted);
        *out.mutable_rma() = ToProto(r.rma, clock_.Now());
        if (r.exception) ToProto(*r.exception, out.mutable_exception());
        return out;
      },
      [this](pb::ReceiveReturnResponse&) {
        WakeOutbox();
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RmaGrpc::RecordRepair(Ctx* ctx, const pb::RecordRepairRequest* req,
                                                pb::Rma* resp) {
  return RmaMutation(
      ctx, req, resp, "RecordRepair", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.RecordRepair(caller, req->name(), req->repair_summary(),
                                    req->software_version(), repo);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipRepairedUnit(Ctx* ctx, const pb::ShipRepairedUnitRequest* req,
                                                    pb::Rma* resp) {
  return RmaMutation(
      ctx, req, resp, "ShipRepairedUnit", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.ShipRepaired(caller, req->name(), req->carrier(), req->tracking_number(),
                                    repo);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::CloseRma(Ctx* ctx, const pb::CloseRmaRequest* req,
                                            pb::Rma* resp) {
  return RmaMutation(
      ctx, req, resp, "CloseRma", [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.Close(caller, req->name(), req->note(), repo);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ListNotifications(Ctx* ctx,
                                                     const pb::ListNotificationsRequest* req,
                                                     pb::ListNotificationsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list notifications", resp,
      [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.ListNotifications(caller, req->name(), req->page_size(), req->page_token(),
                                         repo);
      },
      [](const Page<Notification>& page, pb::ListNotificationsResponse* out) {
        FillPage(page, out,
                 [](const Notification& n, auto* o) { *o->add_notifications() = ToProto(n); });
      });
}

grpc::ServerUnaryReactor* RmaGrpc::GetReturnLabel(Ctx* ctx, const pb::GetReturnLabelRequest* req,
                                                  pb::ReturnLabel* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get return label", resp,
      [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.GetReturnLabel(caller, req->name(), repo);
      },
      [](const ReturnLabel& l, pb::ReturnLabel* out) {
        out->set_rma_number(l.rma_number);
        out->set_serial_number(l.serial);
        ToProto(l.location, out->mutable_return_location());
        ToProto(l.ship_from, out->mutable_ship_from());
        out->set_barcode_payload(l.barcode_payload);
        out->set_instructions(l.instructions);
      });
}

grpc::ServerUnaryReactor* RmaGrpc::ListReturnLocations(Ctx* ctx,
                                                       const pb::ListReturnLocationsRequest* req,
                                                       pb::ListReturnLocationsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list return locations", resp,
      [this, req](const Principal& caller, RmaRepository& repo) {
        return domain_.ListReturnLocations(caller, req->region_code(), req->theater(),
                                           req->page_size(), req->page_token(), repo);
      },
      [](const Page<ReturnLocation>& page, pb::ListReturnLocationsResponse* out) {
        FillPage(page, out,
                 [](const ReturnLocation& l, auto* o) { ToProto(l, o->add_return_locations()); });
      });
}

}  // namespace aftercare::rma
