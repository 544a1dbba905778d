#include "common/ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"

namespace aftercare {
namespace {

constexpr std::string_view kCaseIdFormat =
    "YYYY-MMDD-NNNNN or its 13 digits YYYYMMDDNNNNN (e.g. 2019-0101-01236)";

// The installed Abseil's string_view is its own type, not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// Parses a run of ASCII digits already known to be short enough for int64_t.
int64_t DigitsValue(std::string_view digits) {
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

absl::Status CaseIdError(std::string_view field_name, std::string_view detail) {
  return InvalidField(field_name,
                      absl::StrCat("must be ", Sv(kCaseIdFormat), " (", Sv(detail), ")"));
}

// "R" or "V" followed by 8 to 11 digits.
bool HasLetterNumberShape(std::string_view text, char letter) {
  if (text.empty() || text[0] != letter) return false;
  const size_t digits = text.size() - 1;
  if (digits < static_cast<size_t>(kMinRmaDigits) || digits > static_cast<size_t>(kMaxRmaDigits)) {
    return false;
  }
  for (char c : text.substr(1)) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

absl::StatusOr<int64_t> ParseLetterNumber(std::string_view text, char letter,
                                          std::string_view example, std::string_view field_name) {
  if (!HasLetterNumberShape(text, letter)) {
    return InvalidField(
        field_name,
        absl::StrCat("must be '", std::string(1, letter), "' followed by ", kMinRmaDigits, " to ",
                     kMaxRmaDigits, " digits (e.g. ", Sv(example), ")"));
  }
  return DigitsValue(text.substr(1));
}

// Upper-cases `text` and checks its characters and length; `allow_dash`
// admits inner '-'.
absl::StatusOr<std::string> NormalizeReference(std::string_view text, std::string_view field_name,
                                               size_t min_len, size_t max_len, bool allow_dash,
                                               std::string_view rule) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = absl::ascii_toupper(static_cast<unsigned char>(out[i]));
    out[i] = c;
    if (!IsUpper(c) && !IsDigit(c) && !(allow_dash && c == '-')) {
      return InvalidField(field_name,
                          absl::StrCat("must be ", Sv(rule), " (the character at position ", i + 1,
                                       " is not allowed)"));
    }
  }
  if (out.size() < min_len || out.size() > max_len) {
    return InvalidField(field_name,
                        absl::StrCat("must be ", Sv(rule), " (got ", out.size(), " characters)"));
  }
  if (allow_dash && (out.front() == '-' || out.back() == '-')) {
    return InvalidField(field_name,
                        absl::StrCat("must be ", Sv(rule), ", and must not start or end with '-'"));
  }
  return out;
}

absl::Status PhoneError(std::string_view field_name, std::string_view detail) {
  return InvalidField(
      field_name,
      absl::StrCat("must be an international phone number: '+' or '00', the country code and the "
                   "number, 8 to 15 digits in all (e.g. +1 415 555 0100) (",
                   Sv(detail), ")"));
}

// Length of the UTF-8 sequence at text[i] if it is well-formed, else 0.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const auto in = [](unsigned char b, unsigned char lo, unsigned char hi) {
    return b >= lo && b <= hi;
  };
  const unsigned char b0 = byte(i);
  const size_t left = text.size() - i;
  if (b0 <= 0x7F) return 1;
  // Second-byte range per lead byte (RFC 3629 section 4); later bytes are
  // always 80..BF.
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (in(b0, 0xC2, 0xDF)) {
    len = 2;
  } else if (b0 == 0xE0) {
    len = 3;
    lo = 0xA0;  // no overlongs
  } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
    len = 3;
  } else if (b0 == 0xED) {
    len = 3;
    hi = 0x9F;  // no surrogates
  } else if (b0 == 0xF0) {
    len = 4;
    lo = 0x90;  // no overlongs
  } else if (in(b0, 0xF1, 0xF3)) {
    len = 4;
  } else if (b0 == 0xF4) {
    len = 4;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;  // 80..C1 (continuation or overlong lead) and F5..FF
  }
  if (left < len) return 0;
  if (!in(byte(i + 1), lo, hi)) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!in(byte(i + k), 0x80, 0xBF)) return 0;
  }
  return len;
}

}  // namespace

// --- Admin case ids ---------------------------------------------------------

std::string CaseId::ToString() const { return FormatCaseId(day, seq); }

std::string FormatCaseId(absl::CivilDay day, int64_t seq) {
  return absl::StrFormat("%04d-%02d%02d-%05d", day.year(), day.month(), day.day(), seq);
}

absl::StatusOr<CaseId> ParseCaseId(std::string_view text, std::string_view field_name) {
  // The dashed form has dashes at offsets 4 and 9; the phone form has none.
  const bool dashed = text.size() == 15;
  if (!dashed && text.size() != 13) {
    return CaseIdError(field_name, absl::StrCat("got ", text.size(), " characters"));
  }
  std::string digits;
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashed && (i == 4 || i == 9)) {
      if (text[i] != '-')
        return CaseIdError(field_name, absl::StrCat("position ", i + 1, " must be '-'"));
      continue;
    }
    if (!IsDigit(text[i])) {
      return CaseIdError(field_name, absl::StrCat("position ", i + 1, " must be a digit"));
    }
    digits.push_back(text[i]);
  }
  const int64_t year = DigitsValue(digits.substr(0, 4));
  const int month = static_cast<int>(DigitsValue(digits.substr(4, 2)));
  const int day_of_month = static_cast<int>(DigitsValue(digits.substr(6, 2)));
  const int64_t seq = DigitsValue(digits.substr(8, 5));
  const absl::CivilDay day(year, month, day_of_month);  // normalizes invalid dates
  if (year < 1 || day.year() != year || day.month() != month || day.day() != day_of_month) {
    return CaseIdError(field_name,
                       absl::StrCat("the date ", digits.substr(0, 4), "-", digits.substr(4, 2), "-",
                                    digits.substr(6, 2), " does not exist"));
  }
  if (seq < 1) {
    return CaseIdError(field_name, "the per-day sequence starts at 00001");
  }
  return CaseId{day, seq};
}

// --- RMA and RMA validation numbers -----------------------------------------

std::string FormatRmaNumber(int64_t n) { return absl::StrFormat("R%08d", n); }

absl::StatusOr<int64_t> ParseRmaNumber(std::string_view text, std::string_view field_name) {
  return ParseLetterNumber(text, 'R', "R21056835", field_name);
}

bool LooksLikeRmaNumber(std::string_view text) { return HasLetterNumberShape(text, 'R'); }

std::string FormatValidationNumber(int64_t n) { return absl::StrFormat("V%08d", n); }

absl::StatusOr<int64_t> ParseValidationNumber(std::string_view text, std::string_view field_name) {
  return ParseLetterNumber(text, 'V', "V00012345", field_name);
}

bool LooksLikeValidationNumber(std::string_view text) { return HasLetterNumberShape(text, 'V'); }

// --- Serial numbers and SSRNs -----------------------------------------------

absl::StatusOr<std::string> NormalizeSerial(std::string_view serial, std::string_view field_name) {
  return NormalizeReference(serial, field_name, 4, 40, /*allow_dash=*/true,
                            "4-40 characters of A-Z, 0-9 and '-'");
}

absl::StatusOr<std::string> NormalizeSsrn(std::string_view ssrn, std::string_view field_name) {
  return NormalizeReference(ssrn, field_name, 6, 32, /*allow_dash=*/false,
                            "6-32 characters of A-Z and 0-9");
}

// --- Phone numbers ----------------------------------------------------------

absl::StatusOr<std::string> NormalizePhone(std::string_view phone, std::string_view field_name) {
  std::string digits;
  bool seen_plus = false;
  bool in_group = false;
  size_t group_start = 0;  // index into `digits` where the open group began
  for (size_t i = 0; i < phone.size(); ++i) {
    const char c = phone[i];
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c == ' ' || c == '-' || c == '.') {
      continue;
    } else if (c == '+') {
      if (seen_plus || !digits.empty()) {
        return PhoneError(field_name, absl::StrCat("'+' at position ", i + 1,
                                                   " may only come before the country code"));
      }
      seen_plus = true;
    } else if (c == '(') {
      if (in_group) return PhoneError(field_name, "parentheses must not be nested");
      in_group = true;
      group_start = digits.size();
    } else if (c == ')') {
      if (!in_group) return PhoneError(field_name, "a ')' has no matching '('");
      in_group = false;
      // "(0)" is the national trunk prefix, not part of the E.164 number.
      if (digits.size() == group_start + 1 && digits.back() == '0') digits.pop_back();
    } else {
      return PhoneError(field_name, absl::StrCat("the character at position ", i + 1,
                                                 " is not a digit, space, '-', '.', '(' or ')'"));
    }
  }
  if (in_group) return PhoneError(field_name, "a '(' is not closed");
  std::string_view number = digits;
  if (!seen_plus) {
    if (number.substr(0, 2) != "00") {
      return PhoneError(field_name, "the country code must be given, starting with '+' or '00'");
    }
    number.remove_prefix(2);
  }
  if (number.size() < 8 || number.size() > 15) {
    return PhoneError(field_name, absl::StrCat("got ", number.size(), " digits"));
  }
  if (number[0] == '0') {
    return PhoneError(field_name, "a country code never starts with 0");
  }
  return absl::StrCat("+", Sv(number));
}

// --- Text fields --------------------------------------------------------------

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  text = text.substr(0, max_bytes);
  size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) text = text.substr(0, bad);
  return std::string(text);
}

bool IsValidUtf8(std::string_view text, size_t* error_offset) {
  size_t i = 0;
  while (i < text.size()) {
    // Fast path for ASCII.
    if (static_cast<unsigned char>(text[i]) <= 0x7F) {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      if (error_offset != nullptr) *error_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

absl::Status CheckText(std::string_view value, std::string_view field_name, size_t max_bytes,
                       bool required) {
  if (value.empty()) {
    if (required) return InvalidField(field_name, "is required");
    return absl::OkStatus();
  }
  if (value.size() > max_bytes) {
    return InvalidField(field_name, absl::StrCat("must be at most ", max_bytes,
                                                 " bytes of UTF-8 (got ", value.size(), ")"));
  }
  size_t bad = 0;
  if (!IsValidUtf8(value, &bad)) {
    return InvalidField(
        field_name,
        absl::StrCat("must be valid UTF-8 (invalid byte sequence at byte offset ", bad, ")"));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      return InvalidField(field_name,
                          absl::StrFormat("must not contain control characters other than tab, "
                                          "line feed and carriage return (found U+%04X at byte "
                                          "offset %d)",
                                          static_cast<unsigned>(c), i));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckExternalId(std::string_view value, std::string_view field_name,
                             size_t max_chars) {
  if (value.empty()) return InvalidField(field_name, "is required");
  bool ok = value.size() <= max_chars;
  for (char c : value) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      ok = false;
    }
  }
  if (!ok) {
    return InvalidField(field_name, absl::StrCat("must be 1-", max_chars,
                                                 " characters of A-Z, a-z, 0-9, '-', '_' and '.'"));
  }
  return absl::OkStatus();
}

absl::Status CheckRegionCode(std::string_view value, std::string_view field_name) {
  if (value.size() != 2 || !IsUpper(value[0]) || !IsUpper(value[1])) {
    return InvalidField(field_name,
                        "must be two upper-case letters, an ISO 3166-1 alpha-2 code such as US");
  }
  return absl::OkStatus();
}

}  // namespace aftercare
