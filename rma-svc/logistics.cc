// RMA logistics: shipping the replacement, receiving the return, repair,
// shipping the repaired unit and closing.
// Part of Rmas (rma.h); shared helpers are in rma_internal.h.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_internal.h"

namespace aftercare::rma {

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

}  // namespace aftercare::rma
