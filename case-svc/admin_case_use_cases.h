// The use cases of an admin case after it is created (create_case.h), one
// class per RPC. Each checks what needs no database, then runs one
// idempotent transaction (a retry with the same request_id gets the first
// answer and changes nothing again): the case found in the caller's reach
// (another account's answers NOT_FOUND, like an unknown one), the step
// checked against the case's state and recorded on its timeline (Cases),
// and the case answered as the API's message with its SLA at the clock's now.
#ifndef AFTERCARE_CASE_SVC_ADMIN_CASE_USE_CASES_H_
#define AFTERCARE_CASE_SVC_ADMIN_CASE_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_use_case.h"
#include "common/auth.h"

namespace aftercare::cases {

// Someone on the care team takes an open case (the caller, or the `owner`
// named); a NEW case moves to IN_PROGRESS. Needs the case's etag.
class TakeCaseOwnershipUseCase {
 public:
  explicit TakeCaseOwnershipUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::TakeCaseOwnershipRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Moves an open case between IN_PROGRESS and AWAITING_CUSTOMER (the SLA
// clock pauses while the customer is asked, and the customer is told the
// question). The status is checked against its enum before the transaction.
class UpdateCaseStatusUseCase {
 public:
  explicit UpdateCaseStatusUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::UpdateCaseStatusRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// A note on a case. Internal notes are for care staff only; a customer's
// answer to AWAITING_CUSTOMER starts the SLA clock again.
class AddCaseNoteUseCase {
 public:
  explicit AddCaseNoteUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::AddCaseNoteRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Escalates an open case (faster progress or reassignment): the level goes
// up and the team lead is asked to look. The kind is checked against its
// enum before the transaction.
class EscalateCaseUseCase {
 public:
  explicit EscalateCaseUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::EscalateCaseRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Resolves an IN_PROGRESS or AWAITING_CUSTOMER case with its resolution (a
// mis-shipment needs the corrected tracking number); the customer is told.
class ResolveCaseUseCase {
 public:
  explicit ResolveCaseUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::ResolveCaseRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Closes a RESOLVED case (the customer confirmed the resolution).
class CloseCaseUseCase {
 public:
  explicit CloseCaseUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller, const v1::CloseCaseRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Reopens a RESOLVED case with a reason: back to IN_PROGRESS with its
// owner, or NEW without one.
class ReopenCaseUseCase {
 public:
  explicit ReopenCaseUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller, const v1::ReopenCaseRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// Approves the reinstatement of a grey-market unit on an open grey-market
// reinstatement case, once; inventory-svc applies it through the outbox.
class ApproveReinstatementUseCase {
 public:
  explicit ApproveReinstatementUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::Case> Run(const Principal& caller,
                               const v1::ApproveReinstatementRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_ADMIN_CASE_USE_CASES_H_
