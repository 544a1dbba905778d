#include "licensing-svc/licensing_grpc.h"

#include "common/rpc.h"
#include "common/status.h"

namespace aftercare::licensing {

LicensingMetrics::LicensingMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  auto family = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(*registry);
  };
  purchases = family("aftercare_licensing_purchases_total", "Purchases recorded, by kind");
  activations = family("aftercare_licensing_activations_total",
                       "Activations: result=activated (a new device) or already_activated");
  renewals = family("aftercare_licensing_renewals_total", "Subscription renewals processed");
  key_refreshes = family("aftercare_licensing_key_refreshes_total",
                         "Device key retrievals per license, by refresh outcome");
  transfers = family("aftercare_licensing_rma_transfers_total",
                     "TransferLicenses answers: result=transferred or existing");
  verifications = family("aftercare_licensing_key_verifications_total",
                         "Server-side key verifications by verdict");
  revocations = family("aftercare_licensing_revocations_total", "Licenses revoked, by reason");

  // Every series exists at 0 from the start, so that rate() and the
  // alerts see a change from nothing to one (prometheus-cpp exports a
  // labelled series only once it is added).
  auto each_value = [](prometheus::Family<prometheus::Counter>* f, const std::string& label,
                       const google::protobuf::EnumDescriptor* e) {
    for (int i = 0; i < e->value_count(); ++i) {
      if (e->value(i)->number() != 0) f->Add({{label, e->value(i)->name()}});
    }
  };
  each_value(purchases, "kind", pb::EntitlementKind_descriptor());
  activations->Add({{"result", "activated"}});
  activations->Add({{"result", "already_activated"}});
  renewals->Add({});
  each_value(key_refreshes, "refresh", pb::KeyRefresh_descriptor());
  transfers->Add({{"result", "transferred"}});
  transfers->Add({{"result", "existing"}});
  each_value(verifications, "verdict", pb::KeyVerdict_descriptor());
  each_value(revocations, "reason", pb::RevocationReason_descriptor());
}

void LicensingMetrics::Count(prometheus::Family<prometheus::Counter>* family,
                             const std::map<std::string, std::string>& labels) const {
  if (family != nullptr) family->Add(labels).Increment();
}

// The use case (create_entitlement.h) answers with the code in clear.
grpc::ServerUnaryReactor* LicensingGrpc::CreateEntitlement(Ctx* ctx,
                                                           const pb::CreateEntitlementRequest* req,
                                                           pb::CreateEntitlementResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, create_entitlement_.Run(caller, *req));
    metrics_.Count(metrics_.purchases,
                   {{"kind", pb::EntitlementKind_Name(resp->entitlement().kind())}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetEntitlement(Ctx* ctx,
                                                        const pb::GetEntitlementRequest* req,
                                                        pb::Entitlement* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetEntitlement(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListEntitlements(Ctx* ctx,
                                                          const pb::ListEntitlementsRequest* req,
                                                          pb::ListEntitlementsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListEntitlements(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ActivateLicense(Ctx* ctx,
                                                         const pb::ActivateLicenseRequest* req,
                                                         pb::ActivateLicenseResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, activate_license_.Run(caller, *req));
    metrics_.Count(metrics_.activations,
                   {{"result", resp->already_activated() ? "already_activated" : "activated"}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::RenewSubscription(Ctx* ctx,
                                                           const pb::RenewSubscriptionRequest* req,
                                                           pb::RenewSubscriptionResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, renew_subscription_.Run(caller, *req));
    metrics_.Count(metrics_.renewals, {});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::RetrieveDeviceKeys(
    Ctx* ctx, const pb::RetrieveDeviceKeysRequest* req, pb::RetrieveDeviceKeysResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, retrieve_device_keys_.Run(caller, *req));
    for (const pb::DeviceKey& k : resp->keys()) {
      metrics_.Count(metrics_.key_refreshes, {{"refresh", pb::KeyRefresh_Name(k.refresh())}});
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::TransferLicenses(Ctx* ctx,
                                                          const pb::TransferLicensesRequest* req,
                                                          pb::RmaTransfer* resp) {
  return RunUnary(ctx, executor_, [this, ctx, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(TransferOutcome outcome,
                     transfer_licenses_.Run(caller, CurrentCall(ctx), *req));
    *resp = std::move(outcome.transfer);
    metrics_.Count(metrics_.transfers, {{"result", outcome.existing ? "existing" : "transferred"}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetRmaTransfer(Ctx* ctx,
                                                        const pb::GetRmaTransferRequest* req,
                                                        pb::RmaTransfer* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetRmaTransfer(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListRmaTransfers(Ctx* ctx,
                                                          const pb::ListRmaTransfersRequest* req,
                                                          pb::ListRmaTransfersResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListRmaTransfers(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetLicense(Ctx* ctx, const pb::GetLicenseRequest* req,
                                                    pb::License* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.GetLicense(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListLicenses(Ctx* ctx, const pb::ListLicensesRequest* req,
                                                      pb::ListLicensesResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListLicenses(caller, *req));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::RevokeLicense(Ctx* ctx,
                                                       const pb::RevokeLicenseRequest* req,
                                                       pb::License* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, revoke_license_.Run(caller, *req));
    metrics_.Count(metrics_.revocations,
                   {{"reason", pb::RevocationReason_Name(resp->revocation_reason())}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::VerifyLicenseKey(Ctx* ctx,
                                                          const pb::VerifyLicenseKeyRequest* req,
                                                          pb::VerifyLicenseKeyResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.VerifyLicenseKey(caller, *req));
    metrics_.Count(metrics_.verifications, {{"verdict", pb::KeyVerdict_Name(resp->verdict())}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListSigningKeys(Ctx* ctx,
                                                         const pb::ListSigningKeysRequest* req,
                                                         pb::ListSigningKeysResponse* resp) {
  (void)req;
  return RunUnary(ctx, executor_, [this, resp](const Principal&) -> absl::Status {
    *resp = queries_.ListSigningKeys();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListNotifications(Ctx* ctx,
                                                           const pb::ListNotificationsRequest* req,
                                                           pb::ListNotificationsResponse* resp) {
  return RunUnary(ctx, executor_, [this, req, resp](const Principal& caller) -> absl::Status {
    ASSIGN_OR_RETURN(*resp, queries_.ListNotifications(caller, *req));
    return absl::OkStatus();
  });
}

}  // namespace aftercare::licensing
