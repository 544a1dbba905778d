// The authorization policy of aftercare.rma.v1.RmaService: one entry per RPC
// (common/policy.h), applied before any handler runs, checked complete at
// start-up and printed into docs/rma-svc.md.
#ifndef AFTERCARE_RMA_SVC_RMA_POLICY_H_
#define AFTERCARE_RMA_SVC_RMA_POLICY_H_

#include "common/policy.h"

namespace aftercare::rma {

const ServicePolicy& RmaPolicy();

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_POLICY_H_
