// RMA requests: validation, the entitlement check, creation, reads of one
// RMA, amendment and cancellation.
// Part of Rmas (rma.h); shared helpers are in rma_internal.h.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/policy.h"
#include "common/status.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_internal.h"

namespace aftercare::rma {

// --- Requests ----------------------------------------------------------------

absl::Status Rmas::ValidateCreate(const Principal& caller, CreateCommand* cmd) const {
  ASSIGN_OR_RETURN(cmd->serial, NormalizeSerial(cmd->serial, "serial_number"));
  RETURN_IF_ERROR(CheckId(cmd->account_id, "account_id"));
  RETURN_IF_ERROR(CheckId(cmd->technical_case_id, "technical_case_id"));
  if (cmd->type == RmaType::kUnspecified) {
    return Invalid("type", "is required (ADVANCE_REPLACEMENT, RETURN_TO_FACTORY, DOA or STANDARD_WARRANTY)");
  }
  RETURN_IF_ERROR(CheckText(cmd->failure_description, "failure_description", 4000, true));
  if (cmd->damage_cause == DamageCause::kUnspecified) {
    return Invalid("damage_cause", "is required (HARDWARE_FAILURE for an ordinary failure)");
  }
  RETURN_IF_ERROR(CheckPostalAddress(cmd->ship_to, "ship_to", AddressNeeds::kStreet));
  RETURN_IF_ERROR(CheckEmail(cmd->contact_email, "contact_email"));
  return absl::OkStatus();
}

absl::Status Rmas::CheckDamage(DamageCause cause) const {
  if (!IsExcludedDamage(cause)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "damage_cause ", Name(cause),
      " is excluded: replacement under the End User Support Agreement excludes physical damage "
      "caused by fire or acts of God (floods, hurricanes, earthquakes, lightning); the RMA "
      "request is not accepted"));
}

absl::Status Rmas::CheckEntitlement(RmaType type, const std::string& account_id,
                                    const EntitlementView& e) const {
  const std::string unit = absl::StrCat("unit ", e.serial);
  if (e.owner_account_id != account_id) {
    return FailedPrecondition(
        "ENTITLEMENT", absl::StrCat("units/", e.serial),
        absl::StrCat(unit, " is not in the installed base of account ", account_id));
  }
  if (!e.installed) {
    return FailedPrecondition(
        "ENTITLEMENT", absl::StrCat("units/", e.serial),
        absl::StrCat(unit, " is not installed at a customer (state ", e.unit_state, ")"));
  }
  if (e.grey_market) {
    return FailedPrecondition(
        "ENTITLEMENT", absl::StrCat("units/", e.serial),
        absl::StrCat(unit,
                     " is grey market: it needs inspection and reinstatement before any RMA"));
  }
  switch (type) {
    case RmaType::kDoa:
      if (!e.within_doa_window) {
        return FailedPrecondition(
            "ENTITLEMENT", absl::StrCat("units/", e.serial),
            absl::StrCat(unit,
                         " is not dead on arrival: DOA is possible only within 30 days of shipment",
                         e.ship_time ? absl::StrCat(" (shipped ", Day(*e.ship_time), ")")
                                     : " (no ship date)"));
      }
      break;
    case RmaType::kStandardWarranty:
      if (!e.warranty_active) {
        return FailedPrecondition(
            "ENTITLEMENT", absl::StrCat("units/", e.serial),
            absl::StrCat(unit, " is not in warranty",
                         e.warranty_end
                             ? absl::StrCat(" (warranty ended ", Day(*e.warranty_end), ")")
                             : " (it has no warranty)",
                         "; standard product warranty RMAs need an active warranty"));
      }
      break;
    case RmaType::kAdvanceReplacement:
      if (!e.advance_replacement) {
        return FailedPrecondition(
            "ENTITLEMENT", absl::StrCat("units/", e.serial),
            absl::StrCat(unit,
                         " has no contract level that includes advance replacement (best level: ",
                         e.best_support_level.empty() ? "none" : e.best_support_level,
                         "); advance replacement needs NEXT_BUSINESS_DAY or SAME_DAY"));
      }
      break;
    case RmaType::kReturnToFactory:
      if (!e.entitled) {
        return FailedPrecondition(
            "ENTITLEMENT", absl::StrCat("units/", e.serial),
            absl::StrCat(unit, " has neither an active warranty nor an active support contract"));
      }
      break;
    default:
      return Invalid("type", "is required");
  }
  return absl::OkStatus();
}

absl::StatusOr<Rma> Rmas::Create(const Principal& caller, const CreateCommand& cmd,
                                 const EntitlementView& entitlement, int64_t seq,
                                 RmaRepository& repo, const RmaCreateKey* create) const {
  RETURN_IF_ERROR(CheckDamage(cmd.damage_cause));
  RETURN_IF_ERROR(CheckEntitlement(cmd.type, cmd.account_id, entitlement));
  const absl::Time now = clock_.Now();
  Rma rma;
  rma.validation_number = FormatValidationNumber(kValidationBase + seq);
  rma.status = Status::kPending;
  rma.type = cmd.type;
  rma.account_id = cmd.account_id;
  rma.serial = cmd.serial;
  rma.sku = entitlement.sku;
  rma.technical_case_id = cmd.technical_case_id;
  rma.failure_description = cmd.failure_description;
  rma.damage_cause = cmd.damage_cause;
  rma.ship_to = cmd.ship_to;
  rma.contact_email = cmd.contact_email;
  rma.entitlement_summary = Summary(entitlement);
  rma.list_price = entitlement.list_price;
  rma.created_by = caller.subject;
  rma.create_time = rma.update_time = now;
  rma.version = 1;
  // One open RMA per unit: the repository refuses a second (and makes a
  // concurrent request wait for the first, then see it).
  ASSIGN_OR_RETURN(std::optional<Rma> open, repo.InsertRma(&rma, create));
  if (open) {
    return absl::FailedPreconditionError(absl::StrCat("unit ", cmd.serial, " already has open RMA ",
                                                      open->Label(), " (", Name(open->status), ")"));
  }
  // The first notification of the RMA: nothing of this RMA can be queued in
  // front of it, so its deliveries are written in this transaction rather
  // than through the outbox (a transaction and an outbox pass fewer).
  RETURN_IF_ERROR(Notify(rma, "rma_request_opened",
                         {{"validation_number", rma.validation_number},
                          {"serial_number", rma.serial},
                          {"rma_type", TypeWords(rma.type)}},
                         repo, Handover::kInTransaction));
  return rma;
}

absl::StatusOr<Rma> Rmas::Load(const std::string& name, bool for_update, RmaRepository& repo) const {
  std::optional<Rma> rma;
  if (LooksLikeRmaNumber(name)) {
    ASSIGN_OR_RETURN(int64_t n, ParseRmaNumber(name, "name"));
    ASSIGN_OR_RETURN(rma, repo.FindByRmaNumber(FormatRmaNumber(n), for_update));
  } else if (LooksLikeValidationNumber(name)) {
    ASSIGN_OR_RETURN(int64_t n, ParseValidationNumber(name, "name"));
    ASSIGN_OR_RETURN(rma, repo.FindByValidationNumber(FormatValidationNumber(n), for_update));
  } else {
    return Invalid("name", absl::StrCat("must be an RMA number (R and ", kMinRmaDigits, "-",
                                        kMaxRmaDigits, " digits) or a validation number (V and ",
                                        kMinRmaDigits, "-", kMaxRmaDigits, " digits)"));
  }
  if (!rma) return absl::NotFoundError(absl::StrCat("RMA ", name, " not found"));
  return *std::move(rma);
}

absl::StatusOr<Rma> Rmas::LoadVisible(const Principal& caller, const std::string& name,
                                      bool for_update, RmaRepository& repo) const {
  ASSIGN_OR_RETURN(Rma rma, Load(name, for_update, repo));
  if (!caller.CanAccessAccount(rma.account_id)) return OutOfScope(absl::StrCat("RMA ", name));
  return rma;
}

absl::StatusOr<Rma> Rmas::Get(const Principal& caller, const std::string& name,
                              RmaRepository& repo) const {
  return LoadVisible(caller, name, false, repo);
}

absl::StatusOr<Rma> Rmas::PrepareAmend(const Principal& caller, AmendCommand* cmd,
                                       RmaRepository& repo) const {
  if (cmd->mask.empty()) return Invalid("update_mask", "must name at least one field");
  for (const std::string& f : cmd->mask) {
    if (f == "type") {
      if (cmd->type == RmaType::kUnspecified) return Invalid("rma.type", "is required");
    } else if (f == "failure_description") {
      RETURN_IF_ERROR(CheckText(cmd->failure_description, "rma.failure_description", 4000, true));
    } else if (f == "damage_cause") {
      if (cmd->damage_cause == DamageCause::kUnspecified) {
        return Invalid("rma.damage_cause", "is required (HARDWARE_FAILURE for an ordinary failure)");
      }
    } else if (f == "ship_to") {
      RETURN_IF_ERROR(CheckPostalAddress(cmd->ship_to, "rma.ship_to", AddressNeeds::kStreet));
    } else if (f == "contact_email") {
      RETURN_IF_ERROR(CheckEmail(cmd->contact_email, "rma.contact_email"));
    } else {
      return Invalid("update_mask", absl::StrCat("names a field that cannot be amended: ", f,
                                                 " (allowed: type, failure_description, "
                                                 "damage_cause, ship_to, contact_email)"));
    }
  }
  if (cmd->etag.empty()) return Invalid("etag", "is required (the etag of the RMA last read)");
  return LoadVisible(caller, cmd->name, false, repo);
}

absl::StatusOr<Rma> Rmas::Amend(const Principal& caller, const AmendCommand& cmd,
                                const EntitlementView& entitlement, RmaRepository& repo) const {
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, cmd.name, true, repo));
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kPending}, "amending"));
  RETURN_IF_ERROR(CheckRmaEtag(rma, cmd.etag, true));
  std::vector<std::string> changed;
  if (cmd.mask.count("type")) rma.type = cmd.type;
  if (cmd.mask.count("failure_description")) rma.failure_description = cmd.failure_description;
  if (cmd.mask.count("damage_cause")) rma.damage_cause = cmd.damage_cause;
  if (cmd.mask.count("ship_to")) rma.ship_to = cmd.ship_to;
  if (cmd.mask.count("contact_email")) rma.contact_email = cmd.contact_email;
  RETURN_IF_ERROR(CheckDamage(rma.damage_cause));
  RETURN_IF_ERROR(CheckEntitlement(rma.type, rma.account_id, entitlement));
  rma.entitlement_summary = Summary(entitlement);
  rma.list_price = entitlement.list_price;
  RETURN_IF_ERROR(SaveAndNotify(rma, "rma_request_amended",
                                {{"validation_number", rma.validation_number},
                                 {"actor", caller.subject},
                                 {"changed_fields", absl::StrJoin(cmd.mask, ", ")}},
                                repo));
  return rma;
}

absl::StatusOr<Rma> Rmas::Cancel(const Principal& caller, const std::string& name,
                                 const std::string& reason, const std::string& etag,
                                 RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 1000, false));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kPending}, "cancelling"));
  RETURN_IF_ERROR(CheckRmaEtag(rma, etag, false));
  rma.status = Status::kCancelled;
  rma.cancellation_reason = reason;
  rma.close_time = clock_.Now();
  RETURN_IF_ERROR(SaveAndNotify(
      rma, "rma_cancelled",
      {{"validation_number", rma.validation_number}, {"actor", caller.subject}, {"reason", reason}},
      repo));
  return rma;
}

}  // namespace aftercare::rma
