// The storage interface of licensing-svc. The domain (licensing.h) runs its
// rules against a LicensingRepository bound to one transaction; the MySQL
// implementation (mysql_licensing_repository.h) holds all SQL.
//
// Atomicity: `for_update` reads lock the row until the transaction ends. An
// activation locks its entitlement row, so two activations of one code never
// both take the last device slot; a transfer inserts its rma_transfers row
// first (primary key = RMA number), so concurrent transfers of one RMA wait
// for the first and then find its result.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_REPOSITORY_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_REPOSITORY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "common/notifications.h"
#include "common/repository_store.h"
#include "licensing-svc/licensing_types.h"

namespace aftercare::licensing {

struct LicenseFilter {
  std::string account_id;
  std::string device_serial;
  std::string entitlement_id;
  LicenseState state = LicenseState::kUnspecified;
};

class LicensingRepository {
 public:
  virtual ~LicensingRepository() = default;

  // Entitlements (active_devices filled in on reads).
  virtual absl::StatusOr<std::optional<Entitlement>> FindEntitlement(const std::string& id,
                                                                     bool for_update) = 0;
  virtual absl::StatusOr<std::optional<Entitlement>> FindEntitlementByCodeHash(
      const std::string& code_hash, bool for_update) = 0;
  virtual absl::Status InsertEntitlement(const Entitlement& e) = 0;
  // Writes `e` when the stored version is e.version - 1 (ABORTED otherwise).
  virtual absl::Status UpdateEntitlement(const Entitlement& e) = 0;
  // Newest first; `account_id` empty = all accounts.
  virtual absl::StatusOr<std::vector<Entitlement>> ListEntitlements(
      const std::string& account_id, const std::optional<ListCursor>& after, int limit) = 0;

  virtual absl::Status InsertRenewal(const Renewal& r) = 0;
  // Renewals of an entitlement, oldest first.
  virtual absl::StatusOr<std::vector<Renewal>> RenewalsOf(const std::string& entitlement_id) = 0;

  // Licenses.
  virtual absl::StatusOr<std::optional<License>> FindLicense(const std::string& id,
                                                             bool for_update) = 0;
  // Every license (any state) of `entitlement_id` on `serial`, locked.
  virtual absl::StatusOr<std::vector<License>> LicensesOfEntitlementOnDevice(
      const std::string& entitlement_id, const std::string& serial) = 0;
  // The ACTIVE licenses on `serial`, oldest first, locked when `for_update`.
  // `account_id` non-empty: only that account's licenses (a device can hold
  // licenses of several accounts); empty: every account's.
  virtual absl::StatusOr<std::vector<License>> ActiveLicensesOnDevice(const std::string& account_id,
                                                                      const std::string& serial,
                                                                      bool for_update) = 0;
  virtual absl::Status InsertLicense(const License& l) = 0;
  // Writes `l` when the stored version is l.version - 1 (ABORTED otherwise).
  virtual absl::Status UpdateLicense(const License& l) = 0;
  // Newest first, one of the filter's keys set (or none, for internal roles).
  virtual absl::StatusOr<std::vector<License>> ListLicenses(const LicenseFilter& filter,
                                                            const std::optional<ListCursor>& after,
                                                            int limit) = 0;

  // RMA transfers. InsertTransfer: ALREADY_EXISTS when the RMA number has one
  // (after waiting for a concurrent inserter to commit).
  virtual absl::Status InsertTransfer(const RmaTransfer& t) = 0;
  virtual absl::Status AddTransferItem(const std::string& rma_number,
                                       const TransferredLicense& item) = 0;
  // Reads the committed transfer (a locking read, so it sees rows another
  // transaction committed after this one started).
  virtual absl::StatusOr<std::optional<RmaTransfer>> FindTransfer(const std::string& rma_number) = 0;
  virtual absl::StatusOr<std::vector<RmaTransfer>> ListTransfers(
      const std::string& account_id, const std::string& serial,
      const std::optional<ListCursor>& after, int limit) = 0;

  virtual absl::Status InsertNotification(const Notification& n) = 0;
  // Writes the deliveries (e-mail, webhooks) of a notification in this
  // transaction (common/notifications.h).
  virtual absl::Status PublishNotification(const NotificationEvent& event) = 0;
  virtual absl::StatusOr<std::vector<Notification>> ListNotifications(
      const std::string& account_id, const std::string& entitlement_id,
      const std::optional<ListCursor>& after, int limit) = 0;
};

// Runs repository work in transactions (common/repository_store.h).
class LicensingStore : public RepositoryStore<LicensingRepository> {
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_REPOSITORY_H_
