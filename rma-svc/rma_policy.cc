#include "rma-svc/rma_policy.h"

namespace aftercare::rma {

const ServicePolicy& RmaPolicy() {
  using R = Role;
  const RoleSet amenders = {R::kCustomer, R::kTse, R::kCareAgent, R::kAdmin};
  const RoleSet approvers = {R::kTse, R::kCareAgent};
  const RoleSet staff = {R::kCareAgent, R::kTse, R::kLogistics, R::kAdmin, R::kService};
  const std::string own = "customer/partner: RMAs of their accounts";
  static const ServicePolicy policy(
      "aftercare.rma.v1.RmaService",
      {
          {"CreateRma", {R::kTse, R::kAdmin}, ScopeKind::kNone, "staff only"},
          {"GetRma", AnyRole(), ScopeKind::kAccount, own},
          {"ListRmas", AnyRole(), ScopeKind::kAccount,
           own + " (account_id required when the token has several)"},
          {"ListOverdueReturns", staff, ScopeKind::kNone, "staff only"},
          {"UpdateRma", amenders, ScopeKind::kAccount, "customer: RMAs of its accounts"},
          {"CancelRma", amenders, ScopeKind::kAccount, "customer: RMAs of its accounts"},
          {"ApproveRma", approvers, ScopeKind::kNone, "staff only"},
          {"RejectRma", approvers, ScopeKind::kNone, "staff only"},
          {"ShipReplacement", {R::kLogistics}, ScopeKind::kNone, "depot"},
          {"ReceiveReturn", {R::kLogistics}, ScopeKind::kNone, "depot"},
          {"RecordRepair", {R::kLogistics}, ScopeKind::kNone, "depot"},
          {"ShipRepairedUnit", {R::kLogistics}, ScopeKind::kNone, "depot"},
          {"CloseRma", {R::kLogistics, R::kTse, R::kCareAgent}, ScopeKind::kNone, "staff only"},
          {"ListNotifications", AnyRole(), ScopeKind::kAccount, own},
          {"GetReturnLabel", AnyRole(), ScopeKind::kAccount, own},
          {"ListReturnLocations", AnyRole(), ScopeKind::kNone, "public depot list"},
      });
  return policy;
}

}  // namespace aftercare::rma
