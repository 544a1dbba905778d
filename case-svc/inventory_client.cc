#include "case-svc/inventory_client.h"

#include "common/status.h"

namespace aftercare::cases {

namespace inv = ::aftercare::inventory::v1;

absl::StatusOr<std::unique_ptr<inv::InventoryService::Stub>> GrpcInventory::Stub() {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, clients_->Channel(target_));
  return inv::InventoryService::NewStub(channel);
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> GrpcInventory::Context(
    const CallInfo* parent, const std::string& request_id) {
  if (!request_id.empty()) return clients_->NewBackgroundContext(request_id, timeout_);
  return clients_->NewContext(parent, timeout_);
}

absl::StatusOr<ProductLookup> GrpcInventory::LookUpProduct(const CallInfo* parent,
                                                           const std::string& serial,
                                                           const std::string& ssrn,
                                                           const std::string& account_id) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  ASSIGN_OR_RETURN(auto ctx, Context(parent, ""));
  inv::GetEntitlementRequest req;
  if (!serial.empty()) {
    req.set_serial_number(serial);
  } else {
    req.set_ssrn(ssrn);
  }
  inv::Entitlement ent;
  grpc::Status s = stub->GetEntitlement(ctx.get(), req, &ent);
  ProductLookup out;
  if (s.error_code() == grpc::StatusCode::NOT_FOUND ||
      (s.ok() && !account_id.empty() && ent.owner_account_id() != account_id)) {
    out.state = LookupState::kNotFound;  // another account's unit: as if there were none
    return out;
  }
  if (!s.ok()) return FromGrpcStatus(s);
  out.state = LookupState::kFilled;
  out.series = ent.series();
  out.platform = ent.platform();
  return out;
}

absl::StatusOr<CatalogEntry> GrpcInventory::LookUpSku(const CallInfo* parent,
                                                      const std::string& sku) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  ASSIGN_OR_RETURN(auto ctx, Context(parent, ""));
  inv::GetProductRequest req;
  req.set_sku(sku);
  inv::Product p;
  grpc::Status s = stub->GetProduct(ctx.get(), req, &p);
  CatalogEntry out;
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return out;
  if (!s.ok()) return FromGrpcStatus(s);
  out.found = true;
  out.end_of_life = p.lifecycle() == inv::LIFECYCLE_END_OF_PRODUCTION;
  out.platform = p.platform();
  return out;
}

absl::Status GrpcInventory::Reinstate(const std::string& request_id, inv::ReinstateUnitRequest req) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  ASSIGN_OR_RETURN(auto ctx, Context(nullptr, request_id));
  req.set_request_id(request_id);
  inv::Unit unit;
  return FromGrpcStatus(stub->ReinstateUnit(ctx.get(), req, &unit));
}

absl::Status GrpcInventory::IntakeReturnedUnit(const std::string& request_id,
                                               inv::IntakeReturnedUnitRequest req) {
  ASSIGN_OR_RETURN(auto stub, Stub());
  ASSIGN_OR_RETURN(auto ctx, Context(nullptr, request_id));
  req.set_request_id(request_id);
  inv::Unit unit;
  return FromGrpcStatus(stub->IntakeReturnedUnit(ctx.get(), req, &unit));
}

}  // namespace aftercare::cases
