// rma-svc's calls to inventory-svc: the entitlement lookup made while a
// request is handled, and the deliveries of the outbox events that carry an
// RMA's effects (spare allocation, installed-base swap, intake of the
// returned unit). Every call has a deadline and the service token; the
// deliveries pass DeliveryRequestId(event) as request_id, so a repeated
// delivery (after a restart or a lost answer) changes nothing in
// inventory-svc and returns the first result.
#ifndef AFTERCARE_RMA_SVC_INVENTORY_CLIENT_H_
#define AFTERCARE_RMA_SVC_INVENTORY_CLIENT_H_

#include <memory>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/call_context.h"
#include "common/clients.h"
#include "common/outbox.h"
#include "rma-svc/rma_types.h"

namespace aftercare::rma {

// The entitlement lookup, as the domain needs it (a fake in unit tests).
class InventoryClient {
 public:
  virtual ~InventoryClient() = default;
  // Returns what inventory-svc says about `serial`. FAILED_PRECONDITION when
  // inventory-svc does not know the unit; UNAVAILABLE when it cannot answer.
  virtual absl::StatusOr<EntitlementView> GetEntitlement(const std::string& serial,
                                                         const CallInfo* parent) = 0;
};

// What an outbox delivery makes of inventory-svc's refusal `s` (common/outbox.h's
// failure rule). A refusal a retry cannot change is PoisonEvent: the event is
// dead-lettered (kept, counted, logged at error level) and the RMA's later
// events go on instead of waiting behind it for ever. Those are a malformed
// request (INVALID_ARGUMENT, OUT_OF_RANGE), an unknown unit or RMA
// (NOT_FOUND), a call rma-svc may not make (PERMISSION_DENIED), a conflicting
// earlier change (ALREADY_EXISTS) and, unless `state_may_change` (a spare
// waits for stock), a unit in the wrong state (FAILED_PRECONDITION).
// Anything else (UNAVAILABLE, DEADLINE_EXCEEDED, UNAUTHENTICATED while a
// token is fixed, INTERNAL, ...) is returned as is and retried with backoff.
absl::Status DeliveryRefused(const grpc::Status& s, absl::string_view what, bool state_may_change);

class GrpcInventoryClient : public InventoryClient {
 public:
  GrpcInventoryClient(ClientFactory* clients, std::string target, absl::Duration timeout)
      : clients_(*clients), target_(std::move(target)), timeout_(timeout) {}

  absl::StatusOr<EntitlementView> GetEntitlement(const std::string& serial,
                                                 const CallInfo* parent) override;

  // Outbox deliveries (payloads are the inventory-svc requests), their
  // refusals answered by DeliveryRefused. Returns the serial of the
  // allocated spare; no spare in stock is retried until one arrives.
  absl::StatusOr<std::string> DeliverAllocateSpare(const OutboxEvent& event);
  absl::Status DeliverSwapInstalledBase(const OutboxEvent& event);
  absl::Status DeliverIntake(const OutboxEvent& event);

 private:
  ClientFactory& clients_;
  const std::string target_;
  const absl::Duration timeout_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_INVENTORY_CLIENT_H_
