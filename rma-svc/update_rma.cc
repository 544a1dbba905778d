#include "rma-svc/update_rma.h"

#include "common/idempotency.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> UpdateRmaUseCase::Run(const Principal& caller, const CallInfo* call,
                                              const v1::UpdateRmaRequest& req) const {
  AmendCommand cmd;
  cmd.name = req.name().empty() ? req.rma().validation_number() : req.name();
  cmd.etag = req.etag().empty() ? req.rma().etag() : req.etag();
  for (const std::string& path : req.update_mask().paths()) cmd.mask.insert(path);
  ASSIGN_OR_RETURN(cmd.type, FromEnum<RmaType>(req.rma().type(), v1::RmaType_IsValid, "rma.type"));
  cmd.failure_description = req.rma().failure_description();
  ASSIGN_OR_RETURN(cmd.damage_cause, FromEnum<DamageCause>(req.rma().damage_cause(),
                                                           v1::DamageCause_IsValid,
                                                           "rma.damage_cause"));
  cmd.ship_to = PostalAddressFromProto(req.rma().ship_to());
  cmd.contact_email = req.rma().contact_email();
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));

  Rma current;
  RETURN_IF_ERROR(deps_.store.Read("amend rma", [&](RmaRepository& repo) -> absl::Status {
    ASSIGN_OR_RETURN(current, deps_.domain.PrepareAmend(caller, &cmd, repo));
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(EntitlementView e, deps_.inventory.GetEntitlement(current.serial, call));
  return WriteRma(deps_, caller, req, "UpdateRma", [&](RmaRepository& repo) {
    return deps_.domain.Amend(caller, cmd, e, repo);
  });
}

}  // namespace aftercare::rma
