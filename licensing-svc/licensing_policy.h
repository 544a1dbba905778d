// The authorization policy of aftercare.licensing.v1.LicensingService: one entry per RPC
// (common/policy.h), applied before any handler runs, checked complete at
// start-up and printed into docs/licensing-svc.md.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_POLICY_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_POLICY_H_

#include "common/policy.h"

namespace aftercare::licensing {

const ServicePolicy& LicensingPolicy();

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_POLICY_H_
