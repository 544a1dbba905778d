#include "common/business_calendar.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <utility>

namespace aftercare {
namespace {

// Juniteenth National Independence Day became a federal holiday in 2021.
constexpr int64_t kFirstJuneteenthYear = 2021;
constexpr std::size_t kMaxHolidaysPerYear = 11;

struct HolidayDate {
  const char* name;
  absl::CivilDay date;
};

// The holidays of one year without heap allocations: the calendar looks
// them up once per day it walks over.
struct HolidayDates {
  std::array<HolidayDate, kMaxHolidaysPerYear> items;
  std::size_t size = 0;

  void Add(const char* name, absl::CivilDay date) { items[size++] = {name, date}; }
};

// The n-th (1-based) `weekday` of the month.
absl::CivilDay NthWeekday(int64_t year, int month, absl::Weekday weekday, int n) {
  const absl::CivilDay before_first = absl::CivilDay(year, month, 1) - 1;
  return absl::NextWeekday(before_first, weekday) + 7 * (n - 1);
}

// The last `weekday` of the month.
absl::CivilDay LastWeekday(int64_t year, int month, absl::Weekday weekday) {
  // CivilDay normalizes month 13 to January of the next year.
  return absl::PrevWeekday(absl::CivilDay(year, month + 1, 1), weekday);
}

bool IsWeekend(absl::CivilDay day) {
  const absl::Weekday w = absl::GetWeekday(day);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// Saturday -> the Friday before; Sunday -> the Monday after.
absl::CivilDay ObservedDay(absl::CivilDay date) {
  switch (absl::GetWeekday(date)) {
    case absl::Weekday::saturday:
      return date - 1;
    case absl::Weekday::sunday:
      return date + 1;
    default:
      return date;
  }
}

HolidayDates ComputeHolidayDates(int64_t year) {
  using absl::Weekday;
  HolidayDates h;
  h.Add("New Year's Day", absl::CivilDay(year, 1, 1));
  h.Add("Martin Luther King Jr. Day", NthWeekday(year, 1, Weekday::monday, 3));
  h.Add("Washington's Birthday", NthWeekday(year, 2, Weekday::monday, 3));
  h.Add("Memorial Day", LastWeekday(year, 5, Weekday::monday));
  if (year >= kFirstJuneteenthYear) {
    h.Add("Juneteenth National Independence Day", absl::CivilDay(year, 6, 19));
  }
  h.Add("Independence Day", absl::CivilDay(year, 7, 4));
  h.Add("Labor Day", NthWeekday(year, 9, Weekday::monday, 1));
  h.Add("Columbus Day", NthWeekday(year, 10, Weekday::monday, 2));
  h.Add("Veterans Day", absl::CivilDay(year, 11, 11));
  h.Add("Thanksgiving Day", NthWeekday(year, 11, Weekday::thursday, 4));
  h.Add("Christmas Day", absl::CivilDay(year, 12, 25));
  return h;
}

// ComputeHolidayDates(year), remembered per thread for the last year asked:
// an SLA clock walks the days of one year (two across New Year), and every
// day it checks asked for the whole year's dates again.
const HolidayDates& HolidayDatesOf(int64_t year) {
  thread_local int64_t cached_year = std::numeric_limits<int64_t>::min();
  thread_local HolidayDates cached;
  if (cached_year != year) {
    cached = ComputeHolidayDates(year);
    cached_year = year;
  }
  return cached;
}

struct HolidayMatch {
  const char* name;
  bool observed_only;  // `day` is the observed weekday, not the actual date
};

// Finds the holiday that falls on or is observed on `day`. An actual date
// wins over an observed one (the rules never make two coincide anyway).
std::optional<HolidayMatch> FindHoliday(absl::CivilDay day) {
  const HolidayDates& this_year = HolidayDatesOf(day.year());
  for (std::size_t i = 0; i < this_year.size; ++i) {
    if (this_year.items[i].date == day) return HolidayMatch{this_year.items[i].name, false};
  }
  for (std::size_t i = 0; i < this_year.size; ++i) {
    if (ObservedDay(this_year.items[i].date) == day) {
      return HolidayMatch{this_year.items[i].name, true};
    }
  }
  // New Year's Day on a Saturday is observed on December 31 before it.
  if (day.month() == 12 && day.day() == 31) {
    const absl::CivilDay next_new_year(day.year() + 1, 1, 1);
    if (ObservedDay(next_new_year) == day) return HolidayMatch{"New Year's Day", true};
  }
  return std::nullopt;
}

}  // namespace

BusinessCalendar::BusinessCalendar() : time_zone_(absl::UTCTimeZone()) {}

BusinessCalendar::BusinessCalendar(absl::TimeZone time_zone) : time_zone_(time_zone) {}

BusinessCalendar BusinessCalendar::Utc() { return BusinessCalendar(); }

std::vector<Holiday> BusinessCalendar::HolidaysOfYear(int64_t year) {
  const HolidayDates dates = ComputeHolidayDates(year);
  std::vector<Holiday> out;
  out.reserve(dates.size);
  for (std::size_t i = 0; i < dates.size; ++i) {
    out.push_back(
        Holiday{dates.items[i].name, dates.items[i].date, ObservedDay(dates.items[i].date)});
  }
  return out;
}

bool BusinessCalendar::IsHoliday(absl::CivilDay day) const { return FindHoliday(day).has_value(); }

std::optional<std::string> BusinessCalendar::HolidayName(absl::CivilDay day) const {
  const std::optional<HolidayMatch> match = FindHoliday(day);
  if (!match.has_value()) return std::nullopt;
  std::string name = match->name;
  if (match->observed_only) name += " (observed)";
  return name;
}

bool BusinessCalendar::IsBusinessDay(absl::CivilDay day) const {
  return !IsWeekend(day) && !IsHoliday(day);
}

absl::CivilDay BusinessCalendar::AddBusinessDays(absl::CivilDay from, int n) const {
  absl::CivilDay day = from;
  if (n == 0) {
    while (!IsBusinessDay(day)) ++day;
    return day;
  }
  const int step = n > 0 ? 1 : -1;
  // Counted as int64_t so that n == INT_MIN is not negated.
  int64_t left = n > 0 ? static_cast<int64_t>(n) : -static_cast<int64_t>(n);
  while (left > 0) {
    day += step;
    if (IsBusinessDay(day)) --left;
  }
  return day;
}

int64_t BusinessCalendar::CountBusinessDays(absl::CivilDay from, absl::CivilDay to) const {
  int64_t count = 0;
  for (absl::CivilDay day = from + 1; day <= to; ++day) {
    if (IsBusinessDay(day)) ++count;
  }
  return count;
}

absl::Time BusinessCalendar::StartOfDay(absl::CivilDay day) const {
  const absl::TimeZone::TimeInfo info = time_zone_.At(absl::CivilSecond(day));
  // When a zone skips midnight, the day begins at the transition.
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::Time BusinessCalendar::AddBusinessDuration(absl::Time start, absl::Duration d) const {
  if (start == absl::InfiniteFuture() || start == absl::InfinitePast()) return start;
  if (d <= absl::ZeroDuration()) return start;
  if (d == absl::InfiniteDuration()) return absl::InfiniteFuture();

  absl::CivilDay day = absl::ToCivilDay(start, time_zone_);
  absl::Time t = start;
  absl::Duration remaining = d;
  while (true) {
    const absl::Time next_day_start = StartOfDay(day + 1);
    if (IsBusinessDay(day)) {
      const absl::Duration available = next_day_start - t;
      if (remaining <= available) return t + remaining;
      remaining -= available;
    }
    t = next_day_start;
    ++day;
  }
}

absl::Duration BusinessCalendar::BusinessDurationBetween(absl::Time a, absl::Time b) const {
  if (b <= a) return absl::ZeroDuration();
  if (a == absl::InfinitePast() || b == absl::InfiniteFuture()) return absl::InfiniteDuration();

  absl::CivilDay day = absl::ToCivilDay(a, time_zone_);
  absl::Time t = a;
  absl::Duration total = absl::ZeroDuration();
  while (t < b) {
    const absl::Time next_day_start = StartOfDay(day + 1);
    if (IsBusinessDay(day)) total += std::min(next_day_start, b) - t;
    t = next_day_start;
    ++day;
  }
  return total;
}

absl::Time BusinessCalendar::AddBusinessDays(absl::Time start, int n) const {
  if (n <= 0) return start;
  return AddBusinessDuration(start, absl::Hours(24) * n);
}

}  // namespace aftercare
