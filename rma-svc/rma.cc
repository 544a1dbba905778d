#include "rma-svc/rma.h"

#include "common/notify/email.h"
#include "common/notify/templates.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::rma {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

absl::Status Invalid(absl::string_view field, absl::string_view rule) {
  return InvalidField(field, rule);
}

absl::Status CheckId(absl::string_view id, absl::string_view field) {
  return CheckExternalId(std::string_view(id.data(), id.size()),
                         std::string_view(field.data(), field.size()));
}

// The contact receives the RMA's e-mails: the address rule of every
// notification recipient (common/notify/email.h).
absl::Status CheckEmail(absl::string_view email, absl::string_view field) {
  if (email.empty()) return Invalid(field, "is required");
  return notify::ValidateEmailAddress(field, email);
}

absl::Status CheckTracking(const std::string& carrier, const std::string& tracking) {
  RETURN_IF_ERROR(CheckText(carrier, "carrier", 64, true));
  if (tracking.empty()) return Invalid("tracking_number", "is required");
  bool ok = tracking.size() <= 64;
  for (char c : tracking) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == ' ')) ok = false;
  }
  if (!ok) return Invalid("tracking_number", "must be 1-64 characters of A-Z, a-z, 0-9, '-' and space");
  return absl::OkStatus();
}

std::string Day(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); }

std::string FormatMoney(const Money& m) {
  return absl::StrFormat("%s %d.%02d", m.currency_code, m.amount_minor / 100,
                         std::abs(m.amount_minor % 100));
}

// FAILED_PRECONDITION naming the current state unless it is one of `allowed`.
absl::Status RequireStatus(const Rma& rma, std::initializer_list<Status> allowed,
                           absl::string_view action) {
  for (Status s : allowed) {
    if (rma.status == s) return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (Status s : allowed) names.push_back(Name(s));
  return FailedPrecondition("RMA_STATE", absl::StrCat("rmas/", rma.Label()),
                            absl::StrCat("RMA ", rma.Label(), " is ", Name(rma.status), "; ",
                                         action, " needs ", absl::StrJoin(names, " or ")));
}

absl::Status CheckRmaEtag(const Rma& rma, const std::string& etag, bool required) {
  const std::string what = "RMA " + rma.Label();
  return required ? RequireEtag(etag, rma.version, what) : CheckEtag(etag, rma.version, what);
}

bool IsScoped(const Principal& p) { return p.HasRole({Role::kCustomer, Role::kPartner}); }

const char* TypeWords(RmaType t) {
  switch (t) {
    case RmaType::kAdvanceReplacement: return "advance replacement";
    case RmaType::kReturnToFactory: return "return-to-factory repair";
    case RmaType::kDoa: return "dead on arrival (DOA) replacement";
    case RmaType::kStandardWarranty: return "standard product warranty";
    default: return "RMA";
  }
}

}  // namespace

Rmas::Rmas(const Clock& clock, const PageTokenCodec* page_tokens, RmaOptions options)
    : clock_(clock),
      page_tokens_(page_tokens),
      options_(std::move(options)),
      calendar_(options_.calendar_zone) {}

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

namespace {
std::string Summary(const EntitlementView& e) {
  return absl::StrCat("owner ", e.owner_account_id, "; warranty ",
                      e.warranty_active ? "active" : "inactive",
                      e.warranty_end ? absl::StrCat(" until ", Day(*e.warranty_end)) : "",
                      "; best support level ",
                      e.best_support_level.empty() ? "none" : e.best_support_level,
                      e.advance_replacement ? " (advance replacement)" : "",
                      e.within_doa_window ? "; within the DOA window" : "");
}
}  // namespace

absl::StatusOr<Rma> Rmas::Create(const Principal& caller, const CreateCommand& cmd,
                                 const EntitlementView& entitlement, int64_t seq,
                                 RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckDamage(cmd.damage_cause));
  RETURN_IF_ERROR(CheckEntitlement(cmd.type, cmd.account_id, entitlement));
  // One open RMA per unit (the lock makes a concurrent request wait and see it).
  ASSIGN_OR_RETURN(std::vector<Rma> existing, repo.LockRmasOfSerial(cmd.serial));
  for (const Rma& r : existing) {
    if (r.status != Status::kRejected && r.status != Status::kCancelled &&
        r.status != Status::kClosed) {
      return absl::FailedPreconditionError(absl::StrCat("unit ", cmd.serial, " already has open RMA ",
                                                        r.Label(), " (", Name(r.status), ")"));
    }
  }
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
  RETURN_IF_ERROR(repo.InsertRma(&rma));
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

// --- Logistics -----------------------------------------------------------------

std::pair<absl::CivilDay, absl::Time> Rmas::ReturnDue(absl::Time ship_time) const {
  const absl::CivilDay shipped = absl::ToCivilDay(ship_time, options_.calendar_zone);
  const absl::CivilDay due = calendar_.AddBusinessDays(shipped, options_.return_business_days);
  return {due, absl::FromCivil(due + 1, options_.calendar_zone)};
}

absl::StatusOr<Rma> Rmas::ShipReplacement(const Principal& caller, const std::string& name,
                                          const std::string& carrier, const std::string& tracking,
                                          RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckTracking(carrier, tracking));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  if (!IsReplacementType(rma.type)) {
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", rma.Label()),
        absl::StrCat(
            "RMA ", rma.Label(), " is a ", TypeWords(rma.type), " in state ", Name(rma.status),
            ": no replacement ships for it (ship the repaired unit with ShipRepairedUnit)"));
  }
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kApproved}, "shipping the replacement"));
  if (rma.replacement_serial.empty()) {
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", rma.Label()),
        absl::StrCat("RMA ", rma.Label(),
                     " is APPROVED but inventory-svc has not allocated a spare yet; "
                     "try again shortly"));
  }
  const absl::Time now = clock_.Now();
  rma.status = Status::kReplacementShipped;
  rma.replacement_shipment = Shipment{carrier, tracking, now};
  auto [due_day, due_time] = ReturnDue(now);
  rma.return_due_date = absl::FormatCivilTime(due_day);
  rma.return_due_time = due_time;
  RETURN_IF_ERROR(repo.EnqueueSwapInstalledBase(rma));
  RETURN_IF_ERROR(SaveAndNotify(
      rma, "replacement_shipped",
      {{"rma_number", rma.rma_number},
       {"replacement_serial_number", rma.replacement_serial},
       {"carrier", carrier},
       {"tracking_number", tracking},
       {"serial_number", rma.serial},
       {"return_due_date", rma.return_due_date},
       {"return_business_days", absl::StrCat(options_.return_business_days)},
       {"amount", FormatMoney(rma.list_price)}},
      repo));
  return rma;
}

absl::StatusOr<ReceiveResult> Rmas::Receive(const Principal& caller, const std::string& rma_number,
                                            const std::string& serial_in, const std::string& note,
                                            RmaRepository& repo) const {
  if (rma_number.empty()) return Invalid("rma_number", "is required: a return needs a valid RMA number");
  if (!LooksLikeRmaNumber(rma_number)) {
    return Invalid("rma_number", "must be an RMA number (R and 8-11 digits); a validation number "
                                 "or another reference is not enough to receive a return");
  }
  ASSIGN_OR_RETURN(int64_t n, ParseRmaNumber(rma_number, "rma_number"));
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(serial_in, "serial_number"));
  RETURN_IF_ERROR(CheckText(note, "note", 1000, false));
  ASSIGN_OR_RETURN(std::optional<Rma> found, repo.FindByRmaNumber(FormatRmaNumber(n), true));
  if (!found) return absl::NotFoundError(absl::StrCat("RMA ", rma_number, " not found"));
  Rma rma = *std::move(found);
  if (IsReplacementType(rma.type)) {
    RETURN_IF_ERROR(RequireStatus(rma, {Status::kReplacementShipped}, "receiving the defective unit"));
  } else {
    RETURN_IF_ERROR(RequireStatus(rma, {Status::kApproved}, "receiving the unit"));
  }
  const absl::Time now = clock_.Now();
  ReceiveResult result;
  if (serial != rma.serial) {
    ReceiptException e;
    e.received_serial = serial;
    e.expected_serial = rma.serial;
    e.note = note;
    e.recorded_by = caller.subject;
    e.record_time = now;
    RETURN_IF_ERROR(repo.InsertReceiptException(rma.id, &e));
    rma.receipt_exceptions.push_back(e);
    RETURN_IF_ERROR(SaveAndNotify(rma, "receipt_exception",
                                  {{"rma_number", rma.rma_number},
                                   {"received_serial_number", serial},
                                   {"serial_number", rma.serial},
                                   {"rma_status", std::string(Name(rma.status))}},
                                  repo));
    result.accepted = false;
    result.exception = e;
    result.rma = std::move(rma);
    return result;
  }
  rma.status = Status::kReceived;
  rma.receive_time = now;
  rma.received_by = caller.subject;
  if (IsReplacementType(rma.type)) RETURN_IF_ERROR(repo.EnqueueIntake(rma));
  RETURN_IF_ERROR(SaveAndNotify(rma, "return_received",
                                {{"rma_number", rma.rma_number},
                                 {"serial_number", rma.serial},
                                 {"replacement", IsReplacementType(rma.type) ? "true" : ""}},
                                repo));
  result.accepted = true;
  result.rma = std::move(rma);
  return result;
}

absl::StatusOr<Rma> Rmas::RecordRepair(const Principal& caller, const std::string& name,
                                       const std::string& summary, const std::string& software,
                                       RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckText(summary, "repair_summary", 4000, true));
  RETURN_IF_ERROR(CheckText(software, "software_version", 64, true));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  if (IsReplacementType(rma.type)) {
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", rma.Label()),
        absl::StrCat("RMA ", rma.Label(), " is a ", TypeWords(rma.type), " in state ",
                     Name(rma.status),
                     ": its defective unit goes to inventory, it is not repaired under the RMA"));
  }
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kReceived}, "recording the repair"));
  rma.status = Status::kRepaired;
  rma.repair_summary = summary;
  rma.software_version = software;
  rma.repair_time = clock_.Now();
  RETURN_IF_ERROR(SaveAndNotify(rma, "unit_repaired",
                                {{"rma_number", rma.rma_number},
                                 {"serial_number", rma.serial},
                                 {"repair_summary", summary},
                                 {"software_version", software}},
                                repo));
  return rma;
}

absl::StatusOr<Rma> Rmas::ShipRepaired(const Principal& caller, const std::string& name,
                                       const std::string& carrier, const std::string& tracking,
                                       RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckTracking(carrier, tracking));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  if (IsReplacementType(rma.type)) {
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", rma.Label()),
        absl::StrCat("RMA ", rma.Label(), " is a ", TypeWords(rma.type), " in state ",
                     Name(rma.status), ": nothing is repaired and shipped back under it"));
  }
  RETURN_IF_ERROR(RequireStatus(rma, {Status::kRepaired}, "shipping the repaired unit"));
  rma.status = Status::kRepairShipped;
  rma.return_shipment = Shipment{carrier, tracking, clock_.Now()};
  RETURN_IF_ERROR(SaveAndNotify(rma, "repaired_unit_shipped",
                                {{"rma_number", rma.rma_number},
                                 {"serial_number", rma.serial},
                                 {"carrier", carrier},
                                 {"tracking_number", tracking}},
                                repo));
  return rma;
}

absl::StatusOr<Rma> Rmas::Close(const Principal& caller, const std::string& name,
                                const std::string& note, RmaRepository& repo) const {
  RETURN_IF_ERROR(CheckText(note, "note", 1000, false));
  ASSIGN_OR_RETURN(Rma rma, LoadVisible(caller, name, true, repo));
  if (IsReplacementType(rma.type)) {
    const bool charged = rma.status == Status::kReplacementShipped && rma.charge_time.has_value();
    if (!charged) RETURN_IF_ERROR(RequireStatus(rma, {Status::kReceived}, "closing"));
  } else {
    RETURN_IF_ERROR(RequireStatus(rma, {Status::kRepairShipped}, "closing"));
  }
  rma.status = Status::kClosed;
  rma.close_time = clock_.Now();
  RETURN_IF_ERROR(SaveAndNotify(
      rma, "rma_closed",
      {{"rma_number", rma.rma_number}, {"serial_number", rma.serial}, {"note", note}}, repo));
  return rma;
}

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

// --- Background ----------------------------------------------------------------

absl::StatusOr<bool> Rmas::ChargeIfOverdue(int64_t id, RmaRepository& repo) const {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(bool charged, repo.ChargeIfDue(id, now));
  if (!charged) return false;
  ASSIGN_OR_RETURN(std::optional<Rma> rma, repo.FindById(id, false));
  if (!rma) return absl::InternalError("charged RMA disappeared");
  RETURN_IF_ERROR(Notify(*rma, "non_return_charged",
                         {{"rma_number", rma->rma_number},
                          {"serial_number", rma->serial},
                          {"return_due_date", rma->return_due_date},
                          {"amount", FormatMoney(rma->list_price)}},
                         repo));
  return true;
}

absl::Status Rmas::RecordSpare(const std::string& validation_number, const std::string& serial,
                               RmaRepository& repo) const {
  ASSIGN_OR_RETURN(bool set, repo.SetReplacementSerial(validation_number, serial, clock_.Now()));
  (void)set;  // false: a repeated delivery, already recorded
  return absl::OkStatus();
}

// --- helpers ---------------------------------------------------------------------

absl::Status Rmas::SaveAndNotify(Rma& rma, const std::string& template_name,
                                 const TemplateData& data, RmaRepository& repo) const {
  rma.update_time = clock_.Now();
  rma.version += 1;
  RETURN_IF_ERROR(repo.SaveRma(rma));
  return Notify(rma, template_name, data, repo);
}

absl::Status Rmas::Notify(const Rma& rma, const std::string& template_name,
                          const TemplateData& data, RmaRepository& repo,
                          Handover handover) const {
  // A template that does not render is a defect here (a key not passed),
  // never a half-filled message: the change fails with it.
  ASSIGN_OR_RETURN(notify::Rendered text, notify::RenderTemplate(template_name, data));
  const std::string& subject = text.subject;
  const std::string& body = text.body;
  Notification n;
  n.rma_id = rma.id;
  n.account_id = rma.account_id;
  n.validation_number = rma.validation_number;
  n.rma_number = rma.rma_number;
  n.template_name = template_name;
  n.recipient = rma.contact_email;
  n.copy_to_case_id = rma.technical_case_id;
  n.subject = subject;
  n.body = body;
  n.status = rma.status;
  n.create_time = clock_.Now();
  if (handover == Handover::kInTransaction) {
    n.deliver_time = n.create_time;  // handed to delivery as it commits
    RETURN_IF_ERROR(repo.InsertNotification(&n));
    return repo.PublishNotificationNow(n);
  }
  RETURN_IF_ERROR(repo.InsertNotification(&n));
  return repo.EnqueueNotification(n);
}

}  // namespace aftercare::rma
