// Identifiers and input checks shared by every service: admin case ids, RMA
// and RMA validation numbers, serial numbers and SSRNs, callback phone
// numbers, and the text-field checks that every RPC handler runs on its
// request before the domain sees it.
//
// All checks return INVALID_ARGUMENT with a message that names the field and
// the rule (and the expected format), e.g.
//   "serial_number must be 4-40 characters of A-Z, 0-9 and '-' (the character at
//   position 5 is not allowed)".
// Messages never echo the rejected value, so they are safe to log and return.
//
//   ASSIGN_OR_RETURN(CaseId id, ParseCaseId(req.case_id()));       // "2019-0101-01236"
//   ASSIGN_OR_RETURN(std::string serial, NormalizeSerial(req.serial_number(), "serial_number"));
//   RETURN_IF_ERROR(CheckText(req.summary(), "summary", 200, /*required=*/true));
//   if (LooksLikeRmaNumber(q)) { ASSIGN_OR_RETURN(int64_t n, ParseRmaNumber(q)); ... }
#ifndef AFTERCARE_COMMON_IDS_H_
#define AFTERCARE_COMMON_IDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace aftercare {

// --- Admin case ids ---------------------------------------------------------

// Per-day case sequence numbers run from 1 to kMaxCaseSequence.
inline constexpr int64_t kMaxCaseSequence = 99999;

// An admin case id: the case's creation day and its per-day sequence,
// written YYYY-MMDD-NNNNN ("2019-0101-01236").
struct CaseId {
  absl::CivilDay day;
  int64_t seq = 0;

  // Returns the dashed form, FormatCaseId(day, seq).
  std::string ToString() const;

  friend bool operator==(const CaseId& a, const CaseId& b) {
    return a.day == b.day && a.seq == b.seq;
  }
  friend bool operator!=(const CaseId& a, const CaseId& b) { return !(a == b); }
};

// Formats YYYY-MMDD-NNNNN: FormatCaseId(CivilDay(2019, 1, 1), 1236) ==
// "2019-0101-01236". Expects a year in 1..9999 and 1 <= seq <=
// kMaxCaseSequence; anything else yields a string ParseCaseId rejects.
std::string FormatCaseId(absl::CivilDay day, int64_t seq);

// Parses "YYYY-MMDD-NNNNN" or the 13-digit phone form "YYYYMMDDNNNNN".
// Rejects wrong lengths, misplaced dashes, non-digits, dates that do not
// exist (2026-0230-...), year 0000 and sequence 00000. Nothing is trimmed.
// `field_name` is used in error messages.
absl::StatusOr<CaseId> ParseCaseId(std::string_view text, std::string_view field_name = "case_id");

// --- RMA and RMA validation numbers -----------------------------------------

// RMA numbers are "R" and validation numbers "V" followed by 8 to 11 digits.
inline constexpr int kMinRmaDigits = 8;
inline constexpr int kMaxRmaDigits = 11;
inline constexpr int64_t kMaxRmaNumber = 99'999'999'999;

// Formats "R" + n zero-padded to 8 digits: FormatRmaNumber(21056835) ==
// "R21056835", FormatRmaNumber(42) == "R00000042". Expects 0 <= n <=
// kMaxRmaNumber.
std::string FormatRmaNumber(int64_t n);

// Parses an RMA number ("R21056835") into its numeric value. The letter must
// be an upper-case R; leading zeros beyond the eighth digit are accepted
// ("R0021056835" == 21056835), so FormatRmaNumber gives the canonical form.
absl::StatusOr<int64_t> ParseRmaNumber(std::string_view text,
                                       std::string_view field_name = "rma_number");

// Returns true if `text` has the shape of an RMA number (same rule as
// ParseRmaNumber); use it to route a lookup that takes either kind.
bool LooksLikeRmaNumber(std::string_view text);

// Same as the RMA functions, with the letter "V".
std::string FormatValidationNumber(int64_t n);
absl::StatusOr<int64_t> ParseValidationNumber(std::string_view text,
                                              std::string_view field_name = "validation_number");
bool LooksLikeValidationNumber(std::string_view text);

// --- Serial numbers and SSRNs -----------------------------------------------

// Upper-cases ASCII letters and checks a hardware serial number: 4-40
// characters of A-Z, 0-9 and '-', not starting or ending with '-'. Nothing is
// trimmed (a space is an error, not a separator).
//
//   NormalizeSerial("jn11a2b3c", "serial_number") -> "JN11A2B3C"
absl::StatusOr<std::string> NormalizeSerial(std::string_view serial, std::string_view field_name);

// Upper-cases and checks a software support reference number: 6-32 ASCII
// letters or digits, nothing else (SSRNs are plain alphanumeric references;
// unlike serials they never contain dashes). Nothing is trimmed.
absl::StatusOr<std::string> NormalizeSsrn(std::string_view ssrn, std::string_view field_name);

// --- Phone numbers ----------------------------------------------------------

// Normalizes a callback number to E.164: "+" then 8-15 digits, the first
// non-zero. The input must carry its country code, written "+" or "00";
// spaces, '-', '.', and non-nested parentheses may separate digits, and a
// "(0)" group (the trunk prefix written in "+44 (0)20 7946 0000") is dropped.
// Empty input is an error; callers with an optional number check for empty
// first.
//
//   NormalizePhone("+1 (415) 555-0100", "callback_phone") -> "+14155550100"
//   NormalizePhone("0049 30 1234567", "callback_phone")  -> "+49301234567"
absl::StatusOr<std::string> NormalizePhone(std::string_view phone, std::string_view field_name);

// --- Text fields --------------------------------------------------------------

// Returns true if `text` is well-formed UTF-8 (RFC 3629): no overlong
// encodings, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF, no stray
// or missing continuation bytes. On false, `*error_offset` (if given) is set
// to the byte offset of the first bad sequence.
bool IsValidUtf8(std::string_view text, size_t* error_offset = nullptr);

// The longest prefix of `text` of at most `max_bytes` bytes that is valid
// UTF-8: never half a character (a utf8mb4 column refuses that in strict
// mode), and cut before the first invalid byte of `text` if there is one.
// For text stored in a bounded column: error messages, log details, keys.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

// Checks a free-text request field: INVALID_ARGUMENT when `required` and
// empty, when longer than `max_bytes` bytes, when not valid UTF-8, or when it
// contains an ASCII control character (U+0000-U+001F, U+007F) other than
// tab, line feed and carriage return. Non-ASCII characters are not
// restricted.
//
//   RETURN_IF_ERROR(CheckText(req.description(), "description", 16 * 1024, false));
absl::Status CheckText(std::string_view value, std::string_view field_name, size_t max_bytes,
                       bool required);

// Checks an identifier that another system issues (an account, a JTAC
// technical case, a caller's note key): 1-`max_chars` characters of A-Z, a-z,
// 0-9, '-', '_' and '.'. INVALID_ARGUMENT naming the field otherwise.
absl::Status CheckExternalId(std::string_view value, std::string_view field_name,
                             size_t max_chars = 64);

// Checks an ISO 3166-1 alpha-2 style region code: exactly two upper-case
// ASCII letters ("US"). Empty is an error.
absl::Status CheckRegionCode(std::string_view value, std::string_view field_name);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_IDS_H_
