#include "licensing-svc/activate_license.h"

#include "common/idempotency.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::ActivateLicenseResponse> ActivateLicenseUseCase::Run(
    const Principal& caller, const v1::ActivateLicenseRequest& request) const {
  v1::ActivateLicenseResponse out;
  RETURN_IF_ERROR(store_.Mutate(
      IdempotencyKey::For(caller, request.request_id(), "ActivateLicense"), request,
      "activate license", &out,
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::ActivateLicenseResponse> {
        ASSIGN_OR_RETURN(ActivationResult r, domain_.Activate(caller, request.activation_code(),
                                                              request.device_serial(), repo));
        v1::ActivateLicenseResponse answer;
        ToProto(r.license, answer.mutable_license());
        answer.set_already_activated(r.already_activated);
        return answer;
      }));
  return out;
}

}  // namespace aftercare::licensing
