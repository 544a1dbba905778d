#include "inventory-svc/inventory_grpc.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/mutation.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/db/sql_time.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::inventory {
namespace {

using google::protobuf::Timestamp;

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

// The reservation of a freshly reserved unit, with its prices.
pb::Reservation ReservationOf(const Unit& u, const Product& p, absl::Time now) {
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


// The filter of ListProducts and ListCpoOffers.
absl::StatusOr<ProductFilter> ProductFilterOf(int family, int lifecycle) {
  ProductFilter filter;
  ASSIGN_OR_RETURN(filter.family, FromEnum<Family>(family, pb::ProductFamily_IsValid, "family"));
  ASSIGN_OR_RETURN(filter.lifecycle,
                   FromEnum<Lifecycle>(lifecycle, pb::Lifecycle_IsValid, "lifecycle"));
  return filter;
}

// GetEntitlement's key: the one field of the request's oneof that is set.
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

}  // namespace

// --- Catalog ---------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::CreateProduct(Ctx* ctx, const pb::CreateProductRequest* req,
                                                       pb::Product* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"CreateProduct", "create product"}, req, resp,
      [req](const Principal&) { return FromProto(req->product()); },
      [this](const Principal& caller, const Product& product, InventoryRepository& repo) {
        return domain_.CreateProduct(caller, product, repo);
      },
      [](const Product& p) { return ToProto(p); });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetProduct(Ctx* ctx, const pb::GetProductRequest* req,
                                                    pb::Product* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get product", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.GetProduct(caller, req->sku(), repo);
      },
      [](const Product& p, pb::Product* out) { ToProto(p, out); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListProducts(Ctx* ctx, const pb::ListProductsRequest* req,
                                                      pb::ListProductsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list products", resp,
      [req](const Principal&) { return ProductFilterOf(req->family(), req->lifecycle()); },
      [this, req](const Principal& caller, const ProductFilter& filter, InventoryRepository& repo) {
        return domain_.ListProducts(caller, filter, req->page_size(), req->page_token(), repo);
      },
      [](const Page<Product>& page, pb::ListProductsResponse* out) {
        FillPage(page, out, [](const Product& p, auto* o) { ToProto(p, o->add_products()); });
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateProduct(Ctx* ctx, const pb::UpdateProductRequest* req,
                                                       pb::Product* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"UpdateProduct", "update product"}, req, resp,
      [req](const Principal&) { return FromProto(req->product()); },
      [this, req](const Principal& caller, const Product& patch, InventoryRepository& repo) {
        const std::vector<std::string> mask(req->update_mask().paths().begin(),
                                            req->update_mask().paths().end());
        return domain_.UpdateProduct(caller, patch, mask, req->product().etag(), repo);
      },
      [](const Product& p) { return ToProto(p); });
}

// --- Genuine-serial registry -------------------------------------------------------

// Reads the whole stream (checking each message as it arrives, on the
// callback thread: no blocking work), then writes everything in one
// idempotent transaction on the executor, in multi-row INSERT chunks. One
// call holds its serials in memory (about 450 bytes each at the peak), hence
// the cap; larger registries load in several calls.
class InventoryGrpc::LoadSerialsReactor
    : public grpc::ServerReadReactor<pb::LoadGenuineSerialsRequest> {
 public:
  static constexpr int64_t kMaxEntries = 200'000;

  LoadSerialsReactor(InventoryGrpc* service, Ctx* ctx, pb::LoadGenuineSerialsResponse* resp)
      : service_(service), ctx_(ctx), resp_(resp) {
    absl::StatusOr<Principal> caller = Caller(ctx);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    caller_ = *caller;  // allowed by the method's policy (common/policy.h)
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Store();
      return;
    }
    if (messages_++ == 0) {
      combined_.set_request_id(message_.request_id());
    } else if (!message_.request_id().empty() && message_.request_id() != combined_.request_id()) {
      Finish(ToGrpcStatus(InvalidField(
          "request_id", "must be the same in every message of the stream (or only in the first)")));
      return;
    }
    if (static_cast<int64_t>(entries_.size()) + message_.entries_size() > kMaxEntries) {
      Finish(ToGrpcStatus(InvalidField(
          "entries", absl::StrCat(": at most ", kMaxEntries,
                                  " serials per call; split the load into several calls"))));
      return;
    }
    std::vector<GenuineSerialEntry> batch;
    batch.reserve(message_.entries_size());
    for (const auto& e : message_.entries()) batch.push_back({e.serial_number(), e.sku()});
    absl::Status valid = service_->domain_.ValidateGenuineSerials(
        batch, static_cast<int64_t>(entries_.size()));
    if (!valid.ok()) {
      Finish(ToGrpcStatus(valid));
      return;
    }
    for (auto& e : batch) {
      auto* c = combined_.add_entries();
      c->set_serial_number(e.serial);
      c->set_sku(e.sku);
      entries_.push_back(std::move(e));
    }
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Store() {
    absl::Status queued = service_->executor_.Submit([this] {
      if (ctx_->IsCancelled()) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      absl::Status s = service_->store_.Mutate(
          IdempotencyKey::For(caller_, combined_.request_id(), "LoadGenuineSerials"), combined_,
          "load genuine serials", resp_,
          [&](InventoryRepository& repo) -> absl::StatusOr<pb::LoadGenuineSerialsResponse> {
            ASSIGN_OR_RETURN(LoadCounts counts, service_->domain_.LoadGenuineSerials(entries_, repo));
            pb::LoadGenuineSerialsResponse r;
            r.set_received_count(counts.received);
            r.set_inserted_count(counts.inserted);
            r.set_updated_count(counts.updated);
            return r;
          });
      Finish(ToGrpcStatus(s));
    });
    if (!queued.ok()) Finish(ToGrpcStatus(queued));
  }

  InventoryGrpc* service_;
  Ctx* ctx_;
  pb::LoadGenuineSerialsResponse* resp_;
  Principal caller_;
  pb::LoadGenuineSerialsRequest message_;
  pb::LoadGenuineSerialsRequest combined_;  // what the request_id stands for
  std::vector<GenuineSerialEntry> entries_;
  int64_t messages_ = 0;
};

grpc::ServerReadReactor<pb::LoadGenuineSerialsRequest>* InventoryGrpc::LoadGenuineSerials(
    Ctx* ctx, pb::LoadGenuineSerialsResponse* resp) {
  return new LoadSerialsReactor(this, ctx, resp);
}

grpc::ServerUnaryReactor* InventoryGrpc::GetGenuineSerial(Ctx* ctx,
                                                          const pb::GetGenuineSerialRequest* req,
                                                          pb::GenuineSerial* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get genuine serial", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.GetGenuineSerial(caller, req->serial_number(), repo);
      },
      [](const GenuineSerial& g, pb::GenuineSerial* out) {
        out->set_serial_number(g.serial);
        out->set_sku(g.sku);
        SetTime(g.load_time, out->mutable_load_time());
      });
}

// --- Units -------------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::ReceiveUnit(Ctx* ctx, const pb::ReceiveUnitRequest* req,
                                                     pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"ReceiveUnit", "receive unit"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<ReceiveCommand> {
        ReceiveCommand cmd;
        cmd.serial = req->serial_number();
        cmd.sku = req->sku();
        ASSIGN_OR_RETURN(cmd.source, FromEnum<Source>(req->source(), pb::UnitSource_IsValid, "source"));
        ASSIGN_OR_RETURN(cmd.condition, FromEnum<Condition>(req->condition(),
                                                            pb::UnitCondition_IsValid, "condition"));
        cmd.note = req->note();
        return cmd;
      },
      [this](const Principal& caller, const ReceiveCommand& cmd, InventoryRepository& repo) {
        return domain_.ReceiveUnit(caller, cmd, repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetUnit(Ctx* ctx, const pb::GetUnitRequest* req,
                                                 pb::Unit* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get unit", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.GetUnit(caller, req->serial_number(), repo);
      },
      [this](const Unit& u, pb::Unit* out) { ToProto(u, clock_.Now(), out); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnits(Ctx* ctx, const pb::ListUnitsRequest* req,
                                                   pb::ListUnitsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list units", resp,
      [req](const Principal&) -> absl::StatusOr<UnitFilter> {
        UnitFilter f;
        f.sku = req->sku();
        ASSIGN_OR_RETURN(f.state, FromEnum<UnitState>(req->state(), pb::UnitState_IsValid, "state"));
        ASSIGN_OR_RETURN(f.source, FromEnum<Source>(req->source(), pb::UnitSource_IsValid, "source"));
        ASSIGN_OR_RETURN(f.family, FromEnum<Family>(req->family(), pb::ProductFamily_IsValid, "family"));
        ASSIGN_OR_RETURN(f.lifecycle,
                         FromEnum<Lifecycle>(req->lifecycle(), pb::Lifecycle_IsValid, "lifecycle"));
        return f;
      },
      [this, req](const Principal& caller, const UnitFilter& f, InventoryRepository& repo) {
        return domain_.ListUnits(caller, f, req->page_size(), req->page_token(), repo);
      },
      [this](const Page<Unit>& page, pb::ListUnitsResponse* out) {
        const absl::Time now = clock_.Now();
        FillPage(page, out, [now](const Unit& u, auto* o) { ToProto(u, now, o->add_units()); });
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnitEvents(Ctx* ctx,
                                                        const pb::ListUnitEventsRequest* req,
                                                        pb::ListUnitEventsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list unit events", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.ListUnitEvents(caller, req->serial_number(), req->page_size(),
                                      req->page_token(), repo);
      },
      [](const Page<UnitEvent>& page, pb::ListUnitEventsResponse* out) {
        FillPage(page, out, [](const UnitEvent& e, auto* o) { ToProto(e, o->add_events()); });
      });
}

// --- Certification ---------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::RecordCertificationStep(
    Ctx* ctx, const pb::RecordCertificationStepRequest* req,
    pb::RecordCertificationStepResponse* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"RecordCertificationStep", "record certification step"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<StepCommand> {
        StepCommand cmd;
        cmd.serial = req->serial_number();
        ASSIGN_OR_RETURN(cmd.step, FromEnum<Step>(req->step(), pb::CertificationStep_IsValid, "step"));
        cmd.passed = req->passed();
        cmd.replaced_parts.assign(req->replaced_part_numbers().begin(),
                                  req->replaced_part_numbers().end());
        cmd.no_repair_needed = req->no_repair_needed();
        cmd.software_version = req->software_version();
        cmd.test_report_reference = req->test_report_reference();
        cmd.note = req->note();
        return cmd;
      },
      [this](const Principal& caller, const StepCommand& cmd, InventoryRepository& repo) {
        return domain_.RecordCertificationStep(caller, cmd, repo);
      },
      [this](const StepResult& r) {
        pb::RecordCertificationStepResponse out;
        ToProto(r.event, out.mutable_event());
        ToProto(r.unit, clock_.Now(), out.mutable_unit());
        return out;
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::CertifyUnit(Ctx* ctx, const pb::CertifyUnitRequest* req,
                                                     pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"CertifyUnit", "certify unit"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.CertifyUnit(caller, req->serial_number(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::QuarantineUnit(Ctx* ctx,
                                                        const pb::QuarantineUnitRequest* req,
                                                        pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"QuarantineUnit", "quarantine unit"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.QuarantineUnit(caller, req->serial_number(), req->reason(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ScrapUnit(Ctx* ctx, const pb::ScrapUnitRequest* req,
                                                   pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ScrapUnit", "scrap unit"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.ScrapUnit(caller, req->serial_number(), req->reason(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::MoveToSparePool(Ctx* ctx,
                                                         const pb::MoveToSparePoolRequest* req,
                                                         pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"MoveToSparePool", "move to spare pool"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.MoveToSparePool(caller, req->serial_number(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

// --- Selling CPO -------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::ListCpoOffers(Ctx* ctx, const pb::ListCpoOffersRequest* req,
                                                       pb::ListCpoOffersResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list cpo offers", resp,
      [req](const Principal&) { return ProductFilterOf(req->family(), req->lifecycle()); },
      [this, req](const Principal& caller, const ProductFilter& filter, InventoryRepository& repo) {
        return domain_.ListCpoOffers(caller, filter, req->in_stock_only(), req->page_size(),
                                     req->page_token(), repo);
      },
      [](const Page<Offer>& page, pb::ListCpoOffersResponse* out) {
        FillPage(page, out, [](const Offer& o, auto* r) { ToProto(o, r->add_offers()); });
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReserveUnit(Ctx* ctx, const pb::ReserveUnitRequest* req,
                                                     pb::Reservation* resp) {
  // The product ReserveUnit reads for the price, so that it is not read again.
  struct Reserved {
    Unit unit;
    Product product;
  };
  return MutatingUnary(
      ctx, executor_, store_, {"ReserveUnit", "reserve unit"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<ReserveCommand> {
        ReserveCommand cmd;
        cmd.serial = req->serial_number();
        cmd.sku = req->sku();
        cmd.ship_to_region_code = req->ship_to_region_code();
        ASSIGN_OR_RETURN(cmd.condition, FromEnum<Condition>(req->condition(),
                                                            pb::UnitCondition_IsValid, "condition"));
        return cmd;
      },
      [this](const Principal& caller, const ReserveCommand& cmd,
             InventoryRepository& repo) -> absl::StatusOr<Reserved> {
        Reserved r;
        ASSIGN_OR_RETURN(r.unit, domain_.ReserveUnit(caller, cmd, repo, &r.product));
        return r;
      },
      [this](const Reserved& r) { return ReservationOf(r.unit, r.product, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseReservation(
    Ctx* ctx, const pb::ReleaseReservationRequest* req, pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ReleaseReservation", "release reservation"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.ReleaseReservation(caller, req->serial_number(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::SellUnit(Ctx* ctx, const pb::SellUnitRequest* req,
                                                  pb::SellUnitResponse* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"SellUnit", "sell unit"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<SellCommand> {
        SellCommand cmd;
        cmd.serial = req->serial_number();
        cmd.buyer_account_id = req->buyer_account_id();
        for (int i = 0; i < req->support_options_size(); ++i) {
          ASSIGN_OR_RETURN(SupportOption o, FromProto(req->support_options(i),
                                                      absl::StrCat("support_options[", i, "]")));
          cmd.support_options.push_back(o);
        }
        cmd.site = PostalAddressFromProto(req->site());
        return cmd;
      },
      [this](const Principal& caller, const SellCommand& cmd, InventoryRepository& repo) {
        return domain_.SellUnit(caller, cmd, repo);
      },
      [this](const SaleResult& r) {
        const absl::Time now = clock_.Now();
        pb::SellUnitResponse out;
        ToProto(r.unit, now, out.mutable_unit());
        for (const Contract& c : r.contracts) ToProto(c, now, out.add_contracts());
        ToProto(r.entitlement, now, out.mutable_entitlement());
        return out;
      });
}

// --- Installed base and entitlement --------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::RegisterProduct(Ctx* ctx,
                                                         const pb::RegisterProductRequest* req,
                                                         pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"RegisterProduct", "register product"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<RegisterCommand> {
        RegisterCommand cmd;
        cmd.serial = req->serial_number();
        cmd.sku = req->sku();
        cmd.account_id = req->account_id();
        cmd.site = PostalAddressFromProto(req->site());
        if (req->has_ship_time()) {
          ASSIGN_OR_RETURN(cmd.ship_time, FromTimestamp(req->ship_time(), "ship_time"));
        }
        return cmd;
      },
      [this](const Principal& caller, const RegisterCommand& cmd, InventoryRepository& repo) {
        return domain_.RegisterProduct(caller, cmd, repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateInstalledBase(
    Ctx* ctx, const pb::UpdateInstalledBaseRequest* req, pb::UpdateInstalledBaseResponse* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"UpdateInstalledBase", "update installed base"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<SiteMoveCommand> {
        SiteMoveCommand cmd;
        cmd.serial = req->serial_number();
        cmd.site = PostalAddressFromProto(req->site());
        ASSIGN_OR_RETURN(cmd.accepted_level,
                         FromEnum<SupportLevel>(req->accepted_support_level(),
                                                pb::SupportLevel_IsValid, "accepted_support_level"));
        cmd.etag = req->etag();
        return cmd;
      },
      [this](const Principal& caller, const SiteMoveCommand& cmd, InventoryRepository& repo) {
        return domain_.UpdateInstalledBase(caller, cmd, repo);
      },
      [this](const SiteMoveResult& r) {
        pb::UpdateInstalledBaseResponse out;
        out.set_applied(r.applied);
        out.set_contracted_support_level(static_cast<pb::SupportLevel>(r.contracted_level));
        out.set_offered_support_level(static_cast<pb::SupportLevel>(r.offered_level));
        out.set_message(r.message);
        ToProto(r.unit, clock_.Now(), out.mutable_unit());
        return out;
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::TransferOwnership(Ctx* ctx,
                                                           const pb::TransferOwnershipRequest* req,
                                                           pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"TransferOwnership", "transfer ownership"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.TransferOwnership(caller, req->serial_number(), req->new_account_id(), req->etag(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::FlagGreyMarket(Ctx* ctx,
                                                        const pb::FlagGreyMarketRequest* req,
                                                        pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"FlagGreyMarket", "flag grey market"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.FlagGreyMarket(caller, req->serial_number(), req->reason(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReinstateUnit(Ctx* ctx, const pb::ReinstateUnitRequest* req,
                                                       pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ReinstateUnit", "reinstate unit"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.ReinstateUnit(caller, req->serial_number(), req->case_id(), req->inspection_reference(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::CreateSupportContract(
    Ctx* ctx, const pb::CreateSupportContractRequest* req, pb::SupportContract* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"CreateSupportContract", "create support contract"}, req, resp,
      [req](const Principal&) { return FromProto(req->option(), "option"); },
      [this, req](const Principal& caller, const SupportOption& option, InventoryRepository& repo) {
        return domain_.CreateSupportContract(caller, req->serial_number(), option, repo);
      },
      [this](const Contract& c) {
        pb::SupportContract out;
        ToProto(c, clock_.Now(), &out);
        return out;
      });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetEntitlement(Ctx* ctx,
                                                        const pb::GetEntitlementRequest* req,
                                                        pb::Entitlement* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get entitlement", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.GetEntitlement(caller, EntitlementKeyOf(*req), repo);
      },
      [this](const Entitlement& e, pb::Entitlement* out) { ToProto(e, clock_.Now(), out); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListInstalledBase(Ctx* ctx,
                                                           const pb::ListInstalledBaseRequest* req,
                                                           pb::ListInstalledBaseResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list installed base", resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.ListInstalledBase(caller, req->account_id(), req->page_size(),
                                         req->page_token(), repo);
      },
      [this](const Page<Unit>& page, pb::ListInstalledBaseResponse* out) {
        const absl::Time now = clock_.Now();
        FillPage(page, out, [now](const Unit& u, auto* o) { ToProto(u, now, o->add_units()); });
      });
}

// --- For RMAs --------------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::AllocateSpare(Ctx* ctx, const pb::AllocateSpareRequest* req,
                                                       pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"AllocateSpare", "allocate spare"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.AllocateSpare(caller, req->sku(), req->rma_number(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseSpare(Ctx* ctx, const pb::ReleaseSpareRequest* req,
                                                      pb::Unit* resp) {
  return MutatingUnary(ctx, executor_, store_, {"ReleaseSpare", "release spare"}, req, resp,
                       [this, req](const Principal& caller, InventoryRepository& repo) {
                         return domain_.ReleaseSpare(caller, req->serial_number(), req->rma_number(), repo);
                       },
                       [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::IntakeReturnedUnit(
    Ctx* ctx, const pb::IntakeReturnedUnitRequest* req, pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"IntakeReturnedUnit", "intake returned unit"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<IntakeCommand> {
        IntakeCommand cmd;
        cmd.serial = req->serial_number();
        ASSIGN_OR_RETURN(cmd.source, FromEnum<Source>(req->source(), pb::UnitSource_IsValid, "source"));
        cmd.sku = req->sku();
        cmd.reference = req->reference();
        return cmd;
      },
      [this](const Principal& caller, const IntakeCommand& cmd, InventoryRepository& repo) {
        return domain_.IntakeReturnedUnit(caller, cmd, repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::SwapInstalledBase(Ctx* ctx,
                                                           const pb::SwapInstalledBaseRequest* req,
                                                           pb::SwapInstalledBaseResponse* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"SwapInstalledBase", "swap installed base"}, req, resp,
      [req](const Principal&) -> absl::StatusOr<SwapCommand> {
        SwapCommand cmd;
        cmd.defective_serial = req->defective_serial_number();
        cmd.replacement_serial = req->replacement_serial_number();
        cmd.rma_number = req->rma_number();
        if (req->has_ship_time()) {
          ASSIGN_OR_RETURN(cmd.ship_time, FromTimestamp(req->ship_time(), "ship_time"));
        }
        return cmd;
      },
      [this](const Principal& caller, const SwapCommand& cmd, InventoryRepository& repo) {
        return domain_.SwapInstalledBase(caller, cmd, repo);
      },
      [this](const SwapResult& r) {
        const absl::Time now = clock_.Now();
        pb::SwapInstalledBaseResponse out;
        ToProto(r.defective, now, out.mutable_defective_unit());
        ToProto(r.replacement, now, out.mutable_replacement_unit());
        return out;
      });
}

}  // namespace aftercare::inventory
