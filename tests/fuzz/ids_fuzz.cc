// Fuzz target: the identifiers and free-form fields every service parses
// from requests (case ids, RMA and validation numbers, attachment names,
// serials, SSRNs, phone numbers, activation codes, text and region checks).
// Each parser answers a value or INVALID_ARGUMENT; a value it accepts parses
// again to itself and has the documented form. The same bytes also choose
// values to format: what a formatter writes parses back to the value
// (case ids: and any other value is rejected, as common/ids.h promises).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_replace.h"
#include "case-svc/case_types.h"
#include "common/ids.h"
#include "licensing-svc/activation_code.h"

namespace {
void ExpectInvalidOr(const absl::Status& s) {
  if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument) std::abort();
}

// `text` has `min`-`max` characters, each A-Z, 0-9 (or an inner '-').
bool IsReference(const std::string& text, size_t min, size_t max, bool dashes) {
  if (text.size() < min || text.size() > max) return false;
  if (dashes && (text.front() == '-' || text.back() == '-')) return false;
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (dashes && c == '-');
  });
}

// E.164 as NormalizePhone writes it: '+', 8-15 digits, the first not 0; its
// digits are digits of the input, in order.
bool IsE164Of(const std::string& phone, const std::string& input) {
  if (phone.size() < 9 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
  size_t at = 0;
  for (size_t i = 1; i < phone.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(phone[i]))) return false;
    at = input.find(phone[i], at);
    if (at == std::string::npos) return false;
    ++at;
  }
  return true;
}

// Formats values chosen by the bytes and parses them back.
void RoundTrips(const uint8_t* data, size_t size) {
  using namespace aftercare;
  FuzzedDataProvider in(data, size);
  const int64_t year = in.ConsumeIntegralInRange<int64_t>(-1, 10000);
  const absl::CivilDay day(year, in.ConsumeIntegralInRange<int>(1, 12),
                           in.ConsumeIntegralInRange<int>(1, 31));  // normalized
  const int64_t seq = in.ConsumeIntegralInRange<int64_t>(-1, kMaxCaseSequence + 1);
  const std::string id = FormatCaseId(day, seq);
  const bool valid = day.year() >= 1 && day.year() <= 9999 && seq >= 1 && seq <= kMaxCaseSequence;
  absl::StatusOr<CaseId> parsed = ParseCaseId(id);
  ExpectInvalidOr(parsed.status());
  if (parsed.ok() != valid) std::abort();  // only a valid day and sequence come back
  if (valid) {
    absl::StatusOr<CaseId> phone = ParseCaseId(absl::StrReplaceAll(id, {{"-", ""}}));
    if (parsed->day != day || parsed->seq != seq || parsed->ToString() != id || !phone.ok() ||
        *phone != *parsed) {
      std::abort();
    }
  }
  const int64_t n = in.ConsumeIntegralInRange<int64_t>(0, kMaxRmaNumber);
  absl::StatusOr<int64_t> rma = ParseRmaNumber(FormatRmaNumber(n));
  absl::StatusOr<int64_t> validation = ParseValidationNumber(FormatValidationNumber(n));
  if (!rma.ok() || *rma != n || !validation.ok() || *validation != n) std::abort();
  if (!LooksLikeRmaNumber(FormatRmaNumber(n)) || LooksLikeRmaNumber(FormatValidationNumber(n)) ||
      ParseRmaNumber(FormatValidationNumber(n)).ok()) {
    std::abort();  // an RMA number and a validation number are never confused
  }
  const int64_t attachment = in.ConsumeIntegralInRange<int64_t>(1, 9'999'999'999);
  if (cases::ParseAttachmentName(cases::AttachmentName(attachment)) != attachment) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using namespace aftercare;
  absl::StatusOr<CaseId> c = ParseCaseId(text);
  ExpectInvalidOr(c.status());
  if (c.ok()) {
    absl::StatusOr<CaseId> again = ParseCaseId(FormatCaseId(c->day, c->seq));
    if (!again.ok() || again->day != c->day || again->seq != c->seq) std::abort();
  }
  absl::StatusOr<int64_t> rma = ParseRmaNumber(text);
  ExpectInvalidOr(rma.status());
  if (rma.ok() && *ParseRmaNumber(FormatRmaNumber(*rma)) != *rma) std::abort();
  absl::StatusOr<int64_t> v = ParseValidationNumber(text);
  ExpectInvalidOr(v.status());
  if (v.ok() && *ParseValidationNumber(FormatValidationNumber(*v)) != *v) std::abort();
  if (LooksLikeRmaNumber(text) != rma.ok() || LooksLikeValidationNumber(text) != v.ok())
    std::abort();
  std::optional<int64_t> attachment = cases::ParseAttachmentName(text);
  if (attachment && cases::AttachmentName(*attachment) != text) std::abort();
  for (auto* normalize : {&NormalizeSerial, &NormalizeSsrn, &NormalizePhone}) {
    absl::StatusOr<std::string> n = normalize(text, "field");
    ExpectInvalidOr(n.status());
    if (n.ok()) {
      absl::StatusOr<std::string> again = normalize(*n, "field");
      if (!again.ok() || *again != *n) std::abort();  // normal form is a fixed point
      const bool documented = normalize == &NormalizeSerial ? IsReference(*n, 4, 40, true) &&
                                                                  *n == absl::AsciiStrToUpper(text)
                              : normalize == &NormalizeSsrn ? IsReference(*n, 6, 32, false) &&
                                                                  *n == absl::AsciiStrToUpper(text)
                                                            : IsE164Of(*n, text);
      if (!documented) std::abort();
    }
  }
  size_t offset = 0;
  const bool utf8 = IsValidUtf8(text, &offset);
  if (!utf8 && offset > text.size()) std::abort();
  const absl::Status checked = CheckText(text, "field", 64, false);
  ExpectInvalidOr(checked);
  if (checked.ok() &&
      (!utf8 || text.size() > 64 || std::any_of(text.begin(), text.end(), [](char c) {
        return (c >= 0 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
      }))) {
    std::abort();  // the text check lets nothing through that it promises to refuse
  }
  const absl::Status region = CheckRegionCode(text, "region_code");
  ExpectInvalidOr(region);
  if (region.ok() &&
      !(text.size() == 2 && absl::ascii_isupper(text[0]) && absl::ascii_isupper(text[1]))) {
    std::abort();
  }
  absl::StatusOr<std::string> code = licensing::NormalizeActivationCode(text, "activation_code");
  ExpectInvalidOr(code.status());
  if (code.ok()) {
    absl::StatusOr<std::string> again =
        licensing::NormalizeActivationCode(*code, "activation_code");
    if (!again.ok() || *again != *code) std::abort();
  }
  RoundTrips(data, size);
  return 0;
}
