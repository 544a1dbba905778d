// Activation and keys: activating a device, signing its key, renewal and
// key retrieval.
// Part of Licensing (licensing.h); shared helpers are in licensing_internal.h.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/activation_code.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_internal.h"

namespace aftercare::licensing {

// --- activation and keys -----------------------------------------------------

absl::StatusOr<std::string> Licensing::SignKey(const License& l) const {
  LicenseKeyClaims c;
  c.license_id = l.id;
  c.entitlement_id = l.entitlement_id;
  c.sku = l.sku;
  c.feature = l.feature;
  c.capacity = l.capacity;
  c.device_serial = l.device_serial;
  c.licensing_system = Name(l.system);
  c.term_type = Name(l.term_type);
  c.not_before = l.not_before;
  c.not_after = l.not_after;
  c.issued_at = l.update_time;
  c.generation = l.key_generation;
  return signer_.Sign(c);
}

absl::StatusOr<ActivationResult> Licensing::Activate(const Principal& caller,
                                                     const std::string& code,
                                                     const std::string& device_serial,
                                                     LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::string canonical, NormalizeActivationCode(code, "activation_code"));
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(device_serial, "device_serial"));
  ASSIGN_OR_RETURN(std::optional<Entitlement> e,
                   repo.FindEntitlementByCodeHash(ActivationCodeHash(canonical), true));
  if (!e) return absl::NotFoundError("no purchase has this activation_code");
  RETURN_IF_ERROR(CheckAccountScope(caller, e->account_id, "activation code"));
  const absl::Time now = clock_.Now();

  ASSIGN_OR_RETURN(std::vector<License> existing,
                   repo.LicensesOfEntitlementOnDevice(e->id, serial));
  for (const License& l : existing) {
    if (l.state == LicenseState::kActive) return ActivationResult{l, true};
  }
  if (!existing.empty()) {
    const License& l = existing.back();
    return FailedPrecondition("LICENSE_STATE", absl::StrCat("licenses/", l.id),
                              absl::StrCat("license ", l.id, " of this activation code on device ",
                                           serial, " is REVOKED (", Name(l.revocation_reason),
                                           "); it cannot be activated there again"));
  }
  if (e->term_end && *e->term_end <= now) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the subscription of entitlement ", e->id, " ended at ", Rfc3339(*e->term_end),
        "; renew it before activating"));
  }
  if (e->active_devices >= e->product.max_devices) {
    return absl::FailedPreconditionError(
        absl::StrCat("the activation code is already activated on ", e->active_devices, " of ",
                     e->product.max_devices, " allowed devices"));
  }
  License l;
  l.id = NewId("LIC-");
  l.entitlement_id = e->id;
  l.account_id = e->account_id;
  l.sku = e->product.sku;
  l.feature = e->product.feature;
  l.capacity = e->product.capacity;
  l.system = e->product.system;
  l.term_type = e->product.term_type;
  l.device_serial = serial;
  l.state = LicenseState::kActive;
  l.not_before = now;
  l.not_after = e->term_end;
  l.key_generation = 1;
  l.create_time = l.update_time = now;
  l.key_id = signer_.primary_key_id();
  ASSIGN_OR_RETURN(l.license_key, SignKey(l));
  RETURN_IF_ERROR(repo.InsertLicense(l));
  e->version += 1;
  e->update_time = now;
  RETURN_IF_ERROR(repo.UpdateEntitlement(*e));
  return ActivationResult{l, false};
}

NotificationEvent Licensing::Event(const Notification& n, const std::string& template_id,
                                   const std::vector<std::string>& emails,
                                   const std::map<std::string, std::string>& data) {
  NotificationEvent event;
  event.event_key = absl::StrCat("license-", n.id);
  event.event_type = template_id;
  event.account_id = n.account_id;
  event.email_to = emails;
  event.subject = n.subject;
  event.body = n.body;
  event.data = data;
  event.data["notification_id"] = n.id;
  event.occurred_at = n.create_time;
  return event;
}

absl::StatusOr<RenewalResult> Licensing::Renew(const Principal& caller,
                                               const std::string& entitlement_id,
                                               int32_t term_months,
                                               const std::string& order_reference,
                                               const std::vector<std::string>& notification_emails,
                                               LicensingRepository& repo) const {
  RETURN_IF_ERROR(CheckId(entitlement_id, "ENT-", "entitlement_id"));
  RETURN_IF_ERROR(notify::ValidateEmailAddresses("notification_emails", notification_emails,
                                                 kMaxNotificationEmails));
  if (term_months < 0 || term_months > kMaxTermMonths) {
    return InvalidField("term_months", "must be 0 (the product's term) or 1-120");
  }
  RETURN_IF_ERROR(CheckText(order_reference, "order_reference", 128, false));
  ASSIGN_OR_RETURN(Entitlement e, LoadEntitlement(caller, entitlement_id, repo, true));
  if (e.product.term_type != TermType::kSubscription || !e.term_end) {
    return FailedPrecondition("ENTITLEMENT_STATE", absl::StrCat("entitlements/", e.id),
                              absl::StrCat("entitlement ", e.id, " is ", Name(e.product.term_type),
                                           "; only subscriptions renew"));
  }
  const absl::Time now = clock_.Now();
  const int32_t months = term_months == 0 ? e.product.term_months : term_months;
  Renewal r;
  r.entitlement_id = e.id;
  r.term_months = months;
  r.previous_end = *e.term_end;
  // A renewal continues the term; after a lapse, the new term starts now.
  r.new_end = AddMonths(std::max(*e.term_end, now), months);
  r.order_reference = order_reference;
  r.create_time = now;
  RETURN_IF_ERROR(repo.InsertRenewal(r));
  e.term_end = r.new_end;
  e.renewal_count += 1;
  e.version += 1;
  e.update_time = now;
  RETURN_IF_ERROR(repo.UpdateEntitlement(e));

  Notification n;
  n.id = NewId("NTF-");
  n.account_id = e.account_id;
  n.entitlement_id = e.id;
  n.kind = "WELCOME_LETTER";
  const std::map<std::string, std::string> data = {{"entitlement_id", e.id},
                                                   {"sku", e.product.sku},
                                                   {"feature", e.product.feature},
                                                   {"term_end", Rfc3339(r.new_end)},
                                                   {"order_line", order_reference}};
  ASSIGN_OR_RETURN(notify::Rendered letter, notify::RenderTemplate("renewal_welcome", data));
  n.subject = letter.subject;
  n.body = letter.body;
  n.create_time = now;
  RETURN_IF_ERROR(repo.InsertNotification(n));
  RETURN_IF_ERROR(repo.PublishNotification(
      Event(n, "renewal_welcome", notification_emails, data)));
  return RenewalResult{e, n};
}

absl::StatusOr<std::vector<DeviceKey>> Licensing::RetrieveDeviceKeys(
    const Principal& caller, const std::string& device_serial, LicensingRepository& repo) const {
  ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(device_serial, "device_serial"));
  ASSIGN_OR_RETURN(std::vector<License> active, repo.ActiveLicensesOnDevice("", serial, true));
  const absl::Time now = clock_.Now();
  std::vector<DeviceKey> out;
  for (License& l : active) {
    if (!caller.CanAccessAccount(l.account_id)) continue;
    DeviceKey k{l, KeyRefresh::kCurrent};
    if (l.term_type == TermType::kSubscription && l.not_after) {
      ASSIGN_OR_RETURN(std::optional<Entitlement> e, repo.FindEntitlement(l.entitlement_id, false));
      if (e && e->term_end && *e->term_end > *l.not_after) {
        ASSIGN_OR_RETURN(std::vector<Renewal> renewals, repo.RenewalsOf(e->id));
        bool in_time = false;
        for (const Renewal& r : renewals) {
          if (r.create_time < *l.not_after && r.new_end > *l.not_after) in_time = true;
        }
        if (in_time) {
          l.not_before = std::min(now, *l.not_after);
          l.not_after = e->term_end;
          l.key_generation += 1;
          l.version += 1;
          l.update_time = now;
          l.key_id = signer_.primary_key_id();
          ASSIGN_OR_RETURN(l.license_key, SignKey(l));
          RETURN_IF_ERROR(repo.UpdateLicense(l));
          k = DeviceKey{l, KeyRefresh::kRenewed};
        } else {
          k.refresh = KeyRefresh::kRenewalAfterExpiry;
        }
      } else if (now >= *l.not_after) {
        k.refresh = KeyRefresh::kExpired;
      }
    }
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace aftercare::licensing
