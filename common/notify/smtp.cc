#include "common/notify/smtp.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/notify/curl_init.h"
#include "common/notify/email.h"
#include "common/status.h"

namespace aftercare::notify {
namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// The data being uploaded after DATA.
struct Upload {
  absl::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* u = static_cast<Upload*>(userdata);
  const size_t n = std::min(size * nitems, u->data.size() - u->offset);
  std::memcpy(buffer, u->data.data() + u->offset, n);
  u->offset += n;
  return n;
}

// Keeps the server's first 4xx or 5xx reply line (the cause of a failure,
// not the reply to the QUIT that follows it), for the error message.
int Debug(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  auto* reply = static_cast<std::string*>(userdata);
  if (type == CURLINFO_HEADER_IN && reply->empty() && size > 0 && (data[0] == '4' || data[0] == '5')) {
    *reply = std::string(absl::StripAsciiWhitespace(absl::string_view(data, size)));
    if (reply->size() > 300) reply->resize(300);
  }
  return 0;
}

}  // namespace

absl::StatusOr<SmtpTls> ParseSmtpTls(absl::string_view name) {
  if (name == "none") return SmtpTls::kNone;
  if (name == "starttls") return SmtpTls::kStartTls;
  if (name == "tls") return SmtpTls::kImplicit;
  return absl::InvalidArgumentError(
      absl::StrCat("SMTP TLS mode \"", name, "\" is not one of none, starttls, tls"));
}

absl::string_view SmtpTlsName(SmtpTls tls) {
  switch (tls) {
    case SmtpTls::kNone: return "none";
    case SmtpTls::kStartTls: return "starttls";
    case SmtpTls::kImplicit: return "tls";
  }
  return "?";
}

absl::Status ValidateSmtpSettings(const SmtpSettings& s) {
  const bool smtps = absl::StartsWithIgnoreCase(s.url, "smtps://");
  const bool smtp = absl::StartsWithIgnoreCase(s.url, "smtp://");
  if (!smtp && !smtps) return InvalidField("smtp_url", "must be smtp://host:port or smtps://host:port");
  const absl::string_view rest = absl::string_view(s.url).substr(smtps ? 8 : 7);
  if (rest.empty() || rest.front() == ':' || rest.front() == '/') {
    return InvalidField("smtp_url", "must name a host");
  }
  for (unsigned char c : s.url) {
    if (c <= ' ' || c >= 0x7f) return InvalidField("smtp_url", "must not contain spaces or control characters");
  }
  if (smtps != (s.tls == SmtpTls::kImplicit)) {
    return InvalidField("smtp_url", "must be smtps:// exactly when the TLS mode is tls");
  }
  if (s.timeout <= absl::ZeroDuration()) return InvalidField("smtp_timeout", "must be positive");
  if (!s.username.empty() && s.tls == SmtpTls::kNone) {
    return InvalidField("smtp_username",
                        "needs TLS (starttls or tls): credentials are never sent in clear text");
  }
  return absl::OkStatus();
}

SmtpClient::SmtpClient(SmtpSettings settings) : settings_(std::move(settings)) {
  internal::EnsureCurlInitialized();
}

absl::Status SmtpClient::Send(absl::string_view envelope_from,
                              const std::vector<std::string>& recipients,
                              absl::string_view rfc5322) const {
  {
    absl::Status valid = ValidateSmtpSettings(settings_);
    if (!valid.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("SMTP settings: ", valid.message()));
    }
  }
  RETURN_IF_ERROR(ValidateEmailAddress("envelope_from", envelope_from));
  if (recipients.empty()) return InvalidField("recipients", "must name at least one recipient");
  for (size_t i = 0; i < recipients.size(); ++i) {
    RETURN_IF_ERROR(ValidateEmailAddress(absl::StrCat("recipients[", i, "]"), recipients[i]));
  }

  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return absl::ResourceExhaustedError("curl_easy_init failed");
  CURL* h = curl.get();
  std::unique_ptr<curl_slist, SlistDeleter> rcpt;
  for (const std::string& r : recipients) {
    curl_slist* next = curl_slist_append(rcpt.get(), absl::StrCat("<", r, ">").c_str());
    if (next == nullptr) return absl::ResourceExhaustedError("curl_slist_append failed");
    rcpt.release();
    rcpt.reset(next);
  }
  const std::string from = absl::StrCat("<", envelope_from, ">");
  Upload upload{rfc5322, 0};
  std::string last_reply;
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(h, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.timeout)));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(settings_.timeout)));
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(rfc5322.size()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // routed to Debug, which keeps the last reply
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &Debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last_reply);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   settings_.tls == SmtpTls::kNone ? static_cast<long>(CURLUSESSL_NONE)
                                                   : static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return absl::OkStatus();
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  const std::string detail = error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc);
  if (code >= 500 && code < 600) {
    return absl::FailedPreconditionError(
        absl::StrCat("SMTP server refused the message: ", last_reply, " (", detail, ")"));
  }
  if (code >= 400 && code < 500) {
    return absl::UnavailableError(
        absl::StrCat("SMTP server deferred the message: ", last_reply, " (", detail, ")"));
  }
  switch (rc) {
    case CURLE_USE_SSL_FAILED:
      return absl::UnavailableError(absl::StrCat(
          "SMTP server ", settings_.url,
          " does not offer STARTTLS, which the TLS mode starttls requires; nothing was sent (",
          detail, ")"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_LOGIN_DENIED:
    case CURLE_SSL_CACERT_BADFILE:
      return absl::FailedPreconditionError(
          absl::StrCat("SMTP ", settings_.url, ": ", detail,
                       last_reply.empty() ? "" : absl::StrCat(" (", last_reply, ")")));
    default:
      return absl::UnavailableError(
          absl::StrCat("SMTP ", settings_.url, " unreachable or failed: ", detail,
                       last_reply.empty() ? "" : absl::StrCat(" (reply: ", last_reply, ")")));
  }
}

}  // namespace aftercare::notify
