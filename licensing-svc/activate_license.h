// ActivateLicenseUseCase: the use case behind LicensingService/ActivateLicense.
// In one idempotent transaction (a retry with the same request_id gets the
// first answer): the activation code and the device serial checked, the
// code's purchase found in the caller's reach, and a license issued and
// signed for the device (Licensing::Activate). A device the purchase
// already licenses gets that license again, marked already_activated, and
// no second one.
#ifndef AFTERCARE_LICENSING_SVC_ACTIVATE_LICENSE_H_
#define AFTERCARE_LICENSING_SVC_ACTIVATE_LICENSE_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class ActivateLicenseUseCase {
 public:
  ActivateLicenseUseCase(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  absl::StatusOr<v1::ActivateLicenseResponse> Run(const Principal& caller,
                                                  const v1::ActivateLicenseRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_ACTIVATE_LICENSE_H_
