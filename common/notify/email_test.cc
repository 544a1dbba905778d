#include "common/notify/email.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::notify {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EmailAddressTest, AcceptsAddrSpecs) {
  for (const std::string& a : std::vector<std::string>{
       "a@example.com", "first.last@example.com", "x+tag@sub.example.co.uk",
        "o'brien@example.com", "!#$%&'*+-/=?^_`{|}~@example.com", "a@x-y.example",
        "user@xn--bcher-kva.example", std::string(64, 'l') + "@example.com",
        std::string(64, 'l') + "@" + std::string(63, 'd') + "." + std::string(63, 'e') + "." +
            std::string(61, 'f')}) {  // 254 characters
    EXPECT_TRUE(IsValidEmailAddress(a)) << a;
    EXPECT_THAT(ValidateEmailAddress("contact_email", a), IsOk()) << a;
  }
}

TEST(EmailAddressTest, RefusesWhatIsNotAnAddrSpec) {
  const std::vector<std::string> bad = {
      "",
      "plain",
      "@example.com",
      "a@",
      "a@localhost",                     // one label
      "a@@example.com",
      "a@b@example.com",
      ".a@example.com",
      "a.@example.com",
      "a..b@example.com",
      "\"quoted\"@example.com",
      "a b@example.com",
      "a@exa mple.com",
      "Name <a@example.com>",            // display name: not an addr-spec
      "a@[192.0.2.1]",                   // IP literal
      "a@192.0.2.1",                     // an IP address as domain
      "a@-example.com",
      "a@example-.com",
      "a@example..com",
      "a@.example.com",
      "a@example.com.",
      "a@exa_mple.com",
      "caf\xc3\xa9@example.com",         // non-ASCII
      "a@example.com\r\nBcc: victim@example.com",  // header injection
      "a@example.com\nX: y",
      "a@example.com\r",
      std::string("a@example.com\0", 14),
      "a\t@example.com",
      std::string(65, 'l') + "@example.com",      // local part > 64
      "a@" + std::string(64, 'd') + ".com",       // label > 63
      std::string(64, 'l') + "@" + std::string(63, 'd') + "." + std::string(63, 'e') + "." +
          std::string(62, 'f'),                   // 255 characters
  };
  for (const std::string& a : bad) {
    EXPECT_FALSE(IsValidEmailAddress(a)) << absl::CHexEscape(a);
    EXPECT_THAT(ValidateEmailAddress("contact_email", a),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("contact_email")))
        << absl::CHexEscape(a);
  }
}

TEST(EmailAddressTest, ErrorNamesFieldAndRuleAsBadRequest) {
  const absl::Status s = ValidateEmailAddress("contact_email", "a@[192.0.2.1]");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("IP literal")));
  auto bad_request = GetDetail<google::rpc::BadRequest>(s);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "contact_email");
}

TEST(AddrSpecTest, ExtractsTheAddress) {
  EXPECT_EQ(AddrSpec("Aftercare <noreply@example.com>"), "noreply@example.com");
  EXPECT_EQ(AddrSpec("\"Care, Team\" <care@example.com> "), "care@example.com");
  EXPECT_EQ(AddrSpec(" noreply@example.com "), "noreply@example.com");
  EXPECT_EQ(AddrSpec("<x@example.com>"), "x@example.com");
}

TEST(MessageIdTest, IsStableAndEscapesDeterministically) {
  EXPECT_EQ(MessageId("rma-42-email-0", "aftercare.invalid"), "<rma-42-email-0@aftercare.invalid>");
  EXPECT_EQ(MessageId("rma-42-email-0", "aftercare.invalid"),
            MessageId("rma-42-email-0", "aftercare.invalid"));
  EXPECT_EQ(MessageId("a b@c", "example.com"), "<a=20b=40c@example.com>");
  EXPECT_EQ(MessageId("a=b", "example.com"), "<a=3Db@example.com>");
  EXPECT_EQ(MessageId(".a..b.", "example.com"), "<=2Ea.=2Eb=2E@example.com>");
  EXPECT_EQ(MessageId("", "example.com"), "<=@example.com>");
  EXPECT_EQ(MessageId("x", ""), "<x@aftercare.invalid>");
  EXPECT_EQ(MessageId("x", "ex ample.com>"), "<x@ex-ample.com->");
  // Different keys, different ids (the escape character is escaped itself).
  EXPECT_NE(MessageId("a b", "d.example"), MessageId("a=20b", "d.example"));
  // Every id renders (a valid Message-ID header).
  EmailMessage m;
  m.from = "a@example.com";
  m.to = {"b@example.com"};
  for (const std::string key : {"rma-42-email-0", "a b\r\n<x>@y", "", "..", "caf\xc3\xa9"}) {
    m.message_id = MessageId(key, "aftercare.invalid");
    EXPECT_THAT(RenderRfc5322(m), IsOk()) << m.message_id;
  }
}

EmailMessage Sample() {
  EmailMessage m;
  m.from = "Aftercare <noreply@aftercare.example>";
  m.to = {"customer@example.com", "ops@example.org"};
  m.subject = "RMA R10000042 approved";
  m.body = "Line one.\nLine two.\n";
  m.message_id = "<rma-42-email-0@aftercare.invalid>";
  m.date = absl::FromUnixSeconds(1796503748);  // 2026-12-05 20:49:08 UTC, a Saturday
  m.extra_headers = {{"X-Aftercare-Event", "rma_approved"}};
  return m;
}

// The header block (unfolded) and the body of a rendered message.
struct Parsed {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(absl::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (absl::EqualsIgnoreCase(n, name)) return v;
    }
    return "<absent>";
  }
};

Parsed Parse(const std::string& data) {
  Parsed p;
  const size_t end = data.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  const std::string head = data.substr(0, end + 2);
  p.body = data.substr(end + 4);
  for (absl::string_view line : absl::StrSplit(head, "\r\n", absl::SkipEmpty())) {
    if (line.front() == ' ' || line.front() == '\t') {
      p.headers.back().second += std::string(line);  // unfold (keeps the white space)
      continue;
    }
    const size_t colon = line.find(':');
    p.headers.emplace_back(std::string(line.substr(0, colon)),
                           std::string(line.substr(colon + 2)));
  }
  return p;
}

void ExpectWellFormed(const std::string& data) {
  // CRLF only, no line over 998 characters, ends with CRLF.
  EXPECT_TRUE(absl::EndsWith(data, "\r\n"));
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n') {
      EXPECT_TRUE(i > 0 && data[i - 1] == '\r') << "bare LF at " << i;
    }
    if (data[i] == '\r') {
      EXPECT_TRUE(i + 1 < data.size() && data[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  for (absl::string_view line : absl::StrSplit(data, "\r\n")) {
    EXPECT_LE(line.size(), 998u);
  }
  // No header line of white space only (a folded line must carry text).
  const std::string head = data.substr(0, data.find("\r\n\r\n"));
  for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
    EXPECT_FALSE(absl::StripAsciiWhitespace(line).empty()) << "blank header line in\n" << head;
  }
}

TEST(RenderRfc5322Test, HasTheHeadersAndCrlfLines) {
  absl::StatusOr<std::string> r = RenderRfc5322(Sample());
  ASSERT_THAT(r, IsOk());
  ExpectWellFormed(*r);
  const Parsed p = Parse(*r);
  EXPECT_EQ(p.Header("Date"), "Sat, 05 Dec 2026 20:49:08 +0000");
  EXPECT_EQ(p.Header("From"), "Aftercare <noreply@aftercare.example>");
  EXPECT_EQ(p.Header("To"), "customer@example.com, ops@example.org");
  EXPECT_EQ(p.Header("Subject"), "RMA R10000042 approved");
  EXPECT_EQ(p.Header("Message-ID"), "<rma-42-email-0@aftercare.invalid>");
  EXPECT_EQ(p.Header("MIME-Version"), "1.0");
  EXPECT_EQ(p.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(p.Header("Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(p.Header("X-Aftercare-Event"), "rma_approved");
  EXPECT_EQ(p.body, "Line one.\r\nLine two.\r\n");
}

TEST(RenderRfc5322Test, DateIsUtcInRfc5322Form) {
  EmailMessage m = Sample();
  m.date = absl::FromUnixSeconds(0);
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  EXPECT_THAT(r, HasSubstr("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
}

TEST(RenderRfc5322Test, QuotedPrintableBody) {
  EmailMessage m = Sample();
  m.body = "Caf\xc3\xa9 = 5 \xe2\x82\xac\ntrailing space \n\ttab\n.\n";
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).body,
            "Caf=C3=A9 =3D 5 =E2=82=AC\r\ntrailing space=20\r\n\ttab\r\n.\r\n");
}

// Decodes quoted-printable (for the round trip below).
std::string DecodeQp(const std::string& qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] == '=' && i + 2 < qp.size() && qp[i + 1] == '\r' && qp[i + 2] == '\n') {
      i += 2;
    } else if (qp[i] == '=') {
      out += absl::HexStringToBytes(qp.substr(i + 1, 2));
      i += 2;
    } else if (qp[i] == '\r') {
    } else {
      out += qp[i];
    }
  }
  return out;
}

TEST(RenderRfc5322Test, LongLinesAreSoftBrokenAndDecodeBack) {
  EmailMessage m = Sample();
  std::string long_line;
  for (int i = 0; i < 300; ++i) absl::StrAppend(&long_line, "w\xc3\xb6rd=", i, " ");
  m.body = absl::StrCat(long_line, "\n", std::string(3000, 'x'), "\nend\n");
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  ExpectWellFormed(r);
  const std::string body = Parse(r).body;
  for (absl::string_view line : absl::StrSplit(body, "\r\n")) EXPECT_LE(line.size(), 76u);
  EXPECT_EQ(DecodeQp(body), m.body);
}

TEST(RenderRfc5322Test, NonAsciiSubjectIsAnEncodedWord) {
  EmailMessage m = Sample();
  m.subject = "h\xc3\xa9llo";
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).Header("Subject"), "=?utf-8?B?aMOpbGxv?=");  // base64 of "héllo"
}

TEST(RenderRfc5322Test, LongSubjectsAreFolded) {
  EmailMessage m = Sample();
  std::string subject;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&subject, "\xc3\xa9t\xc3\xa9 ");
  m.subject = subject;
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  ExpectWellFormed(r);
  // Every encoded-word is at most 75 characters and decodes to whole characters.
  std::string decoded;
  for (absl::string_view word : absl::StrSplit(Parse(r).Header("Subject"), ' ')) {
    EXPECT_LE(word.size(), 75u);
    ASSERT_TRUE(absl::StartsWith(word, "=?utf-8?B?") && absl::EndsWith(word, "?="));
    std::string bytes;
    ASSERT_TRUE(absl::Base64Unescape(word.substr(10, word.size() - 12), &bytes));
    decoded += bytes;
  }
  EXPECT_EQ(decoded, subject);

  for (const std::string& odd : std::vector<std::string>{
           std::string(1200, 'a'),  // one word too long for a line
                                std::string(1200, ' '), "x" + std::string(1100, ' ') + "y",
                                std::string(75, 'a') + " " + std::string(70, 'b') + "  ",
                                " leading " + std::string(90, 'c')}) {
    m.subject = odd;
    ASSERT_OK_AND_ASSIGN(r, RenderRfc5322(m));
    ExpectWellFormed(r);
    const std::string got = Parse(r).Header("Subject");
    if (absl::StartsWith(got, "=?utf-8?B?")) {
      std::string decoded;
      for (absl::string_view word : absl::StrSplit(got, ' ')) {
        std::string bytes;
        ASSERT_TRUE(absl::Base64Unescape(word.substr(10, word.size() - 12), &bytes));
        decoded += bytes;
      }
      EXPECT_EQ(decoded, odd);
    } else {
      EXPECT_EQ(got, odd);
    }
  }
  m.subject.clear();
  for (int i = 0; i < 60; ++i) absl::StrAppend(&m.subject, "word", i, " ");
  m.subject.pop_back();
  ASSERT_OK_AND_ASSIGN(r, RenderRfc5322(m));
  ExpectWellFormed(r);
  EXPECT_EQ(Parse(r).Header("Subject"), m.subject);  // unfolding gives it back
  for (absl::string_view line : absl::StrSplit(r, "\r\n")) EXPECT_LE(line.size(), 78u);
}

TEST(RenderRfc5322Test, ManyRecipientsAreFolded) {
  EmailMessage m = Sample();
  m.to.clear();
  for (int i = 0; i < 200; ++i) m.to.push_back(absl::StrCat("recipient", i, "@example.com"));
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  ExpectWellFormed(r);
  for (absl::string_view line : absl::StrSplit(r, "\r\n")) EXPECT_LE(line.size(), 78u);
  const std::vector<std::string> to = absl::StrSplit(Parse(r).Header("To"), ", ");
  EXPECT_EQ(to, m.to);
}

TEST(RenderRfc5322Test, DisplayNames) {
  EmailMessage m = Sample();
  m.from = "Care, Team <care@example.com>";
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).Header("From"), "\"Care, Team\" <care@example.com>");
  m.from = "Kundendienst M\xc3\xbcnchen <care@example.com>";
  ASSERT_OK_AND_ASSIGN(r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).Header("From"),
            absl::StrCat("=?utf-8?B?", absl::Base64Escape("Kundendienst M\xc3\xbcnchen"),
                         "?= <care@example.com>"));
  m.from = "care@example.com";
  ASSERT_OK_AND_ASSIGN(r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).Header("From"), "care@example.com");
}

TEST(RenderRfc5322Test, RefusesHeaderInjection) {
  const std::vector<std::string> evil = {"x\r\nBcc: victim@example.com", "x\nBcc: v@example.com",
                                         "x\rBcc: v@example.com", std::string("x\0y", 3)};
  for (const std::string& e : evil) {
    EmailMessage m = Sample();
    m.subject = e;
    EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject")));
    m = Sample();
    m.from = "Aftercare " + e + " <noreply@aftercare.example>";
    EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from")));
    m = Sample();
    m.to.push_back("c@example.com" + e);
    EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to[2]")));
    m = Sample();
    m.message_id = "<a@b>" + e;
    EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message_id")));
    m = Sample();
    m.extra_headers.emplace_back("X-Event", e);
    EXPECT_THAT(RenderRfc5322(m),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("extra_headers[1]")));
    m = Sample();
    m.extra_headers.emplace_back("X-Ev" + e, "v");
    EXPECT_THAT(RenderRfc5322(m),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("extra_headers[1]")));
  }
  // A line break in the body is text, not injection.
  EmailMessage m = Sample();
  m.body = "a\r\nBcc: x@example.com\n";
  ASSERT_OK_AND_ASSIGN(std::string r, RenderRfc5322(m));
  EXPECT_EQ(Parse(r).Header("Bcc"), "<absent>");
}

TEST(RenderRfc5322Test, RefusesBadFields) {
  EmailMessage m = Sample();
  m.to.clear();
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to")));
  m = Sample();
  m.to = {"not-an-address"};
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to[0]")));
  m = Sample();
  m.from = "Aftercare <nobody>";
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from")));
  for (const std::string id : {"", "no-brackets@x", "<no-at>", "<a@b> <c@d>", "<@b>", "<a@>"}) {
    m = Sample();
    m.message_id = id;
    EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message_id")))
        << id;
  }
  m = Sample();
  m.message_id = MessageId(std::string(1000, 'k'), "aftercare.invalid");
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("message_id")));
  m = Sample();
  m.extra_headers = {{"Bcc", "x@example.com"}};
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Bcc")));
  m.extra_headers = {{"subject", "second subject"}};
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m.extra_headers = {{"X Event", "v"}};
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument));
  m = Sample();
  m.body = "bad \xff utf-8";
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("body")));
  m = Sample();
  m.subject = "bad \xc3";
  EXPECT_THAT(RenderRfc5322(m), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subject")));
}

}  // namespace
}  // namespace aftercare::notify
