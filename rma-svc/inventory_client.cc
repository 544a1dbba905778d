#include "rma-svc/inventory_client.h"

#include "absl/strings/str_cat.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "common/errors.h"
#include "common/outbox.h"
#include "common/status.h"

namespace aftercare::rma {
namespace {

namespace inv = ::aftercare::inventory::v1;

std::optional<absl::Time> OptTime(bool has, const google::protobuf::Timestamp& t) {
  if (!has) return std::nullopt;
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::Status Unavailable(const grpc::Status& s, absl::string_view what) {
  absl::Status st = FromGrpcStatus(s);
  if (st.code() == absl::StatusCode::kUnavailable ||
      st.code() == absl::StatusCode::kDeadlineExceeded) {
    // inventory-svc's own RetryInfo, when it sent one, knows best.
    std::optional<google::rpc::RetryInfo> retry = FindDetail<google::rpc::RetryInfo>(s);
    const absl::Duration delay =
        retry.has_value() ? absl::Seconds(retry->retry_delay().seconds()) +
                                absl::Nanoseconds(retry->retry_delay().nanos())
                          : kDefaultRetryDelay;
    return DependencyUnavailable(
        absl::UnavailableError(
            absl::StrCat("inventory-svc is unavailable for ", what, ": ", s.error_message())),
        "inventory-svc", delay);
  }
  return absl::Status(st.code(), absl::StrCat("inventory-svc ", what, ": ", s.error_message()));
}

}  // namespace

absl::Status DeliveryRefused(const grpc::Status& s, absl::string_view what,
                             bool state_may_change) {
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::ALREADY_EXISTS:
      break;
    case grpc::StatusCode::FAILED_PRECONDITION:
      if (state_may_change) return Unavailable(s, what);
      break;
    default:
      return Unavailable(s, what);
  }
  return PoisonEvent(absl::StrCat("inventory-svc refused ", what, " (",
                                  FromGrpcStatus(s).ToString(), "); a retry cannot change that"));
}

absl::StatusOr<EntitlementView> GrpcInventoryClient::GetEntitlement(const std::string& serial,
                                                                   const CallInfo* parent) {
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = inv::InventoryService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewContext(parent, timeout_));
  inv::GetEntitlementRequest req;
  req.set_serial_number(serial);
  inv::Entitlement e;
  grpc::Status s = stub->GetEntitlement(ctx.get(), req, &e);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::FailedPreconditionError(
        absl::StrCat("unit ", serial, " is not known to inventory-svc, so it is in no installed base"));
  }
  if (!s.ok()) return Unavailable(s, "the entitlement lookup");
  EntitlementView v;
  v.serial = e.serial_number();
  v.sku = e.sku();
  v.owner_account_id = e.owner_account_id();
  v.installed = e.state() == inv::UNIT_STATE_SOLD || e.state() == inv::UNIT_STATE_IN_SERVICE;
  v.unit_state = inv::UnitState_Name(e.state());
  v.grey_market = e.grey_market();
  v.warranty_active = e.warranty_status() == inv::WARRANTY_STATUS_ACTIVE;
  v.warranty_end = OptTime(e.has_warranty_end_time(), e.warranty_end_time());
  v.ship_time = OptTime(e.has_ship_time(), e.ship_time());
  v.within_doa_window = e.within_doa_window();
  v.entitled = e.entitled();
  v.advance_replacement = e.advance_replacement();
  if (e.best_support_level() != inv::SUPPORT_LEVEL_UNSPECIFIED) {
    v.best_support_level = inv::SupportLevel_Name(e.best_support_level());
  }
  v.list_price.currency_code = e.list_price().currency_code();
  v.list_price.amount_minor = e.list_price().amount_minor();
  return v;
}

absl::StatusOr<std::string> GrpcInventoryClient::DeliverAllocateSpare(const OutboxEvent& event) {
  ASSIGN_OR_RETURN(inv::AllocateSpareRequest req,
                   ParseEventPayload<inv::AllocateSpareRequest>(event));
  req.set_request_id(DeliveryRequestId("rma", event));
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = inv::InventoryService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewBackgroundContext(req.request_id(), timeout_));
  inv::Unit unit;
  grpc::Status s = stub->AllocateSpare(ctx.get(), req, &unit);
  if (!s.ok()) {
    return DeliveryRefused(s, absl::StrCat("AllocateSpare for ", req.rma_number()),
                           /*state_may_change=*/true);
  }
  return unit.serial_number();
}

absl::Status GrpcInventoryClient::DeliverSwapInstalledBase(const OutboxEvent& event) {
  ASSIGN_OR_RETURN(inv::SwapInstalledBaseRequest req,
                   ParseEventPayload<inv::SwapInstalledBaseRequest>(event));
  req.set_request_id(DeliveryRequestId("rma", event));
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = inv::InventoryService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewBackgroundContext(req.request_id(), timeout_));
  inv::SwapInstalledBaseResponse resp;
  grpc::Status s = stub->SwapInstalledBase(ctx.get(), req, &resp);
  if (!s.ok()) {
    return DeliveryRefused(s, absl::StrCat("SwapInstalledBase for ", req.rma_number()),
                           /*state_may_change=*/false);
  }
  return absl::OkStatus();
}

absl::Status GrpcInventoryClient::DeliverIntake(const OutboxEvent& event) {
  ASSIGN_OR_RETURN(inv::IntakeReturnedUnitRequest req,
                   ParseEventPayload<inv::IntakeReturnedUnitRequest>(event));
  req.set_request_id(DeliveryRequestId("rma", event));
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = inv::InventoryService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewBackgroundContext(req.request_id(), timeout_));
  inv::Unit unit;
  grpc::Status s = stub->IntakeReturnedUnit(ctx.get(), req, &unit);
  if (!s.ok()) {
    return DeliveryRefused(s, absl::StrCat("IntakeReturnedUnit for ", req.reference()),
                           /*state_may_change=*/false);
  }
  return absl::OkStatus();
}

}  // namespace aftercare::rma
