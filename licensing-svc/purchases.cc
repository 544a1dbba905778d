// Purchases: the entitlement a purchase creates, and its reads.
// Part of Licensing (licensing.h); shared helpers are in licensing_internal.h.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/activation_code.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_internal.h"

namespace aftercare::licensing {

// --- purchases ---------------------------------------------------------------

absl::Status Licensing::ValidatePurchase(PurchaseCommand& cmd) const {
  RETURN_IF_ERROR(CheckAccountId(cmd.account_id, "account_id"));
  LicenseProduct& p = cmd.product;
  p.sku = absl::AsciiStrToUpper(p.sku);
  RETURN_IF_ERROR(CheckToken(p.sku, "product.sku"));
  RETURN_IF_ERROR(CheckToken(p.feature, "product.feature"));
  if (p.capacity < 0) return InvalidField("product.capacity", "must not be negative");
  if (p.system == LicensingSystem::kUnspecified) {
    return InvalidField("product.licensing_system", "is required (JUNOS or NON_JUNOS)");
  }
  switch (p.term_type) {
    case TermType::kPerpetual:
      if (p.term_months != 0)
        return InvalidField("product.term_months", "must be 0 for a perpetual license");
      break;
    case TermType::kSubscription:
      if (p.term_months < 1 || p.term_months > kMaxTermMonths) {
        return InvalidField("product.term_months", "must be 1-120 for a subscription");
      }
      break;
    default:
      return InvalidField("product.term_type", "is required (PERPETUAL or SUBSCRIPTION)");
  }
  if (p.max_devices == 0) p.max_devices = 1;
  if (p.max_devices < 1 || p.max_devices > kMaxDevices) {
    return InvalidField("product.max_devices", "must be 1-1000");
  }
  RETURN_IF_ERROR(CheckText(cmd.order_reference, "order_reference", 128, false));
  return absl::OkStatus();
}

absl::StatusOr<PurchaseResult> Licensing::CreateEntitlement(const Principal& caller,
                                                            PurchaseCommand cmd,
                                                            LicensingRepository& repo) const {
  RETURN_IF_ERROR(ValidatePurchase(cmd));
  const absl::Time now = clock_.Now();
  Entitlement e;
  e.id = NewId("ENT-");
  e.account_id = cmd.account_id;
  e.product = cmd.product;
  e.kind = cmd.product.unlock_key_required ? EntitlementKind::kActivationCode
                                           : EntitlementKind::kRightToUse;
  e.order_reference = cmd.order_reference;
  e.start_time = now;
  if (e.product.term_type == TermType::kSubscription) {
    e.term_end = AddMonths(now, e.product.term_months);
  }
  e.create_time = e.update_time = now;
  PurchaseResult out;
  if (e.kind == EntitlementKind::kActivationCode) {
    std::string code = NewActivationCode();
    ASSIGN_OR_RETURN(std::string canonical, NormalizeActivationCode(code));
    e.code_hash = ActivationCodeHash(canonical);
    out.sealed_activation_code = signer_.Seal(code);
  }
  RETURN_IF_ERROR(repo.InsertEntitlement(e));
  out.entitlement = e;
  return out;
}

absl::StatusOr<Entitlement> Licensing::GetEntitlement(const Principal& caller,
                                                      const std::string& id,
                                                      LicensingRepository& repo) const {
  RETURN_IF_ERROR(CheckId(id, "ENT-", "entitlement_id"));
  return LoadEntitlement(caller, id, repo, false);
}

absl::StatusOr<Entitlement> Licensing::LoadEntitlement(const Principal& caller,
                                                       const std::string& id,
                                                       LicensingRepository& repo,
                                                       bool for_update) const {
  ASSIGN_OR_RETURN(std::optional<Entitlement> e, repo.FindEntitlement(id, for_update));
  if (!e) return absl::NotFoundError(absl::StrCat("entitlement ", id, " not found"));
  RETURN_IF_ERROR(CheckAccountScope(caller, e->account_id, "entitlement " + id));
  return *std::move(e);
}

absl::StatusOr<License> Licensing::LoadLicense(const Principal& caller, const std::string& id,
                                               LicensingRepository& repo, bool for_update) const {
  ASSIGN_OR_RETURN(std::optional<License> l, repo.FindLicense(id, for_update));
  if (!l) return absl::NotFoundError(absl::StrCat("license ", id, " not found"));
  RETURN_IF_ERROR(CheckAccountScope(caller, l->account_id, "license " + id));
  return *std::move(l);
}

absl::StatusOr<Page<Entitlement>> Licensing::ListEntitlements(const Principal& caller,
                                                              const std::string& account_id,
                                                              const PageRequest& page,
                                                              LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::string account, ScopedAccount(caller, account_id));
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListEntitlements", account});
  ASSIGN_OR_RETURN(auto after, DecodeCursor(page, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListEntitlements(account, after, size + 1));
  return MakePage(std::move(rows), size, pages_, fp,
                  [](const Entitlement& e) { return TimeIdCursor(e.create_time, e.id); });
}

}  // namespace aftercare::licensing
