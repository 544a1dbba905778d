#include "rma-svc/rma_grpc.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"
#include "common/call_context.h"
#include "common/db/sql_time.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::rma {
namespace {


void ToProto(const Shipment& s, pb::Shipment* out) {
  out->set_carrier(s.carrier);
  out->set_tracking_number(s.tracking_number);
  if (s.ship_time) SetTime(*s.ship_time, out->mutable_ship_time());
}

void ToProto(const ReceiptException& e, pb::ReceiptException* out) {
  out->set_received_serial_number(e.received_serial);
  out->set_expected_serial_number(e.expected_serial);
  out->set_note(e.note);
  out->set_recorded_by(e.recorded_by);
  SetTime(e.record_time, out->mutable_record_time());
}

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

pb::Rma ToProto(const Rma& r, absl::Time now) {
  pb::Rma out;
  out.set_rma_number(r.rma_number);
  out.set_validation_number(r.validation_number);
  out.set_status(static_cast<pb::RmaStatus>(r.status));
  out.set_type(static_cast<pb::RmaType>(r.type));
  out.set_account_id(r.account_id);
  out.set_serial_number(r.serial);
  out.set_replacement_serial_number(r.replacement_serial);
  out.set_sku(r.sku);
  out.set_technical_case_id(r.technical_case_id);
  out.set_failure_description(r.failure_description);
  out.set_damage_cause(static_cast<pb::DamageCause>(r.damage_cause));
  ToProto(r.ship_to, out.mutable_ship_to());
  out.set_contact_email(r.contact_email);
  out.set_entitlement_summary(r.entitlement_summary);
  out.set_rejection_reason(r.rejection_reason);
  out.set_cancellation_reason(r.cancellation_reason);
  out.mutable_list_price()->set_currency_code(r.list_price.currency_code);
  out.mutable_list_price()->set_amount_minor(r.list_price.amount_minor);
  if (r.replacement_shipment.ship_time) ToProto(r.replacement_shipment, out.mutable_replacement_shipment());
  out.set_return_due_date(r.return_due_date);
  if (r.return_due_time) SetTime(*r.return_due_time, out.mutable_return_due_time());
  out.set_overdue(r.Overdue(now));
  if (r.charge_minor) {
    out.mutable_non_return_charge()->set_currency_code(r.list_price.currency_code);
    out.mutable_non_return_charge()->set_amount_minor(*r.charge_minor);
  }
  if (r.charge_time) SetTime(*r.charge_time, out.mutable_charge_time());
  if (r.receive_time) SetTime(*r.receive_time, out.mutable_receive_time());
  out.set_received_by(r.received_by);
  out.set_repair_summary(r.repair_summary);
  out.set_software_version(r.software_version);
  if (r.repair_time) SetTime(*r.repair_time, out.mutable_repair_time());
  if (r.return_shipment.ship_time) ToProto(r.return_shipment, out.mutable_return_shipment());
  for (const auto& e : r.receipt_exceptions) ToProto(e, out.add_receipt_exceptions());
  out.set_created_by(r.created_by);
  out.set_approved_by(r.approved_by);
  SetTime(r.create_time, out.mutable_create_time());
  if (r.approve_time) SetTime(*r.approve_time, out.mutable_approve_time());
  if (r.close_time) SetTime(*r.close_time, out.mutable_close_time());
  SetTime(r.update_time, out.mutable_update_time());
  out.set_etag(Etag(r.version));
  return out;
}

template <typename Req, typename Fn>
absl::Status RmaGrpc::MutateRma(const Principal& caller, const Req& req, const char* method,
                                pb::Rma* resp, Fn&& body) {
  absl::Status s = store_.Mutate(IdempotencyKey::For(caller, req.request_id(), method), req, method, resp,
                                 [&](RmaRepository& repo) -> absl::StatusOr<pb::Rma> {
                                   ASSIGN_OR_RETURN(Rma r, body(repo));
                                   return ToProto(r, clock_.Now());
                                 });
  if (s.ok()) WakeOutbox();
  return s;
}

grpc::ServerUnaryReactor* RmaGrpc::CreateRma(Ctx* ctx, const pb::CreateRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    CreateCommand cmd;
    cmd.serial = req->serial_number();
    cmd.account_id = req->account_id();
    cmd.technical_case_id = req->technical_case_id();
    ASSIGN_OR_RETURN(cmd.type, FromEnum<RmaType>(req->type(), pb::RmaType_IsValid, "type"));
    cmd.failure_description = req->failure_description();
    ASSIGN_OR_RETURN(cmd.damage_cause, FromEnum<DamageCause>(req->damage_cause(),
                                                             pb::DamageCause_IsValid, "damage_cause"));
    cmd.ship_to = PostalAddressFromProto(req->ship_to());
    cmd.contact_email = req->contact_email();
    RETURN_IF_ERROR(domain_.ValidateCreate(caller, &cmd));
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    RETURN_IF_ERROR(domain_.CheckDamage(cmd.damage_cause));
    ASSIGN_OR_RETURN(EntitlementView e, inventory_.GetEntitlement(cmd.serial, CurrentCall(ctx)));
    ASSIGN_OR_RETURN(int64_t seq, validation_numbers_.Next("rma"));
    // The request-opened notification's deliveries are written in the
    // transaction (rma.h, Handover): the delivery loop is woken, not the outbox.
    absl::Status s = store_.Mutate(
        IdempotencyKey::For(caller, req->request_id(), "CreateRma"), *req, "CreateRma", resp,
        [&](RmaRepository& repo) -> absl::StatusOr<pb::Rma> {
          ASSIGN_OR_RETURN(Rma r, domain_.Create(caller, cmd, e, seq, repo));
          return ToProto(r, clock_.Now());
        });
    if (s.ok() && notifications_ != nullptr) notifications_->Notify();
    return s;
  });
}

grpc::ServerUnaryReactor* RmaGrpc::GetRma(Ctx* ctx, const pb::GetRmaRequest* req, pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return store_.Read("get rma", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(Rma r, domain_.Get(caller, req->name(), repo));
      *resp = ToProto(r, clock_.Now());
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListRmas(Ctx* ctx, const pb::ListRmasRequest* req,
                                            pb::ListRmasResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    RmaFilter filter;
    ASSIGN_OR_RETURN(filter.status, FromEnum<Status>(req->status(), pb::RmaStatus_IsValid, "status"));
    ASSIGN_OR_RETURN(filter.type, FromEnum<RmaType>(req->type(), pb::RmaType_IsValid, "type"));
    filter.account_id = req->account_id();
    filter.serial = req->serial_number();
    filter.overdue = req->overdue();
    return store_.Read("list rmas", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(auto page, domain_.List(caller, filter, req->page_size(), req->page_token(), repo));
      const absl::Time now = clock_.Now();
      for (const Rma& r : page.items) *resp->add_rmas() = ToProto(r, now);
      resp->set_next_page_token(page.next_page_token);
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListOverdueReturns(Ctx* ctx,
                                                      const pb::ListOverdueReturnsRequest* req,
                                                      pb::ListOverdueReturnsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return store_.Read("list overdue returns", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(auto page,
                       domain_.ListOverdue(caller, req->page_size(), req->page_token(), repo));
      const absl::Time now = clock_.Now();
      for (const Rma& r : page.items) *resp->add_rmas() = ToProto(r, now);
      resp->set_next_page_token(page.next_page_token);
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::UpdateRma(Ctx* ctx, const pb::UpdateRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    AmendCommand cmd;
    cmd.name = req->name().empty() ? req->rma().validation_number() : req->name();
    cmd.etag = req->etag().empty() ? req->rma().etag() : req->etag();
    for (const std::string& path : req->update_mask().paths()) cmd.mask.insert(path);
    ASSIGN_OR_RETURN(cmd.type, FromEnum<RmaType>(req->rma().type(), pb::RmaType_IsValid, "rma.type"));
    cmd.failure_description = req->rma().failure_description();
    ASSIGN_OR_RETURN(cmd.damage_cause,
                     FromEnum<DamageCause>(req->rma().damage_cause(), pb::DamageCause_IsValid,
                                           "rma.damage_cause"));
    cmd.ship_to = PostalAddressFromProto(req->rma().ship_to());
    cmd.contact_email = req->rma().contact_email();
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    Rma current;
    RETURN_IF_ERROR(store_.Read("amend rma", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(current, domain_.PrepareAmend(caller, &cmd, repo));
      return absl::OkStatus();
    }));
    ASSIGN_OR_RETURN(EntitlementView e, inventory_.GetEntitlement(current.serial, CurrentCall(ctx)));
    return MutateRma(caller, *req, "UpdateRma", resp,
                     [&](RmaRepository& repo) { return domain_.Amend(caller, cmd, e, repo); });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::CancelRma(Ctx* ctx, const pb::CancelRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "CancelRma", resp, [&](RmaRepository& repo) {
      return domain_.Cancel(caller, req->name(), req->reason(), req->etag(), repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ApproveRma(Ctx* ctx, const pb::ApproveRmaRequest* req,
                                              pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    RETURN_IF_ERROR(ValidateRequestId(req->request_id()));
    Rma current;
    RETURN_IF_ERROR(store_.Read("approve rma", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(current, domain_.PrepareApprove(caller, req->name(), repo));
      return absl::OkStatus();
    }));
    ASSIGN_OR_RETURN(EntitlementView e, inventory_.GetEntitlement(current.serial, CurrentCall(ctx)));
    ASSIGN_OR_RETURN(int64_t seq, rma_numbers_.Next("rma"));
    return MutateRma(caller, *req, "ApproveRma", resp, [&](RmaRepository& repo) {
      return domain_.Approve(caller, req->name(), req->etag(), e, seq, repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::RejectRma(Ctx* ctx, const pb::RejectRmaRequest* req,
                                             pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "RejectRma", resp, [&](RmaRepository& repo) {
      return domain_.Reject(caller, req->name(), req->reason(), req->etag(), repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipReplacement(Ctx* ctx, const pb::ShipReplacementRequest* req,
                                                   pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "ShipReplacement", resp, [&](RmaRepository& repo) {
      return domain_.ShipReplacement(caller, req->name(), req->carrier(), req->tracking_number(),
                                     repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ReceiveReturn(Ctx* ctx, const pb::ReceiveReturnRequest* req,
                                                 pb::ReceiveReturnResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    absl::Status s = store_.Mutate(
        IdempotencyKey::For(caller, req->request_id(), "ReceiveReturn"), *req, "receive return", resp,
        [&](RmaRepository& repo) -> absl::StatusOr<pb::ReceiveReturnResponse> {
          ASSIGN_OR_RETURN(ReceiveResult r, domain_.Receive(caller, req->rma_number(),
                                                            req->serial_number(), req->note(), repo));
          pb::ReceiveReturnResponse out;
          out.set_accepted(r.accepted);
          *out.mutable_rma() = ToProto(r.rma, clock_.Now());
          if (r.exception) ToProto(*r.exception, out.mutable_exception());
          return out;
        });
    if (s.ok()) WakeOutbox();
    return s;
  });
}

grpc::ServerUnaryReactor* RmaGrpc::RecordRepair(Ctx* ctx, const pb::RecordRepairRequest* req,
                                                pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "RecordRepair", resp, [&](RmaRepository& repo) {
      return domain_.RecordRepair(caller, req->name(), req->repair_summary(),
                                  req->software_version(), repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ShipRepairedUnit(Ctx* ctx, const pb::ShipRepairedUnitRequest* req,
                                                    pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "ShipRepairedUnit", resp, [&](RmaRepository& repo) {
      return domain_.ShipRepaired(caller, req->name(), req->carrier(), req->tracking_number(),
                                  repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::CloseRma(Ctx* ctx, const pb::CloseRmaRequest* req,
                                            pb::Rma* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return MutateRma(caller, *req, "CloseRma", resp, [&](RmaRepository& repo) {
      return domain_.Close(caller, req->name(), req->note(), repo);
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListNotifications(Ctx* ctx,
                                                     const pb::ListNotificationsRequest* req,
                                                     pb::ListNotificationsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return store_.Read("list notifications", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(auto page, domain_.ListNotifications(caller, req->name(), req->page_size(),
                                                            req->page_token(), repo));
      for (const Notification& n : page.items) *resp->add_notifications() = ToProto(n);
      resp->set_next_page_token(page.next_page_token);
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::GetReturnLabel(Ctx* ctx, const pb::GetReturnLabelRequest* req,
                                                  pb::ReturnLabel* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return store_.Read("get return label", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(ReturnLabel l, domain_.GetReturnLabel(caller, req->name(), repo));
      resp->set_rma_number(l.rma_number);
      resp->set_serial_number(l.serial);
      ToProto(l.location, resp->mutable_return_location());
      ToProto(l.ship_from, resp->mutable_ship_from());
      resp->set_barcode_payload(l.barcode_payload);
      resp->set_instructions(l.instructions);
      return absl::OkStatus();
    });
  });
}

grpc::ServerUnaryReactor* RmaGrpc::ListReturnLocations(Ctx* ctx,
                                                       const pb::ListReturnLocationsRequest* req,
                                                       pb::ListReturnLocationsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    return store_.Read("list return locations", [&](RmaRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(auto page,
                       domain_.ListReturnLocations(caller, req->region_code(), req->theater(),
                                                   req->page_size(), req->page_token(), repo));
      for (const ReturnLocation& l : page.items) ToProto(l, resp->add_return_locations());
      resp->set_next_page_token(page.next_page_token);
      return absl::OkStatus();
    });
  });
}

}  // namespace aftercare::rma
