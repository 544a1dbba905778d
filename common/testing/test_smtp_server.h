// A loopback SMTP server for tests of SmtpClient (common/notify/smtp.h): plain
// text (no TLS), port 0, its own thread, one connection at a time. It speaks
// the ESMTP libcurl uses (greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA with
// dot-unstuffing, RSET, NOOP, QUIT; STARTTLS and AUTH are answered 502) and
// records each accepted message. Failures are injected with FailNext.
//
//   TestSmtpServer smtp;
//   SmtpClient client({.url = smtp.url(), .tls = SmtpTls::kNone});
//   ASSERT_TRUE(smtp.WaitForMessages(1, absl::Seconds(10)));
#ifndef AFTERCARE_COMMON_TESTING_TEST_SMTP_SERVER_H_
#define AFTERCARE_COMMON_TESTING_TEST_SMTP_SERVER_H_

#include <atomic>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/testing/loopback_socket.h"

namespace aftercare::testing {

class TestSmtpServer {
 public:
  struct Message {
    std::string envelope_from;            // the address of MAIL FROM:<...>
    std::vector<std::string> recipients;  // the addresses of RCPT TO:<...>
    std::string data;                     // after DATA, dot-unstuffed, CRLF lines, without "."
  };
  // Where an injected failure replaces the normal reply.
  enum class Stage { kMailFrom, kRcpt, kData /* the reply after the final "." */ };

  TestSmtpServer();
  ~TestSmtpServer();
  TestSmtpServer(const TestSmtpServer&) = delete;
  TestSmtpServer& operator=(const TestSmtpServer&) = delete;

  int port() const { return listener_.port(); }
  std::string url() const;  // "smtp://127.0.0.1:<port>"

  // The next `n` commands of `stage` are answered "<code> <text>" instead
  // (e.g. 451 or 550); a refused RCPT or DATA records no message.
  void FailNext(int n, int code, std::string text, Stage stage = Stage::kRcpt);
  // Closes the listening socket: later connections are refused.
  void StopAccepting();

  std::vector<Message> messages() const;
  // The number of connections accepted and of MAIL FROM commands seen.
  int connections() const;
  int mail_commands() const;
  // Waits until at least `n` messages were accepted; false after `timeout`.
  // For readiness only: tests assert on what arrived, not on how fast.
  bool WaitForMessages(size_t n, absl::Duration timeout) const;

 private:
  struct Failure {
    Stage stage;
    int code;
    std::string text;
  };
  void Run();
  void Serve(LoopbackConnection& c);
  // The injected reply for `stage`, if one is queued (and consumes it).
  bool TakeFailure(Stage stage, std::string* reply);

  LoopbackListener listener_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::vector<Message> messages_ ABSL_GUARDED_BY(mu_);
  std::deque<Failure> failures_ ABSL_GUARDED_BY(mu_);
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  int mail_commands_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_TEST_SMTP_SERVER_H_
