// The use cases of the installed base and its support: RegisterProduct,
// UpdateInstalledBase, TransferOwnership, FlagGreyMarket, ReinstateUnit,
// CreateSupportContract and SwapInstalledBase. What needs no database is
// parsed first (times, enums, the support option); then one idempotent
// transaction (a retry with the same request_id gets the first answer)
// applies the rule (Inventory) on the unit in the caller's reach (another
// account's unit answers NOT_FOUND), and the answer is the API's message at
// the clock's now.
#ifndef AFTERCARE_INVENTORY_SVC_INSTALLED_BASE_USE_CASES_H_
#define AFTERCARE_INVENTORY_SVC_INSTALLED_BASE_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

// A unit bought outside the CPO channel registered to its account and site.
class RegisterProductUseCase {
 public:
  explicit RegisterProductUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::RegisterProductRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit moved to another site: applied when the site keeps the contracted
// support level, or when the customer accepts the level offered there.
class UpdateInstalledBaseUseCase {
 public:
  explicit UpdateInstalledBaseUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::UpdateInstalledBaseResponse> Run(
      const Principal& caller, const v1::UpdateInstalledBaseRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit handed to another account, with its etag.
class TransferOwnershipUseCase {
 public:
  explicit TransferOwnershipUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::TransferOwnershipRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit flagged as grey market with a reason: no support until it is
// reinstated.
class FlagGreyMarketUseCase {
 public:
  explicit FlagGreyMarketUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::FlagGreyMarketRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A grey-market unit reinstated after the inspection its case approved.
class ReinstateUnitUseCase {
 public:
  explicit ReinstateUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::ReinstateUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A support contract bought for a unit (the option parsed first).
class CreateSupportContractUseCase {
 public:
  explicit CreateSupportContractUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::SupportContract> Run(const Principal& caller,
                                          const v1::CreateSupportContractRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// An RMA replacement takes the defective unit's place in the installed base
// (both answered).
class SwapInstalledBaseUseCase {
 public:
  explicit SwapInstalledBaseUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::SwapInstalledBaseResponse> Run(
      const Principal& caller, const v1::SwapInstalledBaseRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_INSTALLED_BASE_USE_CASES_H_
