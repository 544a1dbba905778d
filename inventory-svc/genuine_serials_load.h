// GenuineSerialsLoad: the use case behind InventoryService/LoadGenuineSerials
// (client streaming), one object per call; the reactor in inventory_grpc.cc
// only moves messages and runs Finish on the executor.
//   - Add() takes each message in order: request_id in the first, repeated
//     or left empty in the later ones; each entry checked as it arrives
//     (serial and SKU, by its index in the whole load:
//     Inventory::ValidateGenuineSerials); at most kMaxEntries per call.
//     A refused message ends the call and nothing is written.
//   - Finish() writes every entry in one idempotent transaction (inserted or
//     replaced, counted): a retry with the same request_id gets the first
//     counts and writes nothing again.
#ifndef AFTERCARE_INVENTORY_SVC_GENUINE_SERIALS_LOAD_H_
#define AFTERCARE_INVENTORY_SVC_GENUINE_SERIALS_LOAD_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_repository.h"

namespace aftercare::inventory {

class GenuineSerialsLoad {
 public:
  static constexpr int64_t kMaxEntries = 200'000;

  GenuineSerialsLoad(const Inventory& domain, InventoryStore& store)
      : domain_(domain), store_(store) {}

  // `caller` is the policy's (common/policy.h); the entries do not depend on it.
  absl::Status Add(const Principal& caller, const v1::LoadGenuineSerialsRequest& message);
  absl::StatusOr<v1::LoadGenuineSerialsResponse> Finish(const Principal& caller);

 private:
  const Inventory& domain_;
  InventoryStore& store_;
  v1::LoadGenuineSerialsRequest combined_;  // what the request_id stands for
  std::vector<GenuineSerialEntry> entries_;
  int64_t messages_ = 0;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_GENUINE_SERIALS_LOAD_H_
