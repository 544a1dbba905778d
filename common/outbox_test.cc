// The failure rule's helpers (common/outbox.h): what makes a handler's status
// poison, and the one way handlers read their payloads.
#include "common/outbox.h"

#include "aftercare/testing/v1/echo.pb.h"
#include "common/status.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::v1::EchoRequest;

OutboxEvent EventWithPayload(std::string payload) {
  OutboxEvent e;
  e.id = 7;
  e.aggregate_type = "thing";
  e.aggregate_id = "a";
  e.event_type = "thing.changed";
  e.payload = std::move(payload);
  return e;
}

absl::Status Forward(const absl::Status& s) {
  RETURN_IF_ERROR(s);
  return absl::OkStatus();
}

TEST(PoisonEventTest, IsPoisonOnlyForPoisonEventStatuses) {
  const absl::Status poison = PoisonEvent("refused for good");
  EXPECT_TRUE(IsPoison(poison));
  EXPECT_THAT(poison, StatusIs(absl::StatusCode::kInvalidArgument, "refused for good"));
  EXPECT_TRUE(IsPoison(Forward(poison)));  // survives RETURN_IF_ERROR

  // Everything else is retried: OK, transient errors, and an error of the
  // same code without the marker.
  EXPECT_FALSE(IsPoison(absl::OkStatus()));
  EXPECT_FALSE(IsPoison(absl::UnavailableError("receiver down")));
  EXPECT_FALSE(IsPoison(absl::InternalError("bad payload")));
  EXPECT_FALSE(IsPoison(absl::InvalidArgumentError("refused for good")));
}

TEST(ParseEventPayloadTest, ParsesTheMessage) {
  EchoRequest sent;
  sent.set_message("hello");
  absl::StatusOr<EchoRequest> got =
      ParseEventPayload<EchoRequest>(EventWithPayload(sent.SerializeAsString()));
  ASSERT_OK(got.status());
  EXPECT_EQ(got->message(), "hello");
}

TEST(ParseEventPayloadTest, APayloadThatDoesNotParseIsPoison) {
  // Field 1, length-delimited, 5 bytes announced, none there.
  absl::StatusOr<EchoRequest> got = ParseEventPayload<EchoRequest>(EventWithPayload("\x0a\x05"));
  EXPECT_TRUE(IsPoison(got.status()));
  EXPECT_THAT(got.status(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     "payload of thing.changed is not a "
                                     "aftercare.testing.v1.EchoRequest"));
}

}  // namespace
}  // namespace aftercare
