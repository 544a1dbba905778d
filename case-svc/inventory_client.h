// case-svc's calls to inventory-svc: product series and platform of a
// serial number or SSRN, catalog entries of SKUs (TMIP eligibility), and
// the deliveries of outbox events (reinstatement, trade-in intake). Every
// call has a deadline and carries the service token (common/clients.h).
#ifndef AFTERCARE_CASE_SVC_INVENTORY_CLIENT_H_
#define AFTERCARE_CASE_SVC_INVENTORY_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "case-svc/cases.h"
#include "common/call_context.h"
#include "common/clients.h"

namespace aftercare::cases {

// What the domain needs from inventory-svc (a fake in unit tests).
class InventoryGateway {
 public:
  virtual ~InventoryGateway() = default;
  // The product of a unit, looked up on behalf of `account_id`: FILLED only
  // when the unit is owned by that account (empty: any account, for cases
  // staff open without one), NOT_FOUND otherwise — a caller never learns
  // through a case what inventory-svc would not show it. UNAVAILABLE /
  // DEADLINE_EXCEEDED when inventory-svc cannot answer now.
  virtual absl::StatusOr<ProductLookup> LookUpProduct(const CallInfo* parent,
                                                      const std::string& serial,
                                                      const std::string& ssrn,
                                                      const std::string& account_id) = 0;
  // The catalog entry of `sku` (found = false when unknown).
  virtual absl::StatusOr<CatalogEntry> LookUpSku(const CallInfo* parent, const std::string& sku) = 0;
};

class GrpcInventory : public InventoryGateway {
 public:
  GrpcInventory(ClientFactory* clients, std::string target, absl::Duration timeout)
      : clients_(clients), target_(std::move(target)), timeout_(timeout) {}

  absl::StatusOr<ProductLookup> LookUpProduct(const CallInfo* parent, const std::string& serial,
                                              const std::string& ssrn,
                                              const std::string& account_id) override;
  absl::StatusOr<CatalogEntry> LookUpSku(const CallInfo* parent, const std::string& sku) override;

  // Outbox deliveries, with the event's stable request id.
  absl::Status Reinstate(const std::string& request_id,
                         aftercare::inventory::v1::ReinstateUnitRequest req);
  absl::Status IntakeReturnedUnit(const std::string& request_id,
                                  aftercare::inventory::v1::IntakeReturnedUnitRequest req);

 private:
  absl::StatusOr<std::unique_ptr<aftercare::inventory::v1::InventoryService::Stub>> Stub();
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Context(const CallInfo* parent,
                                                              const std::string& request_id);

  ClientFactory* clients_;
  std::string target_;
  absl::Duration timeout_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_INVENTORY_CLIENT_H_
