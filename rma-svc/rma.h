// The rules of rma-svc, as plain C++: who may do what, input checks, the
// entitlement decision, the state machine of each RMA type, the return clock
// on the business calendar, the non-return charge and the notifications that
// every transition produces. No gRPC and no SQL: the gRPC layer
// (rma_grpc.cc) calls these methods inside a repository transaction, after
// fetching the unit's entitlement from inventory-svc where a rule needs it.
//
//   Rmas rmas(clock, &page_tokens, RmaOptions{});
//   RETURN_IF_ERROR(rmas.ValidateCreate(caller, &cmd));
//   ... entitlement = inventory->GetEntitlement(cmd.serial) ...
//   ASSIGN_OR_RETURN(Rma rma, rmas.Create(caller, cmd, entitlement, seq, repo));
#ifndef AFTERCARE_RMA_SVC_RMA_H_
#define AFTERCARE_RMA_SVC_RMA_H_

#include <initializer_list>
#include <optional>
#include <set>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/business_calendar.h"
#include "common/clock.h"
#include "common/etag.h"
#include "common/page_token.h"
#include "common/paging.h"
#include "rma-svc/rma_repository.h"
#include "rma-svc/rma_types.h"

namespace aftercare::rma {

// Validation numbers are kValidationBase + n, RMA numbers kRmaBase + n
// (n from the id allocator), so they read like the guide's R200XXXX.
inline constexpr int64_t kValidationBase = 10'000'000;
inline constexpr int64_t kRmaBase = 20'000'000;

struct RmaOptions {
  // The defective unit of a replacement is due this many business days
  // after the replacement shipped.
  int return_business_days = 10;
  // Days of the business calendar are civil days in this zone.
  absl::TimeZone calendar_zone = absl::UTCTimeZone();
};

struct CreateCommand {
  std::string serial;
  std::string account_id;
  std::string technical_case_id;
  RmaType type = RmaType::kUnspecified;
  std::string failure_description;
  DamageCause damage_cause = DamageCause::kUnspecified;
  PostalAddress ship_to;
  std::string contact_email;
};

// An amendment of a pending request: the fields named in `mask`.
struct AmendCommand {
  std::string name;
  std::string etag;
  std::set<std::string> mask;  // type, failure_description, damage_cause, ship_to, contact_email
  RmaType type = RmaType::kUnspecified;
  std::string failure_description;
  DamageCause damage_cause = DamageCause::kUnspecified;
  PostalAddress ship_to;
  std::string contact_email;
};

struct ReceiveResult {
  bool accepted = false;
  Rma rma;
  std::optional<ReceiptException> exception;
};

class Rmas {
 public:
  Rmas(const Clock& clock, const PageTokenCodec* page_tokens, RmaOptions options);

  // --- Requests ------------------------------------------------------------
  // Checks role (tse, admin) and every field of a new request; normalizes
  // the serial. INVALID_ARGUMENT naming the field.
  absl::Status ValidateCreate(const Principal& caller, CreateCommand* cmd) const;
  // Refuses fire and acts of God (FAILED_PRECONDITION with the reason).
  absl::Status CheckDamage(DamageCause cause) const;
  // Decides whether the unit is covered for `type` for `account_id`:
  // FAILED_PRECONDITION with the reason when not.
  absl::Status CheckEntitlement(RmaType type, const std::string& account_id,
                                const EntitlementView& e) const;
  // Opens the request: a validation number (kValidationBase + seq), PENDING,
  // and a notification.
  // `create` carries the call's idempotency key to the RMA's row (nullptr:
  // none, as for a request without request_id).
  absl::StatusOr<Rma> Create(const Principal& caller, const CreateCommand& cmd,
                             const EntitlementView& entitlement, int64_t seq,
                             RmaRepository& repo, const RmaCreateKey* create = nullptr) const;

  // Returns the RMA named by an RMA or validation number, if the caller may
  // see it (NOT_FOUND otherwise).
  absl::StatusOr<Rma> Get(const Principal& caller, const std::string& name,
                          RmaRepository& repo) const;

  // Checks an amendment (role, scope, fields) before the entitlement is
  // fetched; returns the stored RMA. The state is checked by Amend.
  absl::StatusOr<Rma> PrepareAmend(const Principal& caller, AmendCommand* cmd,
                                   RmaRepository& repo) const;
  absl::StatusOr<Rma> Amend(const Principal& caller, const AmendCommand& cmd,
                            const EntitlementView& entitlement, RmaRepository& repo) const;
  absl::StatusOr<Rma> Cancel(const Principal& caller, const std::string& name,
                             const std::string& reason, const std::string& etag,
                             RmaRepository& repo) const;

  // --- Decision --------------------------------------------------------------
  // Checks the role before the entitlement is fetched; returns the RMA.
  absl::StatusOr<Rma> PrepareApprove(const Principal& caller, const std::string& name,
                                     RmaRepository& repo) const;
  // Approves after a fresh entitlement check: RMA number kRmaBase + seq;
  // replacement types ask inventory-svc for a spare (outbox).
  absl::StatusOr<Rma> Approve(const Principal& caller, const std::string& name,
                              const std::string& etag, const EntitlementView& entitlement,
                              int64_t seq, RmaRepository& repo) const;
  absl::StatusOr<Rma> Reject(const Principal& caller, const std::string& name,
                             const std::string& reason, const std::string& etag,
                             RmaRepository& repo) const;

  // --- Logistics ---------------------------------------------------------------
  absl::StatusOr<Rma> ShipReplacement(const Principal& caller, const std::string& name,
                                      const std::string& carrier, const std::string& tracking,
                                      RmaRepository& repo) const;
  absl::StatusOr<ReceiveResult> Receive(const Principal& caller, const std::string& rma_number,
                                        const std::string& serial, const std::string& note,
                                        RmaRepository& repo) const;
  absl::StatusOr<Rma> RecordRepair(const Principal& caller, const std::string& name,
                                   const std::string& summary, const std::string& software,
                                   RmaRepository& repo) const;
  absl::StatusOr<Rma> ShipRepaired(const Principal& caller, const std::string& name,
                                   const std::string& carrier, const std::string& tracking,
                                   RmaRepository& repo) const;
  absl::StatusOr<Rma> Close(const Principal& caller, const std::string& name,
                            const std::string& note, RmaRepository& repo) const;

  // --- Reads -------------------------------------------------------------------
  absl::StatusOr<Page<Rma>> List(const Principal& caller, RmaFilter filter, int32_t page_size,
                                 const std::string& page_token, RmaRepository& repo) const;
  absl::StatusOr<Page<Rma>> ListOverdue(const Principal& caller, int32_t page_size,
                                        const std::string& page_token, RmaRepository& repo) const;
  absl::StatusOr<Page<Notification>> ListNotifications(const Principal& caller,
                                                       const std::string& name, int32_t page_size,
                                                       const std::string& page_token,
                                                       RmaRepository& repo) const;
  absl::StatusOr<ReturnLabel> GetReturnLabel(const Principal& caller, const std::string& name,
                                             RmaRepository& repo) const;
  absl::StatusOr<Page<ReturnLocation>> ListReturnLocations(const Principal& caller,
                                                           const std::string& region_code,
                                                           const std::string& theater,
                                                           int32_t page_size,
                                                           const std::string& page_token,
                                                           RmaRepository& repo) const;

  // --- Background ---------------------------------------------------------------
  // Returns the last day and the instant after it by which the defective
  // unit of a replacement shipped at `ship_time` must be back.
  std::pair<absl::CivilDay, absl::Time> ReturnDue(absl::Time ship_time) const;
  // Records the non-return charge of RMA `id` if it is due and not yet
  // recorded, with its notification; true when this call recorded it.
  absl::StatusOr<bool> ChargeIfOverdue(int64_t id, RmaRepository& repo) const;
  // Records the spare inventory-svc allocated to an approved RMA.
  absl::Status RecordSpare(const std::string& validation_number, const std::string& serial,
                           RmaRepository& repo) const;

 private:
  absl::StatusOr<Rma> Load(const std::string& name, bool for_update, RmaRepository& repo) const;
  // The one way a caller reaches an RMA: NOT_FOUND when it does not exist or
  // belongs to an account outside the caller's scope (OutOfScope).
  absl::StatusOr<Rma> LoadVisible(const Principal& caller, const std::string& name,
                                  bool for_update, RmaRepository& repo) const;
  // The values of a notification template (common/notify/templates.h).
  using TemplateData = std::map<std::string, std::string>;
  // Saves `rma` with a new version and the notification of its new state,
  // rendered from `template_name`.
  absl::Status SaveAndNotify(Rma& rma, const std::string& template_name, const TemplateData& data,
                             RmaRepository& repo) const;
  // How a notification reaches the delivery channels: an outbox event (in
  // order with the RMA's other events), or its deliveries written in the
  // change's own transaction (only the first notification of an RMA).
  enum class Handover { kOutbox, kInTransaction };
  absl::Status Notify(const Rma& rma, const std::string& template_name, const TemplateData& data,
                      RmaRepository& repo, Handover handover = Handover::kOutbox) const;

  const Clock& clock_;
  const PageTokenCodec* page_tokens_;
  RmaOptions options_;
  BusinessCalendar calendar_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_H_
