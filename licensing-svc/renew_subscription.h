// RenewSubscriptionUseCase: the use case behind
// LicensingService/RenewSubscription. In one idempotent transaction (a retry
// with the same request_id gets the first answer and extends nothing
// again): the subscription's term extended by term_months from its end (or
// from now when it has ended) and the welcome letter to the named contacts
// recorded with it (Licensing::Renew).
#ifndef AFTERCARE_LICENSING_SVC_RENEW_SUBSCRIPTION_H_
#define AFTERCARE_LICENSING_SVC_RENEW_SUBSCRIPTION_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class RenewSubscriptionUseCase {
 public:
  RenewSubscriptionUseCase(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  absl::StatusOr<v1::RenewSubscriptionResponse> Run(
      const Principal& caller, const v1::RenewSubscriptionRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_RENEW_SUBSCRIPTION_H_
