// The values case-svc works with: admin cases, trade-in (TMIP) cases, their
// timeline events and attachments. Plain structs shared by the domain
// (cases.h), the repository and the gRPC layer. Enum numbers are those of
// aftercare.cases.v1 so that conversion is a cast after validation.
#ifndef AFTERCARE_CASE_SVC_CASE_TYPES_H_
#define AFTERCARE_CASE_SVC_CASE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/postal_address.h"

namespace aftercare::cases {

enum class RequestType {
  kUnspecified = 0,
  kAccountRegistration = 1,
  kLoginAssistance = 2,
  kProductRegistration = 3,
  kSoftwareDownloadEntitlement = 4,
  kLicenseKeyManagement = 5,
  kWarrantiesAndContracts = 6,
  kInstalledBaseUpdate = 7,
  kMisShipment = 8,
  kGreyMarketReinstatement = 9,
  kOther = 10,
};
enum class Priority { kUnspecified = 0, kP1 = 1, kP2 = 2, kP3 = 3, kP4 = 4 };
enum class FollowUp { kUnspecified = 0, kEmail = 1, kPhone = 2, kChat = 3 };
enum class CaseStatus {
  kUnspecified = 0,
  kNew = 1,
  kInProgress = 2,
  kAwaitingCustomer = 3,
  kResolved = 4,
  kClosed = 5,
};
enum class EscalationKind { kUnspecified = 0, kFasterProgress = 1, kReassignment = 2 };
enum class MisShipmentCategory {
  kUnspecified = 0,
  kMissingParts = 1,
  kIncorrectParts = 2,
  kMissingDocumentation = 3,
  kIncorrectDocumentation = 4,
};
enum class LookupState { kUnspecified = 0, kNotRequested = 1, kPending = 2, kFilled = 3, kNotFound = 4 };
enum class Reinstatement {
  kUnspecified = 0,
  kAwaitingApproval = 1,
  kApproved = 2,
  kReinstated = 3,
  kRefused = 4,
};

const char* Name(CaseStatus s);
const char* Name(Priority p);

struct MisShipmentLine {
  std::string sku;
  int32_t quantity = 0;
  std::string note;
};

struct MisShipment {
  std::string order_number;
  absl::Time ship_time = absl::InfinitePast();
  bool ordered_directly = false;
  MisShipmentCategory category = MisShipmentCategory::kUnspecified;
  std::vector<MisShipmentLine> lines;
  std::string corrected_tracking_number;
};

// The SLA clock of a case's first response. While running, `due` is set;
// while paused (awaiting the customer), `paused_at` and `remaining` are.
struct SlaClock {
  std::optional<absl::Time> due;
  std::optional<absl::Time> paused_at;
  absl::Duration remaining = absl::ZeroDuration();
};

struct Case {
  std::string id;  // YYYY-MMDD-NNNNN
  RequestType request_type = RequestType::kUnspecified;
  std::string sub_type;
  Priority priority = Priority::kUnspecified;
  CaseStatus status = CaseStatus::kNew;
  FollowUp follow_up = FollowUp::kUnspecified;
  std::string callback_phone;
  std::string summary;
  std::string description;
  std::string serial;
  std::string ssrn;
  std::string product_series;
  std::string product_platform;
  LookupState lookup = LookupState::kNotRequested;
  std::string account_id;
  std::string opened_by;
  // The role the case was opened under. Set: the timeline's "created" entry
  // is derived from the case (CreatedEvent, event 0) and not stored; empty
  // for cases stored before migration 0004, whose entry is a stored event.
  std::string opened_by_role;
  std::string owner;
  int32_t escalation_level = 0;
  bool team_lead_attention = false;
  absl::Time create_time;
  absl::Time update_time;
  SlaClock sla;
  std::optional<absl::Time> first_response_time;
  std::optional<MisShipment> mis_shipment;
  Reinstatement reinstatement = Reinstatement::kUnspecified;
  std::string resolution;
  std::optional<absl::Time> resolve_time;
  std::optional<absl::Time> close_time;
  // E-mailed on creation, AWAITING_CUSTOMER and resolution (at most
  // kMaxNotificationEmails, no duplicates).
  std::vector<std::string> notification_emails;
  int64_t version = 1;
};

// One entry of a case's append-only timeline (admin and trade-in cases).
struct CaseEvent {
  int64_t id = 0;
  std::string case_id;
  absl::Time time;
  std::string actor;
  std::string actor_role;
  std::string kind;
  std::string detail;
  bool internal = false;
};

// --- Trade-in ---------------------------------------------------------------

enum class TmipPhase { kUnspecified = 0, kPhase1 = 1, kPhase2 = 2 };
enum class Disposition { kUnspecified = 0, kReturn = 1, kDestroy = 2 };
enum class TradeInStatus { kUnspecified = 0, kOpen = 1, kCompleted = 2, kDefaulted = 3 };
enum class ExtensionStatus { kUnspecified = 0, kNone = 1, kPending = 2, kApproved = 3, kRejected = 4 };
enum class AttachmentKind { kUnspecified = 0, kTradeInForm = 1, kCertificateOfDestruction = 2 };

const char* Name(TradeInStatus s);

struct TradeInLine {
  int32_t line_number = 0;
  std::string sku;
  int32_t quantity = 0;
  std::vector<std::string> serials;
  std::vector<std::string> received_serials;
  std::vector<std::string> destroyed_serials;
};

struct ReceiptException {
  std::string serial;
  std::string sku;
  std::string reason;
  absl::Time time;
};

struct ShippingInstructions {
  PostalAddress return_address;
  std::string prepaid_label_reference;
  absl::Time issue_time;
};

struct TradeIn {
  std::string id;
  std::string account_id;
  std::string opened_by;
  std::string order_number;
  absl::Time order_time;
  TmipPhase phase = TmipPhase::kUnspecified;
  std::vector<std::string> new_order_skus;
  std::vector<TradeInLine> lines;
  Disposition disposition = Disposition::kUnspecified;
  std::string credit_currency;
  int64_t credit_minor = 0;
  TradeInStatus status = TradeInStatus::kOpen;
  absl::Time due_time;
  ExtensionStatus extension = ExtensionStatus::kNone;
  std::optional<absl::Time> requested_due_time;
  std::string extension_reason;
  std::optional<ShippingInstructions> shipping;
  std::vector<ReceiptException> exceptions;
  int32_t form_version = 0;
  absl::Time create_time;
  absl::Time update_time;
  std::optional<absl::Time> close_time;
  int64_t version = 1;
};

struct CodDetails {
  std::vector<std::string> serials;
  std::string signer_name;
  std::string signer_title;
  std::string sign_date;  // YYYY-MM-DD
};

struct Attachment {
  int64_t id = 0;
  std::string case_id;
  AttachmentKind kind = AttachmentKind::kUnspecified;
  std::string file_name;
  std::string content_type;
  int64_t size = 0;
  std::string sha256;
  int32_t version = 0;
  std::string uploaded_by;
  absl::Time create_time;
  std::optional<CodDetails> cod;
};

// --- Technical-case notes ---------------------------------------------------

enum class NoteVisibility { kUnspecified = 0, kPublic = 1 };

// A note on a technical (JTAC) case (technical_case_notes.h).
struct TechnicalCaseNote {
  int64_t id = 0;  // assigned by the store; the keyset of the list
  std::string technical_case_id;
  std::string account_id;
  std::string note_id;
  std::string source;
  std::string subject;
  std::string body;
  NoteVisibility visibility = NoteVisibility::kPublic;
  absl::Time create_time;
};

// "AT0000000042" for attachment 42, and back (nullopt when malformed).
std::string AttachmentName(int64_t id);
std::optional<int64_t> ParseAttachmentName(const std::string& name);

// The row version as an etag ("7").
// NEW, IN_PROGRESS and AWAITING_CUSTOMER: the case is open.
bool IsOpen(CaseStatus s);

// When `c` breaches its first-response target, while it still can: an open
// case with a target and no first response yet; nullopt otherwise. The
// repository writes it as breach_at_us for its index.
std::optional<absl::Time> BreachAt(const Case& c);

// Whether `c` is breaching at `now`: its BreachAt has passed (strictly; a
// case due at `now` is not yet breaching). The repository's SQL asks the
// same of breach_at_us (kBreaching in mysql_case_repository.cc).
bool IsBreaching(const Case& c, absl::Time now);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_TYPES_H_
