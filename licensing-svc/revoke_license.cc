#include "licensing-svc/revoke_license.h"

#include "common/proto_convert.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::License> RevokeLicenseUseCase::Run(
    const Principal& caller, const v1::RevokeLicenseRequest& request) const {
  ASSIGN_OR_RETURN(
      RevocationReason reason,
      FromEnum<RevocationReason>(request.reason(), v1::RevocationReason_IsValid, "reason"));
  return store_.WriteOnce<v1::License>(
      caller, request, "RevokeLicense", "revoke license",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::License> {
        ASSIGN_OR_RETURN(License l, domain_.Revoke(caller, request.license_id(), reason,
                                                   request.note(), request.etag(), repo));
        v1::License answer;
        ToProto(l, &answer);
        return answer;
      });
}

}  // namespace aftercare::licensing
