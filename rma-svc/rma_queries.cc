#include "rma-svc/rma_queries.h"

#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/status.h"

namespace aftercare::rma {

absl::StatusOr<v1::Rma> RmaQueries::GetRma(const Principal& caller,
                                           const v1::GetRmaRequest& request) const {
  return deps_.store.ReadOnce<v1::Rma>(
      "get rma", [&](RmaRepository& repo) -> absl::StatusOr<v1::Rma> {
        ASSIGN_OR_RETURN(Rma r, deps_.domain.Get(caller, request.name(), repo));
        return ToProto(r, deps_.clock.Now());
      });
}

absl::StatusOr<v1::ListRmasResponse> RmaQueries::ListRmas(
    const Principal& caller, const v1::ListRmasRequest& request) const {
  RmaFilter filter;
  ASSIGN_OR_RETURN(filter.status,
                   FromEnum<Status>(request.status(), v1::RmaStatus_IsValid, "status"));
  ASSIGN_OR_RETURN(filter.type, FromEnum<RmaType>(request.type(), v1::RmaType_IsValid, "type"));
  filter.account_id = request.account_id();
  filter.serial = request.serial_number();
  filter.overdue = request.overdue();
  return deps_.store.ReadOnce<v1::ListRmasResponse>(
      "list rmas", [&](RmaRepository& repo) -> absl::StatusOr<v1::ListRmasResponse> {
        ASSIGN_OR_RETURN(Page<Rma> page, deps_.domain.List(caller, filter, request.page_size(),
                                                           request.page_token(), repo));
        const absl::Time now = deps_.clock.Now();
        v1::ListRmasResponse out;
        FillPage(page, &out, [now](const Rma& r, auto* o) { *o->add_rmas() = ToProto(r, now); });
        return out;
      });
}

absl::StatusOr<v1::ListOverdueReturnsResponse> RmaQueries::ListOverdueReturns(
    const Principal& caller, const v1::ListOverdueReturnsRequest& request) const {
  return deps_.store.ReadOnce<v1::ListOverdueReturnsResponse>(
      "list overdue returns",
      [&](RmaRepository& repo) -> absl::StatusOr<v1::ListOverdueReturnsResponse> {
        ASSIGN_OR_RETURN(Page<Rma> page, deps_.domain.ListOverdue(caller, request.page_size(),
                                                                  request.page_token(), repo));
        const absl::Time now = deps_.clock.Now();
        v1::ListOverdueReturnsResponse out;
        FillPage(page, &out, [now](const Rma& r, auto* o) { *o->add_rmas() = ToProto(r, now); });
        return out;
      });
}

absl::StatusOr<v1::ListNotificationsResponse> RmaQueries::ListNotifications(
    const Principal& caller, const v1::ListNotificationsRequest& request) const {
  return deps_.store.ReadOnce<v1::ListNotificationsResponse>(
      "list notifications",
      [&](RmaRepository& repo) -> absl::StatusOr<v1::ListNotificationsResponse> {
        ASSIGN_OR_RETURN(Page<Notification> page,
                         deps_.domain.ListNotifications(caller, request.name(), request.page_size(),
                                                        request.page_token(), repo));
        v1::ListNotificationsResponse out;
        FillPage(page, &out,
                 [](const Notification& n, auto* o) { *o->add_notifications() = ToProto(n); });
        return out;
      });
}

absl::StatusOr<v1::ReturnLabel> RmaQueries::GetReturnLabel(
    const Principal& caller, const v1::GetReturnLabelRequest& request) const {
  return deps_.store.ReadOnce<v1::ReturnLabel>(
      "get return label", [&](RmaRepository& repo) -> absl::StatusOr<v1::ReturnLabel> {
        ASSIGN_OR_RETURN(ReturnLabel l, deps_.domain.GetReturnLabel(caller, request.name(), repo));
        return ToProto(l);
      });
}

absl::StatusOr<v1::ListReturnLocationsResponse> RmaQueries::ListReturnLocations(
    const Principal& caller, const v1::ListReturnLocationsRequest& request) const {
  return deps_.store.ReadOnce<v1::ListReturnLocationsResponse>(
      "list return locations",
      [&](RmaRepository& repo) -> absl::StatusOr<v1::ListReturnLocationsResponse> {
        ASSIGN_OR_RETURN(
            Page<ReturnLocation> page,
            deps_.domain.ListReturnLocations(caller, request.region_code(), request.theater(),
                                             request.page_size(), request.page_token(), repo));
        v1::ListReturnLocationsResponse out;
        FillPage(page, &out,
                 [](const ReturnLocation& l, auto* o) { ToProto(l, o->add_return_locations()); });
        return out;
      });
}

}  // namespace aftercare::rma
