// Storage of rma-svc as seen by the domain (rma.h): RMAs, receipt
// exceptions, notifications, return locations, and the outbox events that
// carry the RMA's effects to inventory-svc and its notifications out. The
// MySQL implementation is mysql_rma_repository.{h,cc}; unit tests use
// fake_rma_repository.h.
#ifndef AFTERCARE_RMA_SVC_RMA_REPOSITORY_H_
#define AFTERCARE_RMA_SVC_RMA_REPOSITORY_H_

#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/idempotency.h"
#include "common/notifications.h"
#include "common/repository_store.h"
#include "rma-svc/rma_types.h"

namespace aftercare::rma {

// A CreateRma's idempotency key, kept on the RMA's row with the first
// answer (RepositoryStore::CreateOnce): `answer` serializes the API's
// message of the RMA about to be written. No key: an RMA without request_id.
struct RmaCreateKey {
  const RowKey* key = nullptr;
  std::function<std::string(const Rma&)> answer;
};

// One unit of work on one connection (inside a transaction for writes).
class RmaRepository {
 public:
  virtual ~RmaRepository() = default;

  // Looks an RMA up (with its receipt exceptions); `for_update` locks the row.
  virtual absl::StatusOr<std::optional<Rma>> FindByValidationNumber(const std::string& number,
                                                                    bool for_update) = 0;
  virtual absl::StatusOr<std::optional<Rma>> FindByRmaNumber(const std::string& number,
                                                             bool for_update) = 0;
  virtual absl::StatusOr<std::optional<Rma>> FindById(int64_t id, bool for_update) = 0;
  // Inserts a new RMA and sets rma->id, unless its unit already has an open
  // RMA (IsOpen): then nothing is written and that RMA is the answer. A
  // concurrent request for the same unit waits for the first to commit and
  // then gets its RMA (MySQL: the unique index uq_rmas_open_serial).
  // ALREADY_EXISTS on a duplicate validation number. With `create`'s key,
  // the key and the answer go on the row (ABORTED kRowKeyTaken when the key
  // is taken, on an RMA or in idempotency_keys).
  virtual absl::StatusOr<std::optional<Rma>> InsertRma(Rma* rma, const RmaCreateKey* create) = 0;
  // The answer kept with `key` by the CreateRma that committed it, if any
  // (a CreateRma key of idempotency_keys, written before migration 0005,
  // counts: INVALID_ARGUMENT when it was another method's or request's).
  virtual absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) = 0;
  // Writes every field of `rma` (whose version was already incremented);
  // ABORTED when the stored version is not `rma.version - 1`.
  virtual absl::Status SaveRma(const Rma& rma) = 0;
  // RMAs matching `filter` with id > after_id, by id, at most `limit`.
  virtual absl::StatusOr<std::vector<Rma>> ListRmas(const RmaFilter& filter, int64_t after_id,
                                                    int limit, absl::Time now) = 0;
  virtual absl::Status InsertReceiptException(int64_t rma_id, ReceiptException* e) = 0;

  // Notifications. InsertNotification sets n->id.
  virtual absl::Status InsertNotification(Notification* n) = 0;
  virtual absl::StatusOr<std::vector<Notification>> ListNotifications(int64_t rma_id,
                                                                      int64_t after_id,
                                                                      int limit) = 0;
  // Sets deliver_time once; returns false when it was already set.
  virtual absl::StatusOr<bool> MarkNotificationDelivered(int64_t id, absl::Time now) = 0;

  // Records the spare inventory-svc allocated; returns false when the RMA
  // already has one (a repeated delivery).
  virtual absl::StatusOr<bool> SetReplacementSerial(const std::string& validation_number,
                                                    const std::string& serial, absl::Time now) = 0;

  // Replacement RMAs past due, not received and not yet charged.
  virtual absl::StatusOr<std::vector<int64_t>> OverdueUncharged(absl::Time now, int limit) = 0;
  // Records the non-return charge (the RMA's list price) when the RMA is
  // still shipped, past due and uncharged: a conditional UPDATE, so exactly
  // one of several concurrent sweepers gets true.
  virtual absl::StatusOr<bool> ChargeIfDue(int64_t id, absl::Time now) = 0;

  // Return locations, by code; `region_code`/`theater` filter when set.
  virtual absl::StatusOr<std::vector<ReturnLocation>> ListReturnLocations(
      const std::string& region_code, const std::string& theater, const std::string& after_code,
      int limit) = 0;
  // The location that serves ship-to country `region_code`.
  virtual absl::StatusOr<std::optional<ReturnLocation>> ReturnLocationFor(
      const std::string& region_code) = 0;

  // Outbox events in the current transaction (aggregate: the validation number).
  virtual absl::Status EnqueueAllocateSpare(const Rma& rma) = 0;
  virtual absl::Status EnqueueSwapInstalledBase(const Rma& rma) = 0;
  virtual absl::Status EnqueueIntake(const Rma& rma) = 0;
  virtual absl::Status EnqueueNotification(const Notification& n) = 0;
  // Writes the deliveries (e-mail, technical-case note, webhooks) of a
  // notification the outbox handed over (common/notifications.h); nothing
  // when its key was published already.
  virtual absl::Status PublishNotification(const NotificationEvent& event) = 0;
  // Writes the deliveries of notification `n` (inserted with its
  // deliver_time set) in the current transaction, with no outbox event: for
  // the first notification of an RMA, which no earlier one of the same RMA
  // can be waiting in front of (the outbox keeps that order for the others).
  virtual absl::Status PublishNotificationNow(const Notification& n) = 0;
};

// Runs repository work in transactions (common/repository_store.h).
class RmaStore : public RepositoryStore<RmaRepository> {
 public:
  // A transaction without a request_id (background work: sweeper, outbox).
  virtual absl::Status Transact(absl::string_view context, const ReadBody& body) = 0;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_REPOSITORY_H_
