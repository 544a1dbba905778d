// TransferLicensesUseCase: the use case behind
// LicensingService/TransferLicenses, one step after the other:
//   1. the request checked (the RMA or validation number, the request id,
//      the notification addresses): nothing is asked of rma-svc or the
//      database for a bad request;
//   2. by RMA number, a transfer the RMA already has is answered as it is,
//      without asking rma-svc again;
//   3. the RMA read from rma-svc, outside any transaction (NOT_FOUND when
//      rma-svc does not know it; rma-svc's failure named otherwise). By
//      validation number, once the RMA has its number, the account's scope
//      is checked and an existing transfer answered as in 2;
//   4. the RMA's state checked (Licensing::CheckRmaForTransfer) and the
//      licenses moved in one idempotent transaction (Licensing::Transfer):
//      a retry with the same request_id gets the first answer.
#ifndef AFTERCARE_LICENSING_SVC_TRANSFER_LICENSES_H_
#define AFTERCARE_LICENSING_SVC_TRANSFER_LICENSES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "common/call_context.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"
#include "licensing-svc/rma_directory.h"

namespace aftercare::licensing {

// The answer, and whether it is a transfer that existed before the call
// (steps 2 and 3) rather than one this call (or the first call with its
// request_id) made.
struct TransferOutcome {
  v1::RmaTransfer transfer;
  bool existing = false;
};

class TransferLicensesUseCase {
 public:
  TransferLicensesUseCase(const Licensing& domain, LicensingStore& store, RmaDirectory& rmas)
      : domain_(domain), store_(store), rmas_(rmas) {}

  // `call`: the incoming call (its request id and trace go on to rma-svc);
  // may be null.
  absl::StatusOr<TransferOutcome> Run(const Principal& caller, const CallInfo* call,
                                      const v1::TransferLicensesRequest& request) const;

 private:
  // The transfer `rma_number` already has, if any (scoped to `caller`).
  absl::StatusOr<std::optional<v1::RmaTransfer>> Existing(const Principal& caller,
                                                          const std::string& rma_number) const;

  const Licensing& domain_;
  LicensingStore& store_;
  RmaDirectory& rmas_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_TRANSFER_LICENSES_H_
