#include "licensing-svc/licensing_queries.h"

#include <optional>

#include "common/paging.h"
#include "common/proto_convert.h"
#include "common/reading.h"
#include "common/status.h"
#include "licensing-svc/licensing_view.h"

namespace aftercare::licensing {
namespace {

template <typename Req>
PageRequest PageOf(const Req& request) {
  return PageRequest{request.page_size(), request.page_token()};
}

}  // namespace

absl::StatusOr<v1::Entitlement> LicensingQueries::GetEntitlement(
    const Principal& caller, const v1::GetEntitlementRequest& request) const {
  return store_.ReadOnce<v1::Entitlement>(
      "get entitlement", [&](LicensingRepository& repo) -> absl::StatusOr<v1::Entitlement> {
        ASSIGN_OR_RETURN(Entitlement e,
                         domain_.GetEntitlement(caller, request.entitlement_id(), repo));
        v1::Entitlement out;
        ToProto(e, &out);
        return out;
      });
}

absl::StatusOr<v1::ListEntitlementsResponse> LicensingQueries::ListEntitlements(
    const Principal& caller, const v1::ListEntitlementsRequest& request) const {
  return store_.ReadOnce<v1::ListEntitlementsResponse>(
      "list entitlements",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::ListEntitlementsResponse> {
        ASSIGN_OR_RETURN(
            Page<Entitlement> page,
            domain_.ListEntitlements(caller, request.account_id(), PageOf(request), repo));
        v1::ListEntitlementsResponse out;
        FillPage(page, &out,
                 [](const Entitlement& e, auto* o) { ToProto(e, o->add_entitlements()); });
        return out;
      });
}

absl::StatusOr<v1::RmaTransfer> LicensingQueries::GetRmaTransfer(
    const Principal& caller, const v1::GetRmaTransferRequest& request) const {
  return store_.ReadOnce<v1::RmaTransfer>(
      "get transfer", [&](LicensingRepository& repo) -> absl::StatusOr<v1::RmaTransfer> {
        ASSIGN_OR_RETURN(RmaTransfer t, domain_.GetTransfer(caller, request.rma_number(), repo));
        v1::RmaTransfer out;
        ToProto(t, &out);
        return out;
      });
}

absl::StatusOr<v1::ListRmaTransfersResponse> LicensingQueries::ListRmaTransfers(
    const Principal& caller, const v1::ListRmaTransfersRequest& request) const {
  return store_.ReadOnce<v1::ListRmaTransfersResponse>(
      "list transfers",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::ListRmaTransfersResponse> {
        ASSIGN_OR_RETURN(Page<RmaTransfer> page,
                         domain_.ListTransfers(caller, request.account_id(),
                                               request.device_serial(), PageOf(request), repo));
        v1::ListRmaTransfersResponse out;
        FillPage(page, &out, [](const RmaTransfer& t, auto* o) { ToProto(t, o->add_transfers()); });
        return out;
      });
}

absl::StatusOr<v1::License> LicensingQueries::GetLicense(
    const Principal& caller, const v1::GetLicenseRequest& request) const {
  return store_.ReadOnce<v1::License>(
      "get license", [&](LicensingRepository& repo) -> absl::StatusOr<v1::License> {
        ASSIGN_OR_RETURN(License l, domain_.GetLicense(caller, request.license_id(), repo));
        v1::License out;
        ToProto(l, &out);
        return out;
      });
}

absl::StatusOr<v1::ListLicensesResponse> LicensingQueries::ListLicenses(
    const Principal& caller, const v1::ListLicensesRequest& request) const {
  LicenseFilter filter;
  filter.account_id = request.account_id();
  filter.device_serial = request.device_serial();
  filter.entitlement_id = request.entitlement_id();
  ASSIGN_OR_RETURN(filter.state,
                   FromEnum<LicenseState>(request.state(), v1::LicenseState_IsValid, "state"));
  return store_.ReadOnce<v1::ListLicensesResponse>(
      "list licenses", [&](LicensingRepository& repo) -> absl::StatusOr<v1::ListLicensesResponse> {
        ASSIGN_OR_RETURN(Page<License> page,
                         domain_.ListLicenses(caller, filter, PageOf(request), repo));
        v1::ListLicensesResponse out;
        FillPage(page, &out, [](const License& l, auto* o) { ToProto(l, o->add_licenses()); });
        return out;
      });
}

absl::StatusOr<v1::VerifyLicenseKeyResponse> LicensingQueries::VerifyLicenseKey(
    const Principal& caller, const v1::VerifyLicenseKeyRequest& request) const {
  std::optional<absl::Time> at;
  if (request.has_at_time()) {
    ASSIGN_OR_RETURN(at, FromTimestamp(request.at_time(), "at_time"));
  }
  return store_.ReadOnce<v1::VerifyLicenseKeyResponse>(
      "verify license key",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::VerifyLicenseKeyResponse> {
        ASSIGN_OR_RETURN(VerifyResult v, domain_.Verify(caller, request.license_key(),
                                                        request.device_serial(), at, repo));
        v1::VerifyLicenseKeyResponse out;
        out.set_verdict(static_cast<v1::KeyVerdict>(v.verdict));
        out.set_detail(v.detail);
        out.set_revocation_reason(static_cast<v1::RevocationReason>(v.revocation_reason));
        if (v.claims) {
          out.set_license_id(v.claims->license_id);
          out.set_feature(v.claims->feature);
          out.set_capacity(v.claims->capacity);
          out.set_device_serial(v.claims->device_serial);
          SetTime(v.claims->not_before, out.mutable_not_before());
          if (v.claims->not_after) SetTime(*v.claims->not_after, out.mutable_not_after());
          out.set_key_id(v.claims->key_id);
        }
        return out;
      });
}

v1::ListSigningKeysResponse LicensingQueries::ListSigningKeys() const {
  v1::ListSigningKeysResponse out;
  for (const LicenseSigner::PublicKey& k : domain_.signer().public_keys()) {
    v1::SigningKey* p = out.add_keys();
    p->set_key_id(k.key_id);
    p->set_algorithm("Ed25519");
    p->set_public_key_pem(k.pem);
    p->set_public_key(k.raw);
    p->set_primary(k.primary);
  }
  return out;
}

absl::StatusOr<v1::ListNotificationsResponse> LicensingQueries::ListNotifications(
    const Principal& caller, const v1::ListNotificationsRequest& request) const {
  return store_.ReadOnce<v1::ListNotificationsResponse>(
      "list notifications",
      [&](LicensingRepository& repo) -> absl::StatusOr<v1::ListNotificationsResponse> {
        ASSIGN_OR_RETURN(
            Page<Notification> page,
            domain_.ListNotifications(caller, request.account_id(), request.entitlement_id(),
                                      PageOf(request), repo));
        v1::ListNotificationsResponse out;
        FillPage(page, &out,
                 [](const Notification& n, auto* o) { ToProto(n, o->add_notifications()); });
        return out;
      });
}

}  // namespace aftercare::licensing
