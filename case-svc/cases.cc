// The Cases class's shared parts: the helpers of cases_internal.h, SKU
// normalization and the constructor. Each sub-domain's operations are in
// their own file: admin_cases.cc, trade_ins.cc, attachments.cc (and the SLA
// clock in sla.cc).
#include "case-svc/cases.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "case-svc/cases_internal.h"
#include "case-svc/sla.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::cases {

std::string RoleOf(const Principal& p) { return std::string(RoleName(p.role)); }

absl::Status CheckAccountId(const std::string& id, const std::string& field) {
  if (id.size() > 64) return InvalidField(field, "must be at most 64 characters");
  for (char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') {
      return InvalidField(field, "must be letters, digits, '-' or '_'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CanonicalCaseId(const std::string& id) {
  ASSIGN_OR_RETURN(CaseId parsed, ParseCaseId(id, "case_id"));
  return parsed.ToString();
}

// The account a scoped caller opens a case for: the one named (which must be
// in its token), else its only account, else none.
absl::StatusOr<std::string> AccountFor(const Principal& caller, const std::string& requested,
                                       const std::string& field, bool required_for_staff) {
  RETURN_IF_ERROR(CheckAccountId(requested, field));
  if (IsScoped(caller)) {
    if (requested.empty()) {
      if (caller.account_ids.size() == 1) return caller.account_ids[0];
      if (caller.account_ids.empty()) {
        // A case nobody scoped could see afterwards: refused.
        return absl::PermissionDeniedError(
            field + ": the caller is associated with no account; cases are opened for one of "
            "the caller's accounts");
      }
      return InvalidField(field, "is required when the caller is associated with several accounts");
    }
    // Another account looks exactly like one that does not exist.
    RETURN_IF_ERROR(CheckAccountScope(caller, requested, "account " + requested));
    return requested;
  }
  if (requested.empty() && required_for_staff) {
    return InvalidField(field, "is required");
  }
  return requested;
}

std::string StatusChange(CaseStatus from, CaseStatus to) {
  return absl::StrCat(Name(from), " -> ", Name(to));
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

absl::Status RequireOpen(const TradeIn& t, const char* action) {
  if (t.status != TradeInStatus::kOpen) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id, " is ", Name(t.status), "; cannot ", action));
  }
  return absl::OkStatus();
}

bool IsScoped(const Principal& caller) {
  return caller.role == Role::kCustomer || caller.role == Role::kPartner;
}


absl::StatusOr<std::string> NormalizeSku(const std::string& sku, const std::string& field) {
  if (sku.empty() || sku.size() > 40) {
    return InvalidField(field, "must be 1-40 characters");
  }
  std::string out = absl::AsciiStrToUpper(sku);
  for (char ch : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.' &&
        ch != '+' && ch != '/') {
      return InvalidField(field, "must be A-Z, 0-9, '-', '.', '+' or '/'");
    }
  }
  return out;
}

Cases::Cases(const Clock& clock, CaseOptions options, const PageTokenCodec* page_tokens)
    : clock_(clock), options_(std::move(options)), page_tokens_(page_tokens) {}

}  // namespace aftercare::cases
