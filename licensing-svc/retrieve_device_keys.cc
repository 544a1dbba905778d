#include "licensing-svc/retrieve_device_keys.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::RetrieveDeviceKeysResponse> RetrieveDeviceKeysUseCase::Run(
    const Principal& caller, const v1::RetrieveDeviceKeysRequest& request) const {
  return store_.WriteOnce<v1::RetrieveDeviceKeysResponse>(
      caller, request, "RetrieveDeviceKeys", "retrieve device keys",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::RetrieveDeviceKeysResponse> {
        ASSIGN_OR_RETURN(std::vector<DeviceKey> keys,
                         domain_.RetrieveDeviceKeys(caller, request.device_serial(), repo));
        v1::RetrieveDeviceKeysResponse answer;
        answer.set_device_serial(absl::AsciiStrToUpper(request.device_serial()));
        for (const DeviceKey& k : keys) {
          v1::DeviceKey* p = answer.add_keys();
          ToProto(k.license, p->mutable_license());
          p->set_refresh(static_cast<v1::KeyRefresh>(k.refresh));
        }
        return answer;
      });
}

}  // namespace aftercare::licensing
