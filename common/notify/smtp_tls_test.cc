// SmtpClient over TLS (STARTTLS and implicit TLS) against a real SMTP server:
// aiosmtpd (Debian's python3-aiosmtpd) on loopback with throwaway
// certificates (tests/harness/test_certificates.h). The peer and its name
// are verified against the CA given as ca_file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/notify/email.h"
#include "common/notify/smtp.h"
#include "common/testing/loopback_socket.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_certificates.h"

extern char** environ;

namespace aftercare::notify {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCertificates;
using ::aftercare::testing::UnusedLoopbackPort;
using ::testing::HasSubstr;

// Debian's interpreter, which has the python3-aiosmtpd package (a python3
// earlier on PATH may not).
constexpr char kPython[] = "/usr/bin/python3";

bool AiosmtpdInstalled() {
  return std::system(absl::StrCat(kPython, " -c 'import aiosmtpd' 2>/dev/null").c_str()) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Connects(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// aiosmtpd with its Debugging handler, which prints each message to stdout
// (a file here). Stopped (SIGTERM) on destruction.
class Aiosmtpd {
 public:
  Aiosmtpd(const TestCertificates& pki, bool implicit_tls)
      : port_(UnusedLoopbackPort()), out_(pki.dir() + "/aiosmtpd.out") {
    std::vector<std::string> args = {kPython, "-u", "-m", "aiosmtpd", "-n", "-l",
                                     absl::StrCat("127.0.0.1:", port_)};
    if (implicit_tls) {
      args.insert(args.end(), {"--smtpscert", pki.Crt("server"), "--smtpskey", pki.Key("server")});
    } else {
      args.insert(args.end(), {"--tlscert", pki.Crt("server"), "--tlskey", pki.Key("server")});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (posix_spawn(&pid_, kPython, &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Aiosmtpd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Waits until the server accepts connections (readiness only).
  bool WaitReady() const {
    for (int i = 0; i < 300 && pid_ > 0; ++i) {
      if (Connects(port_)) return true;
      ::usleep(100 * 1000);
    }
    return false;
  }
  // Waits until `needle` is in the server's output (readiness only).
  bool WaitForOutput(const std::string& needle) const {
    for (int i = 0; i < 300; ++i) {
      if (absl::StrContains(ReadFile(out_), needle)) return true;
      ::usleep(100 * 1000);
    }
    return false;
  }
  std::string output() const { return ReadFile(out_); }
  int port() const { return port_; }

 private:
  int port_;
  std::string out_;
  pid_t pid_ = -1;
};

class SmtpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AiosmtpdInstalled()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (scripts/install-deps installs it)";
    }
    ASSERT_OK_AND_ASSIGN(pki_, TestCertificates::Create());
    ASSERT_OK(pki_->AddCa("ca"));
    ASSERT_OK(pki_->AddCa("other-ca"));
    ASSERT_OK(pki_->AddCertificate("server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1"));
  }

  std::string Message(const std::string& key) {
    EmailMessage m;
    m.from = "Aftercare <noreply@aftercare.example>";
    m.to = {"customer@example.com"};
    m.subject = "TLS test";
    m.body = "Sent over TLS.\n";
    m.message_id = MessageId(key, "aftercare.invalid");
    m.date = absl::FromUnixSeconds(1796503748);
    return RenderRfc5322(m).value_or("");
  }

  std::unique_ptr<TestCertificates> pki_;
};

TEST_F(SmtpTlsTest, StartTlsDeliversWithAVerifiedPeer) {
  Aiosmtpd server(*pki_, false);
  ASSERT_TRUE(server.WaitReady());
  SmtpSettings s;
  s.url = absl::StrCat("smtp://127.0.0.1:", server.port());
  s.tls = SmtpTls::kStartTls;
  s.ca_file = pki_->Crt("ca");
  EXPECT_THAT(SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"},
                                 Message("starttls-ok")),
              IsOk());
  EXPECT_TRUE(server.WaitForOutput("<starttls-ok@aftercare.invalid>")) << server.output();
}

TEST_F(SmtpTlsTest, StartTlsRefusesAPeerItCannotVerify) {
  Aiosmtpd server(*pki_, false);
  ASSERT_TRUE(server.WaitReady());
  SmtpSettings s;
  s.url = absl::StrCat("smtp://127.0.0.1:", server.port());
  s.tls = SmtpTls::kStartTls;
  s.ca_file = pki_->Crt("other-ca");  // not the server's issuer
  EXPECT_THAT(SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"},
                                 Message("starttls-unverified")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(absl::StrContains(server.output(), "starttls-unverified"));
}

TEST_F(SmtpTlsTest, ImplicitTlsDelivers) {
  Aiosmtpd server(*pki_, true);
  ASSERT_TRUE(server.WaitReady());
  SmtpSettings s;
  s.url = absl::StrCat("smtps://127.0.0.1:", server.port());
  s.tls = SmtpTls::kImplicit;
  s.ca_file = pki_->Crt("ca");
  EXPECT_THAT(SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"},
                                 Message("smtps-ok")),
              IsOk());
  EXPECT_TRUE(server.WaitForOutput("<smtps-ok@aftercare.invalid>")) << server.output();
}

TEST_F(SmtpTlsTest, PlainTextToAServerThatRequiresTlsIsRefused) {
  Aiosmtpd server(*pki_, false);  // requires STARTTLS before MAIL
  ASSERT_TRUE(server.WaitReady());
  SmtpSettings s;
  s.url = absl::StrCat("smtp://127.0.0.1:", server.port());
  s.tls = SmtpTls::kNone;
  EXPECT_THAT(SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"},
                                 Message("plain")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("530")));
}

}  // namespace
}  // namespace aftercare::notify
