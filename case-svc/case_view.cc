#include "case-svc/case_view.h"

#include "case-svc/case_proto.h"
#include "common/etag.h"
#include "common/proto_convert.h"

namespace aftercare::cases {

pb::Case CaseToProto(const Case& c, const Cases& domain, absl::Time now) {
  pb::Case out;
  out.set_case_id(c.id);
  out.set_request_type(static_cast<pb::RequestType>(c.request_type));
  out.set_sub_type(c.sub_type);
  out.set_priority(static_cast<pb::Priority>(c.priority));
  out.set_status(static_cast<pb::CaseStatus>(c.status));
  out.set_follow_up_method(static_cast<pb::FollowUpMethod>(c.follow_up));
  out.set_callback_phone(c.callback_phone);
  out.set_summary(c.summary);
  out.set_description(c.description);
  out.set_serial_number(c.serial);
  for (const std::string& e : c.notification_emails) out.add_notification_emails(e);
  out.set_ssrn(c.ssrn);
  out.set_product_series(c.product_series);
  out.set_product_platform(c.product_platform);
  out.set_product_lookup_state(static_cast<pb::ProductLookupState>(c.lookup));
  out.set_account_id(c.account_id);
  out.set_opened_by(c.opened_by);
  out.set_owner(c.owner);
  out.set_escalation_level(c.escalation_level);
  out.set_team_lead_attention(c.team_lead_attention);
  SetTime(c.create_time, out.mutable_create_time());
  SetTime(c.update_time, out.mutable_update_time());
  SetTime(domain.ResponseDue(c, now), out.mutable_response_due_time());
  if (c.first_response_time) SetTime(*c.first_response_time, out.mutable_first_response_time());
  out.set_breaching(domain.Breaching(c, now));
  out.set_sla_paused(c.sla.paused_at.has_value());
  if (c.mis_shipment) ToProto(*c.mis_shipment, out.mutable_mis_shipment());
  out.set_reinstatement_status(static_cast<pb::ReinstatementStatus>(c.reinstatement));
  out.set_resolution(c.resolution);
  if (c.resolve_time) SetTime(*c.resolve_time, out.mutable_resolve_time());
  if (c.close_time) SetTime(*c.close_time, out.mutable_close_time());
  out.set_etag(Etag(c.version));
  return out;
}

}  // namespace aftercare::cases
