// LicensingQueries: the use cases behind licensing-svc's reads, one method
// per RPC, each answering the API's message. Each runs what needs no
// database first (a filter's enum, a verification time), then one read
// through the store (no transaction) with the domain's scope rules: a
// purchase, license, transfer or notification of an account outside the
// caller's reach answers exactly like one that does not exist, and a list
// shows only the caller's accounts.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_QUERIES_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_QUERIES_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "common/auth.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class LicensingQueries {
 public:
  LicensingQueries(const Licensing& domain, LicensingStore& store)
      : domain_(domain), store_(store) {}

  absl::StatusOr<v1::Entitlement> GetEntitlement(const Principal& caller,
                                                 const v1::GetEntitlementRequest& request) const;
  absl::StatusOr<v1::ListEntitlementsResponse> ListEntitlements(
      const Principal& caller, const v1::ListEntitlementsRequest& request) const;
  absl::StatusOr<v1::RmaTransfer> GetRmaTransfer(const Principal& caller,
                                                 const v1::GetRmaTransferRequest& request) const;
  absl::StatusOr<v1::ListRmaTransfersResponse> ListRmaTransfers(
      const Principal& caller, const v1::ListRmaTransfersRequest& request) const;
  absl::StatusOr<v1::License> GetLicense(const Principal& caller,
                                         const v1::GetLicenseRequest& request) const;
  // state: INVALID_ARGUMENT for a value outside its enum, before any read.
  absl::StatusOr<v1::ListLicensesResponse> ListLicenses(
      const Principal& caller, const v1::ListLicensesRequest& request) const;
  // at_time: INVALID_ARGUMENT when it is not a valid time, before any read.
  absl::StatusOr<v1::VerifyLicenseKeyResponse> VerifyLicenseKey(
      const Principal& caller, const v1::VerifyLicenseKeyRequest& request) const;
  // The signer's public keys (no read): what an offline verifier trusts.
  v1::ListSigningKeysResponse ListSigningKeys() const;
  absl::StatusOr<v1::ListNotificationsResponse> ListNotifications(
      const Principal& caller, const v1::ListNotificationsRequest& request) const;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_QUERIES_H_
