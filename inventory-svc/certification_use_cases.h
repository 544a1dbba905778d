// The use cases of a unit's way into CPO stock: ReceiveUnit,
// RecordCertificationStep, CertifyUnit, QuarantineUnit, ScrapUnit and
// MoveToSparePool. Enums are parsed before any transaction; then one
// idempotent transaction (a retry with the same request_id gets the first
// answer and moves nothing again) checks the step against the unit's state
// and records it with its event (Inventory), and the unit is answered as the
// API's message at the clock's now.
#ifndef AFTERCARE_INVENTORY_SVC_CERTIFICATION_USE_CASES_H_
#define AFTERCARE_INVENTORY_SVC_CERTIFICATION_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "common/auth.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

// A unit with a genuine serial received at the lab (source and condition
// checked against their enums first).
class ReceiveUnitUseCase {
 public:
  explicit ReceiveUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::ReceiveUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// One step of the certification (the step checked against its enum first);
// answers the event and the unit.
class RecordCertificationStepUseCase {
 public:
  explicit RecordCertificationStepUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::RecordCertificationStepResponse> Run(
      const Principal& caller, const v1::RecordCertificationStepRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit that passed every step becomes CERTIFIED stock with its
// certificate.
class CertifyUnitUseCase {
 public:
  explicit CertifyUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::CertifyUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit set aside with a reason.
class QuarantineUnitUseCase {
 public:
  explicit QuarantineUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::QuarantineUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A unit scrapped with a reason (final).
class ScrapUnitUseCase {
 public:
  explicit ScrapUnitUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller, const v1::ScrapUnitRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

// A certified unit moved to the RMA spare pool.
class MoveToSparePoolUseCase {
 public:
  explicit MoveToSparePoolUseCase(InventoryUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Unit> Run(const Principal& caller,
                               const v1::MoveToSparePoolRequest& request) const;

 private:
  InventoryUseCaseDeps deps_;
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_CERTIFICATION_USE_CASES_H_
