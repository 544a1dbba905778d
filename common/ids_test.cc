#include "common/ids.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::CivilDay;
using ::absl::StatusCode;
using ::aftercare::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

// Matches an OK StatusOr<T> whose value equals `expected`.
MATCHER_P(HoldsValue, expected, "is OK and holds " + ::testing::PrintToString(expected)) {
  if (!arg.ok()) {
    *result_listener << "got " << arg.status();
    return false;
  }
  *result_listener << "holds " << ::testing::PrintToString(*arg);
  return *arg == expected;
}

// --- Case ids ---------------------------------------------------------------

TEST(CaseIdTest, FormatsYearMonthDayAndZeroPaddedSequence) {
  EXPECT_EQ(FormatCaseId(CivilDay(2019, 1, 1), 1236), "2019-0101-01236");
  EXPECT_EQ(FormatCaseId(CivilDay(2026, 1, 2), 1), "2026-0102-00001");
  EXPECT_EQ(FormatCaseId(CivilDay(2026, 12, 31), kMaxCaseSequence), "2026-1231-99999");
  EXPECT_EQ((CaseId{CivilDay(2026, 3, 9), 42}).ToString(), "2026-0309-00042");
}

TEST(CaseIdTest, ParsesTheDashedForm) {
  ASSERT_OK_AND_ASSIGN(CaseId id, ParseCaseId("2019-0101-01236"));
  EXPECT_EQ(id.day, CivilDay(2019, 1, 1));
  EXPECT_EQ(id.seq, 1236);
}

TEST(CaseIdTest, ParsesThePhoneForm) {
  ASSERT_OK_AND_ASSIGN(CaseId id, ParseCaseId("2019010101236"));
  EXPECT_EQ(id, (CaseId{CivilDay(2019, 1, 1), 1236}));
  EXPECT_EQ(id.ToString(), "2019-0101-01236");
}

TEST(CaseIdTest, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_OK(ParseCaseId("2024-0229-00001"));
  EXPECT_OK(ParseCaseId("2000-0229-00001"));
  EXPECT_THAT(ParseCaseId("2025-0229-00001"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCaseId("2100-0229-00001"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CaseIdTest, RoundTripsEveryDayOfTwoYears) {
  int64_t seq = 1;
  for (CivilDay d(2027, 1, 1); d < CivilDay(2029, 1, 1); ++d) {
    seq = seq * 7 % kMaxCaseSequence + 1;  // wanders over 1..99999
    const std::string dashed = FormatCaseId(d, seq);
    ASSERT_OK_AND_ASSIGN(CaseId a, ParseCaseId(dashed));
    ASSERT_EQ(a, (CaseId{d, seq})) << dashed;
    std::string phone = dashed;
    phone.erase(9, 1);
    phone.erase(4, 1);
    ASSERT_OK_AND_ASSIGN(CaseId b, ParseCaseId(phone));
    ASSERT_EQ(b, a) << phone;
  }
  ASSERT_OK_AND_ASSIGN(CaseId max, ParseCaseId("2026-0101-99999"));
  EXPECT_EQ(max.seq, kMaxCaseSequence);
}

struct BadCaseId {
  std::string label;
  std::string text;
  std::string detail;  // expected in the message besides field and format
};

void PrintTo(const BadCaseId& c, std::ostream* os) { *os << c.label; }

class CaseIdRejectTest : public ::testing::TestWithParam<BadCaseId> {};

TEST_P(CaseIdRejectTest, IsInvalidArgumentNamingFieldRuleAndFormat) {
  const BadCaseId& c = GetParam();
  EXPECT_THAT(ParseCaseId(c.text),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("case_id"), HasSubstr("YYYY-MMDD-NNNNN"),
                             HasSubstr("YYYYMMDDNNNNN"), HasSubstr(c.detail))))
      << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CaseIdRejectTest,
    ::testing::Values(
        BadCaseId{"February30", "2026-0230-00001", "2026-02-30 does not exist"},
        BadCaseId{"February30PhoneForm", "2026023000001", "2026-02-30 does not exist"},
        BadCaseId{"Month13", "2026-1301-00001", "does not exist"},
        BadCaseId{"Month00", "2026-0001-00001", "does not exist"},
        BadCaseId{"Day00", "2026-0100-00001", "does not exist"},
        BadCaseId{"April31", "2026-0431-00001", "does not exist"},
        BadCaseId{"Year0000", "0000-0101-00001", "does not exist"},
        BadCaseId{"SequenceZero", "2026-0101-00000", "sequence starts at 00001"},
        BadCaseId{"SequenceZeroPhoneForm", "2026010100000", "sequence starts at 00001"},
        BadCaseId{"Empty", "", "got 0 characters"},
        BadCaseId{"ShortSequence", "2026-0101-0001", "got 14 characters"},
        BadCaseId{"LongSequence", "2026-0101-000001", "got 16 characters"},
        BadCaseId{"PhoneFormTooShort", "202601010001", "got 12 characters"},
        BadCaseId{"PhoneFormTooLong", "20260101000001", "got 14 characters"},
        BadCaseId{"LeadingSpace", " 2026-0101-00001", "got 16 characters"},
        BadCaseId{"TrailingNewline", "2026-0101-00001\n", "got 16 characters"},
        BadCaseId{"LetterInDate", "2026-01O1-00001", "position 8 must be a digit"},
        BadCaseId{"LetterInSequence", "2026-0101-0000a", "position 15 must be a digit"},
        BadCaseId{"WrongSeparator", "2026/0101/00001", "position 5 must be '-'"},
        BadCaseId{"DashesMisplaced", "202-60101-00001", "position 4 must be a digit"},
        BadCaseId{"DashInPhoneForm", "20260101-0001", "position 9 must be a digit"},
        BadCaseId{"SignedYear", "+026-0101-00001", "position 1 must be a digit"},
        BadCaseId{"NonAsciiDigit", "2026-0101-0000\xd9\xa1", "got 16 characters"}),
    [](const ::testing::TestParamInfo<BadCaseId>& info) { return info.param.label; });

TEST(CaseIdTest, ErrorNamesTheCallersField) {
  EXPECT_THAT(ParseCaseId("nope", "parent_case_id"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("parent_case_id must be")));
}

// --- RMA and validation numbers -----------------------------------------------

TEST(RmaNumberTest, FormatsWithAtLeastEightDigits) {
  EXPECT_EQ(FormatRmaNumber(21056835), "R21056835");
  EXPECT_EQ(FormatRmaNumber(42), "R00000042");
  EXPECT_EQ(FormatRmaNumber(123456789), "R123456789");
  EXPECT_EQ(FormatRmaNumber(kMaxRmaNumber), "R99999999999");
  EXPECT_EQ(FormatValidationNumber(7), "V00000007");
  EXPECT_EQ(FormatValidationNumber(12345678901), "V12345678901");
}

TEST(RmaNumberTest, ParsesEightToElevenDigits) {
  EXPECT_THAT(ParseRmaNumber("R21056835"), HoldsValue(21056835));
  EXPECT_THAT(ParseRmaNumber("R00000042"), HoldsValue(42));
  EXPECT_THAT(ParseRmaNumber("R123456789"), HoldsValue(123456789));
  EXPECT_THAT(ParseRmaNumber("R1234567890"), HoldsValue(1234567890));
  EXPECT_THAT(ParseRmaNumber("R99999999999"), HoldsValue(kMaxRmaNumber));
  // Extra leading zeros are the same number; Format gives the canonical form.
  EXPECT_THAT(ParseRmaNumber("R0021056835"), HoldsValue(21056835));
  EXPECT_THAT(ParseValidationNumber("V00000007"), HoldsValue(7));
  EXPECT_THAT(ParseValidationNumber("V12345678901"), HoldsValue(12345678901));
}

TEST(RmaNumberTest, RoundTrips) {
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{99999999}, int64_t{100000000},
                    int64_t{21056835}, int64_t{9876543210}, kMaxRmaNumber}) {
    EXPECT_THAT(ParseRmaNumber(FormatRmaNumber(n)), HoldsValue(n)) << n;
    EXPECT_THAT(ParseValidationNumber(FormatValidationNumber(n)), HoldsValue(n)) << n;
    EXPECT_TRUE(LooksLikeRmaNumber(FormatRmaNumber(n)));
    EXPECT_FALSE(LooksLikeValidationNumber(FormatRmaNumber(n)));
    EXPECT_TRUE(LooksLikeValidationNumber(FormatValidationNumber(n)));
    EXPECT_FALSE(LooksLikeRmaNumber(FormatValidationNumber(n)));
  }
}

TEST(RmaNumberTest, RejectsAnythingElse) {
  const std::vector<std::string> bad = {"",
                                        "R",
                                        "R1234567",
                                        "R123456789012",
                                        "r21056835",
                                        "21056835",
                                        "R2105683A",
                                        " R21056835",
                                        "R21056835 ",
                                        "R-21056835",
                                        "R+1234567",
                                        "RR21056835",
                                        "V21056835",
                                        "R21056835\n",
                                        "R２１０５６８３５",
                                        "R21O56835",
                                        std::string("R2105\0"
                                                    "6835",
                                                    10)};
  for (const std::string& s : bad) {
    EXPECT_FALSE(LooksLikeRmaNumber(s)) << s;
    EXPECT_THAT(ParseRmaNumber(s),
                StatusIs(StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("rma_number must be 'R' followed by 8 to 11 digits"),
                               HasSubstr("R21056835"))))
        << s;
  }
}

TEST(RmaNumberTest, ValidationNumbersUseTheLetterV) {
  EXPECT_THAT(ParseValidationNumber("R21056835"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("validation_number must be 'V' followed by 8 to 11 digits")));
  EXPECT_THAT(ParseValidationNumber("V1234567"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseValidationNumber("V123456789012"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseValidationNumber("v12345678"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(LooksLikeValidationNumber(""));
  EXPECT_THAT(ParseRmaNumber("x", "lookup"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("lookup must be")));
}

// --- Serial numbers and SSRNs -------------------------------------------------

TEST(SerialTest, UppercasesAndAccepts) {
  EXPECT_THAT(NormalizeSerial("jn11a2b3c", "serial_number"), HoldsValue(std::string("JN11A2B3C")));
  EXPECT_THAT(NormalizeSerial("AbC-12-x", "serial_number"), HoldsValue(std::string("ABC-12-X")));
  EXPECT_THAT(NormalizeSerial("ABCD", "serial_number"), HoldsValue(std::string("ABCD")));
  EXPECT_THAT(NormalizeSerial("A--B", "serial_number"), HoldsValue(std::string("A--B")));
  EXPECT_THAT(NormalizeSerial(std::string(40, 'z'), "serial_number"),
              HoldsValue(std::string(40, 'Z')));
}

TEST(SerialTest, RejectsWithTheFieldAndRule) {
  const std::string rule = "serial_number must be 4-40 characters of A-Z, 0-9 and '-'";
  const std::vector<std::string> bad = {"",      "ABC",   std::string(41, 'A'),
                                        "AB CD", " ABCD", "ABCD ",
                                        "AB_CD", "AB.CD", "ABCD\n",
                                        "ÄBCD",  "AB/CD", "-ABCD",
                                        "ABCD-", "----"};
  for (const std::string& s : bad) {
    EXPECT_THAT(NormalizeSerial(s, "serial_number"),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(rule)))
        << s;
  }
  EXPECT_THAT(NormalizeSerial(std::string("AB\0CD", 5), "serial_number"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("position 3")));
  EXPECT_THAT(NormalizeSerial("ABC", "serial_number"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("got 3 characters")));
  EXPECT_THAT(NormalizeSerial("-ABCD", "serial_number"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must not start or end with '-'")));
  EXPECT_THAT(
      NormalizeSerial("a b", "lines[2].serials[0]"),
      StatusIs(StatusCode::kInvalidArgument,
               HasSubstr("lines[2].serials[0] must be 4-40 characters of A-Z, 0-9 and '-'")));
}

TEST(SsrnTest, UppercasesSixToThirtyTwoLettersOrDigits) {
  EXPECT_THAT(NormalizeSsrn("ab12cd", "ssrn"), HoldsValue(std::string("AB12CD")));
  EXPECT_THAT(NormalizeSsrn(std::string(32, '7'), "ssrn"), HoldsValue(std::string(32, '7')));
  for (const std::string& s : {std::string("AB12C"), std::string(33, 'A'), std::string("AB-123"),
                               std::string(" AB1234"), std::string("AB 1234"), std::string("")}) {
    EXPECT_THAT(NormalizeSsrn(s, "ssrn"),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("ssrn must be 6-32 characters of A-Z and 0-9")))
        << s;
  }
}

// --- Phone numbers ------------------------------------------------------------

struct PhoneCase {
  std::string input;
  std::string want;
};

void PrintTo(const PhoneCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }

class PhoneAcceptTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneAcceptTest, NormalizesToE164) {
  EXPECT_THAT(NormalizePhone(GetParam().input, "callback_phone"), HoldsValue(GetParam().want))
      << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneAcceptTest,
                         ::testing::Values(PhoneCase{"+14155550100", "+14155550100"},
                                           PhoneCase{"+1 (415) 555-0100", "+14155550100"},
                                           PhoneCase{"+1-415-555-0100", "+14155550100"},
                                           PhoneCase{"+1.415.555.0100", "+14155550100"},
                                           PhoneCase{"  +1 415 555 0100  ", "+14155550100"},
                                           PhoneCase{"0049 30 1234567", "+49301234567"},
                                           PhoneCase{"00 49 30 1234567", "+49301234567"},
                                           PhoneCase{"+44 (0)20 7946 0000", "+442079460000"},
                                           PhoneCase{"(+44) 20 7946 0000", "+442079460000"},
                                           PhoneCase{"+12345678", "+12345678"},
                                           PhoneCase{"+123456789012345", "+123456789012345"},
                                           PhoneCase{"+81 3-1234-5678", "+81312345678"}));

struct BadPhone {
  std::string input;
  std::string detail;
};

void PrintTo(const BadPhone& c, std::ostream* os) { *os << '"' << c.input << '"'; }

class PhoneRejectTest : public ::testing::TestWithParam<BadPhone> {};

TEST_P(PhoneRejectTest, IsInvalidArgumentNamingFieldAndFormat) {
  EXPECT_THAT(NormalizePhone(GetParam().input, "callback_phone"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("callback_phone must be an international phone number"),
                             HasSubstr("+1 415 555 0100"), HasSubstr(GetParam().detail))))
      << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PhoneRejectTest,
    ::testing::Values(
        BadPhone{"", "country code must be given"},
        BadPhone{"4155550100", "country code must be given"},
        BadPhone{"(415) 555-0100", "country code must be given"},
        BadPhone{"04155550100", "country code must be given"},
        BadPhone{"+04155550100", "never starts with 0"},
        BadPhone{"+0049301234567", "never starts with 0"},
        BadPhone{"000049301234567", "never starts with 0"}, BadPhone{"+1234567", "got 7 digits"},
        BadPhone{"0049", "got 2 digits"}, BadPhone{"+1234567890123456", "got 16 digits"},
        BadPhone{"+", "got 0 digits"}, BadPhone{"+1 415 555 0100 x12", "position 17"},
        BadPhone{"+1 415 555 O100", "position 12"}, BadPhone{"+1\t4155550100", "position 3"},
        BadPhone{"+1/415/5550100", "position 3"}, BadPhone{"1+4155550100", "'+' at position 2"},
        BadPhone{"++14155550100", "'+' at position 2"}, BadPhone{"+1 (415 555 0100", "not closed"},
        BadPhone{"+1 415) 555 0100", "no matching '('"}, BadPhone{"+1 ((415)) 5550100", "nested"}));

TEST(PhoneTest, OnlyALoneZeroGroupIsDropped) {
  // "(00)" or "(01)" are digits of the number, not a trunk prefix.
  EXPECT_THAT(NormalizePhone("+44 (01) 2345 6789", "p"), HoldsValue(std::string("+440123456789")));
  EXPECT_THAT(NormalizePhone("+44 (0)1234 567890", "p"), HoldsValue(std::string("+441234567890")));
}

// --- UTF-8 --------------------------------------------------------------------

// Encodes a code point in exactly `len` bytes (which may be overlong).
std::string EncodeUtf8(uint32_t cp, int len) {
  std::string s;
  switch (len) {
    case 1:
      s += static_cast<char>(cp);
      break;
    case 2:
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
      break;
    case 3:
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
      break;
    default:
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
      break;
  }
  return s;
}

int ShortestLength(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

TEST(Utf8Test, AcceptsEveryScalarValueInItsShortestForm) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string s = EncodeUtf8(cp, ShortestLength(cp));
    ASSERT_TRUE(IsValidUtf8(s)) << std::hex << cp;
    ASSERT_TRUE(IsValidUtf8("ab" + s + "cd")) << std::hex << cp;
  }
}

TEST(Utf8Test, RejectsSurrogates) {
  for (uint32_t cp = 0xD800; cp <= 0xDFFF; ++cp) {
    size_t offset = 99;
    ASSERT_FALSE(IsValidUtf8("x" + EncodeUtf8(cp, 3), &offset)) << std::hex << cp;
    ASSERT_EQ(offset, 1u);
  }
}

TEST(Utf8Test, RejectsEveryOverlongForm) {
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    for (int len = ShortestLength(cp) + 1; len <= 4; ++len) {
      ASSERT_FALSE(IsValidUtf8(EncodeUtf8(cp, len))) << std::hex << cp << " in " << len;
    }
  }
}

TEST(Utf8Test, RejectsCodePointsAboveU10FFFF) {
  for (uint32_t cp = 0x110000; cp <= 0x1FFFFF; cp += 0x101) {
    ASSERT_FALSE(IsValidUtf8(EncodeUtf8(cp, 4))) << std::hex << cp;
  }
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));
  // 5- and 6-byte forms of the original UTF-8 are gone.
  EXPECT_FALSE(IsValidUtf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFC\x84\x80\x80\x80\x80"));
}

TEST(Utf8Test, RejectsBrokenSequencesAndReportsTheOffset) {
  struct Case {
    std::string text;
    size_t offset;
  };
  const std::vector<Case> cases = {
      {"\x80", 0},                  // lone continuation byte
      {"abc\xBF", 3},               // lone continuation byte
      {"a\xC0\xAF", 1},             // overlong '/'
      {"\xC1\xBF", 0},              // overlong
      {"\xC3", 0},                  // truncated at the end
      {"ab\xE2\x82", 2},            // truncated 3-byte
      {"\xF0\x90\x8D", 0},          // truncated 4-byte
      {"\xC3\x28", 0},              // bad continuation
      {"\xE2\x28\xA1", 0},          // bad second byte
      {"\xE2\x82\x28", 0},          // bad third byte
      {"\xF0\x90\x28\xBC", 0},      // bad third byte
      {"\xF0\x90\x8D\x28", 0},      // bad fourth byte
      {"\xE2\x82\xAC\xE2\x82", 3},  // good euro, then truncated
      {"\xFE", 0},
      {"\xFF", 0},
      {"\xF5\x80\x80\x80", 0},
  };
  for (const Case& c : cases) {
    size_t offset = 99;
    EXPECT_FALSE(IsValidUtf8(c.text, &offset)) << absl::CHexEscape(c.text);
    EXPECT_EQ(offset, c.offset) << absl::CHexEscape(c.text);
  }
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // NUL is valid UTF-8 (CheckText rejects it)
}

// --- CheckText ------------------------------------------------------------------

TEST(CheckTextTest, RequiredAndOptional) {
  EXPECT_THAT(CheckText("", "summary", 10, /*required=*/true),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("summary is required")));
  EXPECT_OK(CheckText("", "summary", 10, /*required=*/false));
  EXPECT_OK(CheckText("x", "summary", 10, /*required=*/true));
}

TEST(CheckTextTest, MaxBytesCountsBytesNotCharacters) {
  EXPECT_OK(CheckText("0123456789", "summary", 10, true));
  EXPECT_THAT(
      CheckText("0123456789A", "summary", 10, true),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("summary must be at most 10 bytes")));
  EXPECT_OK(CheckText("\xC3\xA9\xC3\xA9", "summary", 4, true));  // "éé"
  EXPECT_THAT(CheckText("\xC3\xA9\xC3\xA9\xC3\xA9", "summary", 5, true),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("got 6")));
}

TEST(CheckTextTest, RejectsInvalidUtf8) {
  EXPECT_THAT(
      CheckText("ok \xED\xA0\x80", "description", 100, false),
      StatusIs(StatusCode::kInvalidArgument,
               AllOf(HasSubstr("description must be valid UTF-8"), HasSubstr("byte offset 3"))));
  EXPECT_THAT(CheckText("\xC0\x80", "description", 100, false),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckText("caf\xE9", "description", 100, false),  // Latin-1, not UTF-8
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
}

TEST(CheckTextTest, RejectsControlCharactersExceptTabNewlineAndReturn) {
  EXPECT_OK(CheckText("line 1\r\nline 2\tcol", "description", 100, true));
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\t' || c == '\n' || c == '\r') continue;
    const std::string text = std::string("ab") + static_cast<char>(c) + "cd";
    EXPECT_THAT(CheckText(text, "description", 100, true),
                StatusIs(StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("description must not contain control characters"),
                               HasSubstr("byte offset 2"))))
        << c;
  }
  EXPECT_THAT(CheckText("del\x7F", "description", 100, true),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("U+007F")));
  EXPECT_THAT(CheckText(std::string("nul\0", 4), "description", 100, true),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("U+0000")));
}

TEST(CheckTextTest, AcceptsNonAsciiText) {
  EXPECT_OK(CheckText("Grüße, 日本語, emoji \xF0\x9F\x98\x80", "description", 100, true));
  EXPECT_OK(CheckText("next line \xC2\x85 is not ASCII", "description", 100, true));
}

// --- Region codes -----------------------------------------------------------------

TEST(RegionCodeTest, AcceptsTwoUpperCaseLetters) {
  EXPECT_OK(CheckRegionCode("US", "ship_to.region_code"));
  EXPECT_OK(CheckRegionCode("GB", "ship_to.region_code"));
}

TEST(RegionCodeTest, RejectsEverythingElse) {
  for (const char* s : {"", "U", "us", "Us", "USA", "U1", " US", "U-", "\xC3\x9CS"}) {
    EXPECT_THAT(CheckRegionCode(s, "ship_to.region_code"),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("ship_to.region_code must be two upper-case letters")))
        << s;
  }
}

TEST(TruncateUtf8Test, NeverCutsACharacterInTwo) {
  EXPECT_EQ(TruncateUtf8("abc", 10), "abc");
  EXPECT_EQ(TruncateUtf8("abcdef", 3), "abc");
  const std::string e_acute = "\xc3\xa9";  // 2 bytes
  EXPECT_EQ(TruncateUtf8("ab" + e_acute, 3), "ab");
  EXPECT_EQ(TruncateUtf8("ab" + e_acute, 4), "ab" + e_acute);
  const std::string euro = "\xe2\x82\xac";  // 3 bytes
  EXPECT_EQ(TruncateUtf8(euro + euro, 5), euro);
  // Invalid input is cut before its first bad byte.
  EXPECT_EQ(TruncateUtf8("ok\xff rest", 100), "ok");
  EXPECT_TRUE(IsValidUtf8(TruncateUtf8(std::string(119, 'x') + euro, 120)));
}

}  // namespace
}  // namespace aftercare
