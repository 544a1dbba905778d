#include "inventory-svc/inventory_view.h"

#include "common/etag.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::inventory {

// --- proto -> domain ---------------------------------------------------------

absl::StatusOr<Product> FromProto(const pb::Product& p) {
  Product out;
  out.sku = p.sku();
  out.display_name = p.display_name();
  ASSIGN_OR_RETURN(out.family, FromEnum<Family>(p.family(), pb::ProductFamily_IsValid, "product.family"));
  out.series = p.series();
  out.platform = p.platform();
  out.list_price.currency_code = p.list_price().currency_code();
  out.list_price.amount_minor = p.list_price().amount_minor();
  ASSIGN_OR_RETURN(out.lifecycle,
                   FromEnum<Lifecycle>(p.lifecycle(), pb::Lifecycle_IsValid, "product.lifecycle"));
  if (p.has_end_of_production_time()) {
    ASSIGN_OR_RETURN(out.end_of_production_time,
                     FromTimestamp(p.end_of_production_time(), "product.end_of_production_time"));
  }
  out.latest_software_release = p.latest_software_release();
  out.standard_warranty_months = p.standard_warranty_months();
  return out;
}

absl::StatusOr<SupportOption> FromProto(const pb::SupportOption& o, const std::string& field) {
  SupportOption out;
  ASSIGN_OR_RETURN(out.level, FromEnum<SupportLevel>(o.level(), pb::SupportLevel_IsValid,
                                                     (field + ".level").c_str()));
  out.term_months = o.term_months();
  out.pre_approval_reference = o.pre_approval_reference();
  return out;
}

// --- domain -> proto ---------------------------------------------------------

void SetMoney(const std::string& currency, int64_t minor, aftercare::common::v1::Money* out) {
  out->set_currency_code(currency);
  out->set_amount_minor(minor);
}

void ToProto(const Product& p, pb::Product* out) {
  out->set_sku(p.sku);
  out->set_display_name(p.display_name);
  out->set_family(static_cast<pb::ProductFamily>(p.family));
  out->set_series(p.series);
  out->set_platform(p.platform);
  SetMoney(p.list_price.currency_code, p.list_price.amount_minor, out->mutable_list_price());
  out->set_lifecycle(static_cast<pb::Lifecycle>(p.lifecycle));
  if (p.end_of_production_time) SetTime(*p.end_of_production_time, out->mutable_end_of_production_time());
  out->set_latest_software_release(p.latest_software_release);
  out->set_standard_warranty_months(p.standard_warranty_months);
  SetTime(p.create_time, out->mutable_create_time());
  SetTime(p.update_time, out->mutable_update_time());
  out->set_etag(Etag(p.version));
}

pb::Product ToProto(const Product& p) {
  pb::Product out;
  ToProto(p, &out);
  return out;
}

void ToProto(const Unit& u, absl::Time now, pb::Unit* out) {
  const UnitState state = EffectiveState(u, now);
  out->set_serial_number(u.serial);
  out->set_sku(u.sku);
  out->set_state(static_cast<pb::UnitState>(state));
  out->set_source(static_cast<pb::UnitSource>(u.source));
  out->set_condition(static_cast<pb::UnitCondition>(u.condition));
  out->set_certification_round(u.round);
  out->set_certificate_id(u.certificate_id);
  out->set_certified_by(u.certified_by);
  if (u.certify_time) SetTime(*u.certify_time, out->mutable_certify_time());
  if (state == UnitState::kReserved) {
    pb::Reservation* r = out->mutable_reservation();
    r->set_reservation_id(u.reservation_id);
    r->set_serial_number(u.serial);
    r->set_sku(u.sku);
    r->set_partner_id(u.reserved_partner_id);
    r->set_ship_to_region_code("US");
    r->set_discount_basis_points(u.reserved_discount_bps);
    if (u.reserved_at) SetTime(*u.reserved_at, r->mutable_create_time());
    if (u.reserved_until) SetTime(*u.reserved_until, r->mutable_expire_time());
  }
  out->set_owner_account_id(u.owner_account_id);
  out->set_original_purchaser_account_id(u.original_purchaser_account_id);
  ToProto(u.site, out->mutable_site());
  if (u.site.empty()) out->clear_site();
  out->set_ssrn(u.ssrn);
  if (u.ship_time) SetTime(*u.ship_time, out->mutable_ship_time());
  if (!u.currency_code.empty()) SetMoney(u.currency_code, u.sale_price_minor, out->mutable_sale_price());
  out->set_sold_by_partner_id(u.sold_by_partner_id);
  out->set_warranty_kind(static_cast<pb::WarrantyKind>(u.warranty_kind));
  if (u.warranty_end) SetTime(*u.warranty_end, out->mutable_warranty_end_time());
  out->set_grey_market(u.grey_market);
  out->set_allocated_rma_number(u.allocated_rma);
  out->set_quarantine_reason(u.quarantine_reason);
  SetTime(u.receive_time, out->mutable_receive_time());
  SetTime(u.update_time, out->mutable_update_time());
  out->set_etag(Etag(u.version));
}

pb::Unit ToProto(const Unit& u, absl::Time now) {
  pb::Unit out;
  ToProto(u, now, &out);
  return out;
}

pb::Reservation ReservationOf(const Unit& u, const CpoPriceBasis& p, absl::Time now) {
  pb::Unit unit = ToProto(u, now);
  pb::Reservation r = unit.reservation();
  SetMoney(p.list_price.currency_code, u.reserved_price_minor, r.mutable_price());
  SetMoney(p.list_price.currency_code, p.list_price.amount_minor, r.mutable_list_price());
  return r;
}

void ToProto(const UnitEvent& e, pb::UnitEvent* out) {
  out->set_event_id(e.id);
  out->set_serial_number(e.serial);
  out->set_certification_round(e.round);
  SetTime(e.time, out->mutable_event_time());
  out->set_actor(e.actor);
  out->set_actor_role(e.actor_role);
  out->set_kind(e.kind);
  out->set_from_state(static_cast<pb::UnitState>(e.from_state));
  out->set_to_state(static_cast<pb::UnitState>(e.to_state));
  out->set_step(static_cast<pb::CertificationStep>(e.step));
  out->set_passed(e.passed);
  out->set_detail(e.detail);
}

void ToProto(const Contract& c, absl::Time now, pb::SupportContract* out) {
  out->set_contract_id(FormatContractId(c.id));
  out->set_serial_number(c.serial);
  out->set_account_id(c.account_id);
  out->set_level(static_cast<pb::SupportLevel>(c.level));
  SetTime(c.start, out->mutable_start_time());
  SetTime(c.end, out->mutable_end_time());
  out->set_purchased_at_sale(c.purchased_at_sale);
  out->set_pre_approval_reference(c.pre_approval_reference);
  out->set_active(c.start <= now && now < c.end);
  out->set_advance_replacement(c.level == SupportLevel::kNextBusinessDay ||
                               c.level == SupportLevel::kSameDay);
}

void ToProto(const Entitlement& e, absl::Time now, pb::Entitlement* out) {
  const Unit& u = e.unit;
  out->set_serial_number(u.serial);
  out->set_ssrn(u.ssrn);
  out->set_sku(u.sku);
  out->set_family(static_cast<pb::ProductFamily>(e.product.family));
  out->set_series(e.product.series);
  out->set_platform(e.product.platform);
  SetMoney(e.product.list_price.currency_code, e.product.list_price.amount_minor,
           out->mutable_list_price());
  out->set_lifecycle(static_cast<pb::Lifecycle>(e.product.lifecycle));
  out->set_state(static_cast<pb::UnitState>(u.state));
  out->set_owner_account_id(u.owner_account_id);
  out->set_original_purchaser_account_id(u.original_purchaser_account_id);
  ToProto(u.site, out->mutable_site());
  if (u.site.empty()) out->clear_site();
  if (u.ship_time) SetTime(*u.ship_time, out->mutable_ship_time());
  if (e.doa_end) SetTime(*e.doa_end, out->mutable_doa_end_time());
  out->set_within_doa_window(e.within_doa);
  out->set_warranty_kind(static_cast<pb::WarrantyKind>(u.warranty_kind));
  out->set_warranty_status(static_cast<pb::WarrantyStatus>(e.warranty_status));
  if (u.warranty_end) SetTime(*u.warranty_end, out->mutable_warranty_end_time());
  out->set_warranty_replacement_business_days(e.replacement_business_days);
  for (const Contract& c : e.contracts) ToProto(c, now, out->add_contracts());
  out->set_grey_market(u.grey_market);
  out->set_entitled(e.entitled);
  out->set_advance_replacement(e.advance_replacement);
  out->set_best_support_level(static_cast<pb::SupportLevel>(e.best_level));
}

void ToProto(const Offer& o, pb::CpoOffer* out) {
  const Product& p = o.product;
  out->set_sku(p.sku);
  out->set_display_name(p.display_name);
  out->set_family(static_cast<pb::ProductFamily>(p.family));
  out->set_series(p.series);
  out->set_platform(p.platform);
  out->set_lifecycle(static_cast<pb::Lifecycle>(p.lifecycle));
  SetMoney(p.list_price.currency_code, p.list_price.amount_minor, out->mutable_list_price());
  for (const OfferLine& l : o.lines) {
    pb::CpoOfferLine* line = out->add_lines();
    line->set_condition(static_cast<pb::UnitCondition>(l.condition));
    line->set_available_count(l.available);
    SetMoney(p.list_price.currency_code, l.price_minor, line->mutable_cpo_price());
    line->set_discount_basis_points(l.discount_bps);
  }
  out->set_available_count(o.available);
  out->set_warranty_kind(static_cast<pb::WarrantyKind>(o.warranty_kind));
  out->set_warranty_months(o.warranty_months);
  out->set_warranty_summary(o.warranty_summary);
  for (SupportLevel l : o.support_levels) out->add_support_levels(static_cast<pb::SupportLevel>(l));
}


absl::StatusOr<ProductFilter> ProductFilterOf(int family, int lifecycle) {
  ProductFilter filter;
  ASSIGN_OR_RETURN(filter.family, FromEnum<Family>(family, pb::ProductFamily_IsValid, "family"));
  ASSIGN_OR_RETURN(filter.lifecycle,
                   FromEnum<Lifecycle>(lifecycle, pb::Lifecycle_IsValid, "lifecycle"));
  return filter;
}

EntitlementKey EntitlementKeyOf(const pb::GetEntitlementRequest& req) {
  EntitlementKey key;
  switch (req.key_case()) {
    case pb::GetEntitlementRequest::kSerialNumber:
      key.serial = req.serial_number();
      break;
    case pb::GetEntitlementRequest::kSsrn:
      key.ssrn = req.ssrn();
      break;
    case pb::GetEntitlementRequest::kContractId:
      key.contract_id = req.contract_id();
      break;
    default:
      break;
  }
  return key;
}


void ToProto(const GenuineSerial& g, pb::GenuineSerial* out) {
  out->set_serial_number(g.serial);
  out->set_sku(g.sku);
  SetTime(g.load_time, out->mutable_load_time());
}

}  // namespace aftercare::inventory
