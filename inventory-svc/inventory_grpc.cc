#include "inventory-svc/inventory_grpc.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/rpc.h"
#include "common/status.h"
#include "common/stream_rpc.h"
#include "common/use_case_rpc.h"
#include "inventory-svc/genuine_serials_load.h"

namespace aftercare::inventory {

// --- Catalog ---------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::CreateProduct(Ctx* ctx,
                                                       const pb::CreateProductRequest* req,
                                                       pb::Product* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return create_product_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetProduct(Ctx* ctx, const pb::GetProductRequest* req,
                                                    pb::Product* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetProduct(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListProducts(Ctx* ctx, const pb::ListProductsRequest* req,
                                                      pb::ListProductsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListProducts(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateProduct(Ctx* ctx,
                                                       const pb::UpdateProductRequest* req,
                                                       pb::Product* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return update_product_.Run(c, *req); });
}

// --- Genuine-serial registry -------------------------------------------------------

// Each message to the call's GenuineSerialsLoad (genuine_serials_load.h),
// which checks it as it arrives; everything is written in one idempotent
// transaction on the executor at the end of the stream, in multi-row INSERT
// chunks (common/stream_rpc.h). One call holds its serials in memory (about
// 450 bytes each at the peak), hence the cap; larger registries load in
// several calls.
grpc::ServerReadReactor<pb::LoadGenuineSerialsRequest>* InventoryGrpc::LoadGenuineSerials(
    Ctx* ctx, pb::LoadGenuineSerialsResponse* resp) {
  return AnswerStream<pb::LoadGenuineSerialsRequest>(ctx, executor_, resp,
                                                     GenuineSerialsLoad(domain_, store_));
}

grpc::ServerUnaryReactor* InventoryGrpc::GetGenuineSerial(Ctx* ctx,
                                                          const pb::GetGenuineSerialRequest* req,
                                                          pb::GenuineSerial* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetGenuineSerial(c, *req); });
}

// --- Units -------------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::ReceiveUnit(Ctx* ctx, const pb::ReceiveUnitRequest* req,
                                                     pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return receive_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetUnit(Ctx* ctx, const pb::GetUnitRequest* req,
                                                 pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetUnit(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnits(Ctx* ctx, const pb::ListUnitsRequest* req,
                                                   pb::ListUnitsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListUnits(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListUnitEvents(Ctx* ctx,
                                                        const pb::ListUnitEventsRequest* req,
                                                        pb::ListUnitEventsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListUnitEvents(c, *req); });
}

// --- Certification ---------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::RecordCertificationStep(
    Ctx* ctx, const pb::RecordCertificationStepRequest* req,
    pb::RecordCertificationStepResponse* resp) {
  return Answer(ctx, executor_, resp, [this, req](const Principal& c) {
    return record_certification_step_.Run(c, *req);
  });
}

grpc::ServerUnaryReactor* InventoryGrpc::CertifyUnit(Ctx* ctx, const pb::CertifyUnitRequest* req,
                                                     pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return certify_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::QuarantineUnit(Ctx* ctx,
                                                        const pb::QuarantineUnitRequest* req,
                                                        pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return quarantine_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ScrapUnit(Ctx* ctx, const pb::ScrapUnitRequest* req,
                                                   pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return scrap_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::MoveToSparePool(Ctx* ctx,
                                                         const pb::MoveToSparePoolRequest* req,
                                                         pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return move_to_spare_pool_.Run(c, *req); });
}

// --- Selling CPO -------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::ListCpoOffers(Ctx* ctx,
                                                       const pb::ListCpoOffersRequest* req,
                                                       pb::ListCpoOffersResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListCpoOffers(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReserveUnit(Ctx* ctx, const pb::ReserveUnitRequest* req,
                                                     pb::Reservation* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return reserve_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseReservation(
    Ctx* ctx, const pb::ReleaseReservationRequest* req, pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return release_reservation_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::SellUnit(Ctx* ctx, const pb::SellUnitRequest* req,
                                                  pb::SellUnitResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return sell_unit_.Run(c, *req); });
}

// --- Installed base and entitlement --------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::RegisterProduct(Ctx* ctx,
                                                         const pb::RegisterProductRequest* req,
                                                         pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return register_product_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::UpdateInstalledBase(
    Ctx* ctx, const pb::UpdateInstalledBaseRequest* req, pb::UpdateInstalledBaseResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return update_installed_base_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::TransferOwnership(Ctx* ctx,
                                                           const pb::TransferOwnershipRequest* req,
                                                           pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return transfer_ownership_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::FlagGreyMarket(Ctx* ctx,
                                                        const pb::FlagGreyMarketRequest* req,
                                                        pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return flag_grey_market_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReinstateUnit(Ctx* ctx,
                                                       const pb::ReinstateUnitRequest* req,
                                                       pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return reinstate_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::CreateSupportContract(
    Ctx* ctx, const pb::CreateSupportContractRequest* req, pb::SupportContract* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return create_support_contract_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::GetEntitlement(Ctx* ctx,
                                                        const pb::GetEntitlementRequest* req,
                                                        pb::Entitlement* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetEntitlement(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ListInstalledBase(Ctx* ctx,
                                                           const pb::ListInstalledBaseRequest* req,
                                                           pb::ListInstalledBaseResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListInstalledBase(c, *req); });
}

// --- For RMAs --------------------------------------------------------------------------

grpc::ServerUnaryReactor* InventoryGrpc::AllocateSpare(Ctx* ctx,
                                                       const pb::AllocateSpareRequest* req,
                                                       pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return allocate_spare_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::ReleaseSpare(Ctx* ctx, const pb::ReleaseSpareRequest* req,
                                                      pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return release_spare_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::IntakeReturnedUnit(
    Ctx* ctx, const pb::IntakeReturnedUnitRequest* req, pb::Unit* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return intake_returned_unit_.Run(c, *req); });
}

grpc::ServerUnaryReactor* InventoryGrpc::SwapInstalledBase(Ctx* ctx,
                                                           const pb::SwapInstalledBaseRequest* req,
                                                           pb::SwapInstalledBaseResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return swap_installed_base_.Run(c, *req); });
}

}  // namespace aftercare::inventory
