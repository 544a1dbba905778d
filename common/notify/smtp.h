// Sends rendered e-mail (common/notify/email.h) to an SMTP relay with
// libcurl, and classifies failures for the delivery engine's retries:
// UNAVAILABLE = try again later, FAILED_PRECONDITION = the server refused for
// good. Settings come from the services' --smtp_* flags (docs/CONFIGURATION.md).
//
//   SmtpClient client(SmtpSettings{.url = "smtp://relay:587", .tls = SmtpTls::kStartTls});
//   absl::Status s = client.Send("noreply@example.com", {"a@example.com"}, rendered);
#ifndef AFTERCARE_COMMON_NOTIFY_SMTP_H_
#define AFTERCARE_COMMON_NOTIFY_SMTP_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftercare::notify {

// How the connection to the SMTP server is protected.
enum class SmtpTls {
  kNone,      // plain text ("none"; for a relay on the same host or in tests)
  kStartTls,  // smtp:// then STARTTLS, refused when the server does not offer it ("starttls")
  kImplicit,  // smtps://, TLS from the first byte ("tls")
};

// "none", "starttls" or "tls"; INVALID_ARGUMENT otherwise.
absl::StatusOr<SmtpTls> ParseSmtpTls(absl::string_view name);
// The name ParseSmtpTls reads back.
absl::string_view SmtpTlsName(SmtpTls tls);

struct SmtpSettings {
  std::string url;                   // smtp://host:port, or smtps://host:port with kImplicit
  SmtpTls tls = SmtpTls::kStartTls;  // kStartTls = CURLUSESSL_ALL (refuse without STARTTLS)
  std::string ca_file;               // empty: system CAs; peer and host always verified with TLS
  std::string username, password;    // empty username: no AUTH
  absl::Duration timeout = absl::Seconds(30);  // the whole transaction
};

// OK when `s` can be used: an smtp:// URL with a host (smtps:// exactly when
// tls is kImplicit), a positive timeout, and no username with kNone (AUTH
// only over TLS). INVALID_ARGUMENT naming the setting (smtp_url,
// smtp_timeout, smtp_username).
absl::Status ValidateSmtpSettings(const SmtpSettings& s);

// An SMTP client; one connection per Send. Thread-safe: Send may be called
// from several threads at once.
class SmtpClient {
 public:
  explicit SmtpClient(SmtpSettings settings);

  // Sends `rfc5322` (from RenderRfc5322) to `recipients` with the envelope
  // sender `envelope_from` (an addr-spec). libcurl dot-stuffs the data.
  //   OK: the server accepted the message (250 after DATA).
  //   UNAVAILABLE: connection refused or timed out, TLS handshake or
  //     verification failed, STARTTLS not offered, or a 4xx reply
  //     (transient: retry later).
  //   FAILED_PRECONDITION: a 5xx reply (permanent: bad mailbox, refused) or
  //     unusable settings; the message names the SMTP code and text.
  //   INVALID_ARGUMENT: an address is not valid or there is no recipient.
  absl::Status Send(absl::string_view envelope_from, const std::vector<std::string>& recipients,
                    absl::string_view rfc5322) const;

  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
};

}  // namespace aftercare::notify

#endif  // AFTERCARE_COMMON_NOTIFY_SMTP_H_
