// The gRPC face of inventory-svc (aftercare.inventory.v1.InventoryService):
// each unary handler is one Answer (common/use_case_rpc.h: the caller
// authenticated, the work on the bounded executor) over its use case —
// inventory_queries.h for reads, catalog_use_cases.h,
// certification_use_cases.h, cpo_sales_use_cases.h,
// installed_base_use_cases.h and spares_use_cases.h for writes. The
// genuine-serial load (client streaming) is one AnswerStream
// (common/stream_rpc.h) over genuine_serials_load.h. No rules, no SQL.
#ifndef AFTERCARE_INVENTORY_SVC_INVENTORY_GRPC_H_
#define AFTERCARE_INVENTORY_SVC_INVENTORY_GRPC_H_

#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "common/clock.h"
#include "common/executor.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/catalog_use_cases.h"
#include "inventory-svc/certification_use_cases.h"
#include "inventory-svc/cpo_sales_use_cases.h"
#include "inventory-svc/installed_base_use_cases.h"
#include "inventory-svc/inventory_queries.h"
#include "inventory-svc/inventory_use_case.h"
#include "inventory-svc/spares_use_cases.h"
#include "inventory-svc/inventory_repository.h"

namespace aftercare::inventory {

namespace pb = ::aftercare::inventory::v1;

class InventoryGrpc final : public pb::InventoryService::CallbackService {
 public:
  InventoryGrpc(const Inventory* domain, InventoryStore* store, BoundedExecutor* executor,
                const Clock* clock)
      : domain_(*domain),
        store_(*store),
        executor_(*executor),
        clock_(*clock),
        queries_(*domain, *store, *clock),
        create_product_(Deps()),
        update_product_(Deps()),
        receive_unit_(Deps()),
        record_certification_step_(Deps()),
        certify_unit_(Deps()),
        quarantine_unit_(Deps()),
        scrap_unit_(Deps()),
        move_to_spare_pool_(Deps()),
        reserve_unit_(Deps()),
        release_reservation_(Deps()),
        sell_unit_(Deps()),
        register_product_(Deps()),
        update_installed_base_(Deps()),
        transfer_ownership_(Deps()),
        flag_grey_market_(Deps()),
        reinstate_unit_(Deps()),
        create_support_contract_(Deps()),
        swap_installed_base_(Deps()),
        allocate_spare_(Deps()),
        release_spare_(Deps()),
        intake_returned_unit_(Deps()) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateProduct(Ctx* ctx, const pb::CreateProductRequest* req, pb::Product* resp) override;
  Reactor* GetProduct(Ctx* ctx, const pb::GetProductRequest* req, pb::Product* resp) override;
  Reactor* ListProducts(Ctx* ctx, const pb::ListProductsRequest* req,
                        pb::ListProductsResponse* resp) override;
  Reactor* UpdateProduct(Ctx* ctx, const pb::UpdateProductRequest* req, pb::Product* resp) override;
  grpc::ServerReadReactor<pb::LoadGenuineSerialsRequest>* LoadGenuineSerials(
      Ctx* ctx, pb::LoadGenuineSerialsResponse* resp) override;
  Reactor* GetGenuineSerial(Ctx* ctx, const pb::GetGenuineSerialRequest* req,
                            pb::GenuineSerial* resp) override;
  Reactor* ReceiveUnit(Ctx* ctx, const pb::ReceiveUnitRequest* req, pb::Unit* resp) override;
  Reactor* GetUnit(Ctx* ctx, const pb::GetUnitRequest* req, pb::Unit* resp) override;
  Reactor* ListUnits(Ctx* ctx, const pb::ListUnitsRequest* req, pb::ListUnitsResponse* resp) override;
  Reactor* ListUnitEvents(Ctx* ctx, const pb::ListUnitEventsRequest* req,
                          pb::ListUnitEventsResponse* resp) override;
  Reactor* RecordCertificationStep(Ctx* ctx, const pb::RecordCertificationStepRequest* req,
                                   pb::RecordCertificationStepResponse* resp) override;
  Reactor* CertifyUnit(Ctx* ctx, const pb::CertifyUnitRequest* req, pb::Unit* resp) override;
  Reactor* QuarantineUnit(Ctx* ctx, const pb::QuarantineUnitRequest* req, pb::Unit* resp) override;
  Reactor* ScrapUnit(Ctx* ctx, const pb::ScrapUnitRequest* req, pb::Unit* resp) override;
  Reactor* MoveToSparePool(Ctx* ctx, const pb::MoveToSparePoolRequest* req, pb::Unit* resp) override;
  Reactor* ListCpoOffers(Ctx* ctx, const pb::ListCpoOffersRequest* req,
                         pb::ListCpoOffersResponse* resp) override;
  Reactor* ReserveUnit(Ctx* ctx, const pb::ReserveUnitRequest* req, pb::Reservation* resp) override;
  Reactor* ReleaseReservation(Ctx* ctx, const pb::ReleaseReservationRequest* req,
                              pb::Unit* resp) override;
  Reactor* SellUnit(Ctx* ctx, const pb::SellUnitRequest* req, pb::SellUnitResponse* resp) override;
  Reactor* RegisterProduct(Ctx* ctx, const pb::RegisterProductRequest* req, pb::Unit* resp) override;
  Reactor* UpdateInstalledBase(Ctx* ctx, const pb::UpdateInstalledBaseRequest* req,
                               pb::UpdateInstalledBaseResponse* resp) override;
  Reactor* TransferOwnership(Ctx* ctx, const pb::TransferOwnershipRequest* req,
                             pb::Unit* resp) override;
  Reactor* FlagGreyMarket(Ctx* ctx, const pb::FlagGreyMarketRequest* req, pb::Unit* resp) override;
  Reactor* ReinstateUnit(Ctx* ctx, const pb::ReinstateUnitRequest* req, pb::Unit* resp) override;
  Reactor* CreateSupportContract(Ctx* ctx, const pb::CreateSupportContractRequest* req,
                                 pb::SupportContract* resp) override;
  Reactor* GetEntitlement(Ctx* ctx, const pb::GetEntitlementRequest* req,
                          pb::Entitlement* resp) override;
  Reactor* ListInstalledBase(Ctx* ctx, const pb::ListInstalledBaseRequest* req,
                             pb::ListInstalledBaseResponse* resp) override;
  Reactor* AllocateSpare(Ctx* ctx, const pb::AllocateSpareRequest* req, pb::Unit* resp) override;
  Reactor* ReleaseSpare(Ctx* ctx, const pb::ReleaseSpareRequest* req, pb::Unit* resp) override;
  Reactor* IntakeReturnedUnit(Ctx* ctx, const pb::IntakeReturnedUnitRequest* req,
                              pb::Unit* resp) override;
  Reactor* SwapInstalledBase(Ctx* ctx, const pb::SwapInstalledBaseRequest* req,
                             pb::SwapInstalledBaseResponse* resp) override;

 private:

  const Inventory& domain_;
  InventoryStore& store_;
  BoundedExecutor& executor_;
  const Clock& clock_;
  InventoryUseCaseDeps Deps() { return InventoryUseCaseDeps{domain_, store_, clock_}; }

  // One use case per unary RPC (the genuine-serial load is a stream reactor):
  // the reads' queries, then one class per write.
  const InventoryQueries queries_;
  const CreateProductUseCase create_product_;
  const UpdateProductUseCase update_product_;
  const ReceiveUnitUseCase receive_unit_;
  const RecordCertificationStepUseCase record_certification_step_;
  const CertifyUnitUseCase certify_unit_;
  const QuarantineUnitUseCase quarantine_unit_;
  const ScrapUnitUseCase scrap_unit_;
  const MoveToSparePoolUseCase move_to_spare_pool_;
  const ReserveUnitUseCase reserve_unit_;
  const ReleaseReservationUseCase release_reservation_;
  const SellUnitUseCase sell_unit_;
  const RegisterProductUseCase register_product_;
  const UpdateInstalledBaseUseCase update_installed_base_;
  const TransferOwnershipUseCase transfer_ownership_;
  const FlagGreyMarketUseCase flag_grey_market_;
  const ReinstateUnitUseCase reinstate_unit_;
  const CreateSupportContractUseCase create_support_contract_;
  const SwapInstalledBaseUseCase swap_installed_base_;
  const AllocateSpareUseCase allocate_spare_;
  const ReleaseSpareUseCase release_spare_;
  const IntakeReturnedUnitUseCase intake_returned_unit_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INVENTORY_GRPC_H_
