#include "licensing-svc/transfer_licenses.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/idempotency.h"
#include "common/notify/email.h"
#include "common/policy.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {

absl::StatusOr<std::optional<v1::RmaTransfer>> TransferLicensesUseCase::Existing(
    const Principal& caller, const std::string& rma_number) const {
  std::optional<RmaTransfer> existing;
  RETURN_IF_ERROR(store_.Read("find transfer", [&](LicensingRepository& repo) -> absl::Status {
    ASSIGN_OR_RETURN(existing, domain_.FindTransfer(caller, rma_number, repo));
    return absl::OkStatus();
  }));
  if (!existing) return std::nullopt;
  v1::RmaTransfer out;
  ToProto(*existing, &out);
  return out;
}

absl::StatusOr<TransferOutcome> TransferLicensesUseCase::Run(
    const Principal& caller, const CallInfo* call,
    const v1::TransferLicensesRequest& request) const {
  ASSIGN_OR_RETURN(const std::string number,
                   domain_.ValidateTransferRequest(caller, request.rma_number()));
  RETURN_IF_ERROR(ValidateRequestId(request.request_id()));
  const std::vector<std::string> emails(request.notification_emails().begin(),
                                        request.notification_emails().end());
  RETURN_IF_ERROR(
      notify::ValidateEmailAddresses("notification_emails", emails, kMaxNotificationEmails));

  const bool by_rma_number = number[0] == 'R';
  if (by_rma_number) {
    ASSIGN_OR_RETURN(std::optional<v1::RmaTransfer> existing, Existing(caller, number));
    if (existing) return TransferOutcome{*std::move(existing), true};
  }
  absl::StatusOr<RmaInfo> rma = rmas_.GetRma(call, number);
  if (absl::IsNotFound(rma.status())) {
    return absl::NotFoundError(absl::StrCat("RMA ", number, " not found"));
  }
  if (!rma.ok()) {
    return absl::Status(rma.status().code(), absl::StrCat("cannot check RMA ", number,
                                                          " with rma-svc: ", rma.status().message()));
  }
  if (by_rma_number) {
    rma->rma_number = number;
  } else {
    rma->validation_number = number;
    if (!rma->rma_number.empty()) {
      RETURN_IF_ERROR(CheckAccountScope(caller, rma->account_id, "RMA " + number));
      ASSIGN_OR_RETURN(rma->rma_number, domain_.ValidateTransferRequest(caller, rma->rma_number));
      ASSIGN_OR_RETURN(std::optional<v1::RmaTransfer> existing, Existing(caller, rma->rma_number));
      if (existing) return TransferOutcome{*std::move(existing), true};
    }
  }
  RETURN_IF_ERROR(domain_.CheckRmaForTransfer(caller, *rma));
  TransferOutcome outcome;
  ASSIGN_OR_RETURN(outcome.transfer,
                   store_.WriteOnce<v1::RmaTransfer>(
                       caller, request, "TransferLicenses", "transfer licenses",
                       [&](LicensingRepository& repo) -> absl::StatusOr<v1::RmaTransfer> {
                         ASSIGN_OR_RETURN(RmaTransfer t,
                                          domain_.Transfer(caller, *rma, emails, repo));
                         v1::RmaTransfer out;
                         ToProto(t, &out);
                         return out;
                       }));
  return outcome;
}

}  // namespace aftercare::licensing
