#include "licensing-svc/renew_subscription.h"

#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::RenewSubscriptionResponse> RenewSubscriptionUseCase::Run(
    const Principal& caller, const v1::RenewSubscriptionRequest& request) const {
  return store_.WriteOnce<v1::RenewSubscriptionResponse>(
      caller, request, "RenewSubscription", "renew subscription",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::RenewSubscriptionResponse> {
        ASSIGN_OR_RETURN(
            RenewalResult r,
            domain_.Renew(
                caller, request.entitlement_id(), request.term_months(), request.order_reference(),
                {request.notification_emails().begin(), request.notification_emails().end()},
                repo));
        v1::RenewSubscriptionResponse answer;
        ToProto(r.entitlement, answer.mutable_entitlement());
        ToProto(r.welcome_letter, answer.mutable_welcome_letter());
        return answer;
      });
}

}  // namespace aftercare::licensing
