// Fuzz target: the identifiers and free-form fields every service parses
// from requests (case ids, RMA and validation numbers, serials, SSRNs, phone
// numbers, activation codes, UTF-8 checks). Each parser answers a value or
// INVALID_ARGUMENT; a value it accepts parses again to itself.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/ids.h"
#include "licensing-svc/activation_code.h"

namespace {
void ExpectInvalidOr(const absl::Status& s) {
  if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument) std::abort();
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
  (void)LooksLikeRmaNumber(text);
  (void)LooksLikeValidationNumber(text);
  for (auto* normalize : {&NormalizeSerial, &NormalizeSsrn, &NormalizePhone}) {
    absl::StatusOr<std::string> n = normalize(text, "field");
    ExpectInvalidOr(n.status());
    if (n.ok()) {
      absl::StatusOr<std::string> again = normalize(*n, "field");
      if (!again.ok() || *again != *n) std::abort();  // normal form is a fixed point
    }
  }
  size_t offset = 0;
  if (!IsValidUtf8(text, &offset) && offset > text.size()) std::abort();
  absl::StatusOr<std::string> code = licensing::NormalizeActivationCode(text, "activation_code");
  ExpectInvalidOr(code.status());
  if (code.ok()) {
    absl::StatusOr<std::string> again = licensing::NormalizeActivationCode(*code, "activation_code");
    if (!again.ok() || *again != *code) std::abort();
  }
  return 0;
}
