// Licenses: reads, revocation, key verification and the notification list.
// Part of Licensing (licensing.h); shared helpers are in licensing_internal.h.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_internal.h"

namespace aftercare::licensing {

// --- lookups, revocation, verification ----------------------------------------

absl::StatusOr<License> Licensing::GetLicense(const Principal& caller, const std::string& id,
                                              LicensingRepository& repo) const {
  RETURN_IF_ERROR(CheckId(id, "LIC-", "license_id"));
  return LoadLicense(caller, id, repo, false);
}

absl::StatusOr<Page<License>> Licensing::ListLicenses(const Principal& caller, LicenseFilter filter,
                                                      const PageRequest& page,
                                                      LicensingRepository& repo) const {
  if (!filter.device_serial.empty()) {
    ASSIGN_OR_RETURN(filter.device_serial, NormalizeSerial(filter.device_serial, "device_serial"));
  }
  if (!filter.entitlement_id.empty()) {
    RETURN_IF_ERROR(CheckId(filter.entitlement_id, "ENT-", "entitlement_id"));
  }
  if (IsScoped(caller) || !filter.account_id.empty()) {
    ASSIGN_OR_RETURN(filter.account_id, ScopedAccount(caller, filter.account_id));
  }
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListLicenses", filter.account_id, filter.device_serial,
                                           filter.entitlement_id, Name(filter.state)});
  ASSIGN_OR_RETURN(auto after, DecodeCursor(page, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListLicenses(filter, after, size + 1));
  return MakePage(std::move(rows), size, pages_, fp,
                  [](const License& l) { return TimeIdCursor(l.create_time, l.id); });
}

absl::StatusOr<License> Licensing::Revoke(const Principal& caller, const std::string& license_id,
                                          RevocationReason reason, const std::string& note,
                                          const std::string& etag,
                                          LicensingRepository& repo) const {
  RETURN_IF_ERROR(CheckId(license_id, "LIC-", "license_id"));
  if (reason == RevocationReason::kUnspecified) return InvalidField("reason", "is required");
  if (reason == RevocationReason::kRmaTransfer) {
    return InvalidField("reason", "RMA_TRANSFER is set only by TransferLicenses");
  }
  RETURN_IF_ERROR(CheckText(note, "note", 500, false));
  ASSIGN_OR_RETURN(License l, LoadLicense(caller, license_id, repo, true));
  RETURN_IF_ERROR(CheckEtag(etag, l.version, "license " + license_id));
  if (l.state != LicenseState::kActive) {
    return FailedPrecondition("LICENSE_STATE", absl::StrCat("licenses/", license_id),
                              absl::StrCat("license ", license_id, " is ", Name(l.state), " (",
                                           Name(l.revocation_reason), ")"));
  }
  const absl::Time now = clock_.Now();
  l.state = LicenseState::kRevoked;
  l.revocation_reason = reason;
  l.revocation_note = note;
  l.revoke_time = now;
  l.version += 1;
  l.update_time = now;
  RETURN_IF_ERROR(repo.UpdateLicense(l));
  return l;
}

absl::StatusOr<VerifyResult> Licensing::Verify(const Principal& caller,
                                               const std::string& license_key,
                                               const std::string& device_serial,
                                               std::optional<absl::Time> at,
                                               LicensingRepository& repo) const {
  (void)caller;  // any authenticated caller may verify: the key is the proof
  if (license_key.empty()) return InvalidField("license_key", "is required");
  if (license_key.size() > 8192)
    return InvalidField("license_key", "must be at most 8192 characters");
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(device_serial, "device_serial"));
  const absl::Time now = at.value_or(clock_.Now());
  KeyVerification v = signer_.Verify(license_key, serial, now);
  VerifyResult out;
  out.detail = v.detail;
  out.claims = v.claims;
  switch (v.result) {
    case KeyCheck::kMalformed: out.verdict = Verdict::kMalformed; return out;
    case KeyCheck::kUnknownKeyId: out.verdict = Verdict::kUnknownKeyId; return out;
    case KeyCheck::kBadSignature: out.verdict = Verdict::kBadSignature; return out;
    case KeyCheck::kWrongDevice: out.verdict = Verdict::kWrongDevice; return out;
    default: break;
  }
  ASSIGN_OR_RETURN(std::optional<License> l, repo.FindLicense(v.claims->license_id, false));
  if (!l) {
    out.verdict = Verdict::kUnknownLicense;
    out.detail = "the key is signed by this service but its license does not exist here";
    return out;
  }
  if (l->state == LicenseState::kRevoked) {
    out.verdict = Verdict::kRevoked;
    out.revocation_reason = l->revocation_reason;
    out.detail = absl::StrCat("license ", l->id, " was revoked (", Name(l->revocation_reason), ")");
    return out;
  }
  out.verdict = v.result == KeyCheck::kValid       ? Verdict::kValid
                : v.result == KeyCheck::kExpired   ? Verdict::kExpired
                                                   : Verdict::kNotYetValid;
  return out;
}

absl::StatusOr<Page<Notification>> Licensing::ListNotifications(const Principal& caller,
                                                                const std::string& account_id,
                                                                const std::string& entitlement_id,
                                                                const PageRequest& page,
                                                                LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::string account, ScopedAccount(caller, account_id));
  if (!entitlement_id.empty()) RETURN_IF_ERROR(CheckId(entitlement_id, "ENT-", "entitlement_id"));
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  const std::string fp = QueryFingerprint({"ListNotifications", account, entitlement_id});
  ASSIGN_OR_RETURN(auto after, DecodeCursor(page, fp));
  ASSIGN_OR_RETURN(auto rows, repo.ListNotifications(account, entitlement_id, after, size + 1));
  return MakePage(std::move(rows), size, pages_, fp,
                  [](const Notification& n) { return TimeIdCursor(n.create_time, n.id); });
}

}  // namespace aftercare::licensing
