#include "licensing-svc/activation_code.h"

#include <set>

#include "absl/strings/str_replace.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

TEST(ActivationCodeTest, FreshCodesAreGroupedUniqueAndValid) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string code = NewActivationCode();
    ASSERT_EQ(code.size(), 29u) << code;  // 5 groups of 5 + 4 dashes
    for (int g = 1; g < 5; ++g) EXPECT_EQ(code[g * 6 - 1], '-');
    auto canonical = NormalizeActivationCode(code);
    ASSERT_TRUE(canonical.ok()) << canonical.status();
    EXPECT_EQ(canonical->size(), 25u);
    EXPECT_TRUE(seen.insert(*canonical).second);
  }
}

TEST(ActivationCodeTest, EverySingleCharacterTypoIsCaught) {
  const std::string canonical = *NormalizeActivationCode(NewActivationCode());
  for (size_t i = 0; i < canonical.size(); ++i) {
    for (const char* c = kAlphabet; *c; ++c) {
      if (*c == canonical[i]) continue;
      std::string typo = canonical;
      typo[i] = *c;
      EXPECT_THAT(NormalizeActivationCode(typo),
                  StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("activation_code")))
          << "position " << i;
    }
  }
}

TEST(ActivationCodeTest, MostAdjacentSwapsAreCaught) {
  int caught = 0, total = 0;
  for (int n = 0; n < 50; ++n) {
    const std::string canonical = *NormalizeActivationCode(NewActivationCode());
    for (size_t i = 0; i + 1 < canonical.size(); ++i) {
      if (canonical[i] == canonical[i + 1]) continue;
      std::string swapped = canonical;
      std::swap(swapped[i], swapped[i + 1]);
      ++total;
      if (!NormalizeActivationCode(swapped).ok()) ++caught;
    }
  }
  EXPECT_GT(caught, total * 9 / 10);
}

TEST(ActivationCodeTest, TolerantOfCaseDashesSpacesAndLookalikes) {
  const std::string code = NewActivationCode();
  const std::string canonical = *NormalizeActivationCode(code);
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_THAT(NormalizeActivationCode(lower), ::aftercare::testing::IsOk());
  EXPECT_EQ(*NormalizeActivationCode(lower), canonical);
  EXPECT_EQ(*NormalizeActivationCode(absl::StrReplaceAll(code, {{"-", " "}})), canonical);
  std::string with_o = absl::StrReplaceAll(canonical, {{"0", "O"}, {"1", "l"}});
  EXPECT_EQ(*NormalizeActivationCode(with_o), canonical);
}

TEST(ActivationCodeTest, RejectsWrongShapesWithoutEchoingTheCode) {
  EXPECT_THAT(NormalizeActivationCode(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                                     HasSubstr("activation_code is required")));
  EXPECT_THAT(NormalizeActivationCode("ABCDE-FGHJK"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("25 characters")));
  EXPECT_THAT(NormalizeActivationCode("ABCDE-FGHJK-MNPQR-STVWX-YZ01U"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Crockford")));
  const std::string code = NewActivationCode();
  std::string typo = code;
  typo[0] = typo[0] == '7' ? '8' : '7';
  auto s = NormalizeActivationCode(typo);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), Not(HasSubstr(typo.substr(0, 5))));
}

TEST(ActivationCodeTest, HashIsSha256OfTheCanonicalCode) {
  const std::string canonical = *NormalizeActivationCode(NewActivationCode());
  EXPECT_EQ(ActivationCodeHash(canonical).size(), 32u);
  EXPECT_EQ(ActivationCodeHash(canonical), ActivationCodeHash(canonical));
  EXPECT_NE(ActivationCodeHash(canonical), ActivationCodeHash(canonical.substr(1) + "0"));
}

}  // namespace
}  // namespace aftercare::licensing
