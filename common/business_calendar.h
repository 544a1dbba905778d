// BusinessCalendar: working days (Monday-Friday except US federal holidays)
// and "business time" for SLA clocks and RMA return windows.
//
// case-svc computes response targets with it ("P3: 2 business days", with
// the clock paused while the case waits on the customer); rma-svc computes
// the day a defective unit is due back ("10 business days after the
// replacement shipped") and inventory-svc the repair-centre turnaround.
//
//   const BusinessCalendar cal = BusinessCalendar::Utc();
//   absl::CivilDay due = cal.AddBusinessDays(absl::CivilDay(2026, 9, 4), 10);
//   // due == 2026-09-21 (Labor Day, Mon 2026-09-07, is skipped)
//
//   absl::Time target = cal.AddBusinessDuration(opened_at, absl::Hours(48));
//   // On pause: remaining = cal.BusinessDurationBetween(paused_at, target);
//   // on resume: target = cal.AddBusinessDuration(resumed_at, remaining);
//
// Holidays follow the federal rules (5 U.S.C. 6103 and the observed-day rule
// for employees on a Monday-Friday schedule): a holiday that falls on a
// Saturday is observed the Friday before (New Year's Day on a Saturday is
// observed on December 31 of the previous year), one that falls on a Sunday
// is observed the Monday after. The current set of holidays is applied to
// every year, except Juniteenth, which exists from 2021 on.
//
// Business time is elapsed time (absl::Time differences) that falls inside a
// business day, each business day being the whole civil day from its
// midnight to the next midnight in the calendar's time zone. All US (and
// most other) daylight-saving transitions happen on weekends, so in practice
// every business day counts exactly 24 hours.
//
// Thread-safe: all methods are const and the object holds no mutable state.
#ifndef AFTERCARE_COMMON_BUSINESS_CALENDAR_H_
#define AFTERCARE_COMMON_BUSINESS_CALENDAR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace aftercare {

// One federal holiday of a year: its name, the date it falls on, and the
// weekday on which it is observed (equal to `date` unless `date` is a
// Saturday or Sunday).
struct Holiday {
  std::string name;
  absl::CivilDay date;
  absl::CivilDay observed;
};

class BusinessCalendar {
 public:
  // A calendar whose days are UTC days.
  BusinessCalendar();
  // A calendar whose days are civil days in `time_zone` (e.g. the
  // depot's or the care team's zone).
  explicit BusinessCalendar(absl::TimeZone time_zone);

  // Same as the default constructor; reads better at call sites.
  static BusinessCalendar Utc();

  const absl::TimeZone& time_zone() const { return time_zone_; }

  // Returns the federal holidays whose actual date lies in `year`, in
  // calendar order. The observed day of New Year's Day may lie in year - 1.
  static std::vector<Holiday> HolidaysOfYear(int64_t year);

  // Returns true for the actual date of a holiday and for its observed
  // weekday (so both Sat 2026-07-04 and Fri 2026-07-03 are holidays).
  bool IsHoliday(absl::CivilDay day) const;

  // Returns the holiday's name ("Independence Day"), or for an observed
  // day that is not the actual date the name with " (observed)" appended
  // ("Independence Day (observed)"); std::nullopt when `day` is no holiday.
  std::optional<std::string> HolidayName(absl::CivilDay day) const;

  // Returns true for Monday-Friday days that are not observed holidays.
  bool IsBusinessDay(absl::CivilDay day) const;

  // Returns the n-th business day strictly after `from`. n == 0 returns
  // `from` when it is a business day, else the next business day. A
  // negative n counts backwards: the |n|-th business day strictly before
  // `from`.
  //
  //   AddBusinessDays(CivilDay(2026, 9, 4), 10) == CivilDay(2026, 9, 21)
  absl::CivilDay AddBusinessDays(absl::CivilDay from, int n) const;

  // Returns the number of business days d with from < d <= to (0 when
  // to <= from); CountBusinessDays(from, AddBusinessDays(from, n)) == n for
  // n >= 1. Use it to check "within 20 business days of receipt".
  int64_t CountBusinessDays(absl::CivilDay from, absl::CivilDay to) const;

  // Returns the earliest instant t >= start such that the business time in
  // [start, t) equals `d`. A start outside business days starts the clock at
  // the next business day's midnight; a result that ends exactly at the end
  // of a business day is that midnight (e.g. Saturday 00:00 for a target
  // that runs out at the end of Friday). A zero or negative `d` returns
  // `start`; an infinite `d` or `start` returns absl::InfiniteFuture() (or
  // `start` when it is infinite). Runs in O(days spanned).
  absl::Time AddBusinessDuration(absl::Time start, absl::Duration d) const;

  // Returns the business time in [a, b); zero when b <= a. Runs in O(days
  // spanned). For any finite a and d > 0:
  //   BusinessDurationBetween(a, AddBusinessDuration(a, d)) == d.
  absl::Duration BusinessDurationBetween(absl::Time a, absl::Time b) const;

  // Returns AddBusinessDuration(start, n * 24h): "n business days from now"
  // as an instant (a negative n is treated as zero).
  absl::Time AddBusinessDays(absl::Time start, int n) const;

 private:
  // The first instant of `day` in time_zone_ (midnight, or the end of the
  // transition when a zone skips midnight).
  absl::Time StartOfDay(absl::CivilDay day) const;

  absl::TimeZone time_zone_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_BUSINESS_CALENDAR_H_
