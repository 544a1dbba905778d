// The API view of an RMA: the domain's Rma as its aftercare.rma.v1.Rma
// message, and the other messages rma-svc answers. Used by the use cases
// (create_rma.h, approve_rma.h, update_rma.h, decision_use_cases.h,
// logistics_use_cases.h, rma_queries.h).
#ifndef AFTERCARE_RMA_SVC_RMA_VIEW_H_
#define AFTERCARE_RMA_SVC_RMA_VIEW_H_

#include "absl/time/time.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "rma-svc/rma_types.h"

namespace aftercare::rma {

// Converts a domain RMA to its message (overdue is computed at `now`).
v1::Rma ToProto(const Rma& rma, absl::Time now);

// A receipt exception (a unit received that is not the one expected).
void ToProto(const ReceiptException& e, v1::ReceiptException* out);

// A notification of an RMA, as sent (or to be sent).
v1::Notification ToProto(const Notification& n);

// A return depot, and the label a customer ships a unit back with.
void ToProto(const ReturnLocation& l, v1::ReturnLocation* out);
v1::ReturnLabel ToProto(const ReturnLabel& l);

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_VIEW_H_
