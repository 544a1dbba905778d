#include "common/call_context.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

TEST(TraceContextTest, ParsesAValidHeaderAndContinuesTheTrace) {
  auto parent = TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(parent->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parent->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(parent->flags, 1);
  TraceContext child = TraceContext::NewSpan(parent);
  EXPECT_EQ(child.trace_id, parent->trace_id);
  EXPECT_EQ(child.parent_id, parent->span_id);
  EXPECT_NE(child.span_id, parent->span_id);
  EXPECT_THAT(child.Header(),
              ::testing::MatchesRegex("00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01"));
}

TEST(TraceContextTest, RejectsMalformedHeaders) {
  for (const char* bad : {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                          "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                          "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                          "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                          "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
}

TEST(TraceContextTest, StartsANewTraceWithoutParent) {
  TraceContext t = TraceContext::NewSpan(std::nullopt);
  EXPECT_EQ(t.trace_id.size(), 32u);
  EXPECT_TRUE(t.parent_id.empty());
  EXPECT_TRUE(TraceContext::Parse(t.Header()).has_value());
}

TEST(RequestIdTest, IsRandomHex) {
  std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace aftercare
