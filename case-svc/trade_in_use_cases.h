// The use cases of a trade-in case after it is created (create_trade_in.h),
// one class per RPC. Each parses what needs no database (the requested due
// time), then runs one idempotent transaction (a retry with
// the same request_id gets the first answer): the trade-in found in the
// caller's reach (another account's answers NOT_FOUND), the step checked
// against its status and recorded (Cases), and the trade-in answered as
// the API's message.
#ifndef AFTERCARE_CASE_SVC_TRADE_IN_USE_CASES_H_
#define AFTERCARE_CASE_SVC_TRADE_IN_USE_CASES_H_

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_use_case.h"
#include "common/auth.h"

namespace aftercare::cases {

// The trade-in's lines replaced while it is open (quantities, SKUs and
// serials checked first; units already received or destroyed stay
// registered).
class UpdateTradeInLinesUseCase {
 public:
  explicit UpdateTradeInLinesUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller,
                                      const v1::UpdateTradeInLinesRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// The partner asks for a later due date, with a reason; requested_due_time
// is required and checked before the transaction.
class RequestDeadlineExtensionUseCase {
 public:
  explicit RequestDeadlineExtensionUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller,
                                      const v1::RequestDeadlineExtensionRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// The program team approves or declines a requested extension, with a note.
class ReviewDeadlineExtensionUseCase {
 public:
  explicit ReviewDeadlineExtensionUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller,
                                      const v1::ReviewDeadlineExtensionRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// The program team issues the shipping instructions and the prepaid label.
class IssueShippingInstructionsUseCase {
 public:
  explicit IssueShippingInstructionsUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller,
                                      const v1::IssueShippingInstructionsRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

// The units received at the depot, checked against the trade-in's lines.
class RecordReceivedUnitsUseCase {
 public:
  explicit RecordReceivedUnitsUseCase(CaseUseCaseDeps deps) : deps_(deps) {}
  absl::StatusOr<v1::TradeInCase> Run(const Principal& caller,
                                      const v1::RecordReceivedUnitsRequest& request) const;

 private:
  CaseUseCaseDeps deps_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_TRADE_IN_USE_CASES_H_
