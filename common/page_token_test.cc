#include "common/page_token.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::StatusCode;
using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";
const char kMalformed[] = "page_token is malformed";
const char kTampered[] = "page_token failed its integrity check";
const char kOtherQuery[] = "page_token was issued for a different query (filters or order changed)";

std::string Fp() { return QueryFingerprint({"ListCases", "status=OPEN", "create_time desc"}); }

absl::string_view Sv(const std::string& s) { return absl::string_view(s.data(), s.size()); }

// Builds a token by hand from the layout documented in page_token.h, so the
// tests pin the format and can produce well-signed but ill-formed payloads.
std::string SignedToken(std::string payload, const std::string& secret = kSecret) {
  std::string input("aftercare/page_token/v1", 23);
  input.push_back('\0');
  input += payload;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  payload.append(reinterpret_cast<const char*>(mac), 16);
  return absl::WebSafeBase64Escape(Sv(payload));
}

std::string FingerprintHash(const std::string& fp) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(fp.data(), fp.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), 8);
}

// Version, fingerprint hash, then `rest` (key count and keys).
std::string Payload(const std::string& rest, const std::string& fp = Fp(), char version = 1) {
  return std::string(1, version) + FingerprintHash(fp) + rest;
}

std::string Bytes(const std::string& token) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(Sv(token), &out));
  return out;
}

std::vector<PageCursor> SampleCursors() {
  return {
      PageCursor{},
      PageCursor{{""}},
      PageCursor{{"2026-03-02T09:00:00.000000Z", "2026-0302-00017"}},
      PageCursor{{std::string("bin\0ary\xff", 8), "", "x"}},
      PageCursor{{std::string(300, 'k')}},  // length needs a 2-byte varint
      PageCursor{std::vector<std::string>(200, "v")},
  };
}

// --- Round trips and format --------------------------------------------------------

TEST(PageTokenCodecTest, RoundTripsCursors) {
  const PageTokenCodec codec(kSecret);
  for (const PageCursor& cursor : SampleCursors()) {
    const std::string token = codec.Encode(cursor, Fp());
    ASSERT_FALSE(token.empty());
    ASSERT_OK_AND_ASSIGN(PageCursor decoded, codec.Decode(token, Fp()));
    EXPECT_EQ(decoded, cursor) << token;
  }
}

TEST(PageTokenCodecTest, TokensAreUnpaddedWebSafeBase64) {
  const PageTokenCodec codec(kSecret);
  for (size_t n = 0; n < 12; ++n) {  // every padding remainder
    const std::string token = codec.Encode(PageCursor{{std::string(n, '?'), "~~>>"}}, Fp());
    EXPECT_THAT(token, MatchesRegex("[A-Za-z0-9_-]+")) << token;
    EXPECT_EQ(token.find('='), std::string::npos);
  }
}

TEST(PageTokenCodecTest, TokenFollowsTheDocumentedLayout) {
  const PageTokenCodec codec(kSecret);
  const PageCursor cursor{{"2026", "id-7"}};
  const std::string expected =
      SignedToken(Payload(std::string("\x02\x04"
                                      "2026"
                                      "\x04"
                                      "id-7",
                                      11)));
  EXPECT_EQ(codec.Encode(cursor, Fp()), expected);
  // A typical two-key cursor stays short.
  EXPECT_LT(
      codec.Encode(PageCursor{{"2026-03-02T09:00:00.000000Z", "2026-0302-00017"}}, Fp()).size(),
      120u);
}

TEST(PageTokenCodecTest, EncodingIsDeterministicAndDistinguishesCursors) {
  const PageTokenCodec codec(kSecret);
  std::set<std::string> tokens;
  for (const PageCursor& cursor : SampleCursors()) {
    EXPECT_EQ(codec.Encode(cursor, Fp()), codec.Encode(cursor, Fp()));
    tokens.insert(codec.Encode(cursor, Fp()));
  }
  EXPECT_EQ(tokens.size(), SampleCursors().size());
  // Key boundaries are part of the encoding.
  EXPECT_NE(codec.Encode(PageCursor{{"ab", "c"}}, Fp()),
            codec.Encode(PageCursor{{"a", "bc"}}, Fp()));
}

// --- Rejections ----------------------------------------------------------------------

TEST(PageTokenCodecTest, AnyFlippedBitFailsTheIntegrityCheck) {
  const PageTokenCodec codec(kSecret);
  for (const PageCursor& cursor : SampleCursors()) {
    const std::string bytes = Bytes(codec.Encode(cursor, Fp()));
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string altered = bytes;
        altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
        ASSERT_THAT(codec.Decode(absl::WebSafeBase64Escape(Sv(altered)), Fp()),
                    StatusIs(StatusCode::kInvalidArgument, Eq(kTampered)))
            << "byte " << i << " bit " << bit;
      }
    }
  }
}

TEST(PageTokenCodecTest, AnyAlteredCharacterIsRejected) {
  const PageTokenCodec codec(kSecret);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (const PageCursor& cursor :
       {PageCursor{{"2026-03-02", "17"}}, PageCursor{{"a"}}, PageCursor{{"ab"}}}) {
    const std::string token = codec.Encode(cursor, Fp());
    for (size_t i = 0; i < token.size(); ++i) {
      for (char c : alphabet) {
        if (c == token[i]) continue;
        std::string altered = token;
        altered[i] = c;
        // Changing only the unused low bits of the last character leaves the
        // bytes alone; such a non-canonical spelling is malformed.
        ASSERT_THAT(codec.Decode(altered, Fp()),
                    StatusIs(StatusCode::kInvalidArgument, AnyOf(Eq(kTampered), Eq(kMalformed))))
            << altered;
      }
    }
  }
}

TEST(PageTokenCodecTest, NonCanonicalLastCharacterIsMalformed) {
  const PageTokenCodec codec(kSecret);
  // When the byte count is not a multiple of 3, the last character carries
  // 2 or 4 unused low bits.
  const std::string token = codec.Encode(PageCursor{{"a"}}, Fp());
  ASSERT_NE(Bytes(token).size() % 3, 0u);
  std::string altered = token;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t index = alphabet.find(altered.back());
  ASSERT_EQ(index % 4, 0u);  // canonical: unused bits are zero
  altered.back() = alphabet[index + 1];
  ASSERT_EQ(Bytes(altered), Bytes(token));  // same bytes, different spelling
  EXPECT_THAT(codec.Decode(altered, Fp()), StatusIs(StatusCode::kInvalidArgument, Eq(kMalformed)));
}

TEST(PageTokenCodecTest, OtherQueryIsRefused) {
  const PageTokenCodec codec(kSecret);
  const std::string token = codec.Encode(PageCursor{{"k"}}, Fp());
  EXPECT_THAT(
      codec.Decode(token, QueryFingerprint({"ListCases", "status=CLOSED", "create_time desc"})),
      StatusIs(StatusCode::kInvalidArgument, Eq(kOtherQuery)));
  EXPECT_THAT(
      codec.Decode(token, QueryFingerprint({"ListCases", "status=OPEN", "create_time asc"})),
      StatusIs(StatusCode::kInvalidArgument, Eq(kOtherQuery)));
  EXPECT_THAT(
      codec.Decode(token, QueryFingerprint({"ListRmas", "status=OPEN", "create_time desc"})),
      StatusIs(StatusCode::kInvalidArgument, Eq(kOtherQuery)));
  EXPECT_THAT(codec.Decode(token, ""), StatusIs(StatusCode::kInvalidArgument, Eq(kOtherQuery)));
}

TEST(PageTokenCodecTest, OtherSecretFailsTheIntegrityCheck) {
  const std::string token = PageTokenCodec(kSecret).Encode(PageCursor{{"k"}}, Fp());
  EXPECT_THAT(PageTokenCodec("fedcba9876543210fedcba9876543210").Decode(token, Fp()),
              StatusIs(StatusCode::kInvalidArgument, Eq(kTampered)));
  // Secrets differing in one byte, or by a suffix, are different secrets.
  EXPECT_THAT(PageTokenCodec(std::string(kSecret) + "x").Decode(token, Fp()),
              StatusIs(StatusCode::kInvalidArgument, Eq(kTampered)));
  std::string close(kSecret);
  close[31] = 'e';
  EXPECT_THAT(PageTokenCodec(close).Decode(token, Fp()),
              StatusIs(StatusCode::kInvalidArgument, Eq(kTampered)));
}

TEST(PageTokenCodecTest, TruncatedOrExtendedTokensAreRejected) {
  const PageTokenCodec codec(kSecret);
  const std::string token =
      codec.Encode(PageCursor{{"2026-03-02T09:00:00Z", "2026-0302-00017"}}, Fp());
  for (size_t n = 0; n < token.size(); ++n) {
    ASSERT_THAT(codec.Decode(token.substr(0, n), Fp()),
                StatusIs(StatusCode::kInvalidArgument, AnyOf(Eq(kTampered), Eq(kMalformed))))
        << n;
  }
  for (const char* suffix : {"A", "AA", "AAAA", "=", "==", "\n", " "}) {
    EXPECT_THAT(codec.Decode(token + suffix, Fp()),
                StatusIs(StatusCode::kInvalidArgument, AnyOf(Eq(kTampered), Eq(kMalformed))))
        << suffix;
  }
  // Dropping whole bytes from the end of the decoded token.
  const std::string bytes = Bytes(token);
  for (size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_THAT(codec.Decode(absl::WebSafeBase64Escape(Sv(bytes.substr(0, n))), Fp()),
                StatusIs(StatusCode::kInvalidArgument, AnyOf(Eq(kTampered), Eq(kMalformed))))
        << n;
  }
}

TEST(PageTokenCodecTest, GarbageAndNonBase64AreMalformed) {
  const PageTokenCodec codec(kSecret);
  const std::string token = codec.Encode(PageCursor{{"k"}}, Fp());
  std::string standard_alphabet = token;  // '-' and '_' spelled the standard way
  for (char& c : standard_alphabet) c = c == '-' ? '+' : c == '_' ? '/' : c;
  const std::vector<std::string> garbage = {
      "",
      "x",
      "abc",
      "!!!!",
      "====",
      "%2F%2F",
      "null",
      "ZGVmaW5pdGVseSBub3QgYSB0b2tlbg",  // valid base64, too short to be a token
      "\xC3\xA9t\xC3\xA9",
      " " + token,
      token.substr(0, 10) + "\n" + token.substr(10),
      token + "==",
      std::string(PageTokenCodec::kMaxTokenChars + 4, 'A'),
  };
  for (const std::string& g : garbage) {
    EXPECT_THAT(codec.Decode(g, Fp()), StatusIs(StatusCode::kInvalidArgument, Eq(kMalformed))) << g;
  }
  if (standard_alphabet != token) {
    EXPECT_THAT(codec.Decode(standard_alphabet, Fp()), StatusIs(StatusCode::kInvalidArgument));
  }
}

TEST(PageTokenCodecTest, WellSignedButIllFormedPayloadsAreMalformed) {
  const PageTokenCodec codec(kSecret);
  // The hand-built token for {"k"} is accepted, so the cases below differ
  // only in the part they name.
  ASSERT_OK_AND_ASSIGN(PageCursor ok, codec.Decode(SignedToken(Payload("\x01\x01k")), Fp()));
  EXPECT_EQ(ok, (PageCursor{{"k"}}));

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unknown version", Payload("\x01\x01k", Fp(), 2)},
      {"trailing bytes", Payload("\x01\x01kX")},
      {"key longer than the rest", Payload("\x01\x05k")},
      {"more keys than bytes", Payload("\x09\x01k")},
      {"missing key", Payload("\x02\x01k")},
      {"non-minimal varint", Payload(std::string("\x81\x00\x01k", 4))},
      {"varint runs off the end", Payload("\x01\x80")},
      {"huge count", Payload("\xff\xff\xff\xff\x0f")},
  };
  for (const auto& [label, payload] : cases) {
    EXPECT_THAT(codec.Decode(SignedToken(payload), Fp()),
                StatusIs(StatusCode::kInvalidArgument, Eq(kMalformed)))
        << label;
  }
  // The version byte and the fingerprint are covered by the MAC too.
  EXPECT_THAT(codec.Decode(SignedToken(Payload("\x01\x01k"), "another secret 0123"), Fp()),
              StatusIs(StatusCode::kInvalidArgument, Eq(kTampered)));
}

TEST(PageTokenCodecTest, FirstPageIsTheEmptyToken) {
  EXPECT_TRUE(IsFirstPage(""));
  EXPECT_FALSE(IsFirstPage("x"));
  EXPECT_FALSE(IsFirstPage(PageTokenCodec(kSecret).Encode(PageCursor{}, Fp())));
}

TEST(PageTokenCodecTest, CreateRefusesShortSecrets) {
  EXPECT_THAT(PageTokenCodec::Create("short"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 16 bytes")));
  EXPECT_THAT(PageTokenCodec::Create(""), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(PageTokenCodec codec, PageTokenCodec::Create(std::string(16, 's')));
  const std::string token = codec.Encode(PageCursor{{"k"}}, Fp());
  EXPECT_THAT(codec.Decode(token, Fp()), IsOk());
}

// --- QueryFingerprint ----------------------------------------------------------------

TEST(QueryFingerprintTest, IsLowerHexSha256) {
  EXPECT_THAT(QueryFingerprint({"ListCases"}), MatchesRegex("[0-9a-f]{64}"));
  EXPECT_EQ(QueryFingerprint({"ListCases", "x"}), QueryFingerprint({"ListCases", "x"}));
}

TEST(QueryFingerprintTest, PartBoundariesAndOrderMatter) {
  const std::set<std::string> all = {
      QueryFingerprint({"ab", "c"}), QueryFingerprint({"a", "bc"}),     QueryFingerprint({"abc"}),
      QueryFingerprint({"c", "ab"}), QueryFingerprint({"a", "b", "c"}), QueryFingerprint({"a", ""}),
      QueryFingerprint({"a"}),       QueryFingerprint({"", "a"}),       QueryFingerprint({}),
      QueryFingerprint({""}),        QueryFingerprint({"", ""}),
  };
  EXPECT_EQ(all.size(), 11u);
}

TEST(QueryFingerprintTest, SpanOverloadAgreesWithTheListOne) {
  const std::vector<std::string> parts = {"ListRmas", "account=42", std::string("a\0b", 3)};
  EXPECT_EQ(QueryFingerprint(parts),
            QueryFingerprint({"ListRmas", "account=42", std::string_view("a\0b", 3)}));
  const std::string a = "ListRmas";
  const std::string b = "account=42";
  EXPECT_EQ(QueryFingerprint({a, b}), QueryFingerprint({"ListRmas", "account=42"}));
}

// --- NormalizePageSize -----------------------------------------------------------------

TEST(NormalizePageSizeTest, ZeroMeansDefault) {
  ASSERT_OK_AND_ASSIGN(int size, NormalizePageSize(0, 50, 500));
  EXPECT_EQ(size, 50);
}

TEST(NormalizePageSizeTest, KeepsSizesInRangeAndCapsLargeOnes) {
  ASSERT_OK_AND_ASSIGN(int one, NormalizePageSize(1, 50, 500));
  EXPECT_EQ(one, 1);
  ASSERT_OK_AND_ASSIGN(int exact, NormalizePageSize(500, 50, 500));
  EXPECT_EQ(exact, 500);
  ASSERT_OK_AND_ASSIGN(int over, NormalizePageSize(501, 50, 500));
  EXPECT_EQ(over, 500);
  ASSERT_OK_AND_ASSIGN(int huge, NormalizePageSize(std::numeric_limits<int32_t>::max(), 50, 500));
  EXPECT_EQ(huge, 500);
  ASSERT_OK_AND_ASSIGN(int capped_default, NormalizePageSize(0, 1000, 500));
  EXPECT_EQ(capped_default, 500);
}

TEST(NormalizePageSizeTest, NegativeIsInvalidArgumentNamingPageSize) {
  EXPECT_THAT(NormalizePageSize(-1, 50, 500),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("page_size must not be negative")));
  EXPECT_THAT(NormalizePageSize(std::numeric_limits<int32_t>::min(), 50, 500),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("page_size")));
}

}  // namespace
}  // namespace aftercare
