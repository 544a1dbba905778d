// RevokeLicenseUseCase: the use case behind LicensingService/RevokeLicense:
//   1. the reason parsed: a value outside the enum is INVALID_ARGUMENT
//      before any transaction;
//   2. in one idempotent transaction (a retry with the same request_id gets
//      the first answer): the license found in the caller's reach, its etag
//      checked, and the license revoked with its reason and note
//      (Licensing::Revoke); a revoked key fails server-side verification
//      from then on.
#ifndef AFTERCARE_LICENSING_SVC_REVOKE_LICENSE_H_
#define AFTERCARE_LICENSING_SVC_REVOKE_LICENSE_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class RevokeLicenseUseCase {
 public:
  RevokeLicenseUseCase(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  absl::StatusOr<v1::License> Run(const Principal& caller,
                                  const v1::RevokeLicenseRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_REVOKE_LICENSE_H_
