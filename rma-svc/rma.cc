// The Rmas class's shared parts: the helpers of rma_internal.h, the
// constructor, background work (overdue charges, spares) and notification.
// Each sub-domain's operations are in their own file: requests.cc,
// decisions.cc, logistics.cc, queries.cc.
#include "rma-svc/rma.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"
#include "common/etag.h"
#include "common/ids.h"
#include "common/notify/email.h"
#include "common/notify/templates.h"
#include "common/status.h"
#include "rma-svc/rma_internal.h"

namespace aftercare::rma {

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

std::string Summary(const EntitlementView& e) {
  return absl::StrCat("owner ", e.owner_account_id, "; warranty ",
                      e.warranty_active ? "active" : "inactive",
                      e.warranty_end ? absl::StrCat(" until ", Day(*e.warranty_end)) : "",
                      "; best support level ",
                      e.best_support_level.empty() ? "none" : e.best_support_level,
                      e.advance_replacement ? " (advance replacement)" : "",
                      e.within_doa_window ? "; within the DOA window" : "");
}

Rmas::Rmas(const Clock& clock, const PageTokenCodec* page_tokens, RmaOptions options)
    : clock_(clock),
      page_tokens_(page_tokens),
      options_(std::move(options)),
      calendar_(options_.calendar_zone) {}

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
