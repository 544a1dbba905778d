// The use cases of an approved RMA's logistics, one class per RPC:
// ShipReplacement, ReceiveReturn, RecordRepair, ShipRepairedUnit and
// CloseRma. Each runs one idempotent transaction (a retry with the same
// request_id gets the first answer and moves nothing again): the RMA found
// in the caller's reach, the step checked against its state and type (a
// replacement ships only for an advance replacement, a repair is recorded
// only for a return to factory, ...) and recorded (Rmas::ShipReplacement,
// Receive, RecordRepair, ShipRepaired, Close), and the RMA answered as the
// API's message. The handler wakes the outbox after the commit.
#ifndef AFTERCARE_RMA_SVC_LOGISTICS_USE_CASES_H_
#define AFTERCARE_RMA_SVC_LOGISTICS_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class ShipReplacementUseCase {
 public:
  explicit ShipReplacementUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller,
                              const v1::ShipReplacementRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

// A unit arrives at the depot: the expected serial is accepted and the RMA
// moves to RECEIVED; another serial is recorded as a receipt exception,
// answered with accepted=false, and the RMA does not move.
class ReceiveReturnUseCase {
 public:
  explicit ReceiveReturnUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::ReceiveReturnResponse> Run(const Principal& caller,
                                                const v1::ReceiveReturnRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

class RecordRepairUseCase {
 public:
  explicit RecordRepairUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller,
                              const v1::RecordRepairRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

class ShipRepairedUnitUseCase {
 public:
  explicit ShipRepairedUnitUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller,
                              const v1::ShipRepairedUnitRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

class CloseRmaUseCase {
 public:
  explicit CloseRmaUseCase(RmaUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Rma> Run(const Principal& caller, const v1::CloseRmaRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_LOGISTICS_USE_CASES_H_
