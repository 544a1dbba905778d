// The gRPC face of rma-svc (aftercare.rma.v1.RmaService): each handler is
// one Answer (common/use_case_rpc.h: the caller authenticated, the work on the
// bounded executor) over its use case — create_rma.h, update_rma.h,
// approve_rma.h, decision_use_cases.h, logistics_use_cases.h, rma_queries.h
// — and wakes the outbox after a write. No rules, no SQL, no conversions.
#ifndef AFTERCARE_RMA_SVC_RMA_GRPC_H_
#define AFTERCARE_RMA_SVC_RMA_GRPC_H_

#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "common/clock.h"
#include "common/db/id_allocator.h"
#include "common/executor.h"
#include "common/notifications.h"
#include "common/outbox.h"
#include "rma-svc/approve_rma.h"
#include "rma-svc/create_rma.h"
#include "rma-svc/decision_use_cases.h"
#include "rma-svc/inventory_client.h"
#include "rma-svc/logistics_use_cases.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_queries.h"
#include "rma-svc/rma_repository.h"
#include "rma-svc/rma_view.h"
#include "rma-svc/update_rma.h"

namespace aftercare::rma {

namespace pb = ::aftercare::rma::v1;

class RmaGrpc final : public pb::RmaService::CallbackService {
 public:
  struct Deps {
    const Rmas* domain;
    RmaStore* store;
    InventoryClient* inventory;
    db::IdAllocator* validation_numbers;
    db::IdAllocator* rma_numbers;
    BoundedExecutor* executor;
    OutboxDispatcher* outbox;  // woken after commits that enqueue events; may be null
    const Clock* clock;
    // Woken after a CreateRma commits its notification's deliveries; may be null.
    NotificationDispatcher* notifications = nullptr;
  };
  explicit RmaGrpc(Deps d)
      : domain_(*d.domain),
        store_(*d.store),
        inventory_(*d.inventory),
        validation_numbers_(*d.validation_numbers),
        rma_numbers_(*d.rma_numbers),
        executor_(*d.executor),
        outbox_(d.outbox),
        clock_(*d.clock),
        notifications_(d.notifications),
        create_rma_(UseCaseDeps(), validation_numbers_),
        update_rma_(UseCaseDeps()),
        approve_rma_(UseCaseDeps(), rma_numbers_),
        cancel_rma_(UseCaseDeps()),
        reject_rma_(UseCaseDeps()),
        ship_replacement_(UseCaseDeps()),
        receive_return_(UseCaseDeps()),
        record_repair_(UseCaseDeps()),
        ship_repaired_unit_(UseCaseDeps()),
        close_rma_(UseCaseDeps()),
        queries_(UseCaseDeps()) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateRma(Ctx* ctx, const pb::CreateRmaRequest* req, pb::Rma* resp) override;
  Reactor* GetRma(Ctx* ctx, const pb::GetRmaRequest* req, pb::Rma* resp) override;
  Reactor* ListRmas(Ctx* ctx, const pb::ListRmasRequest* req, pb::ListRmasResponse* resp) override;
  Reactor* ListOverdueReturns(Ctx* ctx, const pb::ListOverdueReturnsRequest* req,
                              pb::ListOverdueReturnsResponse* resp) override;
  Reactor* UpdateRma(Ctx* ctx, const pb::UpdateRmaRequest* req, pb::Rma* resp) override;
  Reactor* CancelRma(Ctx* ctx, const pb::CancelRmaRequest* req, pb::Rma* resp) override;
  Reactor* ApproveRma(Ctx* ctx, const pb::ApproveRmaRequest* req, pb::Rma* resp) override;
  Reactor* RejectRma(Ctx* ctx, const pb::RejectRmaRequest* req, pb::Rma* resp) override;
  Reactor* ShipReplacement(Ctx* ctx, const pb::ShipReplacementRequest* req, pb::Rma* resp) override;
  Reactor* ReceiveReturn(Ctx* ctx, const pb::ReceiveReturnRequest* req,
                         pb::ReceiveReturnResponse* resp) override;
  Reactor* RecordRepair(Ctx* ctx, const pb::RecordRepairRequest* req, pb::Rma* resp) override;
  Reactor* ShipRepairedUnit(Ctx* ctx, const pb::ShipRepairedUnitRequest* req,
                            pb::Rma* resp) override;
  Reactor* CloseRma(Ctx* ctx, const pb::CloseRmaRequest* req, pb::Rma* resp) override;
  Reactor* ListNotifications(Ctx* ctx, const pb::ListNotificationsRequest* req,
                             pb::ListNotificationsResponse* resp) override;
  Reactor* GetReturnLabel(Ctx* ctx, const pb::GetReturnLabelRequest* req,
                          pb::ReturnLabel* resp) override;
  Reactor* ListReturnLocations(Ctx* ctx, const pb::ListReturnLocationsRequest* req,
                               pb::ListReturnLocationsResponse* resp) override;

 private:
  void WakeOutbox() {
    if (outbox_ != nullptr) outbox_->Notify();
  }
  RmaUseCaseDeps UseCaseDeps() { return RmaUseCaseDeps{domain_, store_, inventory_, clock_}; }

  const Rmas& domain_;
  RmaStore& store_;
  InventoryClient& inventory_;
  db::IdAllocator& validation_numbers_;
  db::IdAllocator& rma_numbers_;
  BoundedExecutor& executor_;
  OutboxDispatcher* outbox_;
  const Clock& clock_;
  NotificationDispatcher* notifications_;
  // One use case per RPC: each handler runs its use case and, after a
  // write, wakes the outbox.
  const CreateRmaUseCase create_rma_;
  const UpdateRmaUseCase update_rma_;
  const ApproveRmaUseCase approve_rma_;
  const CancelRmaUseCase cancel_rma_;
  const RejectRmaUseCase reject_rma_;
  const ShipReplacementUseCase ship_replacement_;
  const ReceiveReturnUseCase receive_return_;
  const RecordRepairUseCase record_repair_;
  const ShipRepairedUnitUseCase ship_repaired_unit_;
  const CloseRmaUseCase close_rma_;
  const RmaQueries queries_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_GRPC_H_
