// What rma-svc's use cases (create_rma.h, update_rma.h, approve_rma.h)
// share: their dependencies, and their last step, the change written in one
// idempotent transaction and answered as the API's Rma.
#ifndef AFTERCARE_RMA_SVC_RMA_USE_CASE_H_
#define AFTERCARE_RMA_SVC_RMA_USE_CASE_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "common/clock.h"
#include "rma-svc/inventory_client.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_repository.h"
#include "rma-svc/rma_view.h"

namespace aftercare::rma {

// What the RMA use cases work with: the domain, the store, inventory-svc and
// a clock (for the response's overdue flag).
struct RmaUseCaseDeps {
  const Rmas& domain;
  RmaStore& store;
  InventoryClient& inventory;
  const Clock& clock;
};

// Runs `body(repo) -> StatusOr<Rma>` in one transaction under `request`'s
// request_id and `method` (a retry gets the stored answer) and answers the
// Rma as the API's message.
template <typename Req, typename Body>
absl::StatusOr<v1::Rma> WriteRma(const RmaUseCaseDeps& deps, const Principal& caller,
                                 const Req& request, const char* method, Body body) {
  return deps.store.WriteOnce<v1::Rma>(caller, request, method, method, body,
                                       [&](const Rma& rma) { return ToProto(rma, deps.clock.Now()); });
}

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_USE_CASE_H_
