#include "rma-svc/create_rma.h"

#include "common/idempotency.h"
#include "common/postal_address.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> CreateRmaUseCase::Run(const Principal& caller, const CallInfo* call,
                                              const v1::CreateRmaRequest& req) const {
  CreateCommand cmd;
  cmd.serial = req.serial_number();
  cmd.account_id = req.account_id();
  cmd.technical_case_id = req.technical_case_id();
  ASSIGN_OR_RETURN(cmd.type, FromEnum<RmaType>(req.type(), v1::RmaType_IsValid, "type"));
  cmd.failure_description = req.failure_description();
  ASSIGN_OR_RETURN(cmd.damage_cause,
                   FromEnum<DamageCause>(req.damage_cause(), v1::DamageCause_IsValid, "damage_cause"));
  cmd.ship_to = PostalAddressFromProto(req.ship_to());
  cmd.contact_email = req.contact_email();
  RETURN_IF_ERROR(deps_.domain.ValidateCreate(caller, &cmd));
  RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  RETURN_IF_ERROR(deps_.domain.CheckDamage(cmd.damage_cause));

  ASSIGN_OR_RETURN(EntitlementView e, deps_.inventory.GetEntitlement(cmd.serial, call));
  ASSIGN_OR_RETURN(int64_t seq, validation_numbers_.Next("rma"));

  // The key goes on the RMA's row with the answer (RepositoryStore::CreateOnce).
  return deps_.store.CreateOnce<v1::Rma>(
      caller, req, "CreateRma", "CreateRma",
      [&](RmaRepository& repo, const RowKey* key) -> absl::StatusOr<v1::Rma> {
        v1::Rma answer;
        const RmaCreateKey create{key, [&](const Rma& rma) {
                                    answer = ToProto(rma, deps_.clock.Now());
                                    return answer.SerializeAsString();
                                  }};
        ASSIGN_OR_RETURN(Rma rma, deps_.domain.Create(caller, cmd, e, seq, repo, &create));
        if (key == nullptr) return ToProto(rma, deps_.clock.Now());
        return answer;  // the one stored with the RMA
      },
      [](RmaRepository& repo, const RowKey& key) { return repo.FindCreateAnswer(key); });
}

}  // namespace aftercare::rma
