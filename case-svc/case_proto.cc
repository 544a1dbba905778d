#include "case-svc/case_proto.h"

#include "absl/strings/str_cat.h"
#include "common/etag.h"
#include "common/proto_convert.h"
#include "common/db/sql_time.h"
#include "common/status.h"

namespace aftercare::cases {

absl::StatusOr<MisShipment> FromProto(const pb::MisShipment& m, const std::string& field) {
  MisShipment out;
  out.order_number = m.order_number();
  if (m.has_ship_time()) {
    ASSIGN_OR_RETURN(out.ship_time, FromTimestamp(m.ship_time(), field + ".ship_time"));
  }
  out.ordered_directly = m.ordered_directly();
  ASSIGN_OR_RETURN(out.category, FromEnum<MisShipmentCategory>(
                                     m.category(), pb::MisShipmentCategory_IsValid, field + ".category"));
  for (const auto& l : m.lines()) out.lines.push_back({l.sku(), l.quantity(), l.note()});
  out.corrected_tracking_number = m.corrected_tracking_number();
  return out;
}

void ToProto(const MisShipment& m, pb::MisShipment* out) {
  out->set_order_number(m.order_number);
  if (m.ship_time != absl::InfinitePast()) SetTime(m.ship_time, out->mutable_ship_time());
  out->set_ordered_directly(m.ordered_directly);
  out->set_category(static_cast<pb::MisShipmentCategory>(m.category));
  for (const auto& l : m.lines) {
    auto* o = out->add_lines();
    o->set_sku(l.sku);
    o->set_quantity(l.quantity);
    o->set_note(l.note);
  }
  out->set_corrected_tracking_number(m.corrected_tracking_number);
}

absl::StatusOr<Case> CaseFromProto(const pb::Case& c) {
  Case out;
  ASSIGN_OR_RETURN(out.request_type, FromEnum<RequestType>(c.request_type(), pb::RequestType_IsValid,
                                                           "case.request_type"));
  out.sub_type = c.sub_type();
  ASSIGN_OR_RETURN(out.priority,
                   FromEnum<Priority>(c.priority(), pb::Priority_IsValid, "case.priority"));
  ASSIGN_OR_RETURN(out.follow_up, FromEnum<FollowUp>(c.follow_up_method(), pb::FollowUpMethod_IsValid,
                                                     "case.follow_up_method"));
  out.callback_phone = c.callback_phone();
  out.summary = c.summary();
  out.description = c.description();
  out.serial = c.serial_number();
  out.ssrn = c.ssrn();
  out.account_id = c.account_id();
  out.notification_emails.assign(c.notification_emails().begin(), c.notification_emails().end());
  if (c.has_mis_shipment()) {
    ASSIGN_OR_RETURN(MisShipment m, FromProto(c.mis_shipment(), "case.mis_shipment"));
    out.mis_shipment = std::move(m);
  }
  return out;
}

absl::StatusOr<std::vector<TradeInLine>> LinesFromProto(
    const google::protobuf::RepeatedPtrField<pb::TradeInLine>& lines, const std::string& field) {
  std::vector<TradeInLine> out;
  for (const auto& l : lines) {
    TradeInLine line;
    line.line_number = l.line_number();
    line.sku = l.sku();
    line.quantity = l.quantity();
    line.serials.assign(l.serial_numbers().begin(), l.serial_numbers().end());
    out.push_back(std::move(line));
  }
  (void)field;
  return out;
}

absl::StatusOr<TradeIn> TradeInFromProto(const pb::TradeInCase& t, bool full) {
  TradeIn out;
  out.account_id = t.account_id();
  out.order_number = t.order_number();
  out.order_time = absl::InfinitePast();
  if (t.has_order_time()) {
    ASSIGN_OR_RETURN(out.order_time, FromTimestamp(t.order_time(), "trade_in_case.order_time"));
  }
  ASSIGN_OR_RETURN(out.phase, FromEnum<TmipPhase>(t.phase(), pb::TmipPhase_IsValid, "trade_in_case.phase"));
  out.new_order_skus.assign(t.new_order_skus().begin(), t.new_order_skus().end());
  ASSIGN_OR_RETURN(out.lines, LinesFromProto(t.lines(), "trade_in_case.lines"));
  ASSIGN_OR_RETURN(out.disposition, FromEnum<Disposition>(t.disposition(), pb::Disposition_IsValid,
                                                          "trade_in_case.disposition"));
  out.credit_currency = t.credit().currency_code();
  out.credit_minor = t.credit().amount_minor();
  if (!full) return out;
  for (int i = 0; i < t.lines_size(); ++i) {
    out.lines[i].received_serials.assign(t.lines(i).received_serial_numbers().begin(),
                                         t.lines(i).received_serial_numbers().end());
    out.lines[i].destroyed_serials.assign(t.lines(i).destroyed_serial_numbers().begin(),
                                          t.lines(i).destroyed_serial_numbers().end());
  }
  out.id = t.case_id();
  out.opened_by = t.opened_by();
  out.status = static_cast<TradeInStatus>(t.status());
  out.due_time = absl::FromUnixSeconds(t.documents_due_time().seconds()) +
                 absl::Nanoseconds(t.documents_due_time().nanos());
  out.extension = static_cast<ExtensionStatus>(t.extension_status());
  if (t.has_requested_due_time()) {
    out.requested_due_time = absl::FromUnixSeconds(t.requested_due_time().seconds()) +
                             absl::Nanoseconds(t.requested_due_time().nanos());
  }
  out.extension_reason = t.extension_reason();
  if (t.has_shipping_instructions()) {
    const auto& s = t.shipping_instructions();
    ShippingInstructions si;
    const auto& a = s.return_address();
    si.return_address = {a.region_code(), a.postal_code(), a.administrative_area(), a.locality(),
                         {a.address_lines().begin(), a.address_lines().end()}, a.recipient(),
                         a.organization()};
    si.prepaid_label_reference = s.prepaid_label_reference();
    si.issue_time = absl::FromUnixSeconds(s.issue_time().seconds()) +
                    absl::Nanoseconds(s.issue_time().nanos());
    out.shipping = std::move(si);
  }
  for (const auto& e : t.exceptions()) {
    out.exceptions.push_back({e.serial_number(), e.sku(), e.reason(),
                              absl::FromUnixSeconds(e.record_time().seconds()) +
                                  absl::Nanoseconds(e.record_time().nanos())});
  }
  out.form_version = t.trade_in_form_version();
  out.create_time = absl::FromUnixSeconds(t.create_time().seconds()) +
                    absl::Nanoseconds(t.create_time().nanos());
  out.update_time = absl::FromUnixSeconds(t.update_time().seconds()) +
                    absl::Nanoseconds(t.update_time().nanos());
  if (t.has_close_time()) {
    out.close_time = absl::FromUnixSeconds(t.close_time().seconds()) +
                     absl::Nanoseconds(t.close_time().nanos());
  }
  return out;
}

void ToProto(const TradeIn& t, pb::TradeInCase* out) {
  out->set_case_id(t.id);
  out->set_account_id(t.account_id);
  out->set_opened_by(t.opened_by);
  out->set_order_number(t.order_number);
  SetTime(t.order_time, out->mutable_order_time());
  out->set_phase(static_cast<pb::TmipPhase>(t.phase));
  for (const auto& s : t.new_order_skus) out->add_new_order_skus(s);
  for (const auto& l : t.lines) {
    auto* o = out->add_lines();
    o->set_line_number(l.line_number);
    o->set_sku(l.sku);
    o->set_quantity(l.quantity);
    for (const auto& s : l.serials) o->add_serial_numbers(s);
    o->set_received_quantity(static_cast<int32_t>(l.received_serials.size()));
    o->set_destroyed_quantity(static_cast<int32_t>(l.destroyed_serials.size()));
    for (const auto& s : l.received_serials) o->add_received_serial_numbers(s);
    for (const auto& s : l.destroyed_serials) o->add_destroyed_serial_numbers(s);
  }
  out->set_disposition(static_cast<pb::Disposition>(t.disposition));
  if (!t.credit_currency.empty() || t.credit_minor != 0) {
    out->mutable_credit()->set_currency_code(t.credit_currency);
    out->mutable_credit()->set_amount_minor(t.credit_minor);
  }
  out->set_status(static_cast<pb::TradeInStatus>(t.status));
  SetTime(t.due_time, out->mutable_documents_due_time());
  out->set_extension_status(static_cast<pb::ExtensionStatus>(t.extension));
  if (t.requested_due_time) SetTime(*t.requested_due_time, out->mutable_requested_due_time());
  out->set_extension_reason(t.extension_reason);
  if (t.shipping) {
    auto* s = out->mutable_shipping_instructions();
    ToProto(t.shipping->return_address, s->mutable_return_address());
    s->set_prepaid_label_reference(t.shipping->prepaid_label_reference);
    SetTime(t.shipping->issue_time, s->mutable_issue_time());
  }
  for (const auto& e : t.exceptions) {
    auto* o = out->add_exceptions();
    o->set_serial_number(e.serial);
    o->set_sku(e.sku);
    o->set_reason(e.reason);
    SetTime(e.time, o->mutable_record_time());
  }
  out->set_trade_in_form_version(t.form_version);
  SetTime(t.create_time, out->mutable_create_time());
  SetTime(t.update_time, out->mutable_update_time());
  if (t.close_time) SetTime(*t.close_time, out->mutable_close_time());
  out->set_etag(Etag(t.version));
}

absl::StatusOr<CodDetails> FromProto(const pb::CodDetails& c) {
  CodDetails out;
  out.serials.assign(c.destroyed_serial_numbers().begin(), c.destroyed_serial_numbers().end());
  out.signer_name = c.signer_name();
  out.signer_title = c.signer_title();
  out.sign_date = c.sign_date();
  return out;
}

void ToProto(const CodDetails& c, pb::CodDetails* out) {
  for (const auto& s : c.serials) out->add_destroyed_serial_numbers(s);
  out->set_signer_name(c.signer_name);
  out->set_signer_title(c.signer_title);
  out->set_sign_date(c.sign_date);
}

void ToProto(const Attachment& a, pb::Attachment* out) {
  out->set_attachment_id(AttachmentName(a.id));
  out->set_case_id(a.case_id);
  out->set_kind(static_cast<pb::AttachmentKind>(a.kind));
  out->set_file_name(a.file_name);
  out->set_content_type(a.content_type);
  out->set_size_bytes(a.size);
  out->set_sha256(a.sha256);
  out->set_version(a.version);
  out->set_uploaded_by(a.uploaded_by);
  SetTime(a.create_time, out->mutable_create_time());
  if (a.cod) ToProto(*a.cod, out->mutable_cod());
}

void ToProto(const CaseEvent& e, pb::CaseEvent* out) {
  out->set_event_id(e.id);
  out->set_case_id(e.case_id);
  SetTime(e.time, out->mutable_event_time());
  out->set_actor(e.actor);
  out->set_actor_role(e.actor_role);
  out->set_kind(e.kind);
  out->set_detail(e.detail);
  out->set_internal(e.internal);
}

void ToProto(const TechnicalCaseNote& n, pb::TechnicalCaseNote* out) {
  out->set_technical_case_id(n.technical_case_id);
  out->set_account_id(n.account_id);
  out->set_note_id(n.note_id);
  out->set_source(n.source);
  out->set_subject(n.subject);
  out->set_body(n.body);
  out->set_visibility(static_cast<pb::NoteVisibility>(n.visibility));
  SetTime(n.create_time, out->mutable_create_time());
}

}  // namespace aftercare::cases
