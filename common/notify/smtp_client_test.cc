// SmtpClient against the loopback TestSmtpServer (real sockets, plain text).
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/notify/email.h"
#include "common/notify/smtp.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_smtp_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::notify {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestSmtpServer;
using ::aftercare::testing::UnusedLoopbackPort;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::Duration kWait = absl::Seconds(20);

SmtpSettings Plain(const std::string& url) {
  SmtpSettings s;
  s.url = url;
  s.tls = SmtpTls::kNone;
  s.timeout = absl::Seconds(20);
  return s;
}

std::string Rendered(const std::string& body) {
  EmailMessage m;
  m.from = "Aftercare <noreply@aftercare.example>";
  m.to = {"customer@example.com", "ops@example.org"};
  m.subject = "RMA R10000042 approved \xe2\x9c\x93";
  m.body = body;
  m.message_id = MessageId("rma-42-email-0", "aftercare.invalid");
  m.date = absl::FromUnixSeconds(1796503748);
  auto r = RenderRfc5322(m);
  EXPECT_THAT(r, IsOk());
  return r.value_or("");
}

TEST(ParseSmtpTlsTest, Names) {
  EXPECT_EQ(ParseSmtpTls("none").value(), SmtpTls::kNone);
  EXPECT_EQ(ParseSmtpTls("starttls").value(), SmtpTls::kStartTls);
  EXPECT_EQ(ParseSmtpTls("tls").value(), SmtpTls::kImplicit);
  for (SmtpTls t : {SmtpTls::kNone, SmtpTls::kStartTls, SmtpTls::kImplicit}) {
    EXPECT_EQ(ParseSmtpTls(SmtpTlsName(t)).value(), t);
  }
  EXPECT_THAT(ParseSmtpTls("ssl"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSmtpTls("STARTTLS"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SmtpSettingsTest, Validation) {
  EXPECT_THAT(ValidateSmtpSettings(Plain("smtp://relay.example:25")), IsOk());
  SmtpSettings s = Plain("smtps://relay.example:465");
  EXPECT_THAT(ValidateSmtpSettings(s), StatusIs(absl::StatusCode::kInvalidArgument));
  s.tls = SmtpTls::kImplicit;
  EXPECT_THAT(ValidateSmtpSettings(s), IsOk());
  s = Plain("smtp://relay.example:587");
  s.tls = SmtpTls::kImplicit;
  EXPECT_THAT(ValidateSmtpSettings(s), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateSmtpSettings(Plain("http://relay.example")),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateSmtpSettings(Plain("smtp://")), StatusIs(absl::StatusCode::kInvalidArgument));
  s = Plain("smtp://relay.example");
  s.timeout = absl::ZeroDuration();
  EXPECT_THAT(ValidateSmtpSettings(s), StatusIs(absl::StatusCode::kInvalidArgument));
  s = Plain("smtp://relay.example");
  s.username = "aftercare";
  s.password = "secret";
  EXPECT_THAT(ValidateSmtpSettings(s),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("smtp_username")));
  s.tls = SmtpTls::kStartTls;
  EXPECT_THAT(ValidateSmtpSettings(s), IsOk());
  // Send refuses unusable settings without connecting.
  TestSmtpServer server;
  SmtpSettings with_password = Plain(server.url());
  with_password.username = "aftercare";
  EXPECT_THAT(SmtpClient(with_password).Send("a@example.com", {"b@example.com"}, "x\r\n"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("smtp_username")));
  EXPECT_EQ(server.connections(), 0);
}

TEST(SmtpClientTest, DeliversTheMessageByteForByte) {
  TestSmtpServer server;
  SmtpClient client(Plain(server.url()));
  // Lines that SMTP must dot-stuff: ".", "..", ".hidden"; libcurl stuffs them,
  // the server unstuffs them, and the message arrives as it was rendered.
  const std::string data = Rendered("Hello.\n.\n..\n.hidden\nend with dot.\n");
  ASSERT_THAT(data, HasSubstr("\r\n.\r\n..\r\n.hidden\r\n"));
  ASSERT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com", "ops@example.org"},
                          data),
              IsOk());
  ASSERT_TRUE(server.WaitForMessages(1, kWait));
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].envelope_from, "noreply@aftercare.example");
  EXPECT_THAT(messages[0].recipients, ElementsAre("customer@example.com", "ops@example.org"));
  EXPECT_EQ(messages[0].data, data);
}

TEST(SmtpClientTest, ConcurrentSendsAllArrive) {
  TestSmtpServer server;
  const SmtpClient client(Plain(server.url()));
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[i] = client.Send("noreply@aftercare.example", {absl::StrCat("c", i, "@example.com")},
                               Rendered(absl::StrCat("message ", i, "\n")));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_THAT(r, IsOk());
  ASSERT_TRUE(server.WaitForMessages(4, kWait));
  EXPECT_EQ(server.messages().size(), 4u);
}

TEST(SmtpClientTest, TransientReplyIsUnavailable) {
  TestSmtpServer server;
  SmtpClient client(Plain(server.url()));
  server.FailNext(1, 451, "4.3.0 mailbox temporarily unavailable", TestSmtpServer::Stage::kRcpt);
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("451 4.3.0 mailbox temporarily unavailable")));
  server.FailNext(1, 452, "4.3.1 insufficient storage", TestSmtpServer::Stage::kData);
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("452")));
  EXPECT_THAT(server.messages(), IsEmpty());
  // The next attempt goes through.
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              IsOk());
  EXPECT_EQ(server.messages().size(), 1u);
}

TEST(SmtpClientTest, PermanentReplyIsFailedPrecondition) {
  TestSmtpServer server;
  SmtpClient client(Plain(server.url()));
  server.FailNext(1, 550, "5.1.1 no such mailbox", TestSmtpServer::Stage::kRcpt);
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"nobody@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("550 5.1.1 no such mailbox")));
  server.FailNext(1, 554, "5.7.1 message refused", TestSmtpServer::Stage::kData);
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("554 5.7.1 message refused")));
  server.FailNext(1, 553, "5.1.8 sender refused", TestSmtpServer::Stage::kMailFrom);
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("553")));
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST(SmtpClientTest, UnreachableServerIsUnavailable) {
  SmtpClient closed(Plain(absl::StrCat("smtp://127.0.0.1:", UnusedLoopbackPort())));
  EXPECT_THAT(closed.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kUnavailable));

  TestSmtpServer server;
  SmtpClient client(Plain(server.url()));
  server.StopAccepting();
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n")),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(server.connections(), 0);
}

TEST(SmtpClientTest, SilentServerTimesOutUnavailable) {
  // Listens (the kernel completes the handshake) but never greets.
  ::aftercare::testing::LoopbackListener silent;
  SmtpSettings s = Plain(absl::StrCat("smtp://127.0.0.1:", silent.port()));
  s.timeout = absl::Milliseconds(500);
  EXPECT_THAT(SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"},
                                 Rendered("x\n")),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(SmtpClientTest, StartTlsRequiredButNotOfferedSendsNothing) {
  TestSmtpServer server;  // its EHLO offers no STARTTLS
  SmtpSettings s = Plain(server.url());
  s.tls = SmtpTls::kStartTls;
  const absl::Status status =
      SmtpClient(s).Send("noreply@aftercare.example", {"customer@example.com"}, Rendered("x\n"));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, HasSubstr("STARTTLS")));
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.mail_commands(), 0);  // no MAIL FROM in clear text
  EXPECT_THAT(server.messages(), IsEmpty());
}

TEST(SmtpClientTest, RefusesBadAddressesWithoutConnecting) {
  TestSmtpServer server;
  SmtpClient client(Plain(server.url()));
  EXPECT_THAT(client.Send("Aftercare <noreply@aftercare.example>", {"c@example.com"}, "x\r\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("envelope_from")));
  EXPECT_THAT(client.Send("noreply@aftercare.example", {}, "x\r\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recipients")));
  EXPECT_THAT(client.Send("noreply@aftercare.example", {"c@example.com>\r\nRCPT TO:<x@evil.example"},
                          "x\r\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recipients[0]")));
  EXPECT_EQ(server.connections(), 0);
}

}  // namespace
}  // namespace aftercare::notify
