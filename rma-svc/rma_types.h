// The domain model of rma-svc as plain C++ values: RMAs with their type,
// status and shipments, receipt exceptions, notifications, return locations,
// and the view of a unit's entitlement that inventory-svc gives. The gRPC
// layer converts them from and to aftercare.rma.v1 messages; the repository
// stores them. Enum values equal the proto enum numbers.
#ifndef AFTERCARE_RMA_SVC_RMA_TYPES_H_
#define AFTERCARE_RMA_SVC_RMA_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/postal_address.h"

namespace aftercare::rma {

enum class RmaType { kUnspecified = 0, kAdvanceReplacement, kReturnToFactory, kDoa, kStandardWarranty };
enum class Status {
  kUnspecified = 0,
  kPending,
  kApproved,
  kRejected,
  kCancelled,
  kReplacementShipped,
  kReceived,
  kRepaired,
  kRepairShipped,
  kClosed,
};
enum class DamageCause {
  kUnspecified = 0,
  kHardwareFailure,
  kFire,
  kFlood,
  kHurricane,
  kEarthquake,
  kLightning,
  kOtherActOfGod,
};

// Names used in messages and in the database ("PENDING", "DOA", "FIRE", ...).
const char* Name(RmaType v);
const char* Name(Status v);
const char* Name(DamageCause v);
// Parses a stored name; false when unknown.
bool ParseName(absl::string_view s, RmaType* v);
bool ParseName(absl::string_view s, Status* v);
bool ParseName(absl::string_view s, DamageCause* v);

// Advance replacement and DOA: a spare ships first, the defective unit
// comes back afterwards.
inline bool IsReplacementType(RmaType t) {
  return t == RmaType::kAdvanceReplacement || t == RmaType::kDoa;
}

// An RMA still in progress: a unit has at most one (not rejected, cancelled
// or closed). The column open_serial of migration 0004 says the same in SQL.
inline bool IsOpen(Status s) {
  return s != Status::kRejected && s != Status::kCancelled && s != Status::kClosed;
}

// Fire and acts of God: excluded from replacement.
inline bool IsExcludedDamage(DamageCause c) {
  return c != DamageCause::kUnspecified && c != DamageCause::kHardwareFailure;
}

struct Money {
  std::string currency_code;
  int64_t amount_minor = 0;
};

struct Shipment {
  std::string carrier;
  std::string tracking_number;
  std::optional<absl::Time> ship_time;
};

struct ReceiptException {
  int64_t id = 0;
  std::string received_serial;
  std::string expected_serial;
  std::string note;
  std::string recorded_by;
  absl::Time record_time;
};

struct Rma {
  int64_t id = 0;
  std::string validation_number;
  std::string rma_number;  // empty until approved
  Status status = Status::kUnspecified;
  RmaType type = RmaType::kUnspecified;
  std::string account_id;
  std::string serial;
  std::string replacement_serial;
  std::string sku;
  std::string technical_case_id;
  std::string failure_description;
  DamageCause damage_cause = DamageCause::kUnspecified;
  PostalAddress ship_to;
  std::string contact_email;
  std::string entitlement_summary;
  std::string rejection_reason;
  std::string cancellation_reason;
  Money list_price;
  Shipment replacement_shipment;
  std::string return_due_date;  // YYYY-MM-DD
  std::optional<absl::Time> return_due_time;
  std::optional<int64_t> charge_minor;
  std::optional<absl::Time> charge_time;
  std::optional<absl::Time> receive_time;
  std::string received_by;
  std::string repair_summary;
  std::string software_version;
  std::optional<absl::Time> repair_time;
  Shipment return_shipment;
  std::vector<ReceiptException> receipt_exceptions;
  std::string created_by;
  std::string approved_by;
  absl::Time create_time;
  std::optional<absl::Time> approve_time;
  std::optional<absl::Time> close_time;
  absl::Time update_time;
  int64_t version = 0;

  // The name to show in messages: the RMA number once there is one.
  std::string Label() const { return rma_number.empty() ? validation_number : rma_number; }
  // True for a shipped replacement whose defective unit was due back at or before
  // `now` (the repository's SQL, kOverdue, asks the same).
  bool Overdue(absl::Time now) const {
    return status == Status::kReplacementShipped && return_due_time && now >= *return_due_time;
  }
};

struct Notification {
  int64_t id = 0;
  int64_t rma_id = 0;
  std::string account_id;
  std::string validation_number;
  std::string rma_number;
  std::string template_name;
  std::string recipient;
  std::string copy_to_case_id;
  std::string subject;
  std::string body;
  Status status = Status::kUnspecified;
  absl::Time create_time;
  std::optional<absl::Time> deliver_time;
};

struct ReturnLocation {
  std::string code;
  std::string name;
  std::string theater;
  PostalAddress address;
  std::vector<std::string> served_region_codes;
};

// What goes on the box of a return.
struct ReturnLabel {
  std::string rma_number;
  std::string serial;
  ReturnLocation location;
  PostalAddress ship_from;
  std::string barcode_payload;
  std::string instructions;
};

// What inventory-svc says about a unit (aftercare.inventory.v1.Entitlement).
struct EntitlementView {
  std::string serial;
  std::string sku;
  std::string owner_account_id;
  bool installed = false;  // SOLD or IN_SERVICE
  std::string unit_state;  // e.g. "UNIT_STATE_IN_SERVICE"
  bool grey_market = false;
  bool warranty_active = false;
  std::optional<absl::Time> warranty_end;
  std::optional<absl::Time> ship_time;
  bool within_doa_window = false;
  bool entitled = false;  // warranty or an active contract
  bool advance_replacement = false;
  std::string best_support_level;  // e.g. "SUPPORT_LEVEL_NEXT_BUSINESS_DAY"
  Money list_price;
};

// Filters of ListRmas; empty/unspecified fields do not filter.
struct RmaFilter {
  Status status = Status::kUnspecified;
  std::string account_id;
  std::string serial;
  RmaType type = RmaType::kUnspecified;
  bool overdue = false;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_TYPES_H_
