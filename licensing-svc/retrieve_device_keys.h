// RetrieveDeviceKeysUseCase: the use case behind
// LicensingService/RetrieveDeviceKeys. In one idempotent transaction (a
// retry with the same request_id gets the first answer, not keys signed
// again): the device's active licenses in the caller's reach, each with its
// refresh — a subscription renewed before its key expired gets a key signed
// for the new term (RENEWED); one renewed after gets none
// (RENEWAL_AFTER_EXPIRY); an ended one is EXPIRED (Licensing::
// RetrieveDeviceKeys). The answer names the device as the service stores
// serials, in upper case.
#ifndef AFTERCARE_LICENSING_SVC_RETRIEVE_DEVICE_KEYS_H_
#define AFTERCARE_LICENSING_SVC_RETRIEVE_DEVICE_KEYS_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class RetrieveDeviceKeysUseCase {
 public:
  RetrieveDeviceKeysUseCase(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  absl::StatusOr<v1::RetrieveDeviceKeysResponse> Run(
      const Principal& caller, const v1::RetrieveDeviceKeysRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_RETRIEVE_DEVICE_KEYS_H_
