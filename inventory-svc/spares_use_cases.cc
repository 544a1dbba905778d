#include "inventory-svc/spares_use_cases.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "inventory-svc/inventory_view.h"

namespace aftercare::inventory {

absl::StatusOr<v1::Unit> AllocateSpareUseCase::Run(const Principal& caller,
                                                   const v1::AllocateSpareRequest& request) const {
  return WriteUnit(
      deps_, caller, request, "AllocateSpare", "allocate spare", [&](InventoryRepository& repo) {
        return deps_.domain.AllocateSpare(caller, request.sku(), request.rma_number(), repo);
      });
}

absl::StatusOr<v1::Unit> ReleaseSpareUseCase::Run(const Principal& caller,
                                                  const v1::ReleaseSpareRequest& request) const {
  return WriteUnit(deps_, caller, request, "ReleaseSpare", "release spare",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.ReleaseSpare(caller, request.serial_number(),
                                                      request.rma_number(), repo);
                   });
}

absl::StatusOr<v1::Unit> IntakeReturnedUnitUseCase::Run(
    const Principal& caller, const v1::IntakeReturnedUnitRequest& request) const {
  IntakeCommand cmd;
  cmd.serial = request.serial_number();
  ASSIGN_OR_RETURN(cmd.source,
                   FromEnum<Source>(request.source(), v1::UnitSource_IsValid, "source"));
  cmd.sku = request.sku();
  cmd.reference = request.reference();
  return WriteUnit(deps_, caller, request, "IntakeReturnedUnit", "intake returned unit",
                   [&](InventoryRepository& repo) {
                     return deps_.domain.IntakeReturnedUnit(caller, cmd, repo);
                   });
}

}  // namespace aftercare::inventory
