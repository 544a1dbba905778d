// Response targets of admin cases (the SLA clock of the first response):
// P1 2 hours and P2 24 hours of wall-clock time, P3 2 and P4 3 business days
// on the business calendar (weekends and US federal holidays, observed days
// included, do not count). The clock pauses while the case awaits the
// customer and resumes with the time that was left.
//
//   SlaClock c = StartSla(cal, Priority::kP3, created);   // c.due set
//   PauseSla(cal, Priority::kP3, &c, t1);                 // c.remaining set
//   ResumeSla(cal, Priority::kP3, &c, t2);                // c.due moved
#ifndef AFTERCARE_CASE_SVC_SLA_H_
#define AFTERCARE_CASE_SVC_SLA_H_

#include "absl/time/time.h"
#include "case-svc/case_types.h"
#include "common/business_calendar.h"

namespace aftercare::cases {

// The response target of `p` (business time for P3/P4, wall time otherwise).
absl::Duration ResponseTarget(Priority p);
// True when `p` is measured in business time.
bool UsesBusinessTime(Priority p);

// Returns the instant `d` of the priority's kind of time after `start`.
absl::Time AddSlaTime(const BusinessCalendar& cal, Priority p, absl::Time start, absl::Duration d);
// Returns the priority's kind of time between `a` and `b` (zero when b <= a).
absl::Duration SlaTimeBetween(const BusinessCalendar& cal, Priority p, absl::Time a, absl::Time b);

// A running clock started at `start`.
SlaClock StartSla(const BusinessCalendar& cal, Priority p, absl::Time start);
// Stops a running clock at `at`, keeping the time left (no-op when paused).
void PauseSla(const BusinessCalendar& cal, Priority p, SlaClock* clock, absl::Time at);
// Restarts a paused clock at `at` with the time left (no-op when running).
void ResumeSla(const BusinessCalendar& cal, Priority p, SlaClock* clock, absl::Time at);
// The due time as it stands at `now` (for a paused clock: if resumed now).
absl::Time EffectiveDue(const BusinessCalendar& cal, Priority p, const SlaClock& clock,
                        absl::Time now);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_SLA_H_
