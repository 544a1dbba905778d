// The rules of licensing-svc, as plain C++ over a LicensingRepository bound
// to one transaction: purchases and activation codes, node-locked activation
// with signed keys, subscription renewal and device key refresh, RMA
// transfers, lookups, revocation and server-side verification. Called by
// LicensingGrpc (licensing_grpc.h); no gRPC, no SQL here.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/etag.h"
#include "common/page_token.h"
#include "common/paging.h"
#include "licensing-svc/license_signer.h"
#include "licensing-svc/licensing_repository.h"
#include "licensing-svc/licensing_types.h"
#include "licensing-svc/rma_directory.h"

namespace aftercare::licensing {

// A list request's paging fields.
struct PageRequest {
  int32_t page_size = 0;
  std::string page_token;
};

// Addresses a request may name for its notification (notification_emails).
inline constexpr size_t kMaxNotificationEmails = 10;

struct PurchaseCommand {
  std::string account_id;
  LicenseProduct product;
  std::string order_reference;
};

struct PurchaseResult {
  Entitlement entitlement;
  // The display form of the new activation code, sealed with the signer
  // (LicenseSigner::Seal) so that the stored idempotent response never holds
  // it in clear; empty for right-to-use purchases.
  std::string sealed_activation_code;
};

struct ActivationResult {
  License license;
  bool already_activated = false;
};

struct RenewalResult {
  Entitlement entitlement;
  Notification welcome_letter;
};

enum class KeyRefresh { kUnspecified = 0, kCurrent = 1, kRenewed = 2, kRenewalAfterExpiry = 3, kExpired = 4 };

struct DeviceKey {
  License license;
  KeyRefresh refresh = KeyRefresh::kCurrent;
};

// Server-side verdicts: the offline ones plus revocation and unknown license.
enum class Verdict {
  kUnspecified = 0,
  kValid = 1,
  kExpired = 2,
  kNotYetValid = 3,
  kRevoked = 4,
  kWrongDevice = 5,
  kBadSignature = 6,
  kUnknownKeyId = 7,
  kMalformed = 8,
  kUnknownLicense = 9,
};

struct VerifyResult {
  Verdict verdict = Verdict::kUnspecified;
  std::string detail;
  std::optional<LicenseKeyClaims> claims;
  RevocationReason revocation_reason = RevocationReason::kUnspecified;
};

class Licensing {
 public:
  Licensing(const Clock& clock, const LicenseSigner* signer, const PageTokenCodec* pages)
      : clock_(clock), signer_(*signer), pages_(*pages) {}

  // --- purchases ---
  // Checks a purchase without touching storage (INVALID_ARGUMENT naming the field).
  absl::Status ValidatePurchase(PurchaseCommand& cmd) const;
  absl::StatusOr<PurchaseResult> CreateEntitlement(const Principal& caller, PurchaseCommand cmd,
                                                   LicensingRepository& repo) const;
  absl::StatusOr<Entitlement> GetEntitlement(const Principal& caller, const std::string& id,
                                             LicensingRepository& repo) const;
  absl::StatusOr<Page<Entitlement>> ListEntitlements(const Principal& caller,
                                                     const std::string& account_id,
                                                     const PageRequest& page,
                                                     LicensingRepository& repo) const;

  // --- activation and keys ---
  absl::StatusOr<ActivationResult> Activate(const Principal& caller, const std::string& code,
                                            const std::string& device_serial,
                                            LicensingRepository& repo) const;
  // `notification_emails` receive the welcome letter (validated here).
  absl::StatusOr<RenewalResult> Renew(const Principal& caller, const std::string& entitlement_id,
                                      int32_t term_months, const std::string& order_reference,
                                      const std::vector<std::string>& notification_emails,
                                      LicensingRepository& repo) const;
  absl::StatusOr<std::vector<DeviceKey>> RetrieveDeviceKeys(const Principal& caller,
                                                            const std::string& device_serial,
                                                            LicensingRepository& repo) const;

  // --- RMA transfers ---
  // Checks the caller's role and the shape of the RMA number (or, for a
  // request still pending, its validation number); returns it canonical.
  absl::StatusOr<std::string> ValidateTransferRequest(const Principal& caller,
                                                      const std::string& rma_number) const;
  // The committed transfer of `rma_number`, if any (NOT_FOUND for a customer
  // of another account).
  absl::StatusOr<std::optional<RmaTransfer>> FindTransfer(const Principal& caller,
                                                          const std::string& rma_number,
                                                          LicensingRepository& repo) const;
  // Checks what rma-svc said: the caller's account, approval, a replacement.
  absl::Status CheckRmaForTransfer(const Principal& caller, const RmaInfo& rma) const;
  // Moves every active license of the defective serial (one transaction).
  // Tells `notification_emails` (or, when empty, the RMA's contact) and the
  // account's webhooks, once, when the licenses move.
  absl::StatusOr<RmaTransfer> Transfer(const Principal& caller, const RmaInfo& rma,
                                       const std::vector<std::string>& notification_emails,
                                       LicensingRepository& repo) const;
  absl::StatusOr<RmaTransfer> GetTransfer(const Principal& caller, const std::string& rma_number,
                                          LicensingRepository& repo) const;
  absl::StatusOr<Page<RmaTransfer>> ListTransfers(const Principal& caller,
                                                  const std::string& account_id,
                                                  const std::string& device_serial,
                                                  const PageRequest& page,
                                                  LicensingRepository& repo) const;

  // --- lookups, revocation, verification ---
  absl::StatusOr<License> GetLicense(const Principal& caller, const std::string& id,
                                     LicensingRepository& repo) const;
  absl::StatusOr<Page<License>> ListLicenses(const Principal& caller, LicenseFilter filter,
                                             const PageRequest& page,
                                             LicensingRepository& repo) const;
  absl::StatusOr<License> Revoke(const Principal& caller, const std::string& license_id,
                                 RevocationReason reason, const std::string& note,
                                 const std::string& etag, LicensingRepository& repo) const;
  absl::StatusOr<VerifyResult> Verify(const Principal& caller, const std::string& license_key,
                                      const std::string& device_serial,
                                      std::optional<absl::Time> at,
                                      LicensingRepository& repo) const;
  absl::StatusOr<Page<Notification>> ListNotifications(const Principal& caller,
                                                       const std::string& account_id,
                                                       const std::string& entitlement_id,
                                                       const PageRequest& page,
                                                       LicensingRepository& repo) const;

  const LicenseSigner& signer() const { return signer_; }

 private:
  // The notification event of `n` (rendered from `template_id` with `data`).
  static NotificationEvent Event(const Notification& n, const std::string& template_id,
                                 const std::vector<std::string>& emails,
                                 const std::map<std::string, std::string>& data);
  absl::StatusOr<std::string> SignKey(const License& l) const;
  absl::StatusOr<std::optional<ListCursor>> DecodeCursor(const PageRequest& page,
                                                         const std::string& fingerprint) const;
  absl::StatusOr<std::string> ScopedAccount(const Principal& caller,
                                            const std::string& account_id) const;
  // The one way an entitlement or a license is loaded for a caller: NOT_FOUND
  // "<kind> <id> not found" when it does not exist or belongs to an account
  // outside the caller's scope (OutOfScope: the same answer).
  absl::StatusOr<Entitlement> LoadEntitlement(const Principal& caller, const std::string& id,
                                              LicensingRepository& repo, bool for_update) const;
  absl::StatusOr<License> LoadLicense(const Principal& caller, const std::string& id,
                                      LicensingRepository& repo, bool for_update) const;

  const Clock& clock_;
  const LicenseSigner& signer_;
  const PageTokenCodec& pages_;
};

// Returns true when an RMA in `status` (rma-svc's RmaStatus name without the
// prefix) counts as approved: APPROVED or any later state that is neither
// REJECTED nor CANCELLED.
bool RmaIsApproved(absl::string_view status);

// Returns `t` plus `months` calendar months (UTC; day overflow rolls into the
// next month).
absl::Time AddMonths(absl::Time t, int32_t months);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_H_
