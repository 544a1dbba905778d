#include "licensing-svc/revoke_license.h"

#include "common/idempotency.h"
#include "common/proto_convert.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::License> RevokeLicenseUseCase::Run(
    const Principal& caller, const v1::RevokeLicenseRequest& request) const {
  ASSIGN_OR_RETURN(
      RevocationReason reason,
      FromEnum<RevocationReason>(request.reason(), v1::RevocationReason_IsValid, "reason"));
  v1::License out;
  RETURN_IF_ERROR(store_.Mutate(
      IdempotencyKey::For(caller, request.request_id(), "RevokeLicense"), request, "revoke license",
      &out, [&](LicensingRepository& repo) -> absl::StatusOr<v1::License> {
        ASSIGN_OR_RETURN(License l, domain_.Revoke(caller, request.license_id(), reason,
                                                   request.note(), request.etag(), repo));
        v1::License answer;
        ToProto(l, &answer);
        return answer;
      }));
  return out;
}

}  // namespace aftercare::licensing
