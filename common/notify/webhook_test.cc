#include "common/notify/webhook.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::notify {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSecret[] = "whsec_test";
constexpr char kBody[] = R"({"event":"rma_approved","rma":"R10000042"})";
constexpr int64_t kT = 1700000000;
// printf '%s' '1700000000.{"event":"rma_approved","rma":"R10000042"}' |
//   openssl dgst -sha256 -hmac 'whsec_test'
constexpr char kKnownMac[] = "20f6e2752ab40587673d50540c4013e13570c9fd765a9e1f516888346e9e9658";

const absl::Time kNow = absl::FromUnixSeconds(kT);
const absl::Duration kTolerance = absl::Minutes(5);

TEST(WebhookSignatureTest, KnownVector) {
  EXPECT_EQ(WebhookSignature(kSecret, kT, kBody), absl::StrCat("t=1700000000,v1=", kKnownMac));
  EXPECT_EQ(std::string(kSignatureHeader), "Aftercare-Signature");
}

TEST(WebhookSignatureTest, VerifiesItsOwnSignature) {
  const std::string h = WebhookSignature(kSecret, kT, kBody);
  EXPECT_THAT(VerifyWebhookSignature(kSecret, h, kBody, kNow, kTolerance), IsOk());
  EXPECT_THAT(VerifyWebhookSignature(kSecret, h, kBody, kNow + kTolerance, kTolerance), IsOk());
  EXPECT_THAT(VerifyWebhookSignature(kSecret, h, kBody, kNow - kTolerance, kTolerance), IsOk());
  // Several v1 (a secret being rotated): one match is enough; unknown parts ignored.
  const std::string rotated =
      absl::StrCat("t=", kT, ",v1=", std::string(64, '0'), ",v0=legacy,v1=", kKnownMac);
  EXPECT_THAT(VerifyWebhookSignature(kSecret, rotated, kBody, kNow, kTolerance), IsOk());
}

TEST(WebhookSignatureTest, RefusesTamperingAndStaleOrFutureTimestamps) {
  const std::string h = WebhookSignature(kSecret, kT, kBody);
  EXPECT_THAT(VerifyWebhookSignature(kSecret, h, std::string(kBody) + " ", kNow, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bad signature")));
  EXPECT_THAT(VerifyWebhookSignature("other-secret", h, kBody, kNow, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bad signature")));
  // The timestamp is signed: moving it breaks the signature.
  const std::string moved = absl::StrCat("t=", kT + 1, ",v1=", kKnownMac);
  EXPECT_THAT(VerifyWebhookSignature(kSecret, moved, kBody, kNow, kTolerance),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("bad signature")));
  EXPECT_THAT(
      VerifyWebhookSignature(kSecret, h, kBody, kNow + kTolerance + absl::Seconds(1), kTolerance),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("stale timestamp")));
  EXPECT_THAT(
      VerifyWebhookSignature(kSecret, h, kBody, kNow - kTolerance - absl::Seconds(1), kTolerance),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("future")));
}

TEST(WebhookSignatureTest, RefusesMalformedHeaders) {
  const std::string mac(kKnownMac);
  for (const std::string& h :
       {std::string(""), std::string("garbage"), absl::StrCat("v1=", mac),
        std::string("t=1700000000"), absl::StrCat("t=abc,v1=", mac),
        absl::StrCat("t=-5,v1=", mac), absl::StrCat("t=1700000000,v1=", mac.substr(1)),
        absl::StrCat("t=1700000000,v1=", absl::AsciiStrToUpper(mac)),
        absl::StrCat("t=1700000000,t=1700000000,v1=", mac),
        absl::StrCat("t=99999999999999999999,v1=", mac), absl::StrCat("t=1700000000,,v1=", mac)}) {
    EXPECT_THAT(VerifyWebhookSignature(kSecret, h, kBody, kNow, kTolerance),
                StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("malformed")))
        << h;
  }
}

TEST(WebhookUrlTest, AcceptsHttpsAndHttpWhenAllowed) {
  for (const std::string u :
       {"https://hooks.example.com/aftercare", "https://hooks.example.com", "HTTPS://h.example/",
        "https://h.example:8443/x?y=1&z=2", "https://[2001:db8::1]:8443/hook",
        "https://localhost/hook"}) {
    EXPECT_THAT(ValidateWebhookUrl("url", u, false), IsOk()) << u;
  }
  EXPECT_THAT(ValidateWebhookUrl("url", "http://127.0.0.1:8080/hook", true), IsOk());
  EXPECT_THAT(ValidateWebhookUrl("url", "http://127.0.0.1:8080/hook", false),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("https")));
}

TEST(WebhookUrlTest, RefusesOtherUrls) {
  for (const std::string u :
       {"", "hooks.example.com/x", "ftp://h.example/x", "file:///etc/passwd", "https://",
        "https:///path", "https://:443/x", "https://user:pw@h.example/x", "https://user@h.example",
        "https://h.example/x#frag", "https://h.example/a b", "https://h.example/\r\nX: y",
        "https://h.example:0/", "https://h.example:65536/", "https://h.example:/",
        "https://h.example:8x/", "https://h_x.example/", "https://[::1/", "https://[]/",
        "javascript:alert(1)", "https://h.exa\xc3\xa9mple/"}) {
    EXPECT_THAT(ValidateWebhookUrl("webhook.url", u, true),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("webhook.url")))
        << u;
  }
}

}  // namespace
}  // namespace aftercare::notify
