#include "licensing-svc/create_entitlement.h"

#include <string>

#include "common/idempotency.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<v1::CreateEntitlementResponse> CreateEntitlementUseCase::Run(
    const Principal& caller, const v1::CreateEntitlementRequest& request) const {
  // 1. The request, before any transaction.
  PurchaseCommand cmd;
  cmd.account_id = request.account_id();
  ASSIGN_OR_RETURN(cmd.product, FromProto(request.product()));
  cmd.order_reference = request.order_reference();

  // 2. The purchase, stored with its code sealed.
  ASSIGN_OR_RETURN(
      v1::CreateEntitlementResponse out,
      store_.WriteOnce<v1::CreateEntitlementResponse>(
          caller, request, "CreateEntitlement", "create entitlement",
          [&](LicensingRepository& repo) -> absl::StatusOr<v1::CreateEntitlementResponse> {
            ASSIGN_OR_RETURN(PurchaseResult bought, domain_.CreateEntitlement(caller, cmd, repo));
            return ToProto(bought);
          }));

  // 3. The code opened for the caller.
  if (!out.activation_code().empty()) {
    ASSIGN_OR_RETURN(std::string code, domain_.signer().Open(out.activation_code()));
    out.set_activation_code(code);
  }
  return out;
}

}  // namespace aftercare::licensing
