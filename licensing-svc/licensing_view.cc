#include "licensing-svc/licensing_view.h"

#include "common/etag.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::licensing {

absl::StatusOr<LicenseProduct> FromProto(const pb::LicenseProduct& p) {
  LicenseProduct out;
  out.sku = p.sku();
  out.feature = p.feature();
  out.capacity = p.capacity();
  ASSIGN_OR_RETURN(out.term_type,
                   FromEnum<TermType>(p.term_type(), pb::TermType_IsValid, "product.term_type"));
  out.term_months = p.term_months();
  ASSIGN_OR_RETURN(out.system, FromEnum<LicensingSystem>(p.licensing_system(),
                                                          pb::LicensingSystem_IsValid,
                                                          "product.licensing_system"));
  out.unlock_key_required = p.unlock_key_required();
  out.max_devices = p.max_devices();
  return out;
}

void ToProto(const LicenseProduct& p, pb::LicenseProduct* out) {
  out->set_sku(p.sku);
  out->set_feature(p.feature);
  out->set_capacity(p.capacity);
  out->set_term_type(static_cast<pb::TermType>(p.term_type));
  out->set_term_months(p.term_months);
  out->set_licensing_system(static_cast<pb::LicensingSystem>(p.system));
  out->set_unlock_key_required(p.unlock_key_required);
  out->set_max_devices(p.max_devices);
}

void ToProto(const Entitlement& e, pb::Entitlement* out) {
  out->set_entitlement_id(e.id);
  out->set_account_id(e.account_id);
  ToProto(e.product, out->mutable_product());
  out->set_kind(static_cast<pb::EntitlementKind>(e.kind));
  out->set_order_reference(e.order_reference);
  SetTime(e.start_time, out->mutable_start_time());
  if (e.term_end) SetTime(*e.term_end, out->mutable_term_end_time());
  out->set_active_devices(e.active_devices);
  out->set_renewal_count(e.renewal_count);
  SetTime(e.create_time, out->mutable_create_time());
  SetTime(e.update_time, out->mutable_update_time());
  out->set_etag(Etag(e.version));
}

void ToProto(const License& l, pb::License* out) {
  out->set_license_id(l.id);
  out->set_entitlement_id(l.entitlement_id);
  out->set_account_id(l.account_id);
  out->set_sku(l.sku);
  out->set_feature(l.feature);
  out->set_capacity(l.capacity);
  out->set_licensing_system(static_cast<pb::LicensingSystem>(l.system));
  out->set_term_type(static_cast<pb::TermType>(l.term_type));
  out->set_device_serial(l.device_serial);
  out->set_state(static_cast<pb::LicenseState>(l.state));
  SetTime(l.not_before, out->mutable_not_before());
  if (l.not_after) SetTime(*l.not_after, out->mutable_not_after());
  out->set_key_id(l.key_id);
  out->set_license_key(l.license_key);
  out->set_key_generation(l.key_generation);
  out->set_revocation_reason(static_cast<pb::RevocationReason>(l.revocation_reason));
  out->set_revocation_note(l.revocation_note);
  if (l.revoke_time) SetTime(*l.revoke_time, out->mutable_revoke_time());
  out->set_replaces_license_id(l.replaces_license_id);
  out->set_rma_number(l.rma_number);
  SetTime(l.create_time, out->mutable_create_time());
  SetTime(l.update_time, out->mutable_update_time());
  out->set_etag(Etag(l.version));
}

void ToProto(const RmaTransfer& t, pb::RmaTransfer* out) {
  out->set_rma_number(t.rma_number);
  out->set_account_id(t.account_id);
  out->set_from_serial(t.from_serial);
  out->set_to_serial(t.to_serial);
  for (const TransferredLicense& i : t.licenses) {
    pb::TransferredLicense* p = out->add_licenses();
    p->set_old_license_id(i.old_license_id);
    p->set_new_license_id(i.new_license_id);
  }
  out->set_requested_by(t.requested_by);
  SetTime(t.create_time, out->mutable_create_time());
}

void ToProto(const Notification& n, pb::Notification* out) {
  out->set_notification_id(n.id);
  out->set_account_id(n.account_id);
  out->set_entitlement_id(n.entitlement_id);
  out->set_kind(n.kind);
  out->set_subject(n.subject);
  out->set_body(n.body);
  SetTime(n.create_time, out->mutable_create_time());
}

pb::CreateEntitlementResponse ToProto(const PurchaseResult& r) {
  pb::CreateEntitlementResponse out;
  ToProto(r.entitlement, out.mutable_entitlement());
  out.set_activation_code(r.sealed_activation_code);
  if (r.entitlement.kind == EntitlementKind::kRightToUse) {
    pb::RightToUse* rtu = out.mutable_right_to_use();
    rtu->set_rtu_number(r.entitlement.id);
    rtu->set_account_id(r.entitlement.account_id);
    ToProto(r.entitlement.product, rtu->mutable_product());
    rtu->set_order_reference(r.entitlement.order_reference);
    SetTime(r.entitlement.create_time, rtu->mutable_issue_time());
    if (r.entitlement.term_end) SetTime(*r.entitlement.term_end, rtu->mutable_term_end_time());
  }
  return out;
}

}  // namespace aftercare::licensing
