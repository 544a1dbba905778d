#include "common/testing/test_smtp_server.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace aftercare::testing {
namespace {

// The address inside "MAIL FROM:<addr> SIZE=..." / "RCPT TO:<addr>".
std::string PathArgument(absl::string_view arg) {
  const size_t open = arg.find('<');
  const size_t close = arg.find('>', open == absl::string_view::npos ? 0 : open);
  if (open == absl::string_view::npos || close == absl::string_view::npos) {
    return std::string(absl::StripAsciiWhitespace(arg));
  }
  return std::string(arg.substr(open + 1, close - open - 1));
}

}  // namespace

TestSmtpServer::TestSmtpServer() : thread_([this] { Run(); }) {}

TestSmtpServer::~TestSmtpServer() {
  stop_ = true;
  thread_.join();
}

std::string TestSmtpServer::url() const { return absl::StrCat("smtp://127.0.0.1:", port()); }

void TestSmtpServer::FailNext(int n, int code, std::string text, Stage stage) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < n; ++i) failures_.push_back(Failure{stage, code, text});
}

void TestSmtpServer::StopAccepting() { listener_.Close(); }

std::vector<TestSmtpServer::Message> TestSmtpServer::messages() const {
  absl::MutexLock lock(&mu_);
  return messages_;
}

int TestSmtpServer::connections() const {
  absl::MutexLock lock(&mu_);
  return connections_;
}

int TestSmtpServer::mail_commands() const {
  absl::MutexLock lock(&mu_);
  return mail_commands_;
}

bool TestSmtpServer::WaitForMessages(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return messages_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool TestSmtpServer::TakeFailure(Stage stage, std::string* reply) {
  absl::MutexLock lock(&mu_);
  for (auto it = failures_.begin(); it != failures_.end(); ++it) {
    if (it->stage == stage) {
      *reply = absl::StrCat(it->code, " ", it->text, "\r\n");
      failures_.erase(it);
      return true;
    }
  }
  return false;
}

void TestSmtpServer::Run() {
  while (!stop_) {
    const int fd = listener_.Accept();
    if (fd < 0) continue;
    {
      absl::MutexLock lock(&mu_);
      ++connections_;
    }
    LoopbackConnection c(fd, &stop_);
    Serve(c);
  }
}

void TestSmtpServer::Serve(LoopbackConnection& c) {
  if (!c.Write("220 aftercare-test ESMTP ready\r\n")) return;
  Message m;
  bool have_from = false;
  std::string line;
  while (c.ReadLine(&line)) {
    const std::string verb = absl::AsciiStrToUpper(line.substr(0, line.find(' ')));
    std::string reply;
    if (verb == "EHLO") {
      reply = "250-aftercare-test greets you\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250 HELP\r\n";
    } else if (verb == "HELO") {
      reply = "250 aftercare-test\r\n";
    } else if (absl::StartsWithIgnoreCase(line, "MAIL FROM:")) {
      {
        absl::MutexLock lock(&mu_);
        ++mail_commands_;
      }
      if (!TakeFailure(Stage::kMailFrom, &reply)) {
        m = Message{};
        m.envelope_from = PathArgument(absl::string_view(line).substr(10));
        have_from = true;
        reply = "250 2.1.0 sender ok\r\n";
      }
    } else if (absl::StartsWithIgnoreCase(line, "RCPT TO:")) {
      if (!have_from) {
        reply = "503 5.5.1 MAIL first\r\n";
      } else if (!TakeFailure(Stage::kRcpt, &reply)) {
        m.recipients.push_back(PathArgument(absl::string_view(line).substr(8)));
        reply = "250 2.1.5 recipient ok\r\n";
      }
    } else if (verb == "DATA") {
      if (!have_from || m.recipients.empty()) {
        reply = "503 5.5.1 RCPT first\r\n";
      } else {
        if (!c.Write("354 end data with <CR><LF>.<CR><LF>\r\n")) return;
        std::string data;
        bool ended = false;
        while (c.ReadLine(&line)) {
          if (line == ".") {
            ended = true;
            break;
          }
          // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled.
          if (!line.empty() && line.front() == '.') line.erase(0, 1);
          absl::StrAppend(&data, line, "\r\n");
        }
        if (!ended) return;
        if (!TakeFailure(Stage::kData, &reply)) {
          m.data = std::move(data);
          {
            absl::MutexLock lock(&mu_);
            messages_.push_back(std::move(m));
          }
          reply = "250 2.0.0 queued\r\n";
        }
        m = Message{};
        have_from = false;
      }
    } else if (verb == "RSET") {
      m = Message{};
      have_from = false;
      reply = "250 2.0.0 reset\r\n";
    } else if (verb == "NOOP") {
      reply = "250 2.0.0 ok\r\n";
    } else if (verb == "QUIT") {
      c.Write("221 2.0.0 bye\r\n");
      return;
    } else if (verb == "STARTTLS" || verb == "AUTH") {
      reply = "502 5.5.1 not implemented\r\n";
    } else {
      reply = "500 5.5.2 unknown command\r\n";
    }
    if (!c.Write(reply)) return;
  }
}

}  // namespace aftercare::testing
