#include "inventory-svc/inventory_policy.h"

namespace aftercare::inventory {

const ServicePolicy& InventoryPolicy() {
  using R = Role;
  const RoleSet internal = {R::kCareAgent, R::kTse, R::kLogistics, R::kAdmin, R::kService};
  const RoleSet rma_internal = {R::kService, R::kAdmin};
  const RoleSet cpo_channel = {R::kPartner, R::kAdmin, R::kService};
  const RoleSet depot = {R::kLogistics, R::kAdmin};
  const RoleSet care = {R::kAdmin, R::kCareAgent, R::kService};
  static const ServicePolicy policy(
      "aftercare.inventory.v1.InventoryService",
      {
          {"CreateProduct", {R::kAdmin}, ScopeKind::kNone, "the catalog"},
          {"GetProduct", AnyRole(), ScopeKind::kNone, "the catalog is public"},
          {"ListProducts", AnyRole(), ScopeKind::kNone, "the catalog is public"},
          {"UpdateProduct", {R::kAdmin}, ScopeKind::kNone, "the catalog"},
          {"LoadGenuineSerials", {R::kAdmin}, ScopeKind::kNone, "the genuine-serial registry"},
          {"GetGenuineSerial", {R::kAdmin, R::kLogistics}, ScopeKind::kNone,
           "the genuine-serial registry"},
          {"ReceiveUnit", depot, ScopeKind::kNone, "depot stock"},
          {"GetUnit", AnyRole(), ScopeKind::kAccount,
           "customer/partner: units of their accounts; CPO partner: also available units and "
           "its own reservations"},
          {"ListUnits", RoleSet{R::kPartner, R::kCareAgent, R::kTse, R::kLogistics, R::kAdmin,
                                R::kService},
           ScopeKind::kNone, "CPO partner: available (CERTIFIED) units only"},
          {"ListUnitEvents", internal, ScopeKind::kNone, "staff only"},
          {"RecordCertificationStep", {R::kLogistics}, ScopeKind::kNone, "depot stock"},
          {"CertifyUnit", {R::kLogistics}, ScopeKind::kNone, "depot stock"},
          {"QuarantineUnit", depot, ScopeKind::kNone, "depot stock"},
          {"ScrapUnit", depot, ScopeKind::kNone, "depot stock"},
          {"MoveToSparePool", depot, ScopeKind::kNone, "depot stock"},
          {"ListCpoOffers", AnyRole(), ScopeKind::kNone, "the CPO catalog is public"},
          {"ReserveUnit", cpo_channel, ScopeKind::kNone,
           "partner: only with the CPO channel flag; certified stock"},
          {"ReleaseReservation", cpo_channel, ScopeKind::kPartner,
           "partner: only its own reservations (others' are NOT_FOUND)"},
          {"SellUnit", cpo_channel, ScopeKind::kPartner,
           "partner: only its own reservations (others' are NOT_FOUND)"},
          {"RegisterProduct", {R::kAdmin, R::kService, R::kPartner, R::kCustomer},
           ScopeKind::kAccount, "customer/partner: sold units of their accounts, new units for them"},
          {"UpdateInstalledBase", {R::kCustomer, R::kPartner, R::kCareAgent, R::kAdmin, R::kService},
           ScopeKind::kAccount, "customer/partner: units of their accounts"},
          {"TransferOwnership", care, ScopeKind::kNone, "staff only"},
          {"FlagGreyMarket", care, ScopeKind::kNone, "staff only"},
          {"ReinstateUnit", rma_internal, ScopeKind::kNone, "case-svc after approval"},
          {"CreateSupportContract", {R::kAdmin, R::kService, R::kPartner}, ScopeKind::kAccount,
           "partner: units of its accounts"},
          {"GetEntitlement", AnyRole(), ScopeKind::kAccount,
           "customer/partner: units of their accounts"},
          {"ListInstalledBase", AnyRole(), ScopeKind::kAccount,
           "customer/partner: their accounts"},
          {"AllocateSpare", rma_internal, ScopeKind::kNone, "rma-svc"},
          {"ReleaseSpare", rma_internal, ScopeKind::kNone, "rma-svc"},
          {"IntakeReturnedUnit", rma_internal, ScopeKind::kNone, "rma-svc and case-svc"},
          {"SwapInstalledBase", rma_internal, ScopeKind::kNone, "rma-svc"},
      });
  return policy;
}

}  // namespace aftercare::inventory
