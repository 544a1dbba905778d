#include "licensing-svc/licensing_grpc.h"

#include "common/notify/email.h"

#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/str_cat.h"
#include "common/policy.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/db/sql_time.h"
#include "common/rpc.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {
namespace {

using google::protobuf::Timestamp;

PageRequest PageOf(int32_t size, const std::string& token) { return PageRequest{size, token}; }

}  // namespace

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
  return ReadingUnary(
      ctx, executor_, store_, "get entitlement", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.GetEntitlement(caller, req->entitlement_id(), repo);
      },
      [](const Entitlement& e, pb::Entitlement* out) { ToProto(e, out); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListEntitlements(Ctx* ctx,
                                                          const pb::ListEntitlementsRequest* req,
                                                          pb::ListEntitlementsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list entitlements", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.ListEntitlements(caller, req->account_id(),
                                        PageOf(req->page_size(), req->page_token()), repo);
      },
      [](const Page<Entitlement>& page, pb::ListEntitlementsResponse* out) {
        FillPage(page, out, [](const Entitlement& e, auto* o) { ToProto(e, o->add_entitlements()); });
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
    metrics_.Count(metrics_.transfers,
                   {{"result", outcome.existing ? "existing" : "transferred"}});
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetRmaTransfer(Ctx* ctx,
                                                        const pb::GetRmaTransferRequest* req,
                                                        pb::RmaTransfer* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get transfer", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.GetTransfer(caller, req->rma_number(), repo);
      },
      [](const RmaTransfer& t, pb::RmaTransfer* out) { ToProto(t, out); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListRmaTransfers(Ctx* ctx,
                                                          const pb::ListRmaTransfersRequest* req,
                                                          pb::ListRmaTransfersResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list transfers", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.ListTransfers(caller, req->account_id(), req->device_serial(),
                                     PageOf(req->page_size(), req->page_token()), repo);
      },
      [](const Page<RmaTransfer>& page, pb::ListRmaTransfersResponse* out) {
        FillPage(page, out, [](const RmaTransfer& t, auto* o) { ToProto(t, o->add_transfers()); });
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::GetLicense(Ctx* ctx, const pb::GetLicenseRequest* req,
                                                    pb::License* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "get license", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.GetLicense(caller, req->license_id(), repo);
      },
      [](const License& l, pb::License* out) { ToProto(l, out); });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListLicenses(Ctx* ctx, const pb::ListLicensesRequest* req,
                                                      pb::ListLicensesResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list licenses", resp,
      [req](const Principal&) -> absl::StatusOr<LicenseFilter> {
        LicenseFilter filter;
        filter.account_id = req->account_id();
        filter.device_serial = req->device_serial();
        filter.entitlement_id = req->entitlement_id();
        ASSIGN_OR_RETURN(filter.state,
                         FromEnum<LicenseState>(req->state(), pb::LicenseState_IsValid, "state"));
        return filter;
      },
      [this, req](const Principal& caller, const LicenseFilter& filter, LicensingRepository& repo) {
        return domain_.ListLicenses(caller, filter, PageOf(req->page_size(), req->page_token()),
                                    repo);
      },
      [](const Page<License>& page, pb::ListLicensesResponse* out) {
        FillPage(page, out, [](const License& l, auto* o) { ToProto(l, o->add_licenses()); });
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::RevokeLicense(Ctx* ctx, const pb::RevokeLicenseRequest* req,
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
  return ReadingUnary(
      ctx, executor_, store_, "verify license key", resp,
      [req](const Principal&) -> absl::StatusOr<std::optional<absl::Time>> {
        std::optional<absl::Time> at;
        if (req->has_at_time()) {
          ASSIGN_OR_RETURN(at, FromTimestamp(req->at_time(), "at_time"));
        }
        return at;
      },
      [this, req](const Principal& caller, const std::optional<absl::Time>& at,
                  LicensingRepository& repo) {
        return domain_.Verify(caller, req->license_key(), req->device_serial(), at, repo);
      },
      [this](const VerifyResult& v, pb::VerifyLicenseKeyResponse* out) {
        out->set_verdict(static_cast<pb::KeyVerdict>(v.verdict));
        out->set_detail(v.detail);
        out->set_revocation_reason(static_cast<pb::RevocationReason>(v.revocation_reason));
        if (v.claims) {
          out->set_license_id(v.claims->license_id);
          out->set_feature(v.claims->feature);
          out->set_capacity(v.claims->capacity);
          out->set_device_serial(v.claims->device_serial);
          SetTime(v.claims->not_before, out->mutable_not_before());
          if (v.claims->not_after) SetTime(*v.claims->not_after, out->mutable_not_after());
          out->set_key_id(v.claims->key_id);
        }
        metrics_.Count(metrics_.verifications, {{"verdict", pb::KeyVerdict_Name(out->verdict())}});
      });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListSigningKeys(Ctx* ctx,
                                                         const pb::ListSigningKeysRequest* req,
                                                         pb::ListSigningKeysResponse* resp) {
  (void)req;
  return RunUnary(ctx, executor_, [=](const Principal&) -> absl::Status {
    for (const LicenseSigner::PublicKey& k : domain_.signer().public_keys()) {
      pb::SigningKey* p = resp->add_keys();
      p->set_key_id(k.key_id);
      p->set_algorithm("Ed25519");
      p->set_public_key_pem(k.pem);
      p->set_public_key(k.raw);
      p->set_primary(k.primary);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* LicensingGrpc::ListNotifications(Ctx* ctx,
                                                           const pb::ListNotificationsRequest* req,
                                                           pb::ListNotificationsResponse* resp) {
  return ReadingUnary(
      ctx, executor_, store_, "list notifications", resp,
      [this, req](const Principal& caller, LicensingRepository& repo) {
        return domain_.ListNotifications(caller, req->account_id(), req->entitlement_id(),
                                         PageOf(req->page_size(), req->page_token()), repo);
      },
      [](const Page<Notification>& page, pb::ListNotificationsResponse* out) {
        FillPage(page, out,
                 [](const Notification& n, auto* o) { ToProto(n, o->add_notifications()); });
      });
}

}  // namespace aftercare::licensing
