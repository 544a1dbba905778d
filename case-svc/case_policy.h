// The authorization policy of aftercare.cases.v1.CaseService: one entry per RPC
// (common/policy.h), applied before any handler runs, checked complete at
// start-up and printed into docs/case-svc.md.
#ifndef AFTERCARE_CASE_SVC_CASE_POLICY_H_
#define AFTERCARE_CASE_SVC_CASE_POLICY_H_

#include "common/policy.h"

namespace aftercare::cases {

const ServicePolicy& CasePolicy();

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_POLICY_H_
