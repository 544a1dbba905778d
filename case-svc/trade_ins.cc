// Trade-in (TMIP) cases: open with eligibility, lines, extensions, shipping
// instructions, receipt and the default of an overdue case.
// Part of Cases (cases.h); shared helpers are in cases_internal.h.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "case-svc/cases.h"
#include "case-svc/cases_internal.h"
#include "case-svc/sla.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"

namespace aftercare::cases {

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

}  // namespace aftercare::cases
