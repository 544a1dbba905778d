#include "common/notify/email.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "common/status.h"

namespace aftercare::notify {
namespace {

constexpr size_t kMaxAddress = 254;
constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxLabel = 63;
// Header lines are folded before this many characters (RFC 5322 recommends 78).
constexpr size_t kFoldAt = 76;

bool IsAtext(unsigned char c) {
  if (absl::ascii_isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

// Why `address` is not a valid addr-spec, or "" when it is.
std::string AddressProblem(absl::string_view address) {
  if (address.empty()) return "must not be empty";
  for (unsigned char c : address) {
    if (c <= ' ' || c == 0x7f) return "must not contain spaces, control characters or line breaks";
    if (c >= 0x80) return "must be ASCII (internationalized addresses are not supported)";
  }
  if (address.size() > kMaxAddress) return "must be at most 254 characters";
  const size_t at = address.rfind('@');
  if (at == absl::string_view::npos) return "must be an e-mail address local@domain";
  const absl::string_view local = address.substr(0, at);
  const absl::string_view domain = address.substr(at + 1);
  if (local.empty()) return "must have a local part before '@'";
  if (local.size() > kMaxLocal) return "must have a local part of at most 64 characters";
  if (local.front() == '.' || local.back() == '.' || absl::StrContains(local, "..")) {
    return "must not start, end or double a dot in the local part";
  }
  for (unsigned char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return "must have a dot-atom local part (letters, digits and !#$%&'*+-/=?^_`{|}~; no "
             "quotes)";
    }
  }
  if (domain.empty()) return "must have a domain after '@'";
  if (domain.front() == '[') return "must have a domain name (IP literals are not accepted)";
  const std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) return "must have a domain of at least two labels (example.com)";
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > kMaxLabel) {
      return "must have domain labels of 1 to 63 characters";
    }
    if (label.front() == '-' || label.back() == '-') {
      return "must not start or end a domain label with '-'";
    }
    for (unsigned char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') {
        return "must have a domain of letters, digits, hyphens and dots";
      }
    }
  }
  bool all_digits = true;
  for (unsigned char c : labels.back()) all_digits = all_digits && absl::ascii_isdigit(c);
  if (all_digits) return "must have a domain name (IP addresses are not accepted)";
  return "";
}

bool HasLineBreakOrNul(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) != absl::string_view::npos;
}

bool IsPlainAscii(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// The length of the UTF-8 sequence starting at s[i], or 0 when it is not valid.
size_t Utf8Length(absl::string_view s, size_t i) {
  const unsigned char c = s[i];
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) { n = 2; cp = c & 0x1f; }
  else if ((c & 0xf0) == 0xe0) { n = 3; cp = c & 0x0f; }
  else if ((c & 0xf8) == 0xf0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char d = s[i + k];
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8Length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// RFC 2047 "B" encoded-words of the UTF-8 text `s`, each at most 75 characters
// and never splitting a character, joined by folding white space.
std::string EncodedWords(absl::string_view s) {
  // "=?utf-8?B?" + base64 + "?=": 12 characters of overhead; 45 bytes of
  // text give 60 of base64, 72 in all.
  constexpr size_t kChunk = 45;
  std::vector<std::string> words;
  size_t i = 0;
  while (i < s.size()) {
    size_t end = i;
    while (end < s.size()) {
      const size_t n = std::max<size_t>(1, Utf8Length(s, end));
      if (end + n - i > kChunk) break;
      end += n;
    }
    words.push_back(absl::StrCat("=?utf-8?B?", absl::Base64Escape(s.substr(i, end - i)), "?="));
    i = end;
  }
  return absl::StrJoin(words, "\r\n ");
}

// An unstructured header value (Subject, extra headers): kept as it is when it
// is short plain ASCII, folded at spaces when it is longer, else (non-ASCII,
// "=?", or no way to fold it into lines of at most 998 characters) encoded-words.
std::string UnstructuredValue(absl::string_view name, absl::string_view value) {
  if (!IsPlainAscii(value) || absl::StrContains(value, "=?")) return EncodedWords(value);
  if (name.size() + 2 + value.size() <= kFoldAt) return std::string(value);
  // Fold before a word that would pass kFoldAt; the space stays in front of
  // the word, so unfolding gives the value back.
  std::string out;
  size_t line = name.size() + 2;
  bool first = true;
  for (absl::string_view word : absl::StrSplit(value, ' ')) {
    if (first) {
      out.append(word.data(), word.size());
      line += word.size();
      first = false;
    } else if (!word.empty() && line + 1 + word.size() > kFoldAt) {
      absl::StrAppend(&out, "\r\n ", word);
      line = 1 + word.size();
    } else {
      absl::StrAppend(&out, " ", word);
      line += 1 + word.size();
    }
  }
  // A word (or a run of spaces) longer than a line: encoded-words instead.
  size_t first_line = name.size() + 2;
  for (absl::string_view l : absl::StrSplit(out, "\r\n")) {
    if (first_line + l.size() > 998 || absl::StripAsciiWhitespace(l).empty()) {
      return EncodedWords(value);
    }
    first_line = 0;
  }
  return out;
}

// A display name as a header phrase: atoms as they are, other ASCII quoted,
// non-ASCII as encoded-words.
std::string Phrase(absl::string_view name) {
  if (!IsPlainAscii(name) || absl::StrContains(name, "=?")) return EncodedWords(name);
  bool atoms = true;
  for (unsigned char c : name) atoms = atoms && (IsAtext(c) || c == ' ');
  if (atoms) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// A header line "Name: value\r\n" folded at the commas of an address list.
std::string AddressListHeader(absl::string_view name, const std::vector<std::string>& addrs) {
  std::string out = absl::StrCat(name, ": ");
  size_t line = out.size();
  for (size_t i = 0; i < addrs.size(); ++i) {
    const std::string item = absl::StrCat(addrs[i], i + 1 < addrs.size() ? "," : "");
    if (i > 0 && line + 1 + item.size() > kFoldAt) {
      absl::StrAppend(&out, "\r\n ", item);
      line = 1 + item.size();
    } else {
      if (i > 0) {
        out += ' ';
        ++line;
      }
      out += item;
      line += item.size();
    }
  }
  out += "\r\n";
  return out;
}

// Date in the RFC 5322 form, UTC ("Sat, 05 Dec 2026 20:49:08 +0000"); not
// strftime, whose day and month names follow the locale.
std::string Rfc5322Date(absl::Time t) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond s = absl::ToCivilSecond(t, absl::UTCTimeZone());
  const int day = static_cast<int>(absl::GetWeekday(s));  // kMonday == 0
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d +0000", kDays[day], s.day(),
                kMonths[s.month() - 1], static_cast<long long>(s.year()), s.hour(), s.minute(),
                s.second());
  return buf;
}

// The body as quoted-printable (RFC 2045 6.7) with CRLF line ends: lines of
// at most 76 characters (soft breaks "="), '=' and bytes outside printable
// ASCII encoded, white space at a line end encoded.
std::string QuotedPrintable(absl::string_view body) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::vector<absl::string_view> lines = absl::StrSplit(body, '\n');
  // A trailing '\n' ends the last line rather than starting an empty one.
  if (lines.size() > 1 && lines.back().empty()) lines.pop_back();
  for (absl::string_view line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t col = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = line[i];
      const bool last = i + 1 == line.size();
      std::string token;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        token.assign(1, static_cast<char>(c));
      } else {
        token = {'=', kHex[c >> 4], kHex[c & 15]};
      }
      // Room for a soft break "=" unless this is the last token of the line.
      const size_t limit = last ? 76 : 75;
      if (col + token.size() > limit) {
        out += "=\r\n";
        col = 0;
      }
      out += token;
      col += token.size();
    }
    out += "\r\n";
  }
  return out;
}

absl::Status HeaderInjection(absl::string_view field) {
  return InvalidField(std::string(field),
                      "must not contain CR, LF or NUL (header injection is refused)");
}

bool EqualsIgnoreCase(absl::string_view a, absl::string_view b) { return absl::EqualsIgnoreCase(a, b); }

}  // namespace

bool IsValidEmailAddress(absl::string_view address) { return AddressProblem(address).empty(); }

absl::Status ValidateEmailAddress(absl::string_view field, absl::string_view address) {
  const std::string problem = AddressProblem(address);
  if (problem.empty()) return absl::OkStatus();
  return InvalidField(std::string(field), problem);
}

absl::Status ValidateEmailAddresses(absl::string_view field,
                                    const std::vector<std::string>& addresses, size_t max) {
  if (addresses.size() > max) {
    return InvalidField(std::string(field), absl::StrCat("must hold at most ", max, " addresses"));
  }
  for (size_t i = 0; i < addresses.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(ValidateEmailAddress(name, addresses[i]));
    for (size_t j = 0; j < i; ++j) {
      if (absl::EqualsIgnoreCase(addresses[j], addresses[i])) {
        return InvalidField(name, absl::StrCat("repeats ", field, "[", j, "]"));
      }
    }
  }
  return absl::OkStatus();
}

std::string AddrSpec(absl::string_view mailbox) {
  mailbox = absl::StripAsciiWhitespace(mailbox);
  const size_t open = mailbox.rfind('<');
  if (open != absl::string_view::npos && !mailbox.empty() && mailbox.back() == '>') {
    return std::string(
        absl::StripAsciiWhitespace(mailbox.substr(open + 1, mailbox.size() - open - 2)));
  }
  return std::string(mailbox);
}

std::string MessageId(absl::string_view key, absl::string_view domain) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string left;
  if (key.empty()) left = "=";
  for (size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = key[i];
    bool keep = IsAtext(c) && c != '=';
    if (c == '.') {
      keep = i > 0 && i + 1 < key.size() && key[i - 1] != '.';
    }
    if (keep) {
      left += static_cast<char>(c);
    } else {
      left += {'=', kHex[c >> 4], kHex[c & 15]};
    }
  }
  std::string right;
  for (size_t i = 0; i < domain.size(); ++i) {
    const unsigned char c = domain[i];
    if (absl::ascii_isalnum(c) || c == '-') {
      right += static_cast<char>(c);
    } else if (c == '.' && !right.empty() && right.back() != '.' && i + 1 < domain.size()) {
      right += '.';
    } else {
      right += '-';
    }
  }
  if (right.empty()) right = "aftercare.invalid";
  return absl::StrCat("<", left, "@", right, ">");
}

absl::StatusOr<std::string> RenderRfc5322(const EmailMessage& m) {
  // Header injection first: nothing below may see a line break.
  if (HasLineBreakOrNul(m.from)) return HeaderInjection("from");
  if (HasLineBreakOrNul(m.subject)) return HeaderInjection("subject");
  if (HasLineBreakOrNul(m.message_id)) return HeaderInjection("message_id");
  for (size_t i = 0; i < m.to.size(); ++i) {
    if (HasLineBreakOrNul(m.to[i])) return HeaderInjection(absl::StrCat("to[", i, "]"));
  }
  for (size_t i = 0; i < m.extra_headers.size(); ++i) {
    if (HasLineBreakOrNul(m.extra_headers[i].first) ||
        HasLineBreakOrNul(m.extra_headers[i].second)) {
      return HeaderInjection(absl::StrCat("extra_headers[", i, "]"));
    }
  }
  if (m.body.find('\0') != std::string::npos) {
    return InvalidField("body", "must not contain NUL");
  }

  // From: "Name <addr>" or addr.
  const std::string from_addr = AddrSpec(m.from);
  RETURN_IF_ERROR(ValidateEmailAddress("from", from_addr));
  std::string from_name;
  {
    absl::string_view f = absl::StripAsciiWhitespace(m.from);
    const size_t open = f.rfind('<');
    if (open != absl::string_view::npos) {
      from_name = std::string(absl::StripAsciiWhitespace(f.substr(0, open)));
      if (from_name.size() >= 2 && from_name.front() == '"' && from_name.back() == '"') {
        from_name = from_name.substr(1, from_name.size() - 2);
      }
    }
  }
  if (!IsValidUtf8(from_name)) return InvalidField("from", "must be UTF-8");
  if (m.to.empty()) return InvalidField("to", "must name at least one recipient");
  for (size_t i = 0; i < m.to.size(); ++i) {
    RETURN_IF_ERROR(ValidateEmailAddress(absl::StrCat("to[", i, "]"), m.to[i]));
  }
  if (!IsValidUtf8(m.subject)) return InvalidField("subject", "must be UTF-8");
  if (!IsValidUtf8(m.body)) return InvalidField("body", "must be UTF-8");
  {
    const absl::string_view id = m.message_id;
    const size_t at = id.find('@');
    if (id.size() > 900) return InvalidField("message_id", "must be at most 900 characters");
    if (id.size() < 5 || id.front() != '<' || id.back() != '>' || at == absl::string_view::npos ||
        at < 2 || at + 2 >= id.size() || !IsPlainAscii(id) || absl::StrContains(id, " ") ||
        id.find('<', 1) != absl::string_view::npos || id.find('>') + 1 != id.size()) {
      return InvalidField("message_id", "must be \"<left@right>\" (MessageId())");
    }
  }
  static constexpr const char* kRendered[] = {"Date", "From", "To", "Subject", "Message-ID",
                                              "MIME-Version", "Content-Type",
                                              "Content-Transfer-Encoding", "Cc", "Bcc"};
  for (size_t i = 0; i < m.extra_headers.size(); ++i) {
    const std::string& name = m.extra_headers[i].first;
    const std::string field = absl::StrCat("extra_headers[", i, "]");
    if (name.empty() || name.size() > 76) {
      return InvalidField(field, "must have a name of 1 to 76 characters");
    }
    for (unsigned char c : name) {
      if (c < 33 || c > 126 || c == ':') {
        return InvalidField(field, "must have a name of printable ASCII without ':'");
      }
    }
    for (const char* r : kRendered) {
      if (EqualsIgnoreCase(name, r)) {
        return InvalidField(field, absl::StrCat("must not set ", r, " (rendered from the message)"));
      }
    }
    if (!IsValidUtf8(m.extra_headers[i].second)) return InvalidField(field, "must be UTF-8");
  }

  std::string out;
  absl::StrAppend(&out, "Date: ", Rfc5322Date(m.date), "\r\n");
  if (from_name.empty()) {
    absl::StrAppend(&out, "From: ", from_addr, "\r\n");
  } else {
    const std::string phrase = Phrase(from_name);
    const std::string one_line = absl::StrCat("From: ", phrase, " <", from_addr, ">");
    if (!absl::StrContains(phrase, "\r\n") && one_line.size() <= kFoldAt + 2) {
      absl::StrAppend(&out, one_line, "\r\n");
    } else {
      absl::StrAppend(&out, "From: ", phrase, "\r\n <", from_addr, ">\r\n");
    }
  }
  out += AddressListHeader("To", m.to);
  absl::StrAppend(&out, "Subject: ", UnstructuredValue("Subject", m.subject), "\r\n");
  absl::StrAppend(&out, "Message-ID: ", m.message_id, "\r\n");
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  for (const auto& [name, value] : m.extra_headers) {
    absl::StrAppend(&out, name, ": ", UnstructuredValue(name, value), "\r\n");
  }
  out += "\r\n";
  out += QuotedPrintable(m.body);
  return out;
}

}  // namespace aftercare::notify
