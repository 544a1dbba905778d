#include "rma-svc/rma_view.h"

#include "common/etag.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"

namespace aftercare::rma {

namespace pb = ::aftercare::rma::v1;

namespace {

void ToProto(const Shipment& s, pb::Shipment* out) {
  out->set_carrier(s.carrier);
  out->set_tracking_number(s.tracking_number);
  if (s.ship_time) SetTime(*s.ship_time, out->mutable_ship_time());
}

}  // namespace

void ToProto(const ReceiptException& e, pb::ReceiptException* out) {
  out->set_received_serial_number(e.received_serial);
  out->set_expected_serial_number(e.expected_serial);
  out->set_note(e.note);
  out->set_recorded_by(e.recorded_by);
  SetTime(e.record_time, out->mutable_record_time());
}

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

v1::Notification ToProto(const Notification& n) {
  v1::Notification out;
  out.set_notification_id(n.id);
  out.set_validation_number(n.validation_number);
  out.set_rma_number(n.rma_number);
  out.set_template_(n.template_name);
  out.set_recipient(n.recipient);
  out.set_copy_to_case_id(n.copy_to_case_id);
  out.set_subject(n.subject);
  out.set_body(n.body);
  out.set_status(static_cast<v1::RmaStatus>(n.status));
  SetTime(n.create_time, out.mutable_create_time());
  if (n.deliver_time) SetTime(*n.deliver_time, out.mutable_deliver_time());
  return out;
}

void ToProto(const ReturnLocation& l, v1::ReturnLocation* out) {
  out->set_location_code(l.code);
  out->set_name(l.name);
  out->set_theater(l.theater);
  ToProto(l.address, out->mutable_address());
  for (const auto& c : l.served_region_codes) out->add_served_region_codes(c);
}

v1::ReturnLabel ToProto(const ReturnLabel& l) {
  v1::ReturnLabel out;
  out.set_rma_number(l.rma_number);
  out.set_serial_number(l.serial);
  ToProto(l.location, out.mutable_return_location());
  ToProto(l.ship_from, out.mutable_ship_from());
  out.set_barcode_payload(l.barcode_payload);
  out.set_instructions(l.instructions);
  return out;
}

}  // namespace aftercare::rma
