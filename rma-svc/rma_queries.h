// RmaQueries: the use cases behind rma-svc's reads, one method per RPC, each
// answering the API's message. What needs no database is checked first (a
// list's enums), then one read through the store (no transaction) with the
// domain's scope rules: another account's RMA, label or notifications
// answer exactly like an unknown RMA, and a list shows only the caller's
// accounts. An RMA's overdue flag is computed at the clock's now.
#ifndef AFTERCARE_RMA_SVC_RMA_QUERIES_H_
#define AFTERCARE_RMA_SVC_RMA_QUERIES_H_

#include "absl/status/statusor.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/auth.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class RmaQueries {
 public:
  explicit RmaQueries(RmaUseCaseDeps deps) : deps_(deps) {}

  absl::StatusOr<v1::Rma> GetRma(const Principal& caller, const v1::GetRmaRequest& request) const;
  // status, type: INVALID_ARGUMENT for a value outside its enum, before any read.
  absl::StatusOr<v1::ListRmasResponse> ListRmas(const Principal& caller,
                                                const v1::ListRmasRequest& request) const;
  absl::StatusOr<v1::ListOverdueReturnsResponse> ListOverdueReturns(
      const Principal& caller, const v1::ListOverdueReturnsRequest& request) const;
  absl::StatusOr<v1::ListNotificationsResponse> ListNotifications(
      const Principal& caller, const v1::ListNotificationsRequest& request) const;
  absl::StatusOr<v1::ReturnLabel> GetReturnLabel(const Principal& caller,
                                                 const v1::GetReturnLabelRequest& request) const;
  absl::StatusOr<v1::ListReturnLocationsResponse> ListReturnLocations(
      const Principal& caller, const v1::ListReturnLocationsRequest& request) const;

 private:
  RmaUseCaseDeps deps_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_QUERIES_H_
