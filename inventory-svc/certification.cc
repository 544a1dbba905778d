// CPO certification: the checklist steps, certify, quarantine, scrap and the spare pool.
// Part of Inventory (inventory.h); shared helpers are in inventory_internal.h.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_internal.h"

namespace aftercare::inventory {

// --- Certification -----------------------------------------------------------

absl::StatusOr<StepResult> Inventory::RecordCertificationStep(const Principal& caller,
                                                              const StepCommand& cmd,
                                                              InventoryRepository& repo) const {
  if (cmd.step == Step::kUnspecified) return InvalidField("step", "is required");
  RETURN_IF_ERROR(CheckText(cmd.note, "note", 1000, false));
  if (cmd.replaced_parts.size() > 100) {
    return InvalidField("replaced_part_numbers", "must have at most 100 entries");
  }
  for (size_t i = 0; i < cmd.replaced_parts.size(); ++i) {
    RETURN_IF_ERROR(CheckText(cmd.replaced_parts[i], absl::StrCat("replaced_part_numbers[", i, "]"),
                              64, true));
  }
  RETURN_IF_ERROR(CheckText(cmd.software_version, "software_version", 64, false));
  RETURN_IF_ERROR(CheckText(cmd.test_report_reference, "test_report_reference", 200, false));
  if (cmd.step == Step::kComponentRepair && cmd.replaced_parts.empty() == !cmd.no_repair_needed) {
    return InvalidFields(
        {"replaced_part_numbers", "no_repair_needed"},
        "component repair needs either replaced_part_numbers or no_repair_needed (not both)");
  }
  if (cmd.step == Step::kSoftwareUpdate && cmd.software_version.empty()) {
    return InvalidField("software_version", "is required for SOFTWARE_UPDATE");
  }
  if (cmd.step == Step::kQualificationTest && cmd.test_report_reference.empty()) {
    return InvalidField("test_report_reference", "is required for QUALIFICATION_TEST");
  }
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, cmd.serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "recording a certification step",
                               {UnitState::kReceived, UnitState::kInCertification}));
  ASSIGN_OR_RETURN(Product product, LoadProduct(unit.sku, repo));
  if (cmd.step != Step::kSerialVerification) {
    bool verified = false;
    if (unit.state == UnitState::kInCertification) {
      ASSIGN_OR_RETURN(auto steps, repo.StepEvents(unit.serial, unit.round));
      for (const auto& e : steps) {
        if (e.step == Step::kSerialVerification) verified = e.passed;
      }
    }
    if (!verified) {
      return FailedPrecondition(
          "UNIT_STATE", absl::StrCat("units/", unit.serial),
          absl::StrCat(
              "unit ", unit.serial, " is ", Name(unit.state),
              " without a passed SERIAL_VERIFICATION in this round; verify the serial before ",
              Name(cmd.step)));
    }
  }
  if (unit.state == UnitState::kReceived) {
    unit.round += 1;
    RETURN_IF_ERROR(Transition(caller, unit, UnitState::kInCertification,
                               absl::StrCat("certification round ", unit.round, " started"), repo));
  }

  UnitEvent e;
  e.serial = unit.serial;
  e.round = unit.round;
  e.time = now;
  e.actor = caller.subject;
  e.actor_role = std::string(RoleName(caller.role));
  e.kind = kEventStep;
  e.from_state = e.to_state = unit.state;
  e.step = cmd.step;
  std::string detail;
  bool quarantine = false;
  switch (cmd.step) {
    case Step::kSerialVerification: {
      ASSIGN_OR_RETURN(std::optional<GenuineSerial> g, repo.FindGenuineSerial(unit.serial));
      if (!g) {
        e.passed = false;
        detail = "serial is not in the genuine-serial registry (suspected counterfeit)";
      } else if (g->sku != unit.sku) {
        e.passed = false;
        detail = absl::StrCat("SKU mismatch: registry has ", g->sku, ", unit is ", unit.sku);
      } else {
        e.passed = true;
        detail = "serial and SKU match the genuine-serial registry";
      }
      quarantine = !e.passed;
      break;
    }
    case Step::kComponentRepair:
      e.passed = true;
      detail = cmd.no_repair_needed
                   ? "no repair needed"
                   : absl::StrCat("replaced parts: ", absl::StrJoin(cmd.replaced_parts, ", "));
      break;
    case Step::kSoftwareUpdate:
      e.passed = cmd.software_version == product.latest_software_release;
      detail = e.passed ? absl::StrCat("software ", cmd.software_version, " is the latest release")
                        : absl::StrCat("software ", cmd.software_version,
                                       " is not the latest release ",
                                       product.latest_software_release);
      break;
    case Step::kQualificationTest:
      e.passed = cmd.passed;
      detail = absl::StrCat(cmd.passed ? "passed" : "failed", "; report ", cmd.test_report_reference);
      break;
    default:
      e.passed = cmd.passed;
      detail = cmd.passed ? "passed" : "failed";
      break;
  }
  if (!cmd.note.empty()) absl::StrAppend(&detail, "; note: ", cmd.note);
  e.detail = detail;
  RETURN_IF_ERROR(repo.AppendEvent(&e));
  if (quarantine) {
    unit.quarantine_reason = detail;
    RETURN_IF_ERROR(Transition(caller, unit, UnitState::kQuarantined, detail, repo));
  }
  return StepResult{e, unit};
}

absl::StatusOr<Unit> Inventory::CertifyUnit(const Principal& caller, const std::string& serial,
                                            InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, now), "certifying",
                               {UnitState::kInCertification}));
  ASSIGN_OR_RETURN(auto steps, repo.StepEvents(unit.serial, unit.round));
  // The latest record of each step counts; a repair after the qualification
  // test needs a new test.
  std::map<Step, const UnitEvent*> latest;
  for (const auto& e : steps) latest[e.step] = &e;
  std::vector<std::string> missing;
  for (int i = 1; i <= kStepCount; ++i) {
    Step s = static_cast<Step>(i);
    auto it = latest.find(s);
    if (it == latest.end() || !it->second->passed) missing.push_back(Name(s));
  }
  if (!missing.empty()) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial,
                     " is IN_CERTIFICATION; certifying needs all six steps passed in round ",
                     unit.round, "; not passed: ", absl::StrJoin(missing, ", ")));
  }
  if (latest[Step::kComponentRepair]->id > latest[Step::kQualificationTest]->id) {
    return FailedPrecondition(
        "UNIT_STATE", absl::StrCat("units/", unit.serial),
        absl::StrCat("unit ", unit.serial,
                     " is IN_CERTIFICATION; it was repaired after its qualification test: "
                     "record QUALIFICATION_TEST again"));
  }
  unit.certificate_id = absl::StrFormat("CPO-%s-%d", unit.serial, unit.round);
  unit.certified_by = caller.subject;
  unit.certify_time = now;
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kCertified,
                             absl::StrCat("certificate ", unit.certificate_id), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::QuarantineUnit(const Principal& caller, const std::string& serial,
                                               const std::string& reason,
                                               InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 500, true));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "quarantining",
                               {UnitState::kReceived, UnitState::kInCertification,
                                UnitState::kCertified, UnitState::kSpare}));
  unit.quarantine_reason = std::string(reason);
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kQuarantined, std::string(reason), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::ScrapUnit(const Principal& caller, const std::string& serial,
                                          const std::string& reason,
                                          InventoryRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", 500, true));
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "scrapping",
                               {UnitState::kReceived, UnitState::kInCertification,
                                UnitState::kCertified, UnitState::kQuarantined,
                                UnitState::kSpare}));
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kScrapped, std::string(reason), repo));
  return unit;
}

absl::StatusOr<Unit> Inventory::MoveToSparePool(const Principal& caller, const std::string& serial,
                                                InventoryRepository& repo) const {
  ASSIGN_OR_RETURN(Unit unit, LoadUnit(caller, serial, repo, true));
  RETURN_IF_ERROR(RequireState(unit, EffectiveState(unit, clock_.Now()), "moving to the spare pool",
                               {UnitState::kCertified}));
  RETURN_IF_ERROR(Transition(caller, unit, UnitState::kSpare, "moved to the depot spare pool", repo));
  return unit;
}

}  // namespace aftercare::inventory
