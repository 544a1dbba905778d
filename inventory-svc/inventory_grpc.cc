#include "inventory-svc/inventory_grpc.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::inventory {

// --- Catalog ---------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::CreateProduct(Ctx* ctx,
                                                       const pb::CreateProductRequest* req,
                                                       pb::Product* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_product_.Run(caller, *req));
    return absl::OkStatus();
  });
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, update_product_.Run(caller, *req));
    return absl::OkStatus();
  });
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, receive_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, record_certification_step_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::CertifyUnit(Ctx* ctx, const pb::CertifyUnitRequest* req,
                                                     pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, certify_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::QuarantineUnit(Ctx* ctx,
                                                        const pb::QuarantineUnitRequest* req,
                                                        pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, quarantine_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ScrapUnit(Ctx* ctx, const pb::ScrapUnitRequest* req,
                                                   pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, scrap_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::MoveToSparePool(Ctx* ctx,
                                                         const pb::MoveToSparePoolRequest* req,
                                                         pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, move_to_spare_pool_.Run(caller, *req));
    return absl::OkStatus();
  });
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, reserve_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseReservation(
    Ctx* ctx, const pb::ReleaseReservationRequest* req, pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, release_reservation_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::SellUnit(Ctx* ctx, const pb::SellUnitRequest* req,
                                                  pb::SellUnitResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, sell_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

// --- Installed base and entitlement --------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::RegisterProduct(Ctx* ctx,
                                                         const pb::RegisterProductRequest* req,
                                                         pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, register_product_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateInstalledBase(
    Ctx* ctx, const pb::UpdateInstalledBaseRequest* req, pb::UpdateInstalledBaseResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, update_installed_base_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::TransferOwnership(Ctx* ctx,
                                                           const pb::TransferOwnershipRequest* req,
                                                           pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, transfer_ownership_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::FlagGreyMarket(Ctx* ctx,
                                                        const pb::FlagGreyMarketRequest* req,
                                                        pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, flag_grey_market_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReinstateUnit(Ctx* ctx,
                                                       const pb::ReinstateUnitRequest* req,
                                                       pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, reinstate_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::CreateSupportContract(
    Ctx* ctx, const pb::CreateSupportContractRequest* req, pb::SupportContract* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_support_contract_.Run(caller, *req));
    return absl::OkStatus();
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
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, allocate_spare_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseSpare(Ctx* ctx, const pb::ReleaseSpareRequest* req,
                                                      pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, release_spare_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::IntakeReturnedUnit(
    Ctx* ctx, const pb::IntakeReturnedUnitRequest* req, pb::Unit* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, intake_returned_unit_.Run(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::SwapInstalledBase(Ctx* ctx,
                                                           const pb::SwapInstalledBaseRequest* req,
                                                           pb::SwapInstalledBaseResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, swap_installed_base_.Run(caller, *req));
    return absl::OkStatus();
  });
}

}  // namespace aftercare::inventory
