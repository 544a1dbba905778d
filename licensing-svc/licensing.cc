#include "licensing-svc/licensing.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/db/sql_time.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/activation_code.h"

namespace aftercare::licensing {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int32_t kMaxTermMonths = 120;
constexpr int32_t kMaxDevices = 1000;

// SKUs and features: 1-64 characters of A-Z a-z 0-9 and "-_.+".
absl::Status CheckToken(const std::string& v, absl::string_view field) {
  if (v.empty() || v.size() > 64) {
    return InvalidField(field, "must be 1-64 characters");
  }
  for (char c : v) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' &&
        c != '+') {
      return InvalidField(field, "must contain only letters, digits and '-', '_', '.', '+'");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckAccountId(const std::string& v, absl::string_view field) {
  if (v.empty()) return InvalidField(field, "is required");
  if (v.size() > 64) return InvalidField(field, "must be at most 64 characters");
  for (char c : v) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return InvalidField(field, "must contain only letters, digits, '-' and '_'");
    }
  }
  return absl::OkStatus();
}

// Ids are prefix + 20 hex digits; anything else cannot exist.
absl::Status CheckId(const std::string& v, absl::string_view prefix, absl::string_view field) {
  if (v.empty()) return InvalidField(field, "is required");
  if (v.size() != prefix.size() + 20 || !absl::StartsWith(v, prefix)) {
    return InvalidField(field, absl::StrCat("must be \"", prefix, "\" followed by 20 hex digits"));
  }
  for (char c : absl::string_view(v).substr(prefix.size())) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(c)) {
      return InvalidField(field,
                          absl::StrCat("must be \"", prefix, "\" followed by 20 hex digits"));
    }
  }
  return absl::OkStatus();
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

bool IsScoped(const Principal& p) { return p.HasRole({Role::kCustomer, Role::kPartner}); }

}  // namespace

absl::Time AddMonths(absl::Time t, int32_t months) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::CivilSecond cs = absl::ToCivilSecond(t, utc);
  absl::CivilSecond moved(cs.year(), cs.month() + months, cs.day(), cs.hour(), cs.minute(),
                          cs.second());
  return absl::FromCivil(moved, utc) + (t - absl::FromCivil(cs, utc));
}

bool RmaIsApproved(absl::string_view status) {
  return status == "APPROVED" || status == "REPLACEMENT_SHIPPED" || status == "RECEIVED" ||
         status == "REPAIRED" || status == "REPAIR_SHIPPED" || status == "CLOSED";
}

// --- paging ------------------------------------------------------------------

absl::StatusOr<std::optional<ListCursor>> Licensing::DecodeCursor(
    const PageRequest& page, const std::string& fingerprint) const {
  ASSIGN_OR_RETURN(std::optional<PageCursor> start,
                   DecodePageStart(pages_, page.page_token, fingerprint, 2));
  if (!start) return std::optional<ListCursor>();
  const PageCursor& c = *start;
  ListCursor out;
  if (!absl::SimpleAtoi(c.keys[0], &out.create_us)) {
    return InvalidField("page_token", "is malformed");
  }
  out.id = c.keys[1];
  return std::optional<ListCursor>(out);
}

namespace {

// The cursor of a row in a list ordered by (create_time, id).
PageCursor TimeIdCursor(absl::Time create_time, const std::string& id) {
  return PageCursor{{absl::StrCat(db::ToMicros(create_time)), id}};
}

}  // namespace

// For list calls: customers and partners must name one of their accounts;
// internal roles may name one or none.
absl::StatusOr<std::string> Licensing::ScopedAccount(const Principal& caller,
                                                     const std::string& account_id) const {
  if (!account_id.empty()) RETURN_IF_ERROR(CheckAccountId(account_id, "account_id"));
  if (IsScoped(caller)) {
    if (account_id.empty()) {
      if (caller.account_ids.size() == 1) return caller.account_ids.front();
      return InvalidField("account_id",
                          "is required for customers and partners with several accounts");
    }
    RETURN_IF_ERROR(CheckAccountScope(caller, account_id, "account " + account_id));
  }
  return account_id;
}

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
