#include "common/business_calendar.h"

#include <map>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::CivilDay;
using ::testing::Optional;

// An instant given as a civil time in UTC.
absl::Time Utc(int64_t y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

std::string Show(absl::Time t, absl::TimeZone tz = absl::UTCTimeZone()) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %a %Ez", t, tz);
}

// Every weekday of `year` that the calendar treats as a holiday, with the
// name it reports.
std::map<CivilDay, std::string> WeekdayHolidays(const BusinessCalendar& cal, int64_t year) {
  std::map<CivilDay, std::string> out;
  for (CivilDay d(year, 1, 1); d.year() == year; ++d) {
    const absl::Weekday w = absl::GetWeekday(d);
    if (w == absl::Weekday::saturday || w == absl::Weekday::sunday) continue;
    if (cal.IsHoliday(d)) out[d] = cal.HolidayName(d).value_or("<no name>");
  }
  return out;
}

// --- Holidays -------------------------------------------------------------

struct YearCase {
  int64_t year;
  std::map<CivilDay, std::string> holidays;  // weekdays only
};

void PrintTo(const YearCase& c, std::ostream* os) { *os << c.year; }

class HolidayTableTest : public ::testing::TestWithParam<YearCase> {};

TEST_P(HolidayTableTest, ExactlyTheFederalHolidaysAreObservedOnWeekdays) {
  const YearCase& c = GetParam();
  const BusinessCalendar cal;
  EXPECT_EQ(WeekdayHolidays(cal, c.year), c.holidays);
  for (const auto& [day, name] : c.holidays) {
    EXPECT_FALSE(cal.IsBusinessDay(day)) << day;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Years2024To2027, HolidayTableTest,
    ::testing::Values(YearCase{2024,
                               {{CivilDay(2024, 1, 1), "New Year's Day"},
                                {CivilDay(2024, 1, 15), "Martin Luther King Jr. Day"},
                                {CivilDay(2024, 2, 19), "Washington's Birthday"},
                                {CivilDay(2024, 5, 27), "Memorial Day"},
                                {CivilDay(2024, 6, 19), "Juneteenth National Independence Day"},
                                {CivilDay(2024, 7, 4), "Independence Day"},
                                {CivilDay(2024, 9, 2), "Labor Day"},
                                {CivilDay(2024, 10, 14), "Columbus Day"},
                                {CivilDay(2024, 11, 11), "Veterans Day"},
                                {CivilDay(2024, 11, 28), "Thanksgiving Day"},
                                {CivilDay(2024, 12, 25), "Christmas Day"}}},
                      YearCase{2025,
                               {{CivilDay(2025, 1, 1), "New Year's Day"},
                                {CivilDay(2025, 1, 20), "Martin Luther King Jr. Day"},
                                {CivilDay(2025, 2, 17), "Washington's Birthday"},
                                {CivilDay(2025, 5, 26), "Memorial Day"},
                                {CivilDay(2025, 6, 19), "Juneteenth National Independence Day"},
                                {CivilDay(2025, 7, 4), "Independence Day"},
                                {CivilDay(2025, 9, 1), "Labor Day"},
                                {CivilDay(2025, 10, 13), "Columbus Day"},
                                {CivilDay(2025, 11, 11), "Veterans Day"},
                                {CivilDay(2025, 11, 27), "Thanksgiving Day"},
                                {CivilDay(2025, 12, 25), "Christmas Day"}}},
                      YearCase{2026,
                               {{CivilDay(2026, 1, 1), "New Year's Day"},
                                {CivilDay(2026, 1, 19), "Martin Luther King Jr. Day"},
                                {CivilDay(2026, 2, 16), "Washington's Birthday"},
                                {CivilDay(2026, 5, 25), "Memorial Day"},
                                {CivilDay(2026, 6, 19), "Juneteenth National Independence Day"},
                                // Saturday July 4 -> Friday.
                                {CivilDay(2026, 7, 3), "Independence Day (observed)"},
                                {CivilDay(2026, 9, 7), "Labor Day"},
                                {CivilDay(2026, 10, 12), "Columbus Day"},
                                {CivilDay(2026, 11, 11), "Veterans Day"},
                                {CivilDay(2026, 11, 26), "Thanksgiving Day"},
                                {CivilDay(2026, 12, 25), "Christmas Day"}}},
                      YearCase{2027,
                               {{CivilDay(2027, 1, 1), "New Year's Day"},
                                {CivilDay(2027, 1, 18), "Martin Luther King Jr. Day"},
                                {CivilDay(2027, 2, 15), "Washington's Birthday"},
                                {CivilDay(2027, 5, 31), "Memorial Day"},
                                // Saturday June 19 -> Friday.
                                {CivilDay(2027, 6, 18),
                                 "Juneteenth National Independence Day (observed)"},
                                // Sunday July 4 -> Monday.
                                {CivilDay(2027, 7, 5), "Independence Day (observed)"},
                                {CivilDay(2027, 9, 6), "Labor Day"},
                                {CivilDay(2027, 10, 11), "Columbus Day"},
                                {CivilDay(2027, 11, 11), "Veterans Day"},
                                {CivilDay(2027, 11, 25), "Thanksgiving Day"},
                                // Saturday December 25 -> Friday.
                                {CivilDay(2027, 12, 24), "Christmas Day (observed)"},
                                // New Year's Day 2028 is a Saturday -> Friday December 31.
                                {CivilDay(2027, 12, 31), "New Year's Day (observed)"}}}),
    [](const ::testing::TestParamInfo<YearCase>& info) {
      return absl::StrCat("Year", info.param.year);
    });

TEST(BusinessCalendarTest, NewYearOnSaturdayIsObservedOnDecember31OfThePreviousYear) {
  const BusinessCalendar cal;
  EXPECT_EQ(absl::GetWeekday(CivilDay(2022, 1, 1)), absl::Weekday::saturday);
  EXPECT_TRUE(cal.IsHoliday(CivilDay(2021, 12, 31)));
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2021, 12, 31)));
  EXPECT_THAT(cal.HolidayName(CivilDay(2021, 12, 31)),
              Optional(std::string("New Year's Day (observed)")));
  // The Monday after is an ordinary business day (Saturday rule, not Sunday).
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2022, 1, 3)));
  // Other years' December 31 is a business day.
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2026, 12, 31)));
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2024, 12, 31)));
}

TEST(BusinessCalendarTest, HolidayOnSundayIsObservedOnTheMondayAfter) {
  const BusinessCalendar cal;
  // New Year's Day 2023 was a Sunday.
  EXPECT_THAT(cal.HolidayName(CivilDay(2023, 1, 2)),
              Optional(std::string("New Year's Day (observed)")));
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2023, 1, 2)));
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2022, 12, 30)));  // not the Friday before
  // Christmas 2022 was a Sunday.
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2022, 12, 26)));
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2022, 12, 23)));
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2027, 7, 2)));  // Friday before Sunday July 4
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2027, 7, 5)));
}

TEST(BusinessCalendarTest, TheActualDateOnAWeekendIsAHolidayButNotABusinessDay) {
  const BusinessCalendar cal;
  EXPECT_TRUE(cal.IsHoliday(CivilDay(2026, 7, 4)));
  EXPECT_THAT(cal.HolidayName(CivilDay(2026, 7, 4)), Optional(std::string("Independence Day")));
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2026, 7, 4)));
  EXPECT_THAT(cal.HolidayName(CivilDay(2027, 7, 4)), Optional(std::string("Independence Day")));
  EXPECT_THAT(cal.HolidayName(CivilDay(2028, 1, 1)), Optional(std::string("New Year's Day")));
}

TEST(BusinessCalendarTest, OrdinaryDaysAreNotHolidays) {
  const BusinessCalendar cal;
  EXPECT_FALSE(cal.IsHoliday(CivilDay(2026, 9, 8)));
  EXPECT_EQ(cal.HolidayName(CivilDay(2026, 9, 8)), std::nullopt);
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2026, 9, 8)));
  // The day after Thanksgiving is a working day under the federal rules.
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2026, 11, 27)));
  // Christmas Eve is a working day unless Christmas falls on a Saturday.
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2026, 12, 24)));
  // Weekends are never business days.
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2026, 9, 5)));
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2026, 9, 6)));
  EXPECT_FALSE(cal.IsHoliday(CivilDay(2026, 9, 5)));
}

// The year's holiday dates are remembered per thread for the last year
// asked: days asked in any order of years, on two threads, get the same
// answers as HolidaysOfYear's list.
TEST(BusinessCalendarTest, HolidaysDoNotDependOnTheYearAskedBefore) {
  auto expected = [](CivilDay day) {
    for (int64_t y : {day.year(), day.year() + 1}) {  // Dec 31 may observe next New Year
      for (const Holiday& h : BusinessCalendar::HolidaysOfYear(y)) {
        if (h.date == day || h.observed == day) return true;
      }
    }
    return false;
  };
  auto check = [&](int thread) {
    const BusinessCalendar cal;
    int checked = 0;
    for (int i = 0; i < 12; ++i) {
      // 2030, 2019, 2029, 2020, ... and the other thread the other way round.
      const int64_t year = (i % 2 == thread) ? 2030 - i / 2 : 2019 + i / 2;
      for (CivilDay d(year, 1, 1); d.year() == year; d += 7 + i % 3) {
        EXPECT_EQ(cal.IsHoliday(d), expected(d)) << d;
        ++checked;
      }
    }
    EXPECT_GT(checked, 500);
  };
  std::thread other(check, 1);
  check(0);
  other.join();
}

TEST(BusinessCalendarTest, JuneteenthStartsIn2021) {
  const BusinessCalendar cal;
  EXPECT_TRUE(cal.IsBusinessDay(CivilDay(2020, 6, 19)));  // a Friday
  EXPECT_FALSE(cal.IsHoliday(CivilDay(2020, 6, 19)));
  // June 19, 2021 was a Saturday: observed on Friday June 18.
  EXPECT_FALSE(cal.IsBusinessDay(CivilDay(2021, 6, 18)));
  EXPECT_EQ(BusinessCalendar::HolidaysOfYear(2020).size(), 10u);
  EXPECT_EQ(BusinessCalendar::HolidaysOfYear(2021).size(), 11u);
}

TEST(BusinessCalendarTest, HolidaysOfYearListsActualAndObservedDates) {
  const std::vector<Holiday> h = BusinessCalendar::HolidaysOfYear(2028);
  ASSERT_EQ(h.size(), 11u);
  EXPECT_EQ(h[0].name, "New Year's Day");
  EXPECT_EQ(h[0].date, CivilDay(2028, 1, 1));
  EXPECT_EQ(h[0].observed, CivilDay(2027, 12, 31));
  EXPECT_EQ(h[10].name, "Christmas Day");
  EXPECT_EQ(h[10].date, CivilDay(2028, 12, 25));
  EXPECT_EQ(h[10].observed, CivilDay(2028, 12, 25));
  for (size_t i = 1; i < h.size(); ++i) EXPECT_LT(h[i - 1].date, h[i].date);
}

TEST(BusinessCalendarTest, FloatingHolidaysFallOnTheRightWeekdayAndWeekForAHundredYears) {
  struct Rule {
    std::string name;
    absl::Weekday weekday;
    int month;
    int first_day;  // the earliest day of month the rule allows
  };
  const std::vector<Rule> rules = {
      {"Martin Luther King Jr. Day", absl::Weekday::monday, 1, 15},
      {"Washington's Birthday", absl::Weekday::monday, 2, 15},
      {"Memorial Day", absl::Weekday::monday, 5, 25},
      {"Labor Day", absl::Weekday::monday, 9, 1},
      {"Columbus Day", absl::Weekday::monday, 10, 8},
      {"Thanksgiving Day", absl::Weekday::thursday, 11, 22},
  };
  for (int64_t year = 2000; year <= 2100; ++year) {
    for (const Holiday& h : BusinessCalendar::HolidaysOfYear(year)) {
      for (const Rule& r : rules) {
        if (h.name != r.name) continue;
        EXPECT_EQ(absl::GetWeekday(h.date), r.weekday) << r.name << " " << year;
        EXPECT_EQ(h.date.month(), r.month) << r.name << " " << year;
        EXPECT_GE(h.date.day(), r.first_day) << r.name << " " << year;
        EXPECT_LE(h.date.day(), r.first_day + 6) << r.name << " " << year;
        EXPECT_EQ(h.observed, h.date);
      }
    }
  }
}

TEST(BusinessCalendarTest, BusinessDaysPerYear) {
  const BusinessCalendar cal;
  // Weekdays minus holidays observed on weekdays.
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2023, 12, 31), CivilDay(2024, 12, 31)), 262 - 11);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2024, 12, 31), CivilDay(2025, 12, 31)), 261 - 11);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2025, 12, 31), CivilDay(2026, 12, 31)), 261 - 11);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2026, 12, 31), CivilDay(2027, 12, 31)), 261 - 12);
}

// --- AddBusinessDays on days ---------------------------------------------

struct AddDaysCase {
  std::string label;
  CivilDay from;
  int n;
  CivilDay want;
};

void PrintTo(const AddDaysCase& c, std::ostream* os) { *os << c.label; }

class AddBusinessDaysTest : public ::testing::TestWithParam<AddDaysCase> {};

TEST_P(AddBusinessDaysTest, ReturnsTheNthBusinessDay) {
  const AddDaysCase& c = GetParam();
  EXPECT_EQ(BusinessCalendar().AddBusinessDays(c.from, c.n), c.want) << c.label;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AddBusinessDaysTest,
    ::testing::Values(
        AddDaysCase{"RmaReturnFromFridayBeforeLaborDay", CivilDay(2026, 9, 4), 10,
                    CivilDay(2026, 9, 21)},
        AddDaysCase{"RmaReturnFromFridayAWeekEarlier", CivilDay(2026, 8, 28), 10,
                    CivilDay(2026, 9, 14)},
        AddDaysCase{"OneAfterFridayBeforeLaborDay", CivilDay(2026, 9, 4), 1, CivilDay(2026, 9, 8)},
        AddDaysCase{"ZeroOnBusinessDay", CivilDay(2026, 9, 8), 0, CivilDay(2026, 9, 8)},
        AddDaysCase{"ZeroOnHolidayWeekendSaturday", CivilDay(2026, 9, 5), 0, CivilDay(2026, 9, 8)},
        AddDaysCase{"ZeroOnHoliday", CivilDay(2026, 9, 7), 0, CivilDay(2026, 9, 8)},
        AddDaysCase{"OneFromSaturday", CivilDay(2026, 9, 5), 1, CivilDay(2026, 9, 8)},
        AddDaysCase{"OneFromHolidayMonday", CivilDay(2026, 9, 7), 1, CivilDay(2026, 9, 8)},
        AddDaysCase{"OrdinaryWeek", CivilDay(2026, 3, 2), 4, CivilDay(2026, 3, 6)},
        AddDaysCase{"OverOrdinaryWeekend", CivilDay(2026, 3, 6), 1, CivilDay(2026, 3, 9)},
        AddDaysCase{"ThanksgivingWednesdayPlusOne", CivilDay(2026, 11, 25), 1,
                    CivilDay(2026, 11, 27)},
        AddDaysCase{"ThanksgivingWednesdayPlusTwo", CivilDay(2026, 11, 25), 2,
                    CivilDay(2026, 11, 30)},
        AddDaysCase{"ChristmasEve2024", CivilDay(2024, 12, 24), 1, CivilDay(2024, 12, 26)},
        AddDaysCase{"ChristmasObservedFriday2027", CivilDay(2027, 12, 23), 1,
                    CivilDay(2027, 12, 27)},
        AddDaysCase{"NewYearObservedDec31_2027", CivilDay(2027, 12, 30), 1, CivilDay(2028, 1, 3)},
        AddDaysCase{"NewYearObservedDec31_2021", CivilDay(2021, 12, 30), 1, CivilDay(2022, 1, 3)},
        AddDaysCase{"AcrossYearEnd2027", CivilDay(2027, 12, 22), 10, CivilDay(2028, 1, 7)},
        AddDaysCase{"July4Saturday2026", CivilDay(2026, 7, 2), 1, CivilDay(2026, 7, 6)},
        AddDaysCase{"July4Sunday2027", CivilDay(2027, 7, 2), 1, CivilDay(2027, 7, 6)},
        AddDaysCase{"MlkWeekend2027", CivilDay(2027, 1, 15), 1, CivilDay(2027, 1, 19)},
        AddDaysCase{"BackwardsOverLaborDay", CivilDay(2026, 9, 8), -1, CivilDay(2026, 9, 4)},
        AddDaysCase{"BackwardsOverNewYear2028", CivilDay(2028, 1, 3), -1, CivilDay(2027, 12, 30)},
        AddDaysCase{"BackwardsFromSaturday", CivilDay(2026, 9, 5), -1, CivilDay(2026, 9, 4)}),
    [](const ::testing::TestParamInfo<AddDaysCase>& info) { return info.param.label; });

TEST(BusinessCalendarTest, AddBusinessDaysSkipsNoBusinessDayAndLandsOnOne) {
  const BusinessCalendar cal;
  for (CivilDay from(2024, 1, 1); from < CivilDay(2028, 1, 1); from += 3) {
    for (int n = 1; n <= 15; ++n) {
      const CivilDay got = cal.AddBusinessDays(from, n);
      ASSERT_TRUE(cal.IsBusinessDay(got)) << from << " + " << n << " = " << got;
      ASSERT_EQ(cal.CountBusinessDays(from, got), n) << from << " + " << n;
      ASSERT_EQ(cal.CountBusinessDays(from, got - 1), n - 1) << from << " + " << n;
      ASSERT_EQ(cal.AddBusinessDays(got, -n),
                cal.IsBusinessDay(from) ? from : cal.AddBusinessDays(from, -1))
          << from << " + " << n;
    }
  }
}

TEST(BusinessCalendarTest, CountBusinessDaysIsZeroForEmptyRanges) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2026, 9, 8), CivilDay(2026, 9, 8)), 0);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2026, 9, 8), CivilDay(2026, 9, 1)), 0);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2026, 9, 4), CivilDay(2026, 9, 7)), 0);
  EXPECT_EQ(cal.CountBusinessDays(CivilDay(2026, 9, 4), CivilDay(2026, 9, 8)), 1);
}

// --- Business time --------------------------------------------------------

TEST(BusinessCalendarTest, AddBusinessDurationWithinOneDay) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 3, 3, 9), absl::Hours(2)), Utc(2026, 3, 3, 11));
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 3, 3, 9), absl::Minutes(1)), Utc(2026, 3, 3, 9, 1));
}

TEST(BusinessCalendarTest, AddBusinessDurationOverThanksgiving) {
  const BusinessCalendar cal;
  // Wed 15:00 + 48 business hours: Wed 9h, Fri 24h, Mon 15h.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 11, 25, 15), absl::Hours(48))),
            Show(Utc(2026, 11, 30, 15)));
}

TEST(BusinessCalendarTest, AddBusinessDurationStartingOnAWeekendStartsAtTheNextBusinessMidnight) {
  const BusinessCalendar cal;
  // Saturday before Labor Day: the clock starts Tuesday 00:00.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 9, 5, 10), absl::Hours(1))),
            Show(Utc(2026, 9, 8, 1)));
  // On the holiday itself.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 9, 7, 23, 59), absl::Hours(24))),
            Show(Utc(2026, 9, 9, 0)));
  // An ordinary Sunday.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 3, 8, 12), absl::Hours(30))),
            Show(Utc(2026, 3, 10, 6)));
}

TEST(BusinessCalendarTest, AddBusinessDurationEndingAtTheEndOfADayReturnsThatMidnight) {
  const BusinessCalendar cal;
  // Two hours left on Friday: due at Saturday 00:00, not Tuesday 00:00.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 9, 4, 22), absl::Hours(2))),
            Show(Utc(2026, 9, 5, 0)));
  // One more hour runs into Tuesday after Labor Day.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 9, 4, 22), absl::Hours(3))),
            Show(Utc(2026, 9, 8, 1)));
}

TEST(BusinessCalendarTest, AddBusinessDurationOfZeroOrLessReturnsStart) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 9, 5, 10), absl::ZeroDuration()),
            Utc(2026, 9, 5, 10));
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 9, 3, 10), -absl::Hours(5)), Utc(2026, 9, 3, 10));
  EXPECT_EQ(cal.AddBusinessDays(Utc(2026, 9, 3, 10), 0), Utc(2026, 9, 3, 10));
  EXPECT_EQ(cal.AddBusinessDays(Utc(2026, 9, 3, 10), -2), Utc(2026, 9, 3, 10));
}

TEST(BusinessCalendarTest, AddBusinessDurationHandlesInfinities) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.AddBusinessDuration(Utc(2026, 9, 3), absl::InfiniteDuration()),
            absl::InfiniteFuture());
  EXPECT_EQ(cal.AddBusinessDuration(absl::InfiniteFuture(), absl::Hours(1)),
            absl::InfiniteFuture());
  EXPECT_EQ(cal.AddBusinessDuration(absl::InfinitePast(), absl::Hours(1)), absl::InfinitePast());
  EXPECT_EQ(cal.BusinessDurationBetween(absl::InfinitePast(), Utc(2026, 9, 3)),
            absl::InfiniteDuration());
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 9, 3), absl::InfiniteFuture()),
            absl::InfiniteDuration());
}

TEST(BusinessCalendarTest, AddBusinessDurationSpansAWholeYear) {
  const BusinessCalendar cal;
  // 2026 has 250 business days, the first being Friday January 2: 250 * 24h
  // from its midnight ends at the end of Thursday December 31.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 1, 2), absl::Hours(24 * 250))),
            Show(Utc(2027, 1, 1)));
  // Starting on New Year's Day itself gives the same answer.
  EXPECT_EQ(Show(cal.AddBusinessDuration(Utc(2026, 1, 1, 8), absl::Hours(24 * 250))),
            Show(Utc(2027, 1, 1)));
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 1, 1), Utc(2027, 1, 1)), absl::Hours(24 * 250));
  // Ten years in one call stays fast (O(days)).
  const absl::Time far = cal.AddBusinessDuration(Utc(2026, 1, 1), absl::Hours(24 * 2500));
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 1, 1), far), absl::Hours(24 * 2500));
}

TEST(BusinessCalendarTest, AddBusinessDaysOnInstantsIsWholeBusinessDays) {
  const BusinessCalendar cal;
  // P3 case opened Friday 10:00 before Labor Day: due Wednesday 10:00.
  EXPECT_EQ(Show(cal.AddBusinessDays(Utc(2026, 9, 4, 10), 2)), Show(Utc(2026, 9, 9, 10)));
  // P4 opened Tuesday before Christmas 2027 (observed Friday 24th) and the
  // observed New Year (Friday 31st).
  EXPECT_EQ(Show(cal.AddBusinessDays(Utc(2027, 12, 21, 16), 3)), Show(Utc(2027, 12, 27, 16)));
  EXPECT_EQ(Show(cal.AddBusinessDays(Utc(2027, 12, 29, 16), 2)), Show(Utc(2028, 1, 3, 16)));
  // Opened on a Saturday: two whole business days, Monday and Tuesday.
  EXPECT_EQ(Show(cal.AddBusinessDays(Utc(2026, 3, 7, 13), 2)), Show(Utc(2026, 3, 11, 0)));
}

TEST(BusinessCalendarTest, BusinessDurationBetweenCountsOnlyBusinessDays) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 9, 4, 12), Utc(2026, 9, 8, 12)), absl::Hours(24));
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 9, 5, 1), Utc(2026, 9, 7, 23)),
            absl::ZeroDuration());
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 11, 25), Utc(2026, 11, 30)), absl::Hours(48));
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 3, 3, 9), Utc(2026, 3, 3, 9, 30)),
            absl::Minutes(30));
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2027, 12, 23), Utc(2028, 1, 4)),
            absl::Hours(24 * 6));  // 23, 27, 28, 29, 30 Dec and 3 Jan
}

TEST(BusinessCalendarTest, BusinessDurationBetweenIsZeroWhenEndIsNotAfterStart) {
  const BusinessCalendar cal;
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 3, 3, 9), Utc(2026, 3, 3, 9)),
            absl::ZeroDuration());
  EXPECT_EQ(cal.BusinessDurationBetween(Utc(2026, 3, 4, 9), Utc(2026, 3, 3, 9)),
            absl::ZeroDuration());
}

TEST(BusinessCalendarTest, PauseAndResumeKeepsTheRemainingBusinessTime) {
  const BusinessCalendar cal;
  const absl::Time opened = Utc(2026, 3, 2, 9);  // Monday
  const absl::Time due = cal.AddBusinessDays(opened, 2);
  EXPECT_EQ(due, Utc(2026, 3, 4, 9));
  const absl::Time paused = Utc(2026, 3, 2, 15);
  const absl::Duration remaining = cal.BusinessDurationBetween(paused, due);
  EXPECT_EQ(remaining, absl::Hours(42));
  const absl::Time resumed = Utc(2026, 3, 5, 9);  // Thursday
  // Thu 15h + Fri 24h + Mon 3h.
  EXPECT_EQ(Show(cal.AddBusinessDuration(resumed, remaining)), Show(Utc(2026, 3, 9, 3)));
}

TEST(BusinessCalendarTest, RoundTripDurationProperty) {
  const BusinessCalendar cal;
  const std::vector<absl::Duration> durations = {absl::Seconds(1),
                                                 absl::Minutes(17),
                                                 absl::Hours(2),
                                                 absl::Hours(24),
                                                 absl::Hours(48) + absl::Minutes(5),
                                                 absl::Hours(72),
                                                 absl::Hours(24 * 10) + absl::Seconds(3),
                                                 absl::Hours(24 * 31)};
  int checked = 0;
  for (absl::Time a = Utc(2025, 12, 1); a < Utc(2028, 1, 15);
       a += absl::Hours(7) + absl::Minutes(13)) {
    for (absl::Duration d : durations) {
      const absl::Time end = cal.AddBusinessDuration(a, d);
      ASSERT_EQ(cal.BusinessDurationBetween(a, end), d) << Show(a) << " + " << d;
      ASSERT_GE(end, a + d) << Show(a) << " + " << d;
      // The end lies in a business day or is the midnight right after one.
      const CivilDay end_day = absl::ToCivilDay(end, absl::UTCTimeZone());
      const bool at_midnight =
          absl::ToCivilSecond(end, absl::UTCTimeZone()) == absl::CivilSecond(end_day);
      ASSERT_TRUE(cal.IsBusinessDay(end_day) || (at_midnight && cal.IsBusinessDay(end_day - 1)))
          << Show(a) << " + " << d << " = " << Show(end);
      // Nothing earlier would do.
      ASSERT_LT(cal.BusinessDurationBetween(a, end - absl::Seconds(1)), d) << Show(a) << " + " << d;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000);
}

// --- Time zones -----------------------------------------------------------

TEST(BusinessCalendarTest, DaysAreCivilDaysOfTheCalendarsZone) {
  const BusinessCalendar utc;
  const BusinessCalendar ny_fixed(absl::FixedTimeZone(-4 * 3600));  // EDT
  // Saturday 03:00 UTC is still Friday 23:00 in New York.
  const absl::Time t = Utc(2026, 9, 5, 3);
  EXPECT_EQ(ny_fixed.AddBusinessDuration(t, absl::Minutes(30)), Utc(2026, 9, 5, 3, 30));
  // Friday ends at 04:00 UTC; the next business day (Tuesday) starts then.
  EXPECT_EQ(Show(ny_fixed.AddBusinessDuration(t, absl::Hours(2))), Show(Utc(2026, 9, 8, 5)));
  // In UTC the same instant is Saturday: the clock starts Tuesday 00:00.
  EXPECT_EQ(Show(utc.AddBusinessDuration(t, absl::Hours(2))), Show(Utc(2026, 9, 8, 2)));
  EXPECT_EQ(ny_fixed.BusinessDurationBetween(Utc(2026, 9, 4, 4), Utc(2026, 9, 5, 4)),
            absl::Hours(24));
  EXPECT_EQ(utc.BusinessDurationBetween(Utc(2026, 9, 4, 4), Utc(2026, 9, 5, 4)), absl::Hours(20));
}

TEST(BusinessCalendarTest, DaylightSavingWeekendDoesNotShiftBusinessDays) {
  absl::TimeZone ny;
  if (!absl::LoadTimeZone("America/New_York", &ny)) GTEST_SKIP() << "no tzdata";
  const BusinessCalendar cal(ny);
  const auto local = [&](int m, int d, int hh) {
    return absl::FromCivil(absl::CivilHour(2026, m, d, hh), ny);
  };
  // DST starts Sunday 2026-03-08: Fri noon -> Mon noon is 12h + 12h.
  EXPECT_EQ(cal.BusinessDurationBetween(local(3, 6, 12), local(3, 9, 12)), absl::Hours(24));
  EXPECT_EQ(Show(cal.AddBusinessDuration(local(3, 6, 12), absl::Hours(24)), ny),
            Show(local(3, 9, 12), ny));
  // DST ends Sunday 2026-11-01.
  EXPECT_EQ(Show(cal.AddBusinessDays(local(10, 30, 9), 1), ny), Show(local(11, 2, 9), ny));
}

TEST(BusinessCalendarTest, ZoneThatSkipsOrRepeatsMidnightOnAWeekday) {
  absl::TimeZone tehran;
  if (!absl::LoadTimeZone("Asia/Tehran", &tehran)) GTEST_SKIP() << "no tzdata";
  const BusinessCalendar cal(tehran);
  // Monday 2021-03-22 began at 01:00 (+0430): 00:00 never happened, so the
  // day is 23 hours long.
  const absl::Time monday_start = absl::FromUnixSeconds(1616358600);  // 2021-03-21T20:30Z
  EXPECT_EQ(absl::ToCivilDay(monday_start, tehran), CivilDay(2021, 3, 22));
  EXPECT_EQ(absl::ToCivilDay(monday_start - absl::Seconds(1), tehran), CivilDay(2021, 3, 21));
  const absl::Time tuesday_start = absl::FromCivil(absl::CivilDay(2021, 3, 23), tehran);
  // The Sunday evening before does not count.
  EXPECT_EQ(cal.BusinessDurationBetween(monday_start - absl::Hours(5), tuesday_start),
            absl::Hours(23));
  EXPECT_EQ(cal.BusinessDurationBetween(monday_start, tuesday_start), absl::Hours(23));
  EXPECT_EQ(cal.AddBusinessDuration(monday_start, absl::Hours(23)), tuesday_start);
  // Tuesday 2021-09-21 repeated 23:00-24:00: 25 hours long.
  const absl::Time sep21 = absl::FromCivil(absl::CivilDay(2021, 9, 21), tehran);
  const absl::Time sep22 = absl::FromCivil(absl::CivilDay(2021, 9, 22), tehran);
  EXPECT_EQ(cal.BusinessDurationBetween(sep21, sep22), absl::Hours(25));
  EXPECT_EQ(cal.AddBusinessDuration(sep21, absl::Hours(25)), sep22);
  EXPECT_EQ(cal.AddBusinessDuration(sep21, absl::Hours(24) + absl::Minutes(30)),
            sep22 - absl::Minutes(30));
}

TEST(BusinessCalendarTest, UtcFactoryAndDefaultAgree) {
  EXPECT_EQ(BusinessCalendar::Utc().time_zone(), absl::UTCTimeZone());
  EXPECT_EQ(BusinessCalendar().time_zone(), absl::UTCTimeZone());
}

}  // namespace
}  // namespace aftercare
