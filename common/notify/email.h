// E-mail addresses and messages for the notification delivery engine
// (issue 17): addr-spec validation, RFC 5322 + MIME rendering of a plain-text
// UTF-8 message, and stable Message-IDs. Pure functions, no I/O; the bytes
// RenderRfc5322 returns are what SmtpClient::Send (common/notify/smtp.h) sends.
//
//   EmailMessage m{.from = "Aftercare <noreply@example.com>", ...};
//   ASSIGN_OR_RETURN(std::string data, RenderRfc5322(m));
//   RETURN_IF_ERROR(client.Send(AddrSpec(m.from), m.to, data));
#ifndef AFTERCARE_COMMON_NOTIFY_EMAIL_H_
#define AFTERCARE_COMMON_NOTIFY_EMAIL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftercare::notify {

// Whether `address` is an addr-spec the suite sends to: local@domain, at most
// 254 characters, a dot-atom local part of at most 64 (no quotes), a domain of
// at least two LDH labels (letters, digits, hyphens; 1-63 each, no hyphen at
// either end; the last not all digits), no IP literal, no display name, no
// space, control character or line break.
bool IsValidEmailAddress(absl::string_view address);

// OK when IsValidEmailAddress(address); otherwise INVALID_ARGUMENT (reason
// INVALID_FIELD, common/errors.h) naming `field` and the rule broken.
absl::Status ValidateEmailAddress(absl::string_view field, absl::string_view address);

// A plain-text message to render.
struct EmailMessage {
  std::string from;             // "Name <addr>" or addr
  std::vector<std::string> to;  // addr-specs, at least one
  std::string subject;          // UTF-8
  std::string body;             // UTF-8 text, '\n' line ends ("\r\n" accepted too)
  std::string message_id;       // "<...@...>" (MessageId())
  absl::Time date;
  // Additional headers, e.g. {"X-Aftercare-Event", "rma_approved"}; a name is
  // printable ASCII without ':' and must not be one of the headers rendered
  // from the fields above.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// Renders `m` as an RFC 5322 message with a MIME text/plain body: Date (RFC
// 5322 form, UTC), From, To, Subject (RFC 2047 "B" encoded-words when it is
// not plain ASCII or is long), Message-ID, MIME-Version, Content-Type
// text/plain; charset=utf-8, Content-Transfer-Encoding: quoted-printable, then
// the extra headers. CRLF line ends, long headers folded, no line longer than
// 998 characters, the message ends with CRLF.
// INVALID_ARGUMENT when a header value holds CR, LF or NUL (header
// injection), an address is not valid, `to` is empty, the Message-ID is not
// "<...@...>" of at most 900 characters, the body is not valid UTF-8 or an extra header is malformed.
absl::StatusOr<std::string> RenderRfc5322(const EmailMessage& m);

// The Message-ID of the notification `key`, stable across retries:
//   MessageId("rma-42-email-0", "aftercare.invalid") == "<rma-42-email-0@aftercare.invalid>"
// A byte of `key` that is not allowed in a dot-atom (and '=' itself, and a '.'
// that would start, end or double a dot) is written "=XX" (upper-case hex), so
// different keys give different ids; an empty key gives "=". `domain` keeps
// letters, digits, '-' and single inner dots, other bytes become '-'; an
// empty domain gives "aftercare.invalid".
std::string MessageId(absl::string_view key, absl::string_view domain);

// OK when `addresses` holds at most `max` addresses, each valid and none
// twice (case-insensitively); otherwise INVALID_ARGUMENT naming the field
// ("notification_emails[1]") and the rule.
absl::Status ValidateEmailAddresses(absl::string_view field,
                                    const std::vector<std::string>& addresses, size_t max);

// The addr-spec of a mailbox: the address inside "Name <addr>", or the
// mailbox itself (trimmed) when it has no angle brackets. For the envelope
// sender of SmtpClient::Send.
std::string AddrSpec(absl::string_view mailbox);

}  // namespace aftercare::notify

#endif  // AFTERCARE_COMMON_NOTIFY_EMAIL_H_
