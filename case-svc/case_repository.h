// Storage of case-svc as the domain sees it. The MySQL implementation is in
// mysql_case_repository.{h,cc}; tests may use a fake.
#ifndef AFTERCARE_CASE_SVC_CASE_REPOSITORY_H_
#define AFTERCARE_CASE_SVC_CASE_REPOSITORY_H_

#include <google/protobuf/message.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "case-svc/case_types.h"
#include "common/idempotency.h"
#include "common/notifications.h"
#include "common/repository_store.h"
#include "common/page_token.h"

namespace aftercare::cases {

// Which cases a List returns. Scoped callers (customers, partners) see only
// cases of their `accounts` (none when they have none): having opened a case
// gives no access once the account is gone from the token.
struct CaseFilter {
  CaseStatus status = CaseStatus::kUnspecified;
  Priority priority = Priority::kUnspecified;
  RequestType request_type = RequestType::kUnspecified;
  std::string account_id;
  std::string owner;
  bool breaching_only = false;
  absl::Time now;
  bool scoped = false;
  std::vector<std::string> accounts;
};

struct TradeInFilter {
  TradeInStatus status = TradeInStatus::kUnspecified;
  std::string account_id;
  bool scoped = false;
  std::vector<std::string> accounts;
};

// Which notes of a technical case a List returns: scoped callers only the
// notes of their `accounts` (none when they have none).
struct TechnicalCaseNoteFilter {
  std::string technical_case_id;
  bool scoped = false;
  std::vector<std::string> accounts;
};

// CreateCase's idempotency key, kept on the case row
// (RepositoryStore::CreateOnce): `key` (null without a request_id) and
// `answer`, which makes the serialized first answer from the case as
// inserted (called by InsertCase only when there is a key).
struct CaseCreateKey {
  const RowKey* key = nullptr;
  std::function<std::string(const Case&)> answer;
};

// Repository work inside one transaction (or one read).
class CaseRepository {
 public:
  virtual ~CaseRepository() = default;

  // Inserts a new case; with `create` and its key, the key and the answer
  // with it: a key another call committed (on a case, or in
  // idempotency_keys) is AbortedError(idempotency_internal::kRowKeyTaken).
  virtual absl::Status InsertCase(const Case& c, const CaseCreateKey* create) = 0;
  // The answer kept with `key` by the CreateCase that committed it, if any
  // (a key of idempotency_keys written by an older version for CreateCase
  // counts: INVALID_ARGUMENT when it was another method's or request's).
  virtual absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) = 0;
  virtual absl::StatusOr<std::optional<Case>> FindCase(const std::string& id, bool for_update) = 0;
  // ABORTED when the stored version is no longer `expected_version`.
  virtual absl::Status UpdateCase(const Case& c, int64_t expected_version) = 0;
  // Newest first, after the (create_time, id) cursor when given.
  virtual absl::StatusOr<std::vector<Case>> ListCases(const CaseFilter& filter,
                                                      const std::optional<PageCursor>& after,
                                                      int limit) = 0;

  // Appends to the case's timeline; the event's id is assigned by the store.
  virtual absl::Status AppendEvent(const CaseEvent& event) = 0;
  virtual absl::StatusOr<std::vector<CaseEvent>> ListEvents(const std::string& case_id,
                                                            int64_t after_id,
                                                            bool include_internal, int limit) = 0;

  // Outbox events written in the current transaction, delivered afterwards:
  // fill the product fields of a case from inventory-svc;
  virtual absl::Status EnqueueProductLookup(const std::string& case_id) = 0;
  // ask inventory-svc to reinstate a grey-market unit;
  virtual absl::Status EnqueueReinstatement(const std::string& case_id, const std::string& serial,
                                            const std::string& inspection_reference) = 0;
  // hand a received trade-in unit to inventory-svc (trade-in intake).
  virtual absl::Status EnqueueTradeInIntake(const std::string& case_id, const std::string& serial,
                                            const std::string& sku) = 0;
  // Writes the deliveries of a notification (e-mail, webhooks) in the
  // current transaction (common/notifications.h); an event_key published
  // before writes nothing.
  virtual absl::Status PublishNotification(const NotificationEvent& event) = 0;

  virtual absl::Status InsertTradeIn(const TradeIn& t) = 0;
  virtual absl::StatusOr<std::optional<TradeIn>> FindTradeIn(const std::string& id,
                                                             bool for_update) = 0;
  virtual absl::Status UpdateTradeIn(const TradeIn& t, int64_t expected_version) = 0;
  virtual absl::StatusOr<std::vector<TradeIn>> ListTradeIns(const TradeInFilter& filter,
                                                            const std::optional<PageCursor>& after,
                                                            int limit) = 0;
  // Ids of OPEN trade-in cases whose documents were due before `now`.
  virtual absl::StatusOr<std::vector<std::string>> OverdueTradeIns(absl::Time now, int limit) = 0;

  // Stores the attachment and its content; sets `a->id`.
  virtual absl::Status InsertAttachment(Attachment* a, const std::string& content) = 0;
  virtual absl::StatusOr<std::vector<Attachment>> ListAttachments(const std::string& case_id) = 0;
  virtual absl::StatusOr<std::optional<Attachment>> FindAttachment(int64_t id) = 0;
  // The highest version of `kind` on the case (0 when none).
  virtual absl::StatusOr<int32_t> LatestAttachmentVersion(const std::string& case_id,
                                                          AttachmentKind kind) = 0;

  // Technical-case notes. Insert sets `n->id`; ALREADY_EXISTS when the case
  // has a note with that note_id (after waiting for a concurrent inserter).
  virtual absl::Status InsertTechnicalCaseNote(TechnicalCaseNote* n) = 0;
  // A locking read: sees a note another transaction committed meanwhile.
  virtual absl::StatusOr<std::optional<TechnicalCaseNote>> FindTechnicalCaseNote(
      const std::string& technical_case_id, const std::string& note_id) = 0;
  // Oldest first (by id), after `after_id`.
  virtual absl::StatusOr<std::vector<TechnicalCaseNote>> ListTechnicalCaseNotes(
      const TechnicalCaseNoteFilter& filter, int64_t after_id, int limit) = 0;
};

// Runs repository work in transactions (common/repository_store.h).
// Attachment content is stored in chunks of this size, and streamed back
// one chunk per message.
inline constexpr size_t kChunkBytes = 256 * 1024;

class CaseStore : public RepositoryStore<CaseRepository> {
 public:
  // The next number of the day's case sequence (common/db/id_allocator.h).
  virtual absl::StatusOr<int64_t> NextCaseSequence(const std::string& day) = 0;
  // Chunk `seq` (from 0) of an attachment's content, kChunkBytes each;
  // nullopt past the end. One read, outside any transaction.
  virtual absl::StatusOr<std::optional<std::string>> ReadChunk(int64_t attachment_id,
                                                               int seq) = 0;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_REPOSITORY_H_
