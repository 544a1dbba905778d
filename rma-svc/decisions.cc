// The decision on an RMA: approval (with its spare) and rejection.
// Part of Rmas (rma.h); shared helpers are in rma_internal.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/status.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_internal.h"

namespace aftercare::rma {

// --- Decision ----------------------------------------------------------------

absl::StatusOr<Rma> Rmas::PrepareApprove(const Principal& caller, const std::string& name,
                                         RmaRepository& repo) const {
  // The state is checked in the transaction (a retry of a finished call
  // must reach its stored response).
  return LoadVisible(caller, name, false, repo);
}

absl::StatusOr<Rma> Rmas::Approve(const Principal& caller, const std::string& name,
                                  const std::string& etag, const EntitlementView& entitlement,
                                  int64_t seq, RmaRepository& repo) const {
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kPending}, "approval"));
  RETURN_IF_ERROR(CheckRmaEtag(rma, etag, false));
  RETURN_IF_ERROR(CheckDamage(rma.damage_cause));
  RETURN_IF_ERROR(CheckEntitlement(rma.type, rma.account_id, entitlement));
  rma.status = Status::kApproved;
  rma.rma_number = FormatRmaNumber(kRmaBase + seq);
  rma.approved_by = caller.subject;
  rma.approve_time = clock_.Now();
  rma.entitlement_summary = Summary(entitlement);
  rma.list_price = entitlement.list_price;
  if (!entitlement.sku.empty()) rma.sku = entitlement.sku;
  if (IsReplacementType(rma.type)) RETURN_IF_ERROR(repo.EnqueueAllocateSpare(rma));
  RETURN_IF_ERROR(SaveAndNotify(
      rma, "rma_approved",
      {{"rma_number", rma.rma_number},
       {"validation_number", rma.validation_number},
       {"rma_type", TypeWords(rma.type)},
       {"serial_number", rma.serial},
       {"replacement", IsReplacementType(rma.type) ? "true" : ""},
       {"sku", rma.sku},
       {"return_business_days", absl::StrCat(options_.return_business_days)},
       {"amount", FormatMoney(rma.list_price)}},
      repo));
  return rma;
}

absl::StatusOr<Rma> Rmas::Reject(const Principal& caller, const std::string& name,
                                 const std::string& reason, const std::string& etag,
                                 RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 1000, true));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kPending}, "rejection"));
  RETURN_IF_ERROR(CheckRmaEtag(rma, etag, false));
  rma.status = Status::kRejected;
  rma.rejection_reason = reason;
  rma.close_time = clock_.Now();
  RETURN_IF_ERROR(SaveAndNotify(rma, "rma_rejected",
                                {{"validation_number", rma.validation_number},
                                 {"serial_number", rma.serial},
                                 {"reason", reason}},
                                repo));
  return rma;
}

}  // namespace aftercare::rma
