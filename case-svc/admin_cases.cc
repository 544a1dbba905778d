// Admin cases: open, read and list, ownership, status, notes, escalation,
// resolution, closing and reopening, reinstatement, and the follow-ups the
// outbox applies (product lookup, reinstatement, service events).
// Part of Cases (cases.h); shared helpers are in cases_internal.h.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "case-svc/cases.h"
#include "case-svc/cases_internal.h"
#include "case-svc/sla.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::cases {

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
  d.opened_by_role = RoleOf(caller);
  d.owner.clear();
  d.escalation_level = 0;
  d.team_lead_attention = false;
  return d;
}

absl::StatusOr<Case> Cases::CreateCase(const Principal& caller, Case c, const std::string& id,
                                       const ProductLookup& lookup, CaseRepository& repo,
                                       const CaseCreateKey* create) const {
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
  // The timeline's "created" entry is the case itself (CreatedEvent): no
  // event row is written for it.
  RETURN_IF_ERROR(repo.InsertCase(c, create));
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
  // The token holds the id of the last entry given: a stored event's id, or
  // 0 after the derived "created" entry (event 0, first of every page walk).
  ASSIGN_OR_RETURN(const std::string after_key, DecodeAfterKey(*page_tokens_, page_token, fp));
  int64_t after_id = 0;
  if (!after_key.empty() && (!absl::SimpleAtoi(after_key, &after_id) || after_id < 0)) {
    return InvalidField("page_token", "is malformed");
  }
  std::vector<CaseEvent> rows;
  const bool derived_created = c && !c->opened_by_role.empty();
  if (derived_created && after_key.empty()) rows.push_back(CreatedEvent(*c));
  ASSIGN_OR_RETURN(std::vector<CaseEvent> stored,
                   repo.ListEvents(canonical, after_id, include_internal,
                                   size + 1 - static_cast<int>(rows.size())));
  for (CaseEvent& e : stored) rows.push_back(std::move(e));
  return MakePage(std::move(rows), size, *page_tokens_, fp,
                  [](const CaseEvent& e) { return std::to_string(e.id); });
}

CaseEvent CreatedEvent(const Case& c) {
  return CaseEvent{0,           c.id,        c.create_time,
                   c.opened_by, c.opened_by_role, "created",
                   absl::StrCat(Name(c.priority), ": ", c.summary), false};
}

bool Cases::Breaching(const Case& c, absl::Time now) const {
  return IsBreaching(c, now);
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

}  // namespace aftercare::cases
