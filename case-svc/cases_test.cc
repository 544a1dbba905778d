// Unit tests of case-svc's rules that need no database: SLA due times
// (weekends, US federal holidays with observed days, pauses), content checks
// of uploads, case validation (mis-shipment window and ordering rule), TMIP
// eligibility and deadlines.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "case-svc/cases.h"
#include "case-svc/file_types.h"
#include "case-svc/sla.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

absl::Time T(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

struct DueCase {
  const char* name;
  Priority priority;
  absl::Time created;
  absl::Time due;
};

TEST(SlaTest, DueTimesAcrossWeekendsAndHolidays) {
  const BusinessCalendar cal = BusinessCalendar::Utc();
  const DueCase cases[] = {
      // P1 and P2 run around the clock, holidays and weekends included.
      {"P1 on an observed holiday", Priority::kP1, T(2026, 7, 3, 23), T(2026, 7, 4, 1)},
      {"P2 over a Saturday", Priority::kP2, T(2026, 11, 20, 10), T(2026, 11, 21, 10)},
      // P3: 2 business days.
      {"P3 Friday afternoon", Priority::kP3, T(2026, 11, 20, 15), T(2026, 11, 24, 15)},
      {"P3 across Thanksgiving", Priority::kP3, T(2026, 11, 25, 10), T(2026, 11, 30, 10)},
      {"P3 New Year's Day on Saturday observed Friday Dec 31", Priority::kP3, T(2027, 12, 30, 12),
       T(2028, 1, 4, 12)},
      {"P3 Juneteenth on Sunday observed Monday", Priority::kP3, T(2022, 6, 17, 12),
       T(2022, 6, 22, 12)},
      {"P3 Monday morning", Priority::kP3, T(2026, 11, 16, 9), T(2026, 11, 18, 9)},
      // P4: 3 business days.
      {"P4 opened on Independence Day (Saturday)", Priority::kP4, T(2026, 7, 4, 10),
       T(2026, 7, 9, 0)},
      {"P4 across Christmas", Priority::kP4, T(2026, 12, 24, 9), T(2026, 12, 30, 9)},
      {"P4 opened on a Sunday", Priority::kP4, T(2026, 11, 22, 18), T(2026, 11, 26, 0)},
  };
  for (const DueCase& c : cases) {
    SlaClock clock = StartSla(cal, c.priority, c.created);
    ASSERT_TRUE(clock.due.has_value()) << c.name;
    EXPECT_EQ(*clock.due, c.due) << c.name << ": got " << *clock.due;
  }
}

struct PauseCase {
  const char* name;
  Priority priority;
  absl::Time created;
  absl::Time paused;
  absl::Time resumed;
  absl::Time due;
};

TEST(SlaTest, PausesKeepTheTimeLeft) {
  const BusinessCalendar cal = BusinessCalendar::Utc();
  const PauseCase cases[] = {
      {"P3 paused Monday, resumed Friday", Priority::kP3, T(2026, 11, 16, 9), T(2026, 11, 16, 15),
       T(2026, 11, 20, 10), T(2026, 11, 24, 4)},
      {"P1 paused an hour in, resumed next day", Priority::kP1, T(2026, 11, 20, 10),
       T(2026, 11, 20, 11), T(2026, 11, 21, 3), T(2026, 11, 21, 4)},
      {"P4 resumed on a Saturday starts Monday", Priority::kP4, T(2026, 11, 19, 12),
       T(2026, 11, 20, 12), T(2026, 11, 21, 10), T(2026, 11, 25, 0)},
      {"P3 resumed on a holiday (Thanksgiving)", Priority::kP3, T(2026, 11, 24, 0),
       T(2026, 11, 24, 12), T(2026, 11, 26, 9), T(2026, 11, 30, 12)},
  };
  for (const PauseCase& c : cases) {
    SlaClock clock = StartSla(cal, c.priority, c.created);
    PauseSla(cal, c.priority, &clock, c.paused);
    EXPECT_FALSE(clock.due.has_value()) << c.name;
    ResumeSla(cal, c.priority, &clock, c.resumed);
    ASSERT_TRUE(clock.due.has_value()) << c.name;
    EXPECT_EQ(*clock.due, c.due) << c.name << ": got " << *clock.due;
  }
}

TEST(SlaTest, PausedClockShowsDueAsIfResumedNow) {
  const BusinessCalendar cal = BusinessCalendar::Utc();
  SlaClock clock = StartSla(cal, Priority::kP2, T(2026, 11, 20, 10));
  PauseSla(cal, Priority::kP2, &clock, T(2026, 11, 20, 12));  // 22h left
  EXPECT_EQ(EffectiveDue(cal, Priority::kP2, clock, T(2026, 11, 25, 0)), T(2026, 11, 25, 22));
}

// --- content checks ----------------------------------------------------------

const std::string kPdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
const std::string kXlsx = std::string("PK\x03\x04\x14\0\0\0[Content_Types].xml", 27);

TEST(FileTypesTest, ChecksContentNotName) {
  EXPECT_THAT(CheckAttachmentContent(AttachmentKind::kCertificateOfDestruction, "cod.pdf", kPng),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("image/png")));
  EXPECT_THAT(CheckAttachmentContent(AttachmentKind::kTradeInForm, "form.pdf", kPng),
              StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(std::string pdf, CheckAttachmentContent(
                                             AttachmentKind::kCertificateOfDestruction, "cod.pdf", kPdf));
  EXPECT_EQ(pdf, "application/pdf");
  ASSERT_OK_AND_ASSIGN(std::string jpeg, CheckAttachmentContent(
                                              AttachmentKind::kCertificateOfDestruction, "cod.jpeg", kJpeg));
  EXPECT_EQ(jpeg, "image/jpeg");
  EXPECT_THAT(CheckAttachmentContent(AttachmentKind::kTradeInForm, "form.jpg", kJpeg),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spreadsheet")));
  EXPECT_TRUE(CheckAttachmentContent(AttachmentKind::kTradeInForm, "form.xlsx", kXlsx).ok());
  // A PDF named .xlsx: the name and the content disagree.
  EXPECT_THAT(CheckAttachmentContent(AttachmentKind::kTradeInForm, "form.xlsx", kPdf),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("file_name")));
  EXPECT_THAT(CheckAttachmentContent(AttachmentKind::kTradeInForm, "form.pdf", ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

// --- case validation -----------------------------------------------------------

class PrepareCaseTest : public ::testing::Test {
 protected:
  PrepareCaseTest() : codec_("0123456789abcdef0123"), cases_(clock_, CaseOptions{}, &codec_) {
    clock_.Set(T(2026, 11, 21, 12));
    customer_.subject = "alice";
    customer_.role = Role::kCustomer;
    customer_.account_ids = {"ACME-001"};
  }

  Case Draft() const {
    Case c;
    c.request_type = RequestType::kLoginAssistance;
    c.priority = Priority::kP3;
    c.follow_up = FollowUp::kEmail;
    c.summary = "cannot log in";
    return c;
  }

  Case MisShipmentDraft(absl::Duration shipped_ago, bool direct = true) const {
    Case c = Draft();
    c.request_type = RequestType::kMisShipment;
    MisShipment m;
    m.order_number = "SO-1001";
    m.ship_time = clock_.Now() - shipped_ago;
    m.ordered_directly = direct;
    m.category = MisShipmentCategory::kMissingParts;
    m.lines = {{"EX4300-48T", 1, "power supply missing"}};
    c.mis_shipment = m;
    return c;
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  Cases cases_;
  Principal customer_;
};

TEST_F(PrepareCaseTest, AcceptsAndNormalizes) {
  Case c = Draft();
  c.callback_phone = "+1 (415) 555-0100";
  c.serial = "jn11demo0001";
  ASSERT_OK_AND_ASSIGN(Case out, cases_.PrepareCase(customer_, c));
  EXPECT_EQ(out.callback_phone, "+14155550100");
  EXPECT_EQ(out.serial, "JN11DEMO0001");
  EXPECT_EQ(out.account_id, "ACME-001");
  EXPECT_EQ(out.opened_by, "alice");
  EXPECT_EQ(out.status, CaseStatus::kNew);
}

TEST_F(PrepareCaseTest, RefusesBadInputNamingTheField) {
  Case c = Draft();
  c.callback_phone = "555-0100";
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callback_phone")));
  c = Draft();
  c.summary = std::string(201, 'x');
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("summary")));
  c = Draft();
  c.priority = Priority::kUnspecified;
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("priority")));
  c = Draft();
  c.follow_up = FollowUp::kPhone;
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("callback_phone")));
  c = Draft();
  c.account_id = "OTHER-9";  // another account looks like one that does not exist
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kNotFound, "account OTHER-9 not found"));
  c = Draft();
  c.request_type = RequestType::kGreyMarketReinstatement;
  EXPECT_THAT(cases_.PrepareCase(customer_, c),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("serial_number")));
}

TEST_F(PrepareCaseTest, MisShipmentWithin90DaysOfShipment) {
  EXPECT_OK(cases_.PrepareCase(customer_, MisShipmentDraft(absl::Hours(24 * 89))).status());
  EXPECT_OK(cases_.PrepareCase(customer_, MisShipmentDraft(absl::Hours(24 * 90))).status());
  EXPECT_THAT(cases_.PrepareCase(customer_, MisShipmentDraft(absl::Hours(24 * 91))),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("within 90 days")));
}

TEST_F(PrepareCaseTest, MisShipmentOnlyFromTheCustomerWhoOrderedDirectly) {
  EXPECT_THAT(cases_.PrepareCase(customer_, MisShipmentDraft(absl::Hours(24), false)),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ordered_directly")));
  Principal partner = customer_;
  partner.role = Role::kPartner;
  partner.partner_id = "P-1";
  EXPECT_THAT(cases_.PrepareCase(partner, MisShipmentDraft(absl::Hours(24))),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("directly")));
  Case missing = Draft();
  missing.request_type = RequestType::kMisShipment;
  EXPECT_THAT(cases_.PrepareCase(customer_, missing),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mis_shipment")));
}

TEST_F(PrepareCaseTest, BreachingNeedsNoFirstResponsePastTheTarget) {
  Case c = Draft();
  c.priority = Priority::kP1;
  c.sla = StartSla(BusinessCalendar::Utc(), Priority::kP1, clock_.Now());
  EXPECT_FALSE(cases_.Breaching(c, clock_.Now() + absl::Minutes(119)));
  EXPECT_TRUE(cases_.Breaching(c, clock_.Now() + absl::Minutes(121)));
  c.first_response_time = clock_.Now() + absl::Minutes(5);
  EXPECT_FALSE(cases_.Breaching(c, clock_.Now() + absl::Minutes(121)));
  c.first_response_time.reset();
  PauseSla(BusinessCalendar::Utc(), Priority::kP1, &c.sla, clock_.Now() + absl::Minutes(30));
  EXPECT_FALSE(cases_.Breaching(c, clock_.Now() + absl::Hours(5)));
}

// --- trade-in -----------------------------------------------------------------------

TEST(TradeInTest, DocumentsDueThreeMonthsAfterTheOrder) {
  EXPECT_EQ(Cases::DocumentsDue(T(2026, 1, 15, 8)), T(2026, 4, 15, 8));
  EXPECT_EQ(Cases::DocumentsDue(T(2026, 11, 30)), T(2027, 2, 28));
  EXPECT_EQ(Cases::DocumentsDue(T(2027, 11, 30)), T(2028, 2, 29));
}

TEST(TradeInTest, PhaseEligibility) {
  FakeClock clock(T(2026, 11, 21));
  PageTokenCodec codec("0123456789abcdef0123");
  Cases cases(clock, CaseOptions{}, &codec);
  TradeIn t;
  t.phase = TmipPhase::kPhase1;
  t.lines = {{1, "MX480", 1, {}, {}, {}}, {2, "EX4300-48T", 1, {}, {}, {}}};
  std::map<std::string, CatalogEntry> catalog = {{"MX480", {true, true, "MX480"}},
                                                 {"EX4300-48T", {true, false, "EX4300"}}};
  EXPECT_THAT(cases.CheckEligibility(t, catalog),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("lines[1].sku")));
  t.lines.pop_back();
  EXPECT_OK(cases.CheckEligibility(t, catalog));
  t.lines.push_back({2, "UNKNOWN-1", 1, {}, {}, {}});
  EXPECT_THAT(cases.CheckEligibility(t, catalog),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not in the catalog")));

  t.phase = TmipPhase::kPhase2;
  t.new_order_skus = {"EX4300-48T"};
  EXPECT_THAT(cases.CheckEligibility(t, catalog),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MX10008")));
  catalog["MX10008-BASE"] = {true, false, "MX10008"};
  t.new_order_skus.push_back("MX10008-BASE");
  EXPECT_OK(cases.CheckEligibility(t, catalog));

  CaseOptions only_mx304;
  only_mx304.tmip_phase2_platforms = {"MX304"};
  Cases configured(clock, only_mx304, &codec);
  EXPECT_THAT(configured.CheckEligibility(t, catalog),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("MX304")));
}

TEST(TradeInTest, PrepareRefusesBadLines) {
  FakeClock clock(T(2026, 11, 21));
  PageTokenCodec codec("0123456789abcdef0123");
  Cases cases(clock, CaseOptions{}, &codec);
  Principal agent;
  agent.subject = "agent-1";
  agent.role = Role::kCareAgent;
  TradeIn t;
  t.account_id = "ACME-001";
  t.order_number = "SO-9";
  t.order_time = T(2026, 11, 20);
  t.phase = TmipPhase::kPhase1;
  t.disposition = Disposition::kReturn;
  t.lines = {{0, "MX480", 1, {"JN1", "JN2"}, {}, {}}};
  EXPECT_THAT(cases.PrepareTradeIn(agent, t),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines[0].serial_numbers")));
  t.lines = {{0, "MX480", 2, {"JN11AAAA01"}, {}, {}}};
  ASSERT_OK_AND_ASSIGN(TradeIn ok, cases.PrepareTradeIn(agent, t));
  EXPECT_EQ(ok.due_time, T(2027, 2, 20));
  t.order_time = T(2026, 8, 1);  // deadline already passed
  EXPECT_THAT(cases.PrepareTradeIn(agent, t),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("deadline")));
}

}  // namespace
}  // namespace aftercare::cases
