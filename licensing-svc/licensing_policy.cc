#include "licensing-svc/licensing_policy.h"

namespace aftercare::licensing {

const ServicePolicy& LicensingPolicy() {
  using R = Role;
  const RoleSet internal = {R::kAdmin, R::kService};
  const RoleSet devices = {R::kCustomer, R::kPartner, R::kCareAgent, R::kAdmin, R::kService};
  const std::string own = "customer/partner: their accounts";
  static const ServicePolicy policy(
      "aftercare.licensing.v1.LicensingService",
      {
          {"CreateEntitlement", internal, ScopeKind::kNone, "order intake"},
          {"GetEntitlement", AnyRole(), ScopeKind::kAccount, own},
          {"ListEntitlements", AnyRole(), ScopeKind::kAccount, own},
          {"ActivateLicense", devices, ScopeKind::kAccount,
           "customer/partner: activation codes of their accounts"},
          {"RenewSubscription", internal, ScopeKind::kNone, "order intake"},
          {"RetrieveDeviceKeys", devices, ScopeKind::kAccount,
           "customer/partner: licenses of their accounts"},
          {"TransferLicenses", {R::kCustomer, R::kCareAgent, R::kTse, R::kAdmin, R::kService},
           ScopeKind::kAccount, "customer: RMAs of its accounts"},
          {"GetRmaTransfer", AnyRole(), ScopeKind::kAccount, own},
          {"ListRmaTransfers", AnyRole(), ScopeKind::kAccount, own},
          {"GetLicense", AnyRole(), ScopeKind::kAccount, own},
          {"ListLicenses", AnyRole(), ScopeKind::kAccount, own},
          {"RevokeLicense", {R::kAdmin, R::kCareAgent}, ScopeKind::kNone, "staff only"},
          {"VerifyLicenseKey", AnyRole(), ScopeKind::kNone,
           "answers only about the key presented"},
          {"ListSigningKeys", AnyRole(), ScopeKind::kNone, "public keys"},
          {"ListNotifications", AnyRole(), ScopeKind::kAccount, own},
      });
  return policy;
}

}  // namespace aftercare::licensing
