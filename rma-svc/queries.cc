// RMA queries: lists, overdue returns, notifications, return labels and
// return locations.
// Part of Rmas (rma.h); shared helpers are in rma_internal.h.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_internal.h"

namespace aftercare::rma {

// --- Reads -----------------------------------------------------------------------

absl::StatusOr<Page<Rma>> Rmas::List(const Principal& caller, RmaFilter filter, int32_t page_size,
                                     const std::string& page_token, RmaRepository& repo) const {
  if (!filter.serial.empty()) {
    ASSIGN_OR_RETURN(filter.serial, NormalizeSerial(filter.serial, "serial_number"));
  }
  if (!filter.account_id.empty()) RETURN_IF_ERROR(CheckId(filter.account_id, "account_id"));
  if (IsScoped(caller)) {
    if (filter.account_id.empty()) {
      if (caller.account_ids.size() != 1) {
        return Invalid("account_id", "is required for a caller with several accounts");
      }
      filter.account_id = caller.account_ids[0];
    }
    RETURN_IF_ERROR(CheckAccountScope(caller, filter.account_id,
                                         absl::StrCat("account ", filter.account_id)));
  }
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListRmas", Name(filter.status), filter.account_id,
                                           filter.serial, Name(filter.type),
                                           filter.overdue ? "overdue" : ""});
  ASSIGN_OR_RETURN(int64_t after, DecodeAfterId(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(std::vector<Rma> rows, repo.ListRmas(filter, after, size + 1, clock_.Now()));
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const Rma& r) { return absl::StrCat(r.id); });
}

absl::StatusOr<Page<Rma>> Rmas::ListOverdue(const Principal& caller, int32_t page_size,
                                            const std::string& page_token,
                                            RmaRepository& repo) const {
  RmaFilter filter;
  filter.overdue = true;
  return List(caller, filter, page_size, page_token, repo);
}

absl::StatusOr<Page<Notification>> Rmas::ListNotifications(const Principal& caller,
                                                           const std::string& name,
                                                           int32_t page_size,
                                                           const std::string& page_token,
                                                           RmaRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, false, repo));
  const std::string fp = QueryFingerprint({"ListNotifications", rma.validation_number});
  ASSIGN_OR_RETURN(int64_t after, DecodeAfterId(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(std::vector<Notification> rows, repo.ListNotifications(rma.id, after, size + 1));
  for (Notification& n : rows) {
    n.validation_number = rma.validation_number;
    if (n.rma_number.empty()) n.rma_number = rma.rma_number;
  }
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const Notification& n) { return absl::StrCat(n.id); });
}

absl::StatusOr<ReturnLabel> Rmas::GetReturnLabel(const Principal& caller, const std::string& name,
                                                 RmaRepository& repo) const {
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, false, repo));
  if (IsReplacementType(rma.type)) {
    RETURN_IF_ERROR(RequireStatus(rma, {Status::kApproved, Status::kReplacementShipped},
                                  "a return label"));
  } else {
    RETURN_IF_ERROR(RequireStatus(rma, {Status::kApproved}, "a return label"));
  }
  ASSIGN_OR_RETURN(std::optional<ReturnLocation> loc, repo.ReturnLocationFor(rma.ship_to.region_code));
  if (!loc) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no return location serves ship-to country ", rma.ship_to.region_code,
        "; see ListReturnLocations or contact asset recovery"));
  }
  ReturnLabel label;
  label.rma_number = rma.rma_number;
  label.serial = rma.serial;
  label.location = *std::move(loc);
  label.ship_from = rma.ship_to;
  label.barcode_payload =
      absl::StrCat("RMA|", rma.rma_number, "|SN|", rma.serial, "|LOC|", label.location.code);
  label.instructions = absl::StrCat(
      "Label the outside of the box with RMA number ", rma.rma_number,
      ". Pack only unit ", rma.serial, " and ship it to ", label.location.name, ".",
      rma.return_due_date.empty()
          ? ""
          : absl::StrCat(" It must arrive by ", rma.return_due_date,
                         "; after that the full list price is charged for the non-return."));
  return label;
}

absl::StatusOr<Page<ReturnLocation>> Rmas::ListReturnLocations(const Principal& caller,
                                                               const std::string& region_code,
                                                               const std::string& theater,
                                                               int32_t page_size,
                                                               const std::string& page_token,
                                                               RmaRepository& repo) const {
  (void)caller;  // any authenticated role
  if (!region_code.empty()) RETURN_IF_ERROR(CheckRegionCode(region_code, "region_code"));
  if (!theater.empty() && theater != "LATAM" && theater != "NA" && theater != "EMEA_EU" &&
      theater != "EMEA_NON_EU" && theater != "APAC") {
    return Invalid("theater", "must be LATAM, NA, EMEA_EU, EMEA_NON_EU or APAC");
  }
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListReturnLocations", region_code, theater});
  ASSIGN_OR_RETURN(std::string after, DecodeAfterKey(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListReturnLocations(region_code, theater, after, size + 1));
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const ReturnLocation& l) { return l.code; });
}

}  // namespace aftercare::rma
