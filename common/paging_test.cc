#include "common/paging.h"

#include <string>
#include <vector>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::StatusCode;
using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const PageTokenCodec& Codec() {
  static const PageTokenCodec codec(std::string(32, 'k'));
  return codec;
}

TEST(PagingTest, AFullPageIsTrimmedAndItsTokenStartsAfterTheLastRowKept) {
  const std::string fp = QueryFingerprint({"ListThings"});
  Page<std::string> page =
      MakePage(std::vector<std::string>{"a", "b", "c"}, 2, Codec(), fp,
               [](const std::string& s) { return s; });
  EXPECT_THAT(page.items, ElementsAre("a", "b"));
  ASSERT_FALSE(page.next_page_token.empty());
  absl::StatusOr<std::string> after = DecodeAfterKey(Codec(), page.next_page_token, fp);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, "b");
}

TEST(PagingTest, TheLastPageHasNoToken) {
  Page<int> page = MakePage(std::vector<int>{1, 2}, 2, Codec(), "fp",
                            [](int i) { return std::to_string(i); });
  EXPECT_THAT(page.items, ElementsAre(1, 2));
  EXPECT_THAT(page.next_page_token, IsEmpty());
}

TEST(PagingTest, ACursorOfSeveralKeysRoundTrips) {
  const std::string fp = QueryFingerprint({"ListCases", "open"});
  Page<int> page = MakePage(std::vector<int>{7, 8}, 1, Codec(), fp,
                            [](int i) { return PageCursor{{"1700000000", std::to_string(i)}}; });
  absl::StatusOr<std::optional<PageCursor>> start =
      DecodePageStart(Codec(), page.next_page_token, fp, 2);
  ASSERT_TRUE(start.ok()) << start.status();
  ASSERT_TRUE(start->has_value());
  EXPECT_THAT((*start)->keys, ElementsAre("1700000000", "7"));
  // The same token read as a one-key cursor is malformed, not misread.
  EXPECT_THAT(DecodePageStart(Codec(), page.next_page_token, fp, 1),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("page_token is malformed")));
}

TEST(PagingTest, TheFirstPageStartsNowhere) {
  absl::StatusOr<std::optional<PageCursor>> start = DecodePageStart(Codec(), "", "fp", 2);
  ASSERT_TRUE(start.ok());
  EXPECT_FALSE(start->has_value());
  EXPECT_EQ(*DecodeAfterKey(Codec(), "", "fp"), "");
  EXPECT_EQ(*DecodeAfterId(Codec(), "", "fp"), 0);
}

TEST(PagingTest, AnIdCursorMustBeAPositiveNumber) {
  const std::string fp = QueryFingerprint({"ListEvents"});
  EXPECT_EQ(*DecodeAfterId(Codec(), Codec().Encode(PageCursor{{"42"}}, fp), fp), 42);
  EXPECT_THAT(DecodeAfterId(Codec(), Codec().Encode(PageCursor{{"x42"}}, fp), fp),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("page_token is malformed")));
  EXPECT_THAT(DecodeAfterId(Codec(), Codec().Encode(PageCursor{{"0"}}, fp), fp),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("page_token is malformed")));
}

TEST(PagingTest, ATokenOfAnotherQueryIsRefused) {
  const std::string token = Codec().Encode(PageCursor{{"a"}}, QueryFingerprint({"ListA"}));
  EXPECT_THAT(DecodeAfterKey(Codec(), token, QueryFingerprint({"ListB"})),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("different query")));
}

}  // namespace
}  // namespace aftercare
