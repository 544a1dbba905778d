#include "rma-svc/logistics_use_cases.h"

#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> ShipReplacementUseCase::Run(
    const Principal& caller, const v1::ShipReplacementRequest& request) const {
  return WriteRma(deps_, caller, request, "ShipReplacement", [&](RmaRepository& repo) {
    return deps_.domain.ShipReplacement(caller, request.name(), request.carrier(),
                                        request.tracking_number(), repo);
  });
}

absl::StatusOr<v1::ReceiveReturnResponse> ReceiveReturnUseCase::Run(
    const Principal& caller, const v1::ReceiveReturnRequest& request) const {
  return deps_.store.WriteOnce<v1::ReceiveReturnResponse>(
      caller, request, "ReceiveReturn", "receive return",
      [&](RmaRepository& repo) -> absl::StatusOr<v1::ReceiveReturnResponse> {
        ASSIGN_OR_RETURN(ReceiveResult r,
                         deps_.domain.Receive(caller, request.rma_number(), request.serial_number(),
                                              request.note(), repo));
        v1::ReceiveReturnResponse out;
        out.set_accepted(r.accepted);
        *out.mutable_rma() = ToProto(r.rma, deps_.clock.Now());
        if (r.exception) ToProto(*r.exception, out.mutable_exception());
        return out;
      });
}

absl::StatusOr<v1::Rma> RecordRepairUseCase::Run(const Principal& caller,
                                                 const v1::RecordRepairRequest& request) const {
  return WriteRma(deps_, caller, request, "RecordRepair", [&](RmaRepository& repo) {
    return deps_.domain.RecordRepair(caller, request.name(), request.repair_summary(),
                                     request.software_version(), repo);
  });
}

absl::StatusOr<v1::Rma> ShipRepairedUnitUseCase::Run(
    const Principal& caller, const v1::ShipRepairedUnitRequest& request) const {
  return WriteRma(deps_, caller, request, "ShipRepairedUnit", [&](RmaRepository& repo) {
    return deps_.domain.ShipRepaired(caller, request.name(), request.carrier(),
                                     request.tracking_number(), repo);
  });
}

absl::StatusOr<v1::Rma> CloseRmaUseCase::Run(const Principal& caller,
                                             const v1::CloseRmaRequest& request) const {
  return WriteRma(deps_, caller, request, "CloseRma", [&](RmaRepository& repo) {
    return deps_.domain.Close(caller, request.name(), request.note(), repo);
  });
}

}  // namespace aftercare::rma
