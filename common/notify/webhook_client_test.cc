// PostWebhook against the loopback TestWebhookServer (real sockets, HTTP).
#include <string>

#include "absl/strings/str_cat.h"
#include "common/notify/webhook.h"
#include "common/testing/status_matchers.h"
#include "common/testing/test_webhook_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::notify {
namespace {

using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestWebhookServer;
using ::aftercare::testing::UnusedLoopbackPort;
using ::testing::HasSubstr;

constexpr char kSecret[] = "whsec_loopback";
constexpr char kBody[] = R"({"event":"rma_approved","rma_number":"R10000042"})";

WebhookRequest Signed(const std::string& url, const std::string& body) {
  WebhookRequest r;
  r.url = url;
  r.body = body;
  r.headers = {{kSignatureHeader, WebhookSignature(kSecret, absl::ToUnixSeconds(absl::Now()), body)},
               {"Aftercare-Event", "rma_approved"}};
  return r;
}

TEST(PostWebhookTest, DeliversSignedJson) {
  TestWebhookServer server;
  server.RequireSignature(kSecret, absl::Minutes(5));
  ASSERT_OK_AND_ASSIGN(WebhookResult r, PostWebhook(Signed(server.url("/events?x=1"), kBody)));
  EXPECT_EQ(r.http_status, 204);
  server.RespondNext({200});
  ASSERT_OK_AND_ASSIGN(r, PostWebhook(Signed(server.url(), std::string(5000, 'b'))));
  EXPECT_EQ(r.http_status, 200);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/events?x=1");
  EXPECT_EQ(requests[0].body, kBody);
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("aftercare-event"), "rma_approved");
  EXPECT_EQ(requests[0].signature_verified, true);
  EXPECT_EQ(requests[1].body, std::string(5000, 'b'));
  EXPECT_EQ(server.verified(), 2);
  EXPECT_EQ(server.refused(), 0);
}

TEST(PostWebhookTest, ServerRefusesBadSignatureAndReplay) {
  TestWebhookServer server;
  server.RequireSignature(kSecret, absl::Minutes(5));
  WebhookRequest forged = Signed(server.url(), kBody);
  forged.body += " ";  // tampered after signing
  EXPECT_THAT(PostWebhook(forged), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("401")));
  WebhookRequest stale = Signed(server.url(), kBody);
  stale.headers[0].second =
      WebhookSignature(kSecret, absl::ToUnixSeconds(absl::Now() - absl::Hours(1)), kBody);
  EXPECT_THAT(PostWebhook(stale), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("401")));
  EXPECT_EQ(server.refused(), 2);
  EXPECT_THAT(server.requests()[1].signature_problem, HasSubstr("stale"));

  const WebhookRequest once = Signed(server.url(), kBody);
  EXPECT_THAT(PostWebhook(once), IsOk());
  EXPECT_THAT(PostWebhook(once), StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("409")));
  EXPECT_EQ(server.replays(), 1);
  EXPECT_EQ(server.verified(), 1);
}

TEST(PostWebhookTest, TransientStatusesAreUnavailable) {
  TestWebhookServer server;
  for (int status : {500, 503, 429, 408}) {
    server.RespondNext({status});
    EXPECT_THAT(PostWebhook(Signed(server.url(), kBody)),
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr(absl::StrCat("HTTP ", status))));
  }
}

TEST(PostWebhookTest, PermanentStatusesAreFailedPrecondition) {
  TestWebhookServer server;
  for (int status : {400, 404, 410}) {
    server.RespondNext({status});
    EXPECT_THAT(PostWebhook(Signed(server.url(), kBody)),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(absl::StrCat("HTTP ", status))));
  }
}

TEST(PostWebhookTest, RedirectIsNotFollowed) {
  TestWebhookServer server;
  server.RespondNext({301});
  EXPECT_THAT(PostWebhook(Signed(server.url(), kBody)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("HTTP 301")));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);  // nothing went to /moved
  EXPECT_EQ(requests[0].path, "/hook");
}

TEST(PostWebhookTest, UnreachableIsUnavailable) {
  WebhookRequest r = Signed(absl::StrCat("http://127.0.0.1:", UnusedLoopbackPort(), "/hook"), kBody);
  EXPECT_THAT(PostWebhook(r), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(PostWebhookTest, SilentEndpointTimesOutUnavailable) {
  // Listens (the kernel completes the handshake) but never answers.
  ::aftercare::testing::LoopbackListener silent;
  WebhookRequest r = Signed(absl::StrCat("http://127.0.0.1:", silent.port(), "/hook"), kBody);
  r.timeout = absl::Milliseconds(500);
  EXPECT_THAT(PostWebhook(r), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(PostWebhookTest, RefusesHeaderInjection) {
  TestWebhookServer server;
  WebhookRequest r = Signed(server.url(), kBody);
  r.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");
  EXPECT_THAT(PostWebhook(r), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace aftercare::notify
