#include "common/etag.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::StatusCode;
using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EtagTest, EveryServiceRendersAVersionAlike) {
  EXPECT_EQ(Etag(0), "v0");
  EXPECT_EQ(Etag(3), "v3");
  EXPECT_NE(Etag(3), "3");
}

TEST(EtagTest, AnEmptyEtagIsAnUnconditionalWrite) {
  EXPECT_THAT(CheckEtag("", 5, "unit S1"), IsOk());
  EXPECT_THAT(CheckEtag(Etag(5), 5, "unit S1"), IsOk());
}

TEST(EtagTest, AStaleEtagIsAbortedNamingTheFieldAndTheResource) {
  EXPECT_THAT(CheckEtag(Etag(4), 5, "unit S1"),
              StatusIs(StatusCode::kAborted, HasSubstr("etag is stale: unit S1 was changed")));
  EXPECT_THAT(CheckEtag("5", 5, "product MX-1", "product.etag"),
              StatusIs(StatusCode::kAborted, HasSubstr("product.etag is stale: product MX-1")));
}

TEST(EtagTest, ARequiredEtagMustBeGiven) {
  EXPECT_THAT(RequireEtag("", 2, "RMA R1"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("etag is required")));
  EXPECT_THAT(RequireEtag(Etag(1), 2, "RMA R1"), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(RequireEtag(Etag(2), 2, "RMA R1"), IsOk());
}

}  // namespace
}  // namespace aftercare
