// The MySQL/MariaDB implementation of rma-svc's storage: every SQL statement
// of the service is in mysql_rma_repository.cc. Statements are prepared with
// `?` placeholders (cached per connection); times are BIGINT microseconds;
// enums are stored by name. Outbox events are written with
// common/outbox.h's EnqueueEvent in the caller's transaction.
//
//   MysqlRmaStore store(&pool, &clock);
//   store.Read("get rma", [&](RmaRepository& repo) { ... });
#ifndef AFTERCARE_RMA_SVC_MYSQL_RMA_REPOSITORY_H_
#define AFTERCARE_RMA_SVC_MYSQL_RMA_REPOSITORY_H_

#include "aftercare/rma/v1/resources.pb.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "rma-svc/rma_repository.h"

namespace aftercare::rma {

// Outbox event types of rma-svc.
inline constexpr char kEventAllocateSpare[] = "inventory.AllocateSpare";
inline constexpr char kEventSwapInstalledBase[] = "inventory.SwapInstalledBase";
inline constexpr char kEventIntake[] = "inventory.IntakeReturnedUnit";
inline constexpr char kEventNotification[] = "rma.Notification";

// The outbox payload of a notification, and what the delivery channels get
// of it (common/notifications.h): the customer contact, the technical case
// and the account's webhooks, under the key "rma-<validation number>-n<id>".
v1::Notification NotificationMessage(const Notification& n);
NotificationEvent ToNotificationEvent(const v1::Notification& n);

// An RmaRepository bound to one connection (and its open transaction).
class MysqlRmaRepository : public RmaRepository {
 public:
  MysqlRmaRepository(db::Connection& conn, const Clock& clock) : conn_(conn), clock_(clock) {}

  absl::StatusOr<std::optional<Rma>> FindByValidationNumber(const std::string& number,
                                                            bool for_update) override;
  absl::StatusOr<std::optional<Rma>> FindByRmaNumber(const std::string& number,
                                                     bool for_update) override;
  absl::StatusOr<std::optional<Rma>> FindById(int64_t id, bool for_update) override;
  absl::StatusOr<std::optional<Rma>> InsertRma(Rma* rma, const RmaCreateKey* create) override;
  absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) override;
  absl::Status SaveRma(const Rma& rma) override;
  absl::StatusOr<std::vector<Rma>> ListRmas(const RmaFilter& filter, int64_t after_id, int limit,
                                            absl::Time now) override;
  absl::Status InsertReceiptException(int64_t rma_id, ReceiptException* e) override;
  absl::Status InsertNotification(Notification* n) override;
  absl::StatusOr<std::vector<Notification>> ListNotifications(int64_t rma_id, int64_t after_id,
                                                              int limit) override;
  absl::StatusOr<bool> MarkNotificationDelivered(int64_t id, absl::Time now) override;
  absl::StatusOr<bool> SetReplacementSerial(const std::string& validation_number,
                                            const std::string& serial, absl::Time now) override;
  absl::StatusOr<std::vector<int64_t>> OverdueUncharged(absl::Time now, int limit) override;
  absl::StatusOr<bool> ChargeIfDue(int64_t id, absl::Time now) override;
  absl::StatusOr<std::vector<ReturnLocation>> ListReturnLocations(const std::string& region_code,
                                                                  const std::string& theater,
                                                                  const std::string& after_code,
                                                                  int limit) override;
  absl::StatusOr<std::optional<ReturnLocation>> ReturnLocationFor(
      const std::string& region_code) override;
  absl::Status EnqueueAllocateSpare(const Rma& rma) override;
  absl::Status EnqueueSwapInstalledBase(const Rma& rma) override;
  absl::Status EnqueueIntake(const Rma& rma) override;
  absl::Status EnqueueNotification(const Notification& n) override;
  absl::Status PublishNotification(const NotificationEvent& event) override;
  absl::Status PublishNotificationNow(const Notification& n) override;

 private:
  absl::StatusOr<std::optional<Rma>> FindOne(const std::string& where, const std::string& arg,
                                             int64_t id_arg, bool for_update);
  absl::Status LoadExceptions(Rma& rma);
  absl::StatusOr<std::vector<std::string>> ServedCountries(const std::string& code);

  db::Connection& conn_;
  const Clock& clock_;
};

// Runs repository work on the service's pool: writes in idempotent
// transactions, reads in autocommit mode.
class MysqlRmaStore : public MysqlStore<RmaStore, MysqlRmaRepository> {
 public:
  using MysqlStore::MysqlStore;

};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_MYSQL_RMA_REPOSITORY_H_
