#include "inventory-svc/certification_use_cases.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Unit> ReceiveUnitUseCase::Run(const Principal& caller,
                                                 const v1::ReceiveUnitRequest& request) const {
  ReceiveCommand cmd;
  cmd.serial = request.serial_number();
  cmd.sku = request.sku();
  ASSIGN_OR_RETURN(cmd.source,
                   FromEnum<Source>(request.source(), v1::UnitSource_IsValid, "source"));
  ASSIGN_OR_RETURN(cmd.condition, FromEnum<Condition>(request.condition(),
                                                      v1::UnitCondition_IsValid, "condition"));
  cmd.note = request.note();
  return WriteUnit(
      deps_, caller, request, "ReceiveUnit", "receive unit",
      [&](InventoryRepository& repo) { return deps_.domain.ReceiveUnit(caller, cmd, repo); });
}

absl::StatusOr<v1::RecordCertificationStepResponse> RecordCertificationStepUseCase::Run(
    const Principal& caller, const v1::RecordCertificationStepRequest& request) const {
  StepCommand cmd;
  cmd.serial = request.serial_number();
  ASSIGN_OR_RETURN(cmd.step, FromEnum<Step>(request.step(), v1::CertificationStep_IsValid, "step"));
  cmd.passed = request.passed();
  cmd.replaced_parts.assign(request.replaced_part_numbers().begin(),
                            request.replaced_part_numbers().end());
  cmd.no_repair_needed = request.no_repair_needed();
  cmd.software_version = request.software_version();
  cmd.test_report_reference = request.test_report_reference();
  cmd.note = request.note();
  return deps_.store.WriteOnce<v1::RecordCertificationStepResponse>(
      caller, request, "RecordCertificationStep", "record certification step",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::RecordCertificationStepResponse> {
        ASSIGN_OR_RETURN(StepResult r, deps_.domain.RecordCertificationStep(caller, cmd, repo));
        v1::RecordCertificationStepResponse out;
        ToProto(r.event, out.mutable_event());
        ToProto(r.unit, deps_.clock.Now(), out.mutable_unit());
        return out;
      });
}

absl::StatusOr<v1::Unit> CertifyUnitUseCase::Run(const Principal& caller,
                                                 const v1::CertifyUnitRequest& request) const {
  return WriteUnit(deps_, caller, request, "CertifyUnit", "certify unit",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.CertifyUnit(caller, request.serial_number(), repo);
                   });
}

absl::StatusOr<v1::Unit> QuarantineUnitUseCase::Run(
    const Principal& caller, const v1::QuarantineUnitRequest& request) const {
  return WriteUnit(
      deps_, caller, request, "QuarantineUnit", "quarantine unit", [&](InventoryRepository& repo) {
        return deps_.domain.QuarantineUnit(caller, request.serial_number(), request.reason(), repo);
      });
}

absl::StatusOr<v1::Unit> ScrapUnitUseCase::Run(const Principal& caller,
                                               const v1::ScrapUnitRequest& request) const {
  return WriteUnit(
      deps_, caller, request, "ScrapUnit", "scrap unit", [&](InventoryRepository& repo) {
        return deps_.domain.ScrapUnit(caller, request.serial_number(), request.reason(), repo);
      });
}

absl::StatusOr<v1::Unit> MoveToSparePoolUseCase::Run(
    const Principal& caller, const v1::MoveToSparePoolRequest& request) const {
  return WriteUnit(deps_, caller, request, "MoveToSparePool", "move to spare pool",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.MoveToSparePool(caller, request.serial_number(), repo);
                   });
}

}  // namespace aftercare::inventory
