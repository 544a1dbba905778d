// The Licensing class's shared parts: the helpers of licensing_internal.h,
// months, the RMA states a transfer accepts, paging and account scope. Each
// sub-domain's operations are in their own file: purchases.cc,
// activation.cc, transfers.cc, licenses.cc.
#include "licensing-svc/licensing.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/db/sql_time.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/licensing_internal.h"

namespace aftercare::licensing {

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

PageCursor TimeIdCursor(absl::Time create_time, const std::string& id) {
  return PageCursor{{absl::StrCat(db::ToMicros(create_time)), id}};
}

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

}  // namespace aftercare::licensing
