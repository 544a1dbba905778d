// The rules of case-svc (pure C++: no gRPC, no SQL): admin cases with their
// lifecycle, SLA clock, visibility and special request types (mis-shipment,
// grey-market reinstatement), and trade-in (TMIP) cases with deadlines,
// documents, the return and destroy paths. Called by case_grpc.cc inside the
// store's transactions, and by the background work of case_spec.cc.
#ifndef AFTERCARE_CASE_SVC_CASES_H_
#define AFTERCARE_CASE_SVC_CASES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "case-svc/case_repository.h"
#include "case-svc/case_types.h"
#include "common/auth.h"
#include "common/business_calendar.h"
#include "common/clock.h"
#include "common/etag.h"
#include "common/page_token.h"
#include "common/paging.h"

namespace aftercare::cases {

struct CaseOptions {
  // Phase 2 of TMIP: the new order must include one of these platforms.
  std::vector<std::string> tmip_phase2_platforms = {"MX10008", "MX10016"};
  int64_t max_attachment_bytes = 10 * 1024 * 1024;
  // Where trade-in equipment is shipped.
  PostalAddress tmip_return_address;
  BusinessCalendar calendar;
};

// What inventory-svc said about a case's serial number or SSRN.
struct ProductLookup {
  LookupState state = LookupState::kNotRequested;
  std::string series;
  std::string platform;
};

// A SKU as inventory-svc's catalog knows it.
struct CatalogEntry {
  bool found = false;
  bool end_of_life = false;
  std::string platform;
};

// A unit received at the depot for a trade-in case.
struct ReceivedUnit {
  std::string serial;
  std::string sku;
};

inline constexpr size_t kMaxSummaryBytes = 200;
inline constexpr size_t kMaxDescriptionBytes = 16 * 1024;
inline constexpr size_t kMaxNoteBytes = 16 * 1024;
inline constexpr size_t kMaxReasonBytes = 2000;
inline constexpr size_t kMaxNotificationEmails = 10;
// The question of the case_awaiting_customer notification when the status
// change gives none.
inline constexpr char kDefaultCustomerQuestion[] =
    "Customer Care needs more information from you to continue; please read the latest note on "
    "the case and answer it there.";
inline constexpr absl::Duration kMisShipmentWindow = absl::Hours(24 * 90);

class Cases {
 public:
  Cases(const Clock& clock, CaseOptions options, const PageTokenCodec* page_tokens);

  const CaseOptions& options() const { return options_; }

  // --- Admin cases ---------------------------------------------------------

  // Checks and normalizes a new case from `caller` (nothing is written):
  // INVALID_ARGUMENT naming the field, FAILED_PRECONDITION for the
  // mis-shipment rules, PERMISSION_DENIED for roles that may not open it.
  absl::StatusOr<Case> PrepareCase(const Principal& caller, Case draft) const;
  // Stores a prepared case under `id` with what inventory-svc said; when the
  // lookup is pending, the service fills the product fields later (outbox).
  // `create` (CaseRepository::InsertCase) carries the call's key, if any.
  absl::StatusOr<Case> CreateCase(const Principal& caller, Case prepared, const std::string& id,
                                  const ProductLookup& lookup, CaseRepository& repo,
                                  const CaseCreateKey* create = nullptr) const;
  absl::StatusOr<Case> GetCase(const Principal& caller, const std::string& id,
                               CaseRepository& repo) const;
  absl::StatusOr<Page<Case>> ListCases(const Principal& caller, CaseFilter filter, int32_t page_size,
                                       const std::string& page_token, CaseRepository& repo) const;
  absl::StatusOr<Case> TakeOwnership(const Principal& caller, const std::string& id,
                                     const std::string& owner, const std::string& etag,
                                     CaseRepository& repo) const;
  // `question` (AWAITING_CUSTOMER only, optional) is what the customer is
  // asked: in the timeline and the case_awaiting_customer notification
  // (kDefaultCustomerQuestion when empty).
  absl::StatusOr<Case> UpdateStatus(const Principal& caller, const std::string& id,
                                    CaseStatus status, const std::string& etag,
                                    CaseRepository& repo,
                                    const std::string& question = "") const;
  absl::StatusOr<Case> AddNote(const Principal& caller, const std::string& id,
                               const std::string& body, bool internal, CaseRepository& repo) const;
  absl::StatusOr<Case> Escalate(const Principal& caller, const std::string& id, EscalationKind kind,
                                const std::string& reason, CaseRepository& repo) const;
  absl::StatusOr<Case> Resolve(const Principal& caller, const std::string& id,
                               const std::string& resolution, const std::string& tracking,
                               const std::string& etag, CaseRepository& repo) const;
  absl::StatusOr<Case> Close(const Principal& caller, const std::string& id,
                             CaseRepository& repo) const;
  absl::StatusOr<Case> Reopen(const Principal& caller, const std::string& id,
                              const std::string& reason, CaseRepository& repo) const;
  absl::StatusOr<Case> ApproveReinstatement(const Principal& caller, const std::string& id,
                                            const std::string& inspection_reference,
                                            CaseRepository& repo) const;
  // The timeline of an admin or trade-in case, oldest first; internal
  // entries are left out for customers and partners. An admin case's
  // "created" entry is derived from the case (CreatedEvent) and comes first.
  absl::StatusOr<Page<CaseEvent>> ListEvents(const Principal& caller, const std::string& id,
                                             int32_t page_size, const std::string& page_token,
                                             CaseRepository& repo) const;

  // True when `c` has no first response and its target has passed.
  bool Breaching(const Case& c, absl::Time now) const;
  absl::Time ResponseDue(const Case& c, absl::Time now) const;

  // Background: records what inventory-svc said for a pending lookup.
  absl::Status ApplyProductLookup(const std::string& id, const ProductLookup& lookup,
                                  CaseRepository& repo) const;
  // Background: records inventory-svc's answer to a reinstatement.
  absl::Status RecordReinstatement(const std::string& id, bool reinstated,
                                   const std::string& detail, CaseRepository& repo) const;
  // Background: a note on the timeline written by the service itself.
  absl::Status RecordServiceEvent(const std::string& id, const std::string& kind,
                                  const std::string& detail, CaseRepository& repo) const;

  // --- Trade-in cases ------------------------------------------------------

  // Checks and normalizes a new trade-in case (nothing is written).
  absl::StatusOr<TradeIn> PrepareTradeIn(const Principal& caller, TradeIn draft) const;
  // The SKUs whose catalog entries CheckEligibility needs.
  std::vector<std::string> SkusToLookUp(const TradeIn& t) const;
  // Phase 1: every trade-in SKU is end-of-life; phase 2: the new order
  // includes an eligible platform. FAILED_PRECONDITION naming the rule.
  absl::Status CheckEligibility(const TradeIn& t,
                                const std::map<std::string, CatalogEntry>& catalog) const;
  absl::StatusOr<TradeIn> CreateTradeIn(const Principal& caller, TradeIn prepared,
                                        const std::string& id, CaseRepository& repo) const;
  absl::StatusOr<TradeIn> GetTradeIn(const Principal& caller, const std::string& id,
                                     CaseRepository& repo) const;
  absl::StatusOr<Page<TradeIn>> ListTradeIns(const Principal& caller, TradeInFilter filter,
                                             int32_t page_size, const std::string& page_token,
                                             CaseRepository& repo) const;
  absl::StatusOr<TradeIn> UpdateLines(const Principal& caller, const std::string& id,
                                      std::vector<TradeInLine> lines, const std::string& etag,
                                      CaseRepository& repo) const;
  absl::StatusOr<TradeIn> RequestExtension(const Principal& caller, const std::string& id,
                                           absl::Time requested_due, const std::string& reason,
                                           CaseRepository& repo) const;
  absl::StatusOr<TradeIn> ReviewExtension(const Principal& caller, const std::string& id,
                                          bool approve, const std::string& note,
                                          CaseRepository& repo) const;
  absl::StatusOr<TradeIn> IssueShippingInstructions(const Principal& caller, const std::string& id,
                                                    const std::string& label_reference,
                                                    CaseRepository& repo) const;
  absl::StatusOr<TradeIn> RecordReceived(const Principal& caller, const std::string& id,
                                         const std::vector<ReceivedUnit>& units,
                                         CaseRepository& repo) const;
  // Background: defaults an OPEN case whose documents are overdue; false when
  // it no longer needs it (another replica did it, or it was completed).
  absl::StatusOr<bool> DefaultIfOverdue(const std::string& id, CaseRepository& repo) const;

  // The documentation deadline of an order placed at `order_time`: three
  // calendar months later (the day clamped to the month's length).
  static absl::Time DocumentsDue(absl::Time order_time);

  // --- Attachments ---------------------------------------------------------

  // Checks the metadata of an upload before its bytes arrive.
  absl::Status CheckUploadHeader(const Principal& caller, const std::string& case_id,
                                 AttachmentKind kind, const std::string& file_name,
                                 const std::optional<CodDetails>& cod) const;
  absl::StatusOr<Attachment> Upload(const Principal& caller, const std::string& case_id,
                                    AttachmentKind kind, const std::string& file_name,
                                    std::optional<CodDetails> cod, const std::string& content,
                                    CaseRepository& repo) const;
  absl::StatusOr<std::vector<Attachment>> ListAttachments(const Principal& caller,
                                                          const std::string& case_id,
                                                          CaseRepository& repo) const;
  absl::StatusOr<Attachment> GetAttachment(const Principal& caller, const std::string& name,
                                           CaseRepository& repo) const;

 private:
  absl::StatusOr<Case> LoadCase(const Principal& caller, const std::string& id,
                                CaseRepository& repo, bool for_update) const;
  absl::StatusOr<TradeIn> LoadTradeIn(const Principal& caller, const std::string& id,
                                      CaseRepository& repo, bool for_update) const;
  // Publishes `template_id` for the case as it is now (after Save): to its
  // notification_emails and its account's webhooks, keyed by case id and
  // version so that each change notifies at most once.
  absl::Status Notify(const Case& c, const std::string& template_id,
                      std::map<std::string, std::string> data, CaseRepository& repo) const;
  absl::Status Save(const Principal& caller, Case& c, const std::string& kind,
                    const std::string& detail, bool internal, CaseRepository& repo) const;
  absl::Status SaveTradeIn(const Principal& caller, TradeIn& t, const std::string& kind,
                           const std::string& detail, CaseRepository& repo) const;
  // Completes the trade-in case when its documentation is all there.
  void CompleteIfDone(TradeIn& t, std::string* detail) const;

  const Clock& clock_;
  CaseOptions options_;
  const PageTokenCodec* page_tokens_;
};

// True for customers and partners, who see only their own cases.
bool IsScoped(const Principal& caller);
// The timeline's "created" entry of an admin case opened since migration
// 0004 (`opened_by_role` set), derived from the case: event 0, at its
// creation, by its opener, "<priority>: <summary>" (both fixed at creation).
CaseEvent CreatedEvent(const Case& c);
// Checks a SKU: 1-40 characters of A-Z, 0-9, '-', '.', '+', '/' (upper-cased).
absl::StatusOr<std::string> NormalizeSku(const std::string& sku, const std::string& field);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASES_H_
