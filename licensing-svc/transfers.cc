// Key transfer to an RMA replacement: the RMA check, the transfer and its reads.
// Part of Licensing (licensing.h); shared helpers are in licensing_internal.h.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_internal.h"

namespace aftercare::licensing {

// --- RMA transfers -----------------------------------------------------------

absl::StatusOr<std::string> Licensing::ValidateTransferRequest(const Principal& caller,
                                                               const std::string& rma_number) const {
  if (rma_number.empty()) return InvalidField("rma_number", "is required");
  if (LooksLikeValidationNumber(rma_number)) {
    ASSIGN_OR_RETURN(int64_t v, ParseValidationNumber(rma_number, "rma_number"));
    return FormatValidationNumber(v);
  }
  if (!LooksLikeRmaNumber(rma_number)) {
    return InvalidField("rma_number",
                        "must be an RMA number (\"R\" and 8-11 digits) or a validation number "
                        "(\"V\" and 8-11 digits)");
  }
  ASSIGN_OR_RETURN(int64_t n, ParseRmaNumber(rma_number, "rma_number"));
  return FormatRmaNumber(n);
}

absl::StatusOr<std::optional<RmaTransfer>> Licensing::FindTransfer(
    const Principal& caller, const std::string& rma_number, LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::optional<RmaTransfer> t, repo.FindTransfer(rma_number));
  if (t) RETURN_IF_ERROR(CheckAccountScope(caller, t->account_id, "RMA " + rma_number));
  return t;
}

absl::Status Licensing::CheckRmaForTransfer(const Principal& caller, const RmaInfo& rma) const {
  const std::string name = rma.rma_number.empty() ? rma.validation_number : rma.rma_number;
  RETURN_IF_ERROR(CheckAccountScope(caller, rma.account_id, "RMA " + name));
  if (!RmaIsApproved(rma.status) || rma.rma_number.empty()) {
    const std::string status = rma.status.empty() ? "UNSPECIFIED" : rma.status;
    if (status == "PENDING") {
      return FailedPrecondition(
          "RMA_STATE", absl::StrCat("rmas/", name),
          absl::StrCat("RMA ", name, " is PENDING: licenses move only once the RMA is approved"));
    }
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", name),
        absl::StrCat("RMA ", name, " is ", status,
                     ": only an approved RMA can be used for a license transfer"));
  }
  if (rma.replacement_serial_number.empty()) {
    return FailedPrecondition("RMA_STATE", absl::StrCat("rmas/", rma.rma_number),
                              absl::StrCat("RMA ", rma.rma_number,
                                           " has no replacement serial yet: licenses move once a"
                                           " replacement unit is allocated"));
  }
  if (absl::AsciiStrToUpper(rma.replacement_serial_number) ==
      absl::AsciiStrToUpper(rma.serial_number)) {
    return FailedPrecondition(
        "RMA_STATE", absl::StrCat("rmas/", rma.rma_number),
        absl::StrCat("RMA ", rma.rma_number,
                     " names the same serial as defective unit and replacement"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RmaTransfer> Licensing::Transfer(const Principal& caller, const RmaInfo& rma,
                                                const std::vector<std::string>& notification_emails,
                                                LicensingRepository& repo) const {
  RETURN_IF_ERROR(CheckRmaForTransfer(caller, rma));
  RETURN_IF_ERROR(notify::ValidateEmailAddresses("notification_emails", notification_emails,
                                                 kMaxNotificationEmails));
  ASSIGN_OR_RETURN(std::string from, NormalizeSerial(rma.serial_number, "rma.serial_number"));
  ASSIGN_OR_RETURN(std::string to,
                   NormalizeSerial(rma.replacement_serial_number, "rma.replacement_serial_number"));
  const absl::Time now = clock_.Now();
  RmaTransfer t;
  t.rma_number = rma.rma_number;
  t.account_id = rma.account_id;
  t.from_serial = from;
  t.to_serial = to;
  t.requested_by = caller.subject;
  t.create_time = now;
  // Claims the RMA number first: a concurrent transfer of the same RMA waits
  // here and then finds the committed result.
  absl::Status claimed = repo.InsertTransfer(t);
  if (absl::IsAlreadyExists(claimed)) {
    ASSIGN_OR_RETURN(std::optional<RmaTransfer> existing, FindTransfer(caller, t.rma_number, repo));
    if (!existing) return absl::AbortedError("transfer vanished; retry");
    return *existing;
  }
  RETURN_IF_ERROR(claimed);

  // Only the RMA's account's licenses move: a device can also hold licenses of
  // other accounts, which stay where they are and never show in the answer.
  ASSIGN_OR_RETURN(std::vector<License> active,
                   repo.ActiveLicensesOnDevice(t.account_id, from, true));
  if (active.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "device ", from, " of RMA ", t.rma_number, " has no active licenses to transfer"));
  }
  for (License& old : active) {
    TransferredLicense item;
    item.old_license_id = old.id;
    ASSIGN_OR_RETURN(std::vector<License> on_target,
                     repo.LicensesOfEntitlementOnDevice(old.entitlement_id, to));
    for (const License& l : on_target) {
      if (l.state == LicenseState::kActive) item.new_license_id = l.id;
    }
    if (item.new_license_id.empty()) {
      License fresh = old;
      fresh.id = NewId("LIC-");
      fresh.device_serial = to;
      fresh.state = LicenseState::kActive;
      fresh.not_before = now;
      fresh.key_generation = 1;
      fresh.revocation_reason = RevocationReason::kUnspecified;
      fresh.revocation_note.clear();
      fresh.revoke_time.reset();
      fresh.replaces_license_id = old.id;
      fresh.rma_number = t.rma_number;
      fresh.version = 1;
      fresh.create_time = fresh.update_time = now;
      fresh.key_id = signer_.primary_key_id();
      ASSIGN_OR_RETURN(fresh.license_key, SignKey(fresh));
      RETURN_IF_ERROR(repo.InsertLicense(fresh));
      item.new_license_id = fresh.id;
    }
    old.state = LicenseState::kRevoked;
    old.revocation_reason = RevocationReason::kRmaTransfer;
    old.revocation_note = absl::StrCat("moved to ", to, " by RMA ", t.rma_number);
    old.revoke_time = now;
    old.version += 1;
    old.update_time = now;
    RETURN_IF_ERROR(repo.UpdateLicense(old));
    RETURN_IF_ERROR(repo.AddTransferItem(t.rma_number, item));
    t.licenses.push_back(item);
  }
  // Once per RMA: a concurrent or repeated transfer returned above.
  Notification n;
  n.id = NewId("NTF-");
  n.account_id = t.account_id;
  n.kind = "LICENSE_TRANSFERRED";
  const std::map<std::string, std::string> data = {
      {"rma_number", t.rma_number},
      {"from_serial", from},
      {"to_serial", to},
      {"license_count", absl::StrCat(t.licenses.size())}};
  ASSIGN_OR_RETURN(notify::Rendered text, notify::RenderTemplate("license_transferred", data));
  n.subject = text.subject;
  n.body = text.body;
  n.create_time = now;
  RETURN_IF_ERROR(repo.InsertNotification(n));
  std::vector<std::string> to_emails = notification_emails;
  if (to_emails.empty() && !rma.contact_email.empty()) to_emails = {rma.contact_email};
  RETURN_IF_ERROR(repo.PublishNotification(Event(n, "license_transferred", to_emails, data)));
  return t;
}

absl::StatusOr<RmaTransfer> Licensing::GetTransfer(const Principal& caller,
                                                   const std::string& rma_number,
                                                   LicensingRepository& repo) const {
  if (rma_number.empty()) return InvalidField("rma_number", "is required");
  ASSIGN_OR_RETURN(int64_t n, ParseRmaNumber(rma_number, "rma_number"));
  const std::string number = FormatRmaNumber(n);
  ASSIGN_OR_RETURN(std::optional<RmaTransfer> t, FindTransfer(caller, number, repo));
  if (!t) return absl::NotFoundError(absl::StrCat("no license transfer for RMA ", number));
  return *t;
}

absl::StatusOr<Page<RmaTransfer>> Licensing::ListTransfers(const Principal& caller,
                                                           const std::string& account_id,
                                                           const std::string& device_serial,
                                                           const PageRequest& page,
                                                           LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::string account, ScopedAccount(caller, account_id));
  std::string serial;
  if (!device_serial.empty()) {
    ASSIGN_OR_RETURN(serial, NormalizeSerial(device_serial, "device_serial"));
  }
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListRmaTransfers", account, serial});
  ASSIGN_OR_RETURN(auto after, DecodeCursor(page, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListTransfers(account, serial, after, size + 1));
  return MakePage(std::move(rows), size, pages_, fp,
                  [](const RmaTransfer& t) { return TimeIdCursor(t.create_time, t.rma_number); });
}

}  // namespace aftercare::licensing
