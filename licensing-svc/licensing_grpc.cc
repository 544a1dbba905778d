#include "licensing-svc/licensing_grpc.h"

#include "common/rpc.h"
#include "common/status.h"
#include "common/use_case_rpc.h"

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
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return create_entitlement_.Run(c, *req); },
      [this](auto& out) {
        metrics_.Count(metrics_.purchases,
                       {{"kind", pb::EntitlementKind_Name(out.entitlement().kind())}});
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetEntitlement(Ctx* ctx,
                                                        const pb::GetEntitlementRequest* req,
                                                        pb::Entitlement* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetEntitlement(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListEntitlements(Ctx* ctx,
                                                          const pb::ListEntitlementsRequest* req,
                                                          pb::ListEntitlementsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListEntitlements(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ActivateLicense(Ctx* ctx,
                                                         const pb::ActivateLicenseRequest* req,
                                                         pb::ActivateLicenseResponse* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return activate_license_.Run(c, *req); },
      [this](auto& out) {
        metrics_.Count(metrics_.activations,
                       {{"result", out.already_activated() ? "already_activated" : "activated"}});
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::RenewSubscription(Ctx* ctx,
                                                           const pb::RenewSubscriptionRequest* req,
                                                           pb::RenewSubscriptionResponse* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return renew_subscription_.Run(c, *req); },
      [this](auto& out) { metrics_.Count(metrics_.renewals, {}); });
}

grpc::ServerUnaryReactor* LicensingGrpc::RetrieveDeviceKeys(
    Ctx* ctx, const pb::RetrieveDeviceKeysRequest* req, pb::RetrieveDeviceKeysResponse* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return retrieve_device_keys_.Run(c, *req); },
      [this](auto& out) {
        for (const pb::DeviceKey& k : out.keys()) {
          metrics_.Count(metrics_.key_refreshes, {{"refresh", pb::KeyRefresh_Name(k.refresh())}});
        }
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
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetRmaTransfer(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListRmaTransfers(Ctx* ctx,
                                                          const pb::ListRmaTransfersRequest* req,
                                                          pb::ListRmaTransfersResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListRmaTransfers(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetLicense(Ctx* ctx, const pb::GetLicenseRequest* req,
                                                    pb::License* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.GetLicense(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListLicenses(Ctx* ctx, const pb::ListLicensesRequest* req,
                                                      pb::ListLicensesResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListLicenses(c, *req); });
}

grpc::ServerUnaryReactor* LicensingGrpc::RevokeLicense(Ctx* ctx,
                                                       const pb::RevokeLicenseRequest* req,
                                                       pb::License* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return revoke_license_.Run(c, *req); },
      [this](auto& out) {
        metrics_.Count(metrics_.revocations,
                       {{"reason", pb::RevocationReason_Name(out.revocation_reason())}});
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::VerifyLicenseKey(Ctx* ctx,
                                                          const pb::VerifyLicenseKeyRequest* req,
                                                          pb::VerifyLicenseKeyResponse* resp) {
  return Answer(
      ctx, executor_, resp,
      [this, req](const Principal& c) { return queries_.VerifyLicenseKey(c, *req); },
      [this](auto& out) {
        metrics_.Count(metrics_.verifications, {{"verdict", pb::KeyVerdict_Name(out.verdict())}});
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListSigningKeys(Ctx* ctx,
                                                         const pb::ListSigningKeysRequest* req,
                                                         pb::ListSigningKeysResponse* resp) {
  (void)req;
  return Answer(ctx, executor_, resp,
                [this](const Principal&) -> absl::StatusOr<pb::ListSigningKeysResponse> {
                  return queries_.ListSigningKeys();
                });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListNotifications(Ctx* ctx,
                                                           const pb::ListNotificationsRequest* req,
                                                           pb::ListNotificationsResponse* resp) {
  return Answer(ctx, executor_, resp,
                [this, req](const Principal& c) { return queries_.ListNotifications(c, *req); });
}

}  // namespace aftercare::licensing
