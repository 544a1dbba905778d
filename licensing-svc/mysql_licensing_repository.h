// The MySQL implementation of the licensing storage (all SQL of
// licensing-svc). MysqlLicensingRepository runs statements on one
// connection inside the caller's transaction; MysqlLicensingStore opens the
// transactions (idempotent writes, autocommit reads).
//
//   MysqlLicensingStore store(&pool, &clock);
//   store.Read("get license", [&](LicensingRepository& repo) { ... });
#ifndef AFTERCARE_LICENSING_SVC_MYSQL_LICENSING_REPOSITORY_H_
#define AFTERCARE_LICENSING_SVC_MYSQL_LICENSING_REPOSITORY_H_

#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class MysqlLicensingRepository : public LicensingRepository {
 public:
  explicit MysqlLicensingRepository(db::Connection& conn) : conn_(conn) {}

  absl::StatusOr<std::optional<Entitlement>> FindEntitlement(const std::string& id,
                                                             bool for_update) override;
  absl::StatusOr<std::optional<Entitlement>> FindEntitlementByCodeHash(const std::string& code_hash,
                                                                       bool for_update) override;
  absl::Status InsertEntitlement(const Entitlement& e) override;
  absl::Status UpdateEntitlement(const Entitlement& e) override;
  absl::StatusOr<std::vector<Entitlement>> ListEntitlements(const std::string& account_id,
                                                            const std::optional<ListCursor>& after,
                                                            int limit) override;
  absl::Status InsertRenewal(const Renewal& r) override;
  absl::StatusOr<std::vector<Renewal>> RenewalsOf(const std::string& entitlement_id) override;
  absl::StatusOr<std::optional<License>> FindLicense(const std::string& id, bool for_update) override;
  absl::StatusOr<std::vector<License>> LicensesOfEntitlementOnDevice(
      const std::string& entitlement_id, const std::string& serial) override;
  absl::StatusOr<std::vector<License>> ActiveLicensesOnDevice(const std::string& account_id,
                                                              const std::string& serial,
                                                              bool for_update) override;
  absl::Status InsertLicense(const License& l) override;
  absl::Status UpdateLicense(const License& l) override;
  absl::StatusOr<std::vector<License>> ListLicenses(const LicenseFilter& filter,
                                                    const std::optional<ListCursor>& after,
                                                    int limit) override;
  absl::Status InsertTransfer(const RmaTransfer& t) override;
  absl::Status AddTransferItem(const std::string& rma_number,
                               const TransferredLicense& item) override;
  absl::StatusOr<std::optional<RmaTransfer>> FindTransfer(const std::string& rma_number) override;
  absl::StatusOr<std::vector<RmaTransfer>> ListTransfers(const std::string& account_id,
                                                         const std::string& serial,
                                                         const std::optional<ListCursor>& after,
                                                         int limit) override;
  absl::Status InsertNotification(const Notification& n) override;
  absl::Status PublishNotification(const NotificationEvent& event) override;
  absl::StatusOr<std::vector<Notification>> ListNotifications(
      const std::string& account_id, const std::string& entitlement_id,
      const std::optional<ListCursor>& after, int limit) override;

 private:
  absl::StatusOr<std::optional<Entitlement>> FindEntitlementWhere(const std::string& column,
                                                                  const std::string& value,
                                                                  bool for_update);
  absl::StatusOr<std::vector<License>> QueryLicenses(const std::string& sql,
                                                     const std::vector<std::string>& args,
                                                     const std::optional<ListCursor>& after,
                                                     int limit);
  db::Connection& conn_;
};

class MysqlLicensingStore : public MysqlStore<LicensingStore, MysqlLicensingRepository> {
 public:
  using MysqlStore::MysqlStore;

};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_MYSQL_LICENSING_REPOSITORY_H_
