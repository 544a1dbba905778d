#include "common/notify/templates.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"

namespace aftercare::notify {
namespace {

struct Template {
  const char* id;
  int version;
  const char* subject;
  const char* body;
};

// The templates; see templates.h for each one's keys. A change of wording is
// a new version.
constexpr Template kTemplates[] = {
    {"rma_request_opened", 1, "RMA request {{validation_number}} opened for {{serial_number}}",
     "Your {{rma_type}} request for unit {{serial_number}} is pending review under validation "
     "number {{validation_number}}. While it is pending you may amend or cancel it."},
    {"rma_request_amended", 1, "RMA request {{validation_number}} amended",
     "Your RMA request {{validation_number}} was amended by {{actor}} ({{changed_fields}}); it is "
     "still pending review."},
    {"rma_cancelled", 1, "RMA request {{validation_number}} cancelled",
     "RMA request {{validation_number}} was cancelled by {{actor}}{{#reason}}: "
     "{{reason}}{{/reason}}{{^reason}}.{{/reason}}"},
    {"rma_approved", 1, "RMA {{rma_number}} approved",
     "RMA {{rma_number}} (validation number {{validation_number}}) is approved as {{rma_type}} "
     "for unit {{serial_number}}. {{#replacement}}A replacement of SKU {{sku}} will ship to you. "
     "Return the defective unit within {{return_business_days}} business days of the "
     "replacement shipping, the box labeled with {{rma_number}}; after that the full list price "
     "({{amount}}) may be charged for the non-return.{{/replacement}}{{^replacement}}Send the "
     "unit, the box labeled with {{rma_number}}, to the return location on the return label; it "
     "is repaired and shipped back.{{/replacement}}"},
    {"rma_rejected", 1, "RMA request {{validation_number}} rejected",
     "RMA request {{validation_number}} for unit {{serial_number}} was rejected: {{reason}}"},
    {"replacement_shipped", 1, "RMA {{rma_number}}: replacement shipped",
     "Replacement unit {{replacement_serial_number}} for RMA {{rma_number}} shipped with "
     "{{carrier}}, tracking {{tracking_number}}. Return the defective unit {{serial_number}} by "
     "{{return_due_date}} ({{return_business_days}} business days); after that the full list "
     "price ({{amount}}) is charged for the non-return."},
    {"receipt_exception", 1, "RMA {{rma_number}}: wrong unit received",
     "The unit received under RMA {{rma_number}} has serial {{received_serial_number}}, not "
     "{{serial_number}}. It was not accepted; the RMA stays {{rma_status}}. Customer care will "
     "contact you."},
    {"return_received", 1, "RMA {{rma_number}}: unit received",
     "Unit {{serial_number}} was received under RMA {{rma_number}}.{{#replacement}} Thank you for "
     "returning it.{{/replacement}}{{^replacement}} It goes to the repair "
     "centre.{{/replacement}}"},
    {"unit_repaired", 1, "RMA {{rma_number}}: unit repaired",
     "Unit {{serial_number}} was repaired under RMA {{rma_number}}: {{repair_summary}}. Software "
     "loaded at repair: {{software_version}} (the repair centre loads software at repair time; "
     "the latest release is not guaranteed)."},
    {"repaired_unit_shipped", 1, "RMA {{rma_number}}: repaired unit shipped",
     "Repaired unit {{serial_number}} (RMA {{rma_number}}) shipped with {{carrier}}, tracking "
     "{{tracking_number}}."},
    {"rma_closed", 1, "RMA {{rma_number}} closed",
     "RMA {{rma_number}} for unit {{serial_number}} is closed.{{#note}} {{note}}{{/note}}"},
    {"non_return_charged", 1, "RMA {{rma_number}}: non-return charge",
     "Defective unit {{serial_number}} of RMA {{rma_number}} was due back by {{return_due_date}} "
     "and has not been received. Under the ten business day return policy the full list price "
     "of {{amount}} is charged for the non-return."},
    {"return_overdue", 1, "RMA {{rma_number}}: return overdue",
     "Defective unit {{serial_number}} of RMA {{rma_number}} was due back by {{return_due_date}} "
     "and has not been received yet. Return it now, the box labeled with {{rma_number}}; "
     "otherwise the full list price is charged for the non-return."},
    {"license_transferred", 1, "RMA {{rma_number}}: licenses moved to the replacement unit",
     "Under RMA {{rma_number}}, {{license_count}} license(s) moved from unit {{from_serial}} to "
     "the replacement unit {{to_serial}}. The replacement retrieves its license keys "
     "automatically when it is connected; the licenses no longer work on {{from_serial}}."},
    {"renewal_welcome", 1, "Welcome letter: your {{sku}} subscription is renewed",
     "Thank you for renewing. Entitlement {{entitlement_id}} ({{sku}}, feature {{feature}}) now "
     "runs until {{term_end}}. No new activation code is needed: activated devices retrieve "
     "their renewed license keys automatically when they are connected, or you can download "
     "them with RetrieveDeviceKeys.{{#order_line}} Order: {{order_line}}.{{/order_line}}"},
    {"contract_welcome", 1, "Welcome letter: your {{sku}} service contract",
     "Thank you for your order. Service contract {{entitlement_id}} ({{sku}}, feature "
     "{{feature}}) is active and runs until {{term_end}}. Quote {{entitlement_id}} when you "
     "open a case or request an RMA."},
    {"case_created", 1, "Case {{case_number}} opened: {{subject}}",
     "Your technical case {{case_number}} is open: {{subject}}\n\nAn engineer takes it up; you "
     "are notified when the case needs your input and when it is resolved."},
    {"case_awaiting_customer", 1, "Case {{case_number}}: your input is needed",
     "Case {{case_number}} is waiting for your answer:\n\n{{question}}\n\nThe case is on hold "
     "until you answer it on the case."},
    {"case_resolved", 1, "Case {{case_number}} resolved",
     "Case {{case_number}} is resolved: {{resolution}}"},
};

constexpr char kFooter[] =
    "\n\n-- \nSent by Aftercare, the after-sale service of your equipment supplier. This is an "
    "automated message: replies go to Customer Care.\n";

const Template* Find(absl::string_view id) {
  for (const Template& t : kTemplates) {
    if (id == t.id) return &t;
  }
  return nullptr;
}

bool Truthy(absl::string_view v) { return !v.empty() && v != "0" && v != "false"; }

// Renders `text` from `pos` until the closing tag `{{/end}}` (or the end when
// `end` is empty); appends to `out` when `emit`. Keys are collected into
// `keys` whether emitted or not. Returns the position after the closing tag.
absl::StatusOr<size_t> Expand(absl::string_view text, size_t pos, absl::string_view end,
                              bool emit, const std::map<std::string, std::string>* data,
                              std::string* out, std::set<std::string>* keys) {
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == absl::string_view::npos) break;
    if (emit) out->append(text.data() + pos, open - pos);
    const size_t close = text.find("}}", open + 2);
    if (close == absl::string_view::npos) return absl::InternalError("unterminated {{ in template");
    absl::string_view tag = text.substr(open + 2, close - open - 2);
    pos = close + 2;
    const char kind = tag.empty() ? '\0' : tag.front();
    if (kind == '/') {
      if (tag.substr(1) != end) return absl::InternalError(absl::StrCat("unexpected {{", tag, "}}"));
      return pos;
    }
    const absl::string_view key = (kind == '#' || kind == '^') ? tag.substr(1) : tag;
    keys->insert(std::string(key));
    const std::string* value = nullptr;
    if (data != nullptr) {
      auto it = data->find(std::string(key));
      if (it == data->end()) {
        return absl::InternalError(absl::StrCat("template value \"", key, "\" is missing"));
      }
      value = &it->second;
    }
    if (kind == '#' || kind == '^') {
      const bool on = value != nullptr && (Truthy(*value) == (kind == '#'));
      absl::StatusOr<size_t> next = Expand(text, pos, key, emit && on, data, out, keys);
      if (!next.ok()) return next;
      pos = *next;
    } else if (emit && value != nullptr) {
      out->append(*value);
    }
  }
  if (!end.empty()) return absl::InternalError(absl::StrCat("{{#", end, "}} is not closed"));
  if (emit) out->append(text.data() + pos, text.size() - pos);
  return text.size();
}

std::string SingleLine(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace

absl::StatusOr<Rendered> RenderTemplate(absl::string_view template_id,
                                        const std::map<std::string, std::string>& data) {
  const Template* t = Find(template_id);
  if (t == nullptr) {
    return absl::NotFoundError(absl::StrCat("no notification template \"", template_id, "\""));
  }
  Rendered r;
  r.template_id = t->id;
  r.version = t->version;
  std::set<std::string> keys;
  // Subject values are made single-line before they are inserted.
  std::map<std::string, std::string> subject_data;
  for (const auto& [k, v] : data) subject_data.emplace(k, SingleLine(v));
  absl::StatusOr<size_t> s = Expand(t->subject, 0, "", true, &subject_data, &r.subject, &keys);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("template ", t->id, " subject: ", s.status().message()));
  }
  s = Expand(t->body, 0, "", true, &data, &r.body, &keys);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("template ", t->id, " body: ", s.status().message()));
  }
  r.body += kFooter;
  return r;
}

std::vector<std::string> TemplateIds() {
  std::set<std::string> ids;
  for (const Template& t : kTemplates) ids.insert(t.id);
  return {ids.begin(), ids.end()};
}

int TemplateVersion(absl::string_view template_id) {
  const Template* t = Find(template_id);
  return t == nullptr ? 0 : t->version;
}

std::vector<std::string> TemplateKeys(absl::string_view template_id) {
  const Template* t = Find(template_id);
  if (t == nullptr) return {};
  std::set<std::string> keys;
  std::string ignored;
  (void)Expand(t->subject, 0, "", false, nullptr, &ignored, &keys);
  (void)Expand(t->body, 0, "", false, nullptr, &ignored, &keys);
  return {keys.begin(), keys.end()};
}

absl::string_view TemplateFooter() { return kFooter; }

}  // namespace aftercare::notify
