#include "licensing-svc/activate_license.h"

#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::ActivateLicenseResponse> ActivateLicenseUseCase::Run(
    const Principal& caller, const v1::ActivateLicenseRequest& request) const {
  return store_.WriteOnce<v1::ActivateLicenseResponse>(
      caller, request, "ActivateLicense", "activate license",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::ActivateLicenseResponse> {
        ASSIGN_OR_RETURN(ActivationResult r, domain_.Activate(caller, request.activation_code(),
                                                              request.device_serial(), repo));
        v1::ActivateLicenseResponse answer;
        ToProto(r.license, answer.mutable_license());
        answer.set_already_activated(r.already_activated);
        return answer;
      });
}

}  // namespace aftercare::licensing
