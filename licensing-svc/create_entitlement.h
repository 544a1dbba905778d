// CreateEntitlementUseCase: the use case behind
// LicensingService/CreateEntitlement, one step after the other:
//   1. the request's product parsed (FromProto): a product outside its enums
//      is INVALID_ARGUMENT before any transaction;
//   2. the purchase recorded in one idempotent transaction
//      (Licensing::CreateEntitlement): a retry with the same request_id gets
//      the first answer. The answer is stored with its activation code
//      sealed (LicenseSigner::Seal), so the database never holds a usable
//      code;
//   3. the code opened for the caller, from the fresh answer or the stored
//      one alike. A right-to-use purchase has no code; its answer carries
//      the right-to-use certificate instead.
#ifndef AFTERCARE_LICENSING_SVC_CREATE_ENTITLEMENT_H_
#define AFTERCARE_LICENSING_SVC_CREATE_ENTITLEMENT_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class CreateEntitlementUseCase {
 public:
  CreateEntitlementUseCase(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  // The answer with the activation code in clear.
  absl::StatusOr<v1::CreateEntitlementResponse> Run(
      const Principal& caller, const v1::CreateEntitlementRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_CREATE_ENTITLEMENT_H_
