#include "case-svc/sla.h"

namespace aftercare::cases {

absl::Duration ResponseTarget(Priority p) {
  switch (p) {
    case Priority::kP1:
      return absl::Hours(2);
    case Priority::kP2:
      return absl::Hours(24);
    case Priority::kP3:
      return absl::Hours(48);
    case Priority::kP4:
    case Priority::kUnspecified:
      return absl::Hours(72);
  }
  return absl::Hours(72);
}

bool UsesBusinessTime(Priority p) { return p == Priority::kP3 || p == Priority::kP4; }

absl::Time AddSlaTime(const BusinessCalendar& cal, Priority p, absl::Time start, absl::Duration d) {
  return UsesBusinessTime(p) ? cal.AddBusinessDuration(start, d) : start + d;
}

absl::Duration SlaTimeBetween(const BusinessCalendar& cal, Priority p, absl::Time a, absl::Time b) {
  if (b <= a) return absl::ZeroDuration();
  return UsesBusinessTime(p) ? cal.BusinessDurationBetween(a, b) : b - a;
}

SlaClock StartSla(const BusinessCalendar& cal, Priority p, absl::Time start) {
  SlaClock c;
  c.due = AddSlaTime(cal, p, start, ResponseTarget(p));
  return c;
}

void PauseSla(const BusinessCalendar& cal, Priority p, SlaClock* clock, absl::Time at) {
  if (!clock->due) return;
  clock->remaining = SlaTimeBetween(cal, p, at, *clock->due);
  clock->paused_at = at;
  clock->due.reset();
}

void ResumeSla(const BusinessCalendar& cal, Priority p, SlaClock* clock, absl::Time at) {
  if (!clock->paused_at) return;
  clock->due = clock->remaining > absl::ZeroDuration()
                   ? AddSlaTime(cal, p, at, clock->remaining)
                   : at;
  clock->paused_at.reset();
  clock->remaining = absl::ZeroDuration();
}

absl::Time EffectiveDue(const BusinessCalendar& cal, Priority p, const SlaClock& clock,
                        absl::Time now) {
  if (clock.due) return *clock.due;
  if (clock.remaining <= absl::ZeroDuration()) return now;
  return AddSlaTime(cal, p, now, clock.remaining);
}

}  // namespace aftercare::cases
