// The gRPC face of licensing-svc (aftercare.licensing.v1.LicensingService):
// each handler is one Answer (common/use_case_rpc.h: the caller
// authenticated, the work on the bounded executor) over its use case
// (create_entitlement.h, activate_license.h, renew_subscription.h,
// retrieve_device_keys.h, revoke_license.h, licensing_queries.h), and
// counts the outcome in a metric; TransferLicenses runs its use case through RunUnary, whose
// outcome also says whether the transfer existed before. No rules, no SQL,
// no conversions.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_GRPC_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_GRPC_H_

#include "aftercare/licensing/v1/licensing_service.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "common/clock.h"
#include "common/executor.h"
#include "licensing-svc/activate_license.h"
#include "licensing-svc/create_entitlement.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_queries.h"
#include "licensing-svc/licensing_repository.h"
#include "licensing-svc/renew_subscription.h"
#include "licensing-svc/retrieve_device_keys.h"
#include "licensing-svc/revoke_license.h"
#include "licensing-svc/rma_directory.h"
#include "licensing-svc/transfer_licenses.h"

namespace aftercare::licensing {

namespace pb = ::aftercare::licensing::v1;

// Domain counters (see docs/licensing-svc.md, Metrics); null families when
// the service runs without a registry.
struct LicensingMetrics {
  explicit LicensingMetrics(prometheus::Registry* registry);
  void Count(prometheus::Family<prometheus::Counter>* family,
             const std::map<std::string, std::string>& labels) const;

  prometheus::Family<prometheus::Counter>* purchases = nullptr;      // {kind}
  prometheus::Family<prometheus::Counter>* activations = nullptr;    // {result}
  prometheus::Family<prometheus::Counter>* renewals = nullptr;       // {}
  prometheus::Family<prometheus::Counter>* key_refreshes = nullptr;  // {refresh}
  prometheus::Family<prometheus::Counter>* transfers = nullptr;      // {result}
  prometheus::Family<prometheus::Counter>* verifications = nullptr;  // {verdict}
  prometheus::Family<prometheus::Counter>* revocations = nullptr;    // {reason}
};

class LicensingGrpc final : public pb::LicensingService::CallbackService {
 public:
  LicensingGrpc(const Licensing* domain, LicensingStore* store, RmaDirectory* rmas,
                BoundedExecutor* executor, const LicensingMetrics* metrics)
      : domain_(*domain),
        store_(*store),
        executor_(*executor),
        metrics_(*metrics),
        create_entitlement_(*domain, *store),
        activate_license_(*domain, *store),
        renew_subscription_(*domain, *store),
        retrieve_device_keys_(*domain, *store),
        revoke_license_(*domain, *store),
        transfer_licenses_(*domain, *store, *rmas),
        queries_(*domain, *store) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateEntitlement(Ctx* ctx, const pb::CreateEntitlementRequest* req,
                             pb::CreateEntitlementResponse* resp) override;
  Reactor* GetEntitlement(Ctx* ctx, const pb::GetEntitlementRequest* req,
                          pb::Entitlement* resp) override;
  Reactor* ListEntitlements(Ctx* ctx, const pb::ListEntitlementsRequest* req,
                            pb::ListEntitlementsResponse* resp) override;
  Reactor* ActivateLicense(Ctx* ctx, const pb::ActivateLicenseRequest* req,
                           pb::ActivateLicenseResponse* resp) override;
  Reactor* RenewSubscription(Ctx* ctx, const pb::RenewSubscriptionRequest* req,
                             pb::RenewSubscriptionResponse* resp) override;
  Reactor* RetrieveDeviceKeys(Ctx* ctx, const pb::RetrieveDeviceKeysRequest* req,
                              pb::RetrieveDeviceKeysResponse* resp) override;
  Reactor* TransferLicenses(Ctx* ctx, const pb::TransferLicensesRequest* req,
                            pb::RmaTransfer* resp) override;
  Reactor* GetRmaTransfer(Ctx* ctx, const pb::GetRmaTransferRequest* req,
                          pb::RmaTransfer* resp) override;
  Reactor* ListRmaTransfers(Ctx* ctx, const pb::ListRmaTransfersRequest* req,
                            pb::ListRmaTransfersResponse* resp) override;
  Reactor* GetLicense(Ctx* ctx, const pb::GetLicenseRequest* req, pb::License* resp) override;
  Reactor* ListLicenses(Ctx* ctx, const pb::ListLicensesRequest* req,
                        pb::ListLicensesResponse* resp) override;
  Reactor* RevokeLicense(Ctx* ctx, const pb::RevokeLicenseRequest* req, pb::License* resp) override;
  Reactor* VerifyLicenseKey(Ctx* ctx, const pb::VerifyLicenseKeyRequest* req,
                            pb::VerifyLicenseKeyResponse* resp) override;
  Reactor* ListSigningKeys(Ctx* ctx, const pb::ListSigningKeysRequest* req,
                           pb::ListSigningKeysResponse* resp) override;
  Reactor* ListNotifications(Ctx* ctx, const pb::ListNotificationsRequest* req,
                             pb::ListNotificationsResponse* resp) override;

 private:
  const Licensing& domain_;
  LicensingStore& store_;
  BoundedExecutor& executor_;
  const LicensingMetrics& metrics_;
  const CreateEntitlementUseCase create_entitlement_;
  const ActivateLicenseUseCase activate_license_;
  const RenewSubscriptionUseCase renew_subscription_;
  const RetrieveDeviceKeysUseCase retrieve_device_keys_;
  const RevokeLicenseUseCase revoke_license_;
  const TransferLicensesUseCase transfer_licenses_;
  const LicensingQueries queries_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_GRPC_H_
