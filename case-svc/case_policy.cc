#include "case-svc/case_policy.h"

namespace aftercare::cases {

const ServicePolicy& CasePolicy() {
  using R = Role;
  const RoleSet openers = {R::kCustomer, R::kPartner, R::kCareAgent, R::kAdmin};
  const RoleSet care = {R::kCareAgent, R::kAdmin};
  const RoleSet customer_only = {R::kCustomer, R::kPartner};
  const std::string own = "customer/partner: cases of their accounts";
  const std::string own_trade_in = "customer/partner: trade-in cases of their accounts";
  static const ServicePolicy policy(
      "aftercare.cases.v1.CaseService",
      {
          {"CreateCase", openers, ScopeKind::kAccount,
           "customer/partner: for their accounts; the unit's product is filled only from a "
           "unit of the case's account"},
          {"GetCase", AnyRole(), ScopeKind::kAccount, own},
          {"ListCases", AnyRole(), ScopeKind::kAccount, own},
          {"TakeCaseOwnership", care, ScopeKind::kNone, "staff only"},
          {"UpdateCaseStatus", care, ScopeKind::kNone, "staff only"},
          {"AddCaseNote", openers, ScopeKind::kAccount, own + " (public notes only)"},
          {"EscalateCase", openers, ScopeKind::kAccount, own},
          {"ResolveCase", care, ScopeKind::kNone, "staff only"},
          {"CloseCase", customer_only, ScopeKind::kAccount, own + " (the customer confirms)"},
          {"ReopenCase", customer_only, ScopeKind::kAccount, own},
          {"ApproveReinstatement", {R::kCareAgent}, ScopeKind::kNone, "care agents only"},
          {"ListCaseEvents", AnyRole(), ScopeKind::kAccount,
           own + "; internal entries left out for them"},
          {"CreateTradeInCase", openers, ScopeKind::kAccount, "customer/partner: for their accounts"},
          {"GetTradeInCase", AnyRole(), ScopeKind::kAccount, own_trade_in},
          {"ListTradeInCases", AnyRole(), ScopeKind::kAccount, own_trade_in},
          {"UpdateTradeInLines", openers, ScopeKind::kAccount, own_trade_in},
          {"RequestDeadlineExtension", openers, ScopeKind::kAccount, own_trade_in},
          {"ReviewDeadlineExtension", care, ScopeKind::kNone, "staff only"},
          {"IssueShippingInstructions", care, ScopeKind::kNone, "staff only"},
          {"RecordReceivedUnits", {R::kLogistics, R::kCareAgent, R::kAdmin}, ScopeKind::kNone,
           "staff only"},
          {"UploadAttachment", openers, ScopeKind::kAccount, own_trade_in},
          {"ListAttachments", AnyRole(), ScopeKind::kAccount, own_trade_in},
          {"DownloadAttachment", AnyRole(), ScopeKind::kAccount, own_trade_in},
          {"AddTechnicalCaseNote", {R::kService, R::kAdmin}, ScopeKind::kNone,
           "rma-svc (an RMA's notifications on its technical case)"},
          {"ListTechnicalCaseNotes", AnyRole(), ScopeKind::kAccount,
           "customer/partner: notes of their accounts (others: an empty list)"},
      });
  return policy;
}

}  // namespace aftercare::cases
