#include "case-svc/cases.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "case-svc/file_types.h"
#include "case-svc/sla.h"
#include "common/errors.h"
#include "common/policy.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/status.h"

namespace aftercare::cases {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxLines = 200;
constexpr int kMaxQuantity = 10000;

std::string RoleOf(const Principal& p) { return std::string(RoleName(p.role)); }

bool IsOpen(CaseStatus s) {
  return s == CaseStatus::kNew || s == CaseStatus::kInProgress ||
         s == CaseStatus::kAwaitingCustomer;
}

absl::Status CheckAccountId(const std::string& id, const std::string& field) {
  if (id.size() > 64) return InvalidField(field, "must be at most 64 characters");
  for (char ch : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') {
      return InvalidField(field, "must be letters, digits, '-' or '_'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CanonicalCaseId(const std::string& id) {
  ASSIGN_OR_RETURN(CaseId parsed, ParseCaseId(id, "case_id"));
  return parsed.ToString();
}

// The account a scoped caller opens a case for: the one named (which must be
// in its token), else its only account, else none.
absl::StatusOr<std::string> AccountFor(const Principal& caller, const std::string& requested,
                                       const std::string& field, bool required_for_staff) {
  RETURN_IF_ERROR(CheckAccountId(requested, field));
  if (IsScoped(caller)) {
    if (requested.empty()) {
      if (caller.account_ids.size() == 1) return caller.account_ids[0];
      if (caller.account_ids.empty()) {
        // A case nobody scoped could see afterwards: refused.
        return absl::PermissionDeniedError(
            field + ": the caller is associated with no account; cases are opened for one of "
            "the caller's accounts");
      }
      return InvalidField(field, "is required when the caller is associated with several accounts");
    }
    // Another account looks exactly like one that does not exist.
    RETURN_IF_ERROR(CheckAccountScope(caller, requested, "account " + requested));
    return requested;
  }
  if (requested.empty() && required_for_staff) {
    return InvalidField(field, "is required");
  }
  return requested;
}

std::string StatusChange(CaseStatus from, CaseStatus to) {
  return absl::StrCat(Name(from), " -> ", Name(to));
}

}  // namespace

bool IsScoped(const Principal& caller) {
  return caller.role == Role::kCustomer || caller.role == Role::kPartner;
}


absl::StatusOr<std::string> NormalizeSku(const std::string& sku, const std::string& field) {
  if (sku.empty() || sku.size() > 40) {
    return InvalidField(field, "must be 1-40 characters");
  }
  std::string out = absl::AsciiStrToUpper(sku);
  for (char ch : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.' &&
        ch != '+' && ch != '/') {
      return InvalidField(field, "must be A-Z, 0-9, '-', '.', '+' or '/'");
    }
  }
  return out;
}

Cases::Cases(const Clock& clock, CaseOptions options, const PageTokenCodec* page_tokens)
    : clock_(clock), options_(std::move(options)), page_tokens_(page_tokens) {}

// --- Admin cases ---------------------------------------------------------------

absl::StatusOr<Case> Cases::PrepareCase(const Principal& caller, Case d) const {
  if (d.request_type == RequestType::kUnspecified) {
    return InvalidField("case.request_type", "is required");
  }
  if (d.priority == Priority::kUnspecified) {
    return InvalidField("case.priority", "is required (P1-P4)");
  }
  if (d.follow_up == FollowUp::kUnspecified) {
    return InvalidField("case.follow_up_method", "is required (email, phone or chat)");
  }
  RETURN_IF_ERROR(CheckText(d.sub_type, "case.sub_type", 100, false));
  RETURN_IF_ERROR(CheckText(d.summary, "case.summary", kMaxSummaryBytes, true));
  RETURN_IF_ERROR(CheckText(d.description, "case.description", kMaxDescriptionBytes, false));
  if (!d.callback_phone.empty()) {
    ASSIGN_OR_RETURN(d.callback_phone, NormalizePhone(d.callback_phone, "case.callback_phone"));
  } else if (d.follow_up == FollowUp::kPhone) {
    return InvalidField("case.callback_phone", "is required when the follow-up method is phone");
  }
  if (!d.serial.empty() && !d.ssrn.empty()) {
    return InvalidFields({"case.serial_number", "case.ssrn"},
                         "give at most one of case.serial_number and case.ssrn");
  }
  if (!d.serial.empty()) {
    ASSIGN_OR_RETURN(d.serial, NormalizeSerial(d.serial, "case.serial_number"));
  }
  if (!d.ssrn.empty()) {
    ASSIGN_OR_RETURN(d.ssrn, NormalizeSsrn(d.ssrn, "case.ssrn"));
  }
  ASSIGN_OR_RETURN(d.account_id, AccountFor(caller, d.account_id, "case.account_id", false));
  // Refused rather than collapsed when an address repeats: the caller sees
  // its list as stored.
  RETURN_IF_ERROR(notify::ValidateEmailAddresses("case.notification_emails", d.notification_emails,
                                                 kMaxNotificationEmails));

  const absl::Time now = clock_.Now();
  if (d.request_type == RequestType::kMisShipment) {
    if (!d.mis_shipment) {
      return InvalidField("case.mis_shipment", "is required for a mis-shipment case");
    }
    MisShipment& m = *d.mis_shipment;
    RETURN_IF_ERROR(CheckText(m.order_number, "case.mis_shipment.order_number", 40, true));
    if (m.category == MisShipmentCategory::kUnspecified) {
      return InvalidField("case.mis_shipment.category", "is required");
    }
    if (m.lines.empty() || m.lines.size() > kMaxLines) {
      return InvalidField("case.mis_shipment.lines",
                          absl::StrCat("must have 1-", kMaxLines, " lines"));
    }
    for (size_t i = 0; i < m.lines.size(); ++i) {
      const std::string f = absl::StrCat("case.mis_shipment.lines[", i, "]");
      ASSIGN_OR_RETURN(m.lines[i].sku, NormalizeSku(m.lines[i].sku, f + ".sku"));
      if (m.lines[i].quantity < 1 || m.lines[i].quantity > kMaxQuantity) {
        return InvalidField(absl::StrCat(f, ".quantity"), absl::StrCat("must be 1-", kMaxQuantity));
      }
      RETURN_IF_ERROR(CheckText(m.lines[i].note, f + ".note", 500, false));
    }
    if (m.ship_time == absl::InfinitePast()) {
      return InvalidField("case.mis_shipment.ship_time", "is required");
    }
    if (m.ship_time > now + absl::Hours(24)) {
      return InvalidField("case.mis_shipment.ship_time", "must not be in the future");
    }
    if (!m.corrected_tracking_number.empty()) {
      return InvalidField("case.mis_shipment.corrected_tracking_number",
                          "is set at resolution, not at creation");
    }
    if (caller.role == Role::kPartner) {
      return absl::PermissionDeniedError(
          "mis-shipment requests must come from the customer who placed the order directly, "
          "not from a partner");
    }
    if (!m.ordered_directly) {
      return FailedPrecondition(
          "ELIGIBILITY", "case.mis_shipment.ordered_directly",
          "case.mis_shipment.ordered_directly: mis-shipment requests must come from the customer "
          "who placed the order directly with the vendor");
    }
    if (now - m.ship_time > kMisShipmentWindow) {
      return FailedPrecondition(
          "ELIGIBILITY", "case.mis_shipment.ship_time",
          absl::StrCat("case.mis_shipment.ship_time: mis-shipment requests must be submitted "
                       "within 90 days of "
                       "shipment; this order shipped ",
                       absl::ToInt64Hours(now - m.ship_time) / 24, " days ago"));
    }
  } else if (d.mis_shipment) {
    return InvalidField("case.mis_shipment", "is only for request_type MIS_SHIPMENT");
  }
  if (d.request_type == RequestType::kGreyMarketReinstatement) {
    if (d.serial.empty()) {
      return InvalidField("case.serial_number", "is required for a grey-market reinstatement case");
    }
    d.reinstatement = Reinstatement::kAwaitingApproval;
  } else {
    d.reinstatement = Reinstatement::kUnspecified;
  }
  d.status = CaseStatus::kNew;
  d.opened_by = caller.subject;
  d.owner.clear();
  d.escalation_level = 0;
  d.team_lead_attention = false;
  return d;
}

absl::StatusOr<Case> Cases::CreateCase(const Principal& caller, Case c, const std::string& id,
                                       const ProductLookup& lookup, CaseRepository& repo) const {
  const absl::Time now = clock_.Now();
  c.id = id;
  c.create_time = c.update_time = now;
  c.sla = StartSla(options_.calendar, c.priority, now);
  c.version = 1;
  if (c.serial.empty() && c.ssrn.empty()) {
    c.lookup = LookupState::kNotRequested;
  } else {
    c.lookup = lookup.state == LookupState::kNotRequested ? LookupState::kPending : lookup.state;
    c.product_series = lookup.series;
    c.product_platform = lookup.platform;
  }
  RETURN_IF_ERROR(repo.InsertCase(c));
  CaseEvent e{0, c.id, now, caller.subject, RoleOf(caller), "created",
              absl::StrCat(Name(c.priority), ": ", c.summary), false};
  RETURN_IF_ERROR(repo.AppendEvent(e));
  if (c.lookup == LookupState::kPending) RETURN_IF_ERROR(repo.EnqueueProductLookup(c.id));
  RETURN_IF_ERROR(Notify(c, "case_created", {{"subject", c.summary}}, repo));
  return c;
}

absl::StatusOr<Case> Cases::LoadCase(const Principal& caller, const std::string& id,
                                     CaseRepository& repo, bool for_update) const {
  ASSIGN_OR_RETURN(std::string canonical, CanonicalCaseId(id));
  ASSIGN_OR_RETURN(std::optional<Case> c, repo.FindCase(canonical, for_update));
  if (!c) return absl::NotFoundError(absl::StrCat("case ", canonical, " not found"));
  RETURN_IF_ERROR(CheckAccountScope(caller, c->account_id, absl::StrCat("case ", canonical)));
  return *std::move(c);
}

absl::StatusOr<Case> Cases::GetCase(const Principal& caller, const std::string& id,
                                    CaseRepository& repo) const {
  return LoadCase(caller, id, repo, false);
}

absl::StatusOr<Page<Case>> Cases::ListCases(const Principal& caller, CaseFilter filter,
                                            int32_t page_size, const std::string& page_token,
                                            CaseRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  RETURN_IF_ERROR(CheckAccountId(filter.account_id, "account_id"));
  RETURN_IF_ERROR(CheckText(filter.owner, "owner", 128, false));
  filter.now = clock_.Now();
  filter.scoped = IsScoped(caller);
  if (filter.scoped) {
    filter.accounts = caller.account_ids;
    if (!filter.account_id.empty() && !caller.CanAccessAccount(filter.account_id)) {
      return Page<Case>{};  // nothing of that account is visible
    }
  }
  const std::string fp = QueryFingerprint(
      {"ListCases", std::to_string(static_cast<int>(filter.status)),
       std::to_string(static_cast<int>(filter.priority)),
       std::to_string(static_cast<int>(filter.request_type)), filter.account_id, filter.owner,
       filter.breaching_only ? "breaching" : "", caller.subject});
  ASSIGN_OR_RETURN(std::optional<PageCursor> after,
                   DecodePageStart(*page_tokens_, page_token, fp, 2));
  ASSIGN_OR_RETURN(std::vector<Case> rows, repo.ListCases(filter, after, size + 1));
  return MakePage(std::move(rows), size, *page_tokens_, fp, [](const Case& last) {
    return PageCursor{{std::to_string(absl::ToUnixMicros(last.create_time)), last.id}};
  });
}

absl::Status Cases::Notify(const Case& c, const std::string& template_id,
                           std::map<std::string, std::string> data, CaseRepository& repo) const {
  data["case_number"] = c.id;
  data["case_id"] = c.id;
  data["status"] = std::string(Name(c.status));
  ASSIGN_OR_RETURN(notify::Rendered r, notify::RenderTemplate(template_id, data));
  NotificationEvent e;
  // The version is new with every change of the case: one key per change.
  e.event_key = absl::StrCat("case-", c.id, "-v", c.version);
  e.event_type = template_id;
  e.account_id = c.account_id;
  e.email_to = c.notification_emails;
  e.subject = std::move(r.subject);
  e.body = std::move(r.body);
  e.data = std::move(data);
  e.occurred_at = c.update_time;
  return repo.PublishNotification(e);
}

absl::Status Cases::Save(const Principal& caller, Case& c, const std::string& kind,
                         const std::string& detail, bool internal, CaseRepository& repo) const {
  const int64_t expected = c.version;
  c.version += 1;
  c.update_time = clock_.Now();
  RETURN_IF_ERROR(repo.UpdateCase(c, expected));
  CaseEvent e{0, c.id, c.update_time, caller.subject, RoleOf(caller), kind, detail, internal};
  return repo.AppendEvent(e);
}

absl::StatusOr<Case> Cases::TakeOwnership(const Principal& caller, const std::string& id,
                                          const std::string& owner, const std::string& etag,
                                          CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(owner, "owner", 128, false));
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  RETURN_IF_ERROR(CheckEtag(etag, c.version, "case " + c.id));
  if (!IsOpen(c.status)) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is ", Name(c.status), "; only open cases can be taken"));
  }
  const std::string new_owner = owner.empty() ? caller.subject : owner;
  std::string detail = absl::StrCat("owner ", c.owner.empty() ? "(none)" : c.owner, " -> ", new_owner);
  c.owner = new_owner;
  if (c.status == CaseStatus::kNew) {
    absl::StrAppend(&detail, "; ", StatusChange(c.status, CaseStatus::kInProgress));
    c.status = CaseStatus::kInProgress;
  }
  RETURN_IF_ERROR(Save(caller, c, "owner", detail, false, repo));
  return c;
}

absl::StatusOr<Case> Cases::UpdateStatus(const Principal& caller, const std::string& id,
                                         CaseStatus status, const std::string& etag,
                                         CaseRepository& repo, const std::string& question) const {
  if (status != CaseStatus::kInProgress && status != CaseStatus::kAwaitingCustomer) {
    return InvalidField("status",
                        "must be IN_PROGRESS or AWAITING_CUSTOMER (use TakeCaseOwnership, "
                        "ResolveCase, CloseCase and ReopenCase for the others)");
  }
  RETURN_IF_ERROR(CheckText(question, "question", kMaxNoteBytes, false));
  if (!question.empty() && status != CaseStatus::kAwaitingCustomer) {
    return InvalidField("question", "is only for status AWAITING_CUSTOMER");
  }
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  RETURN_IF_ERROR(CheckEtag(etag, c.version, "case " + c.id));
  const bool ok = (c.status == CaseStatus::kInProgress && status == CaseStatus::kAwaitingCustomer) ||
                  (c.status == CaseStatus::kAwaitingCustomer && status == CaseStatus::kInProgress);
  if (!ok) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is ", Name(c.status), "; cannot move it to ", Name(status)));
  }
  const absl::Time now = clock_.Now();
  if (status == CaseStatus::kAwaitingCustomer) {
    PauseSla(options_.calendar, c.priority, &c.sla, now);
  } else {
    ResumeSla(options_.calendar, c.priority, &c.sla, now);
  }
  std::string detail = StatusChange(c.status, status);
  if (!question.empty()) absl::StrAppend(&detail, ": ", question);
  c.status = status;
  RETURN_IF_ERROR(Save(caller, c, "status", detail, false, repo));
  if (status == CaseStatus::kAwaitingCustomer) {
    RETURN_IF_ERROR(Notify(c, "case_awaiting_customer",
                           {{"question", question.empty() ? kDefaultCustomerQuestion : question}},
                           repo));
  }
  return c;
}

absl::StatusOr<Case> Cases::AddNote(const Principal& caller, const std::string& id,
                                    const std::string& body, bool internal,
                                    CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(body, "body", kMaxNoteBytes, true));
  if (internal && IsScoped(caller)) {
    return absl::PermissionDeniedError("only care staff may add internal notes");
  }
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  if (c.status == CaseStatus::kClosed) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is CLOSED; notes are no longer accepted"));
  }
  const absl::Time now = clock_.Now();
  std::string kind = internal ? "internal_note" : "note";
  if (IsScoped(caller)) {
    // The customer answered: the clock runs again.
    if (c.status == CaseStatus::kAwaitingCustomer) {
      ResumeSla(options_.calendar, c.priority, &c.sla, now);
      c.status = CaseStatus::kInProgress;
    }
  } else if (!internal && !c.first_response_time) {
    c.first_response_time = now;
  }
  RETURN_IF_ERROR(Save(caller, c, kind, body, internal, repo));
  return c;
}

absl::StatusOr<Case> Cases::Escalate(const Principal& caller, const std::string& id,
                                     EscalationKind kind, const std::string& reason,
                                     CaseRepository& repo) const {
  if (kind == EscalationKind::kUnspecified) {
    return InvalidField("kind", "must be FASTER_PROGRESS or REASSIGNMENT");
  }
  RETURN_IF_ERROR(CheckText(reason, "reason", kMaxReasonBytes, true));
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  if (!IsOpen(c.status)) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is ", Name(c.status), "; only open cases can be escalated"));
  }
  c.escalation_level += 1;
  c.team_lead_attention = true;
  RETURN_IF_ERROR(Save(caller, c, "escalated",
                       absl::StrCat(kind == EscalationKind::kFasterProgress ? "faster progress"
                                                                            : "reassignment",
                                    " (level ", c.escalation_level, "): ", reason),
                       false, repo));
  return c;
}

absl::StatusOr<Case> Cases::Resolve(const Principal& caller, const std::string& id,
                                    const std::string& resolution, const std::string& tracking,
                                    const std::string& etag, CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(resolution, "resolution", 4000, true));
  RETURN_IF_ERROR(CheckText(tracking, "corrected_tracking_number", 64, false));
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  RETURN_IF_ERROR(CheckEtag(etag, c.version, "case " + c.id));
  if (c.status != CaseStatus::kInProgress && c.status != CaseStatus::kAwaitingCustomer) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is ", Name(c.status),
                     "; only IN_PROGRESS or AWAITING_CUSTOMER cases can be resolved"));
  }
  if (c.request_type == RequestType::kMisShipment) {
    if (tracking.empty()) {
      return InvalidField("corrected_tracking_number",
                          "is required to resolve a mis-shipment case");
    }
    c.mis_shipment->corrected_tracking_number = tracking;
  } else if (!tracking.empty()) {
    return InvalidField("corrected_tracking_number", "is only for mis-shipment cases");
  }
  if (c.request_type == RequestType::kGreyMarketReinstatement &&
      c.reinstatement == Reinstatement::kApproved) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat(
            "case ", c.id,
            ": the reinstatement is still being applied in inventory; resolve it afterwards"));
  }
  const absl::Time now = clock_.Now();
  PauseSla(options_.calendar, c.priority, &c.sla, now);
  if (!c.first_response_time) c.first_response_time = now;
  const std::string detail = StatusChange(c.status, CaseStatus::kResolved) + ": " + resolution;
  c.status = CaseStatus::kResolved;
  c.resolution = resolution;
  c.resolve_time = now;
  RETURN_IF_ERROR(Save(caller, c, "resolved", detail, false, repo));
  RETURN_IF_ERROR(Notify(c, "case_resolved", {{"resolution", resolution}}, repo));
  return c;
}

absl::StatusOr<Case> Cases::Close(const Principal& caller, const std::string& id,
                                  CaseRepository& repo) const {
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  if (c.status != CaseStatus::kResolved) {
    return FailedPrecondition("CASE_STATE", absl::StrCat("cases/", c.id),
                              absl::StrCat("case ", c.id, " is ", Name(c.status),
                                           "; only a RESOLVED case can be closed"));
  }
  c.status = CaseStatus::kClosed;
  c.close_time = clock_.Now();
  RETURN_IF_ERROR(Save(caller, c, "closed", "the customer confirmed the resolution", false, repo));
  return c;
}

absl::StatusOr<Case> Cases::Reopen(const Principal& caller, const std::string& id,
                                   const std::string& reason, CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", kMaxReasonBytes, true));
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  if (c.status != CaseStatus::kResolved) {
    return FailedPrecondition("CASE_STATE", absl::StrCat("cases/", c.id),
                              absl::StrCat("case ", c.id, " is ", Name(c.status),
                                           "; only a RESOLVED case can be reopened"));
  }
  const CaseStatus to = c.owner.empty() ? CaseStatus::kNew : CaseStatus::kInProgress;
  const std::string detail = StatusChange(c.status, to) + ": " + reason;
  c.status = to;
  c.resolve_time.reset();
  RETURN_IF_ERROR(Save(caller, c, "reopened", detail, false, repo));
  return c;
}

absl::StatusOr<Case> Cases::ApproveReinstatement(const Principal& caller, const std::string& id,
                                                 const std::string& inspection_reference,
                                                 CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(inspection_reference, "inspection_reference", 100, false));
  ASSIGN_OR_RETURN(Case c, LoadCase(caller, id, repo, true));
  if (c.request_type != RequestType::kGreyMarketReinstatement) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is not a grey-market reinstatement case"));
  }
  if (!IsOpen(c.status)) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, " is ", Name(c.status), "; reinstatement needs an open case"));
  }
  if (c.reinstatement != Reinstatement::kAwaitingApproval) {
    return FailedPrecondition(
        "CASE_STATE", absl::StrCat("cases/", c.id),
        absl::StrCat("case ", c.id, ": the reinstatement was already approved"));
  }
  c.reinstatement = Reinstatement::kApproved;
  RETURN_IF_ERROR(Save(caller, c, "reinstatement",
                       absl::StrCat("approved by ", caller.subject,
                                    inspection_reference.empty() ? "" : ", inspection ",
                                    inspection_reference),
                       false, repo));
  RETURN_IF_ERROR(repo.EnqueueReinstatement(c.id, c.serial, inspection_reference));
  return c;
}

absl::StatusOr<Page<CaseEvent>> Cases::ListEvents(const Principal& caller, const std::string& id,
                                                  int32_t page_size, const std::string& page_token,
                                                  CaseRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  ASSIGN_OR_RETURN(std::string canonical, CanonicalCaseId(id));
  // The id may name an admin case or a trade-in case.
  ASSIGN_OR_RETURN(std::optional<Case> c, repo.FindCase(canonical, false));
  bool visible = false;
  if (c) {
    visible = caller.CanAccessAccount(c->account_id);
  } else {
    ASSIGN_OR_RETURN(std::optional<TradeIn> t, repo.FindTradeIn(canonical, false));
    visible = t && caller.CanAccessAccount(t->account_id);
  }
  if (!visible) return OutOfScope(absl::StrCat("case ", canonical));  // or none at all
  const bool include_internal = !IsScoped(caller);
  const std::string fp =
      QueryFingerprint({"ListCaseEvents", canonical, include_internal ? "all" : "public"});
  ASSIGN_OR_RETURN(int64_t after_id, DecodeAfterId(*page_tokens_, page_token, fp));
  ASSIGN_OR_RETURN(std::vector<CaseEvent> rows,
                   repo.ListEvents(canonical, after_id, include_internal, size + 1));
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const CaseEvent& e) { return std::to_string(e.id); });
}

bool Cases::Breaching(const Case& c, absl::Time now) const {
  return IsOpen(c.status) && !c.first_response_time && c.sla.due && *c.sla.due < now;
}

absl::Time Cases::ResponseDue(const Case& c, absl::Time now) const {
  return EffectiveDue(options_.calendar, c.priority, c.sla, now);
}

absl::Status Cases::ApplyProductLookup(const std::string& id, const ProductLookup& lookup,
                                       CaseRepository& repo) const {
  ASSIGN_OR_RETURN(std::optional<Case> found, repo.FindCase(id, true));
  if (!found || found->lookup != LookupState::kPending) return absl::OkStatus();
  Case c = *std::move(found);
  c.lookup = lookup.state;
  c.product_series = lookup.series;
  c.product_platform = lookup.platform;
  Principal svc;
  svc.subject = "case-svc";
  svc.role = Role::kService;
  return Save(svc, c, "product_filled",
              lookup.state == LookupState::kFilled
                  ? absl::StrCat("series ", lookup.series, ", platform ", lookup.platform)
                  : std::string("inventory does not know the serial number or SSRN"),
              false, repo);
}

absl::Status Cases::RecordReinstatement(const std::string& id, bool reinstated,
                                        const std::string& detail, CaseRepository& repo) const {
  ASSIGN_OR_RETURN(std::optional<Case> found, repo.FindCase(id, true));
  if (!found || found->reinstatement != Reinstatement::kApproved) return absl::OkStatus();
  Case c = *std::move(found);
  c.reinstatement = reinstated ? Reinstatement::kReinstated : Reinstatement::kRefused;
  Principal svc;
  svc.subject = "case-svc";
  svc.role = Role::kService;
  return Save(svc, c, "reinstatement",
              reinstated ? "inventory reinstated the unit" : "inventory refused: " + detail, false,
              repo);
}

absl::Status Cases::RecordServiceEvent(const std::string& id, const std::string& kind,
                                       const std::string& detail, CaseRepository& repo) const {
  CaseEvent e{0, id, clock_.Now(), "case-svc", "service", kind, detail, true};
  return repo.AppendEvent(e);
}

// --- Trade-in cases ------------------------------------------------------------

namespace {

absl::Status NormalizeLines(std::vector<TradeInLine>& lines, const std::string& prefix) {
  if (lines.empty() || lines.size() > kMaxLines) {
    return InvalidField(prefix, absl::StrCat("must have 1-", kMaxLines, " lines"));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    TradeInLine& l = lines[i];
    const std::string f = absl::StrCat(prefix, "[", i, "]");
    l.line_number = static_cast<int32_t>(i + 1);
    ASSIGN_OR_RETURN(l.sku, NormalizeSku(l.sku, f + ".sku"));
    if (l.quantity < 1 || l.quantity > kMaxQuantity) {
      return InvalidField(absl::StrCat(f, ".quantity"), absl::StrCat("must be 1-", kMaxQuantity));
    }
    if (static_cast<int>(l.serials.size()) > l.quantity) {
      return InvalidField(absl::StrCat(f, ".serial_numbers"),
                          "has more serials than the line's quantity");
    }
    for (size_t j = 0; j < l.serials.size(); ++j) {
      ASSIGN_OR_RETURN(l.serials[j],
                       NormalizeSerial(l.serials[j], absl::StrCat(f, ".serial_numbers[", j, "]")));
      if (!seen.insert(l.serials[j]).second) {
        return InvalidField(absl::StrCat(f, ".serial_numbers[", j, "]"),
                            absl::StrCat(l.serials[j], " appears twice on the case"));
      }
    }
  }
  return absl::OkStatus();
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

absl::Time Cases::DocumentsDue(absl::Time order_time) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond cs = absl::ToCivilSecond(order_time, utc);
  const absl::CivilMonth m = absl::CivilMonth(cs) + 3;
  const int last_day = (absl::CivilDay(m + 1) - 1).day();
  const int day = std::min<int>(cs.day(), last_day);
  return absl::FromCivil(
             absl::CivilSecond(m.year(), m.month(), day, cs.hour(), cs.minute(), cs.second()), utc) +
         (order_time - absl::FromCivil(cs, utc));
}

absl::StatusOr<TradeIn> Cases::PrepareTradeIn(const Principal& caller, TradeIn t) const {
  ASSIGN_OR_RETURN(t.account_id, AccountFor(caller, t.account_id, "trade_in_case.account_id", true));
  if (t.account_id.empty()) {
    return InvalidField("trade_in_case.account_id", "is required");
  }
  RETURN_IF_ERROR(CheckText(t.order_number, "trade_in_case.order_number", 40, true));
  if (t.order_time == absl::InfinitePast()) {
    return InvalidField("trade_in_case.order_time", "is required");
  }
  const absl::Time now = clock_.Now();
  if (t.order_time > now + absl::Hours(24)) {
    return InvalidField("trade_in_case.order_time", "must not be in the future");
  }
  if (t.phase == TmipPhase::kUnspecified) {
    return InvalidField("trade_in_case.phase", "is required (PHASE1 or PHASE2)");
  }
  if (t.disposition == Disposition::kUnspecified) {
    return InvalidField("trade_in_case.disposition", "is required (RETURN or DESTROY)");
  }
  RETURN_IF_ERROR(NormalizeLines(t.lines, "trade_in_case.lines"));
  if (t.new_order_skus.size() > kMaxLines) {
    return InvalidField("trade_in_case.new_order_skus", "has too many SKUs");
  }
  for (size_t i = 0; i < t.new_order_skus.size(); ++i) {
    ASSIGN_OR_RETURN(t.new_order_skus[i],
                     NormalizeSku(t.new_order_skus[i], absl::StrCat("trade_in_case.new_order_skus[", i, "]")));
  }
  if (t.phase == TmipPhase::kPhase2 && t.new_order_skus.empty()) {
    return InvalidField("trade_in_case.new_order_skus",
                        "is required in phase 2 (the new order's SKUs)");
  }
  if (t.credit_minor < 0) {
    return InvalidField("trade_in_case.credit.amount_minor", "must not be negative");
  }
  if (t.credit_minor > 0 && (t.credit_currency.size() != 3 ||
                             !std::all_of(t.credit_currency.begin(), t.credit_currency.end(),
                                          [](char ch) { return ch >= 'A' && ch <= 'Z'; }))) {
    return InvalidField("trade_in_case.credit.currency_code", "must be 3 upper-case letters");
  }
  t.opened_by = caller.subject;
  t.status = TradeInStatus::kOpen;
  t.extension = ExtensionStatus::kNone;
  t.due_time = DocumentsDue(t.order_time);
  if (t.due_time <= now) {
    return FailedPrecondition(
        "ELIGIBILITY", "trade_in_case.order_time",
        "trade_in_case.order_time: the 3-month documentation deadline of this order has passed");
  }
  return t;
}

std::vector<std::string> Cases::SkusToLookUp(const TradeIn& t) const {
  std::set<std::string> skus;
  if (t.phase == TmipPhase::kPhase1) {
    for (const auto& l : t.lines) skus.insert(l.sku);
  } else {
    for (const auto& s : t.new_order_skus) skus.insert(s);
  }
  return {skus.begin(), skus.end()};
}

absl::Status Cases::CheckEligibility(const TradeIn& t,
                                     const std::map<std::string, CatalogEntry>& catalog) const {
  if (t.phase == TmipPhase::kPhase1) {
    for (size_t i = 0; i < t.lines.size(); ++i) {
      auto it = catalog.find(t.lines[i].sku);
      if (it == catalog.end() || !it->second.found) {
        return absl::FailedPreconditionError(absl::StrCat(
            "trade_in_case.lines[", i, "].sku ", t.lines[i].sku, " is not in the catalog"));
      }
      if (!it->second.end_of_life) {
        return absl::FailedPreconditionError(absl::StrCat(
            "trade_in_case.lines[", i, "].sku ", t.lines[i].sku,
            " is not end-of-life; phase 1 accepts only end-of-life SKUs"));
      }
    }
    return absl::OkStatus();
  }
  for (const auto& sku : t.new_order_skus) {
    std::string platform;
    auto it = catalog.find(sku);
    if (it != catalog.end() && it->second.found) platform = absl::AsciiStrToUpper(it->second.platform);
    for (const auto& eligible : options_.tmip_phase2_platforms) {
      const std::string e = absl::AsciiStrToUpper(eligible);
      if (platform == e || sku == e) return absl::OkStatus();
    }
  }
  return FailedPrecondition(
      "ELIGIBILITY", "trade_in_case.new_order_skus",
      absl::StrCat(
          "trade_in_case.new_order_skus: phase 2 needs a new order that includes an eligible MX "
          "platform (",
          absl::StrJoin(options_.tmip_phase2_platforms, ", "), ")"));
}

absl::StatusOr<TradeIn> Cases::CreateTradeIn(const Principal& caller, TradeIn t,
                                             const std::string& id, CaseRepository& repo) const {
  const absl::Time now = clock_.Now();
  t.id = id;
  t.create_time = t.update_time = now;
  t.version = 1;
  RETURN_IF_ERROR(repo.InsertTradeIn(t));
  CaseEvent e{0, t.id, now, caller.subject, RoleOf(caller), "created",
              absl::StrCat("trade-in for order ", t.order_number, ", ", t.lines.size(),
                           " line(s), ", t.disposition == Disposition::kReturn ? "return" : "destroy",
                           "; documents due ", absl::FormatTime("%Y-%m-%d", t.due_time, absl::UTCTimeZone())),
              false};
  RETURN_IF_ERROR(repo.AppendEvent(e));
  return t;
}

absl::StatusOr<TradeIn> Cases::LoadTradeIn(const Principal& caller, const std::string& id,
                                           CaseRepository& repo, bool for_update) const {
  ASSIGN_OR_RETURN(std::string canonical, CanonicalCaseId(id));
  ASSIGN_OR_RETURN(std::optional<TradeIn> t, repo.FindTradeIn(canonical, for_update));
  if (!t) return absl::NotFoundError(absl::StrCat("trade-in case ", canonical, " not found"));
  RETURN_IF_ERROR(
      CheckAccountScope(caller, t->account_id, absl::StrCat("trade-in case ", canonical)));
  return *std::move(t);
}

absl::StatusOr<TradeIn> Cases::GetTradeIn(const Principal& caller, const std::string& id,
                                          CaseRepository& repo) const {
  return LoadTradeIn(caller, id, repo, false);
}

absl::StatusOr<Page<TradeIn>> Cases::ListTradeIns(const Principal& caller, TradeInFilter filter,
                                                  int32_t page_size, const std::string& page_token,
                                                  CaseRepository& repo) const {
  ASSIGN_OR_RETURN(int size, NormalizePageSize(page_size, kDefaultPageSize, kMaxPageSize));
  RETURN_IF_ERROR(CheckAccountId(filter.account_id, "account_id"));
  filter.scoped = IsScoped(caller);
  if (filter.scoped) {
    filter.accounts = caller.account_ids;
    if (!filter.account_id.empty() && !caller.CanAccessAccount(filter.account_id)) {
      return Page<TradeIn>{};
    }
  }
  const std::string fp =
      QueryFingerprint({"ListTradeInCases", std::to_string(static_cast<int>(filter.status)),
                        filter.account_id, caller.subject});
  ASSIGN_OR_RETURN(std::optional<PageCursor> after,
                   DecodePageStart(*page_tokens_, page_token, fp, 2));
  ASSIGN_OR_RETURN(std::vector<TradeIn> rows, repo.ListTradeIns(filter, after, size + 1));
  return MakePage(std::move(rows), size, *page_tokens_, fp, [](const TradeIn& last) {
    return PageCursor{{std::to_string(absl::ToUnixMicros(last.create_time)), last.id}};
  });
}

absl::Status Cases::SaveTradeIn(const Principal& caller, TradeIn& t, const std::string& kind,
                                const std::string& detail, CaseRepository& repo) const {
  const int64_t expected = t.version;
  t.version += 1;
  t.update_time = clock_.Now();
  RETURN_IF_ERROR(repo.UpdateTradeIn(t, expected));
  CaseEvent e{0, t.id, t.update_time, caller.subject, RoleOf(caller), kind, detail, false};
  return repo.AppendEvent(e);
}

namespace {
absl::Status RequireOpen(const TradeIn& t, const char* action) {
  if (t.status != TradeInStatus::kOpen) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id, " is ", Name(t.status), "; cannot ", action));
  }
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<TradeIn> Cases::UpdateLines(const Principal& caller, const std::string& id,
                                           std::vector<TradeInLine> lines, const std::string& etag,
                                           CaseRepository& repo) const {
  RETURN_IF_ERROR(NormalizeLines(lines, "lines"));
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, id, repo, true));
  RETURN_IF_ERROR(CheckEtag(etag, t.version, "trade-in case " + t.id));
  RETURN_IF_ERROR(RequireOpen(t, "update its lines"));
  // Units already received or destroyed stay on the line that has them.
  for (const TradeInLine& old : t.lines) {
    for (const std::string& s : old.received_serials) {
      bool kept = false;
      for (TradeInLine& l : lines) {
        if (Contains(l.serials, s)) {
          l.received_serials.push_back(s);
          kept = true;
        }
      }
      if (!kept) {
        return FailedPrecondition(
            "ELIGIBILITY", "lines",
            absl::StrCat("lines: serial ", s, " was already received and must stay registered"));
      }
    }
    for (const std::string& s : old.destroyed_serials) {
      bool kept = false;
      for (TradeInLine& l : lines) {
        if (Contains(l.serials, s)) {
          l.destroyed_serials.push_back(s);
          kept = true;
        }
      }
      if (!kept) {
        return FailedPrecondition(
            "ELIGIBILITY", "lines",
            absl::StrCat("lines: serial ", s,
                         " is covered by a Certificate of Destruction and must stay registered"));
      }
    }
  }
  t.lines = std::move(lines);
  std::string detail = absl::StrCat(t.lines.size(), " line(s)");
  CompleteIfDone(t, &detail);
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "lines_updated", detail, repo));
  return t;
}

absl::StatusOr<TradeIn> Cases::RequestExtension(const Principal& caller, const std::string& id,
                                                absl::Time requested_due,
                                                const std::string& reason,
                                                CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(reason, "reason", kMaxReasonBytes, true));
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "extend its deadline"));
  if (requested_due <= t.due_time) {
    return InvalidField("requested_due_time", "must be later than the current deadline");
  }
  if (requested_due > t.order_time + absl::Hours(24 * 366)) {
    return InvalidField("requested_due_time", "must be within a year of the order date");
  }
  if (t.extension == ExtensionStatus::kPending) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id, " already has a pending extension request"));
  }
  t.extension = ExtensionStatus::kPending;
  t.requested_due_time = requested_due;
  t.extension_reason = reason;
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "extension_requested",
                              absl::StrCat("until ", absl::FormatTime("%Y-%m-%d", requested_due,
                                                                      absl::UTCTimeZone()),
                                           ": ", reason),
                              repo));
  return t;
}

absl::StatusOr<TradeIn> Cases::ReviewExtension(const Principal& caller, const std::string& id,
                                               bool approve, const std::string& note,
                                               CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(note, "note", kMaxReasonBytes, false));
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "review an extension"));
  if (t.extension != ExtensionStatus::kPending) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id, " has no pending extension request"));
  }
  std::string detail;
  if (approve) {
    t.extension = ExtensionStatus::kApproved;
    t.due_time = *t.requested_due_time;
    detail = absl::StrCat("approved; documents now due ",
                          absl::FormatTime("%Y-%m-%d", t.due_time, absl::UTCTimeZone()));
  } else {
    t.extension = ExtensionStatus::kRejected;
    detail = "rejected";
  }
  if (!note.empty()) absl::StrAppend(&detail, ": ", note);
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "extension_reviewed", detail, repo));
  return t;
}

absl::StatusOr<TradeIn> Cases::IssueShippingInstructions(const Principal& caller,
                                                         const std::string& id,
                                                         const std::string& label_reference,
                                                         CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckText(label_reference, "prepaid_label_reference", 100, true));
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "issue shipping instructions"));
  if (t.disposition != Disposition::kReturn) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id,
                     " destroys its equipment; shipping instructions are for returns"));
  }
  if (t.form_version == 0) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id,
                     " has no trade-in form yet; upload it before shipping instructions"));
  }
  t.shipping = ShippingInstructions{options_.tmip_return_address, label_reference, clock_.Now()};
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "shipping_instructions",
                              "prepaid label " + label_reference, repo));
  return t;
}

void Cases::CompleteIfDone(TradeIn& t, std::string* detail) const {
  if (t.status != TradeInStatus::kOpen) return;
  for (const TradeInLine& l : t.lines) {
    const size_t done = t.disposition == Disposition::kReturn ? l.received_serials.size()
                                                              : l.destroyed_serials.size();
    if (static_cast<int>(done) < l.quantity) return;
  }
  if (t.disposition == Disposition::kReturn && t.form_version == 0) return;
  t.status = TradeInStatus::kCompleted;
  t.close_time = clock_.Now();
  absl::StrAppend(detail, t.disposition == Disposition::kReturn
                              ? "; every line received: case completed"
                              : "; signed CoDs cover every line: case completed");
}

absl::StatusOr<TradeIn> Cases::RecordReceived(const Principal& caller, const std::string& id,
                                              const std::vector<ReceivedUnit>& units,
                                              CaseRepository& repo) const {
  if (units.empty() || units.size() > 1000) {
    return InvalidField("units", "must list 1-1000 received units");
  }
  std::vector<ReceivedUnit> normalized;
  for (size_t i = 0; i < units.size(); ++i) {
    ReceivedUnit u;
    ASSIGN_OR_RETURN(u.serial, NormalizeSerial(units[i].serial, absl::StrCat("units[", i, "].serial_number")));
    if (!units[i].sku.empty()) {
      ASSIGN_OR_RETURN(u.sku, NormalizeSku(units[i].sku, absl::StrCat("units[", i, "].sku")));
    }
    normalized.push_back(std::move(u));
  }
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "receive units"));
  if (t.disposition != Disposition::kReturn) {
    return FailedPrecondition(
        "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
        absl::StrCat("trade-in case ", t.id, " destroys its equipment; nothing is returned"));
  }
  if (!t.shipping) {
    return FailedPrecondition("TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
                              absl::StrCat("trade-in case ", t.id,
                                           " has no shipping instructions yet; issue them first"));
  }
  const absl::Time now = clock_.Now();
  int accepted = 0, exceptions = 0;
  for (const ReceivedUnit& u : normalized) {
    TradeInLine* line = nullptr;
    for (TradeInLine& l : t.lines) {
      if (Contains(l.serials, u.serial)) line = &l;
    }
    std::string reason;
    if (line == nullptr) {
      reason = "serial is not registered on the case";
    } else if (Contains(line->received_serials, u.serial)) {
      reason = "serial was already received";
    } else if (!u.sku.empty() && u.sku != line->sku) {
      reason = absl::StrCat("registered as SKU ", line->sku, ", received as ", u.sku);
    }
    if (!reason.empty()) {
      t.exceptions.push_back({u.serial, u.sku, reason, now});
      ++exceptions;
      continue;
    }
    line->received_serials.push_back(u.serial);
    RETURN_IF_ERROR(repo.EnqueueTradeInIntake(t.id, u.serial, line->sku));
    ++accepted;
  }
  std::string detail = absl::StrCat(accepted, " unit(s) received, ", exceptions, " exception(s)");
  for (size_t i = t.exceptions.size() - exceptions; i < t.exceptions.size(); ++i) {
    absl::StrAppend(&detail, "; ", t.exceptions[i].serial, ": ", t.exceptions[i].reason);
  }
  CompleteIfDone(t, &detail);
  RETURN_IF_ERROR(SaveTradeIn(caller, t, exceptions > 0 ? "receipt_exception" : "received", detail, repo));
  return t;
}

absl::StatusOr<bool> Cases::DefaultIfOverdue(const std::string& id, CaseRepository& repo) const {
  ASSIGN_OR_RETURN(std::optional<TradeIn> found, repo.FindTradeIn(id, true));
  const absl::Time now = clock_.Now();
  if (!found || found->status != TradeInStatus::kOpen || found->due_time >= now) return false;
  TradeIn t = *std::move(found);
  t.status = TradeInStatus::kDefaulted;
  t.close_time = now;
  if (t.extension == ExtensionStatus::kPending) t.extension = ExtensionStatus::kRejected;
  Principal svc;
  svc.subject = "case-svc";
  svc.role = Role::kService;
  RETURN_IF_ERROR(SaveTradeIn(svc, t, "defaulted",
                              "documentation not supplied by the deadline; the credit is to be "
                              "charged back",
                              repo));
  return true;
}

// --- Attachments -----------------------------------------------------------------

absl::Status Cases::CheckUploadHeader(const Principal& caller, const std::string& case_id,
                                      AttachmentKind kind, const std::string& file_name,
                                      const std::optional<CodDetails>& cod) const {
  RETURN_IF_ERROR(ParseCaseId(case_id, "case_id").status());
  if (kind == AttachmentKind::kUnspecified) {
    return InvalidField("kind", "must be TRADE_IN_FORM or CERTIFICATE_OF_DESTRUCTION");
  }
  RETURN_IF_ERROR(CheckText(file_name, "file_name", 255, true));
  if (file_name.find('/') != std::string::npos || file_name.find('\\') != std::string::npos) {
    return InvalidField("file_name", "must not contain a path");
  }
  if (kind == AttachmentKind::kCertificateOfDestruction) {
    if (!cod) return InvalidField("cod", "is required for a Certificate of Destruction");
    if (cod->serials.empty()) {
      return InvalidField("cod.destroyed_serial_numbers", "is required");
    }
    RETURN_IF_ERROR(CheckText(cod->signer_name, "cod.signer_name", 200, true));
    RETURN_IF_ERROR(CheckText(cod->signer_title, "cod.signer_title", 200, true));
    absl::CivilDay day;
    if (!absl::ParseCivilTime(cod->sign_date, &day)) {
      return InvalidField("cod.sign_date", "must be a date YYYY-MM-DD");
    }
    if (absl::FromCivil(day, absl::UTCTimeZone()) > clock_.Now() + absl::Hours(24)) {
      return InvalidField("cod.sign_date", "must not be in the future");
    }
  } else if (cod) {
    return InvalidField("cod", "is only for a Certificate of Destruction");
  }
  return absl::OkStatus();
}

absl::StatusOr<Attachment> Cases::Upload(const Principal& caller, const std::string& case_id,
                                         AttachmentKind kind, const std::string& file_name,
                                         std::optional<CodDetails> cod, const std::string& content,
                                         CaseRepository& repo) const {
  RETURN_IF_ERROR(CheckUploadHeader(caller, case_id, kind, file_name, cod));
  if (static_cast<int64_t>(content.size()) > options_.max_attachment_bytes) {
    return InvalidField("chunk", absl::StrCat(": the file is larger than ",
                                              options_.max_attachment_bytes, " bytes"));
  }
  ASSIGN_OR_RETURN(std::string mime, CheckAttachmentContent(kind, file_name, content));
  if (cod) {
    for (size_t i = 0; i < cod->serials.size(); ++i) {
      ASSIGN_OR_RETURN(cod->serials[i], NormalizeSerial(cod->serials[i],
                                                        absl::StrCat("cod.destroyed_serial_numbers[", i, "]")));
    }
  }
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, case_id, repo, true));
  RETURN_IF_ERROR(RequireOpen(t, "take documents"));
  std::string detail;
  if (kind == AttachmentKind::kCertificateOfDestruction) {
    if (t.disposition != Disposition::kDestroy) {
      return FailedPrecondition(
          "TRADE_IN_STATE", absl::StrCat("trade_in_cases/", t.id),
          absl::StrCat(
              "trade-in case ", t.id,
              " returns its equipment; a Certificate of Destruction is for destroy cases"));
    }
    for (size_t i = 0; i < cod->serials.size(); ++i) {
      const std::string& s = cod->serials[i];
      TradeInLine* line = nullptr;
      for (TradeInLine& l : t.lines) {
        if (Contains(l.serials, s)) line = &l;
      }
      if (line == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cod.destroyed_serial_numbers[", i, "] ", s,
            " is not registered on the case; add it to the lines first"));
      }
      if (!Contains(line->destroyed_serials, s)) line->destroyed_serials.push_back(s);
    }
  }
  Attachment a;
  a.case_id = t.id;
  a.kind = kind;
  a.file_name = file_name;
  a.content_type = mime;
  a.size = static_cast<int64_t>(content.size());
  a.uploaded_by = caller.subject;
  a.create_time = clock_.Now();
  a.cod = cod;
  ASSIGN_OR_RETURN(int32_t latest, repo.LatestAttachmentVersion(t.id, kind));
  a.version = latest + 1;
  RETURN_IF_ERROR(repo.InsertAttachment(&a, content));
  if (kind == AttachmentKind::kTradeInForm) {
    t.form_version = a.version;
    detail = absl::StrCat("trade-in form version ", a.version, " (", file_name, ")");
  } else {
    detail = absl::StrCat("Certificate of Destruction version ", a.version, " (", file_name,
                          "), signed by ", cod->signer_name, ", ", cod->signer_title, " on ",
                          cod->sign_date, "; ", cod->serials.size(), " serial(s)");
  }
  CompleteIfDone(t, &detail);
  RETURN_IF_ERROR(SaveTradeIn(caller, t, "attachment", detail, repo));
  return a;
}

absl::StatusOr<std::vector<Attachment>> Cases::ListAttachments(const Principal& caller,
                                                               const std::string& case_id,
                                                               CaseRepository& repo) const {
  ASSIGN_OR_RETURN(TradeIn t, LoadTradeIn(caller, case_id, repo, false));
  return repo.ListAttachments(t.id);
}

absl::StatusOr<Attachment> Cases::GetAttachment(const Principal& caller, const std::string& name,
                                                CaseRepository& repo) const {
  std::optional<int64_t> id = ParseAttachmentName(name);
  if (!id) return InvalidField("attachment_id", "must look like AT0000000042");
  ASSIGN_OR_RETURN(std::optional<Attachment> a, repo.FindAttachment(*id));
  if (!a) return absl::NotFoundError(absl::StrCat("attachment ", name, " not found"));
  absl::StatusOr<TradeIn> t = LoadTradeIn(caller, a->case_id, repo, false);
  if (!t.ok()) return OutOfScope(absl::StrCat("attachment ", name));
  return *std::move(a);
}

}  // namespace aftercare::cases
