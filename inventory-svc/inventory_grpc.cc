#include "inventory-svc/inventory_grpc.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/db/sql_time.h"
#include "common/errors.h"
#include "common/mutation.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/rpc.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

// --- Catalog ---------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::CreateProduct(Ctx* ctx,
                                                       const pb::CreateProductRequest* req,
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetProduct(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListProducts(Ctx* ctx, const pb::ListProductsRequest* req,
                                                      pb::ListProductsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListProducts(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateProduct(Ctx* ctx,
                                                       const pb::UpdateProductRequest* req,
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
    absl::Status valid =
        service_->domain_.ValidateGenuineSerials(batch, static_cast<int64_t>(entries_.size()));
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
            ASSIGN_OR_RETURN(LoadCounts counts,
                             service_->domain_.LoadGenuineSerials(entries_, repo));
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetGenuineSerial(caller, *req));
    return absl::OkStatus();
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
        ASSIGN_OR_RETURN(cmd.source,
                         FromEnum<Source>(req->source(), pb::UnitSource_IsValid, "source"));
        ASSIGN_OR_RETURN(
            cmd.condition,
            FromEnum<Condition>(req->condition(), pb::UnitCondition_IsValid, "condition"));
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetUnit(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnits(Ctx* ctx, const pb::ListUnitsRequest* req,
                                                   pb::ListUnitsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListUnits(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnitEvents(Ctx* ctx,
                                                        const pb::ListUnitEventsRequest* req,
                                                        pb::ListUnitEventsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListUnitEvents(caller, *req));
    return absl::OkStatus();
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
        ASSIGN_OR_RETURN(cmd.step,
                         FromEnum<Step>(req->step(), pb::CertificationStep_IsValid, "step"));
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
  return MutatingUnary(
      ctx, executor_, store_, {"CertifyUnit", "certify unit"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.CertifyUnit(caller, req->serial_number(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::QuarantineUnit(Ctx* ctx,
                                                        const pb::QuarantineUnitRequest* req,
                                                        pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"QuarantineUnit", "quarantine unit"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.QuarantineUnit(caller, req->serial_number(), req->reason(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ScrapUnit(Ctx* ctx, const pb::ScrapUnitRequest* req,
                                                   pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"ScrapUnit", "scrap unit"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.ScrapUnit(caller, req->serial_number(), req->reason(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::MoveToSparePool(Ctx* ctx,
                                                         const pb::MoveToSparePoolRequest* req,
                                                         pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"MoveToSparePool", "move to spare pool"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.MoveToSparePool(caller, req->serial_number(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

// --- Selling CPO -------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::ListCpoOffers(Ctx* ctx,
                                                       const pb::ListCpoOffersRequest* req,
                                                       pb::ListCpoOffersResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListCpoOffers(caller, *req));
    return absl::OkStatus();
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
        ASSIGN_OR_RETURN(
            cmd.condition,
            FromEnum<Condition>(req->condition(), pb::UnitCondition_IsValid, "condition"));
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
  return MutatingUnary(
      ctx, executor_, store_, {"ReleaseReservation", "release reservation"}, req, resp,
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
        ASSIGN_OR_RETURN(cmd.accepted_level, FromEnum<SupportLevel>(req->accepted_support_level(),
                                                                    pb::SupportLevel_IsValid,
                                                                    "accepted_support_level"));
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
  return MutatingUnary(
      ctx, executor_, store_, {"TransferOwnership", "transfer ownership"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.TransferOwnership(caller, req->serial_number(), req->new_account_id(),
                                         req->etag(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::FlagGreyMarket(Ctx* ctx,
                                                        const pb::FlagGreyMarketRequest* req,
                                                        pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"FlagGreyMarket", "flag grey market"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.FlagGreyMarket(caller, req->serial_number(), req->reason(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReinstateUnit(Ctx* ctx,
                                                       const pb::ReinstateUnitRequest* req,
                                                       pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"ReinstateUnit", "reinstate unit"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.ReinstateUnit(caller, req->serial_number(), req->case_id(),
                                     req->inspection_reference(), repo);
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetEntitlement(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListInstalledBase(Ctx* ctx,
                                                           const pb::ListInstalledBaseRequest* req,
                                                           pb::ListInstalledBaseResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListInstalledBase(caller, *req));
    return absl::OkStatus();
  });
}

// --- For RMAs --------------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::AllocateSpare(Ctx* ctx,
                                                       const pb::AllocateSpareRequest* req,
                                                       pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"AllocateSpare", "allocate spare"}, req, resp,
      [this, req](const Principal& caller, InventoryRepository& repo) {
        return domain_.AllocateSpare(caller, req->sku(), req->rma_number(), repo);
      },
      [this](const Unit& u) { return ToProto(u, clock_.Now()); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseSpare(Ctx* ctx, const pb::ReleaseSpareRequest* req,
                                                      pb::Unit* resp) {
  return MutatingUnary(
      ctx, executor_, store_, {"ReleaseSpare", "release spare"}, req, resp,
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
        ASSIGN_OR_RETURN(cmd.source,
                         FromEnum<Source>(req->source(), pb::UnitSource_IsValid, "source"));
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
