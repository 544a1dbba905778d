// The MySQL implementation of case-svc's repository: all SQL of the service.
#ifndef AFTERCARE_CASE_SVC_MYSQL_CASE_REPOSITORY_H_
#define AFTERCARE_CASE_SVC_MYSQL_CASE_REPOSITORY_H_

#include <memory>

#include "case-svc/case_repository.h"
#include "common/clock.h"
#include "common/db/connection_pool.h"
#include "common/db/id_allocator.h"

namespace aftercare::cases {

// Outbox event types of case-svc.
inline constexpr char kEventProductLookup[] = "cases.FillProduct";
inline constexpr char kEventReinstate[] = "inventory.ReinstateUnit";
inline constexpr char kEventTradeInIntake[] = "inventory.IntakeReturnedUnit";

class MysqlCaseRepository : public CaseRepository {
 public:
  MysqlCaseRepository(db::Connection& conn, const Clock& clock) : conn_(conn), clock_(clock) {}

  absl::Status InsertCase(const Case& c, const CaseCreateKey* create) override;
  absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) override;
  absl::StatusOr<std::optional<Case>> FindCase(const std::string& id, bool for_update) override;
  absl::Status UpdateCase(const Case& c, int64_t expected_version) override;
  absl::StatusOr<std::vector<Case>> ListCases(const CaseFilter& filter,
                                              const std::optional<PageCursor>& after,
                                              int limit) override;
  absl::Status AppendEvent(const CaseEvent& event) override;
  absl::StatusOr<std::vector<CaseEvent>> ListEvents(const std::string& case_id, int64_t after_id,
                                                    bool include_internal, int limit) override;
  absl::Status EnqueueProductLookup(const std::string& case_id) override;
  absl::Status EnqueueReinstatement(const std::string& case_id, const std::string& serial,
                                    const std::string& inspection_reference) override;
  absl::Status EnqueueTradeInIntake(const std::string& case_id, const std::string& serial,
                                    const std::string& sku) override;
  absl::Status PublishNotification(const NotificationEvent& event) override;
  absl::Status InsertTradeIn(const TradeIn& t) override;
  absl::StatusOr<std::optional<TradeIn>> FindTradeIn(const std::string& id, bool for_update) override;
  absl::Status UpdateTradeIn(const TradeIn& t, int64_t expected_version) override;
  absl::StatusOr<std::vector<TradeIn>> ListTradeIns(const TradeInFilter& filter,
                                                    const std::optional<PageCursor>& after,
                                                    int limit) override;
  absl::StatusOr<std::vector<std::string>> OverdueTradeIns(absl::Time now, int limit) override;
  absl::Status InsertAttachment(Attachment* a, const std::string& content) override;
  absl::StatusOr<std::vector<Attachment>> ListAttachments(const std::string& case_id) override;
  absl::StatusOr<std::optional<Attachment>> FindAttachment(int64_t id) override;
  absl::StatusOr<int32_t> LatestAttachmentVersion(const std::string& case_id,
                                                  AttachmentKind kind) override;
  absl::Status InsertTechnicalCaseNote(TechnicalCaseNote* n) override;
  absl::StatusOr<std::optional<TechnicalCaseNote>> FindTechnicalCaseNote(
      const std::string& technical_case_id, const std::string& note_id) override;
  absl::StatusOr<std::vector<TechnicalCaseNote>> ListTechnicalCaseNotes(
      const TechnicalCaseNoteFilter& filter, int64_t after_id, int limit) override;

 private:
  db::Connection& conn_;
  const Clock& clock_;
};

class MysqlCaseStore : public MysqlStore<CaseStore, MysqlCaseRepository> {
 public:
  MysqlCaseStore(db::ConnectionPool* pool, const Clock* clock);

  absl::StatusOr<int64_t> NextCaseSequence(const std::string& day) override;

  // The number of open cases past their response target without a first
  // response.
  absl::StatusOr<int64_t> CountBreaching(absl::Time now);
  absl::StatusOr<std::optional<std::string>> ReadChunk(int64_t attachment_id, int seq) override;

 private:
  db::IdAllocator case_numbers_;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_MYSQL_CASE_REPOSITORY_H_
