#include "case-svc/trade_in_use_cases.h"

#include <vector>

#include "common/errors.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::cases {
namespace {

absl::StatusOr<absl::Time> DueTime(const v1::RequestDeadlineExtensionRequest& request) {
  if (!request.has_requested_due_time()) return InvalidField("requested_due_time", "is required");
  return FromTimestamp(request.requested_due_time(), "requested_due_time");
}

}  // namespace

absl::StatusOr<v1::TradeInCase> UpdateTradeInLinesUseCase::Run(
    const Principal& caller, const v1::UpdateTradeInLinesRequest& request) const {
  ASSIGN_OR_RETURN(std::vector<TradeInLine> lines, LinesFromProto(request.lines(), "lines"));
  return WriteTradeIn(deps_, caller, request, "UpdateTradeInLines", "update trade-in lines",
                      [&](CaseRepository& repo) {
                        return deps_.domain.UpdateLines(caller, request.case_id(), lines,
                                                        request.etag(), repo);
                      });
}

absl::StatusOr<v1::TradeInCase> RequestDeadlineExtensionUseCase::Run(
    const Principal& caller, const v1::RequestDeadlineExtensionRequest& request) const {
  ASSIGN_OR_RETURN(absl::Time due, DueTime(request));
  return WriteTradeIn(deps_, caller, request, "RequestDeadlineExtension",
                      "request deadline extension", [&](CaseRepository& repo) {
                        return deps_.domain.RequestExtension(caller, request.case_id(), due,
                                                             request.reason(), repo);
                      });
}

absl::StatusOr<v1::TradeInCase> ReviewDeadlineExtensionUseCase::Run(
    const Principal& caller, const v1::ReviewDeadlineExtensionRequest& request) const {
  return WriteTradeIn(deps_, caller, request, "ReviewDeadlineExtension",
                      "review deadline extension", [&](CaseRepository& repo) {
                        return deps_.domain.ReviewExtension(
                            caller, request.case_id(), request.approve(), request.note(), repo);
                      });
}

absl::StatusOr<v1::TradeInCase> IssueShippingInstructionsUseCase::Run(
    const Principal& caller, const v1::IssueShippingInstructionsRequest& request) const {
  return WriteTradeIn(deps_, caller, request, "IssueShippingInstructions",
                      "issue shipping instructions", [&](CaseRepository& repo) {
                        return deps_.domain.IssueShippingInstructions(
                            caller, request.case_id(), request.prepaid_label_reference(), repo);
                      });
}

absl::StatusOr<v1::TradeInCase> RecordReceivedUnitsUseCase::Run(
    const Principal& caller, const v1::RecordReceivedUnitsRequest& request) const {
  std::vector<ReceivedUnit> units;
  for (const auto& u : request.units()) units.push_back({u.serial_number(), u.sku()});
  return WriteTradeIn(deps_, caller, request, "RecordReceivedUnits", "record received units",
                      [&](CaseRepository& repo) {
                        return deps_.domain.RecordReceived(caller, request.case_id(), units, repo);
                      });
}

}  // namespace aftercare::cases
