// The domain values of licensing-svc: purchases (entitlements), licenses
// bound to devices, renewals, notifications and RMA transfers. Plain structs;
// the enums use the numbers of the proto enums and are stored by name.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_TYPES_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace aftercare::licensing {

enum class LicensingSystem { kUnspecified = 0, kJunos = 1, kNonJunos = 2 };
enum class TermType { kUnspecified = 0, kPerpetual = 1, kSubscription = 2 };
enum class EntitlementKind { kUnspecified = 0, kActivationCode = 1, kRightToUse = 2 };
enum class LicenseState { kUnspecified = 0, kActive = 1, kRevoked = 2 };
enum class RevocationReason {
  kUnspecified = 0,
  kRmaTransfer = 1,
  kCustomerRequest = 2,
  kRefund = 3,
  kFraud = 4,
  kOther = 5,
};

// Storage and message names ("JUNOS", "SUBSCRIPTION", "RMA_TRANSFER", ...);
// Parse* return false for unknown names.
const char* Name(LicensingSystem v);
const char* Name(TermType v);
const char* Name(EntitlementKind v);
const char* Name(LicenseState v);
const char* Name(RevocationReason v);
bool ParseName(absl::string_view s, LicensingSystem* v);
bool ParseName(absl::string_view s, TermType* v);
bool ParseName(absl::string_view s, EntitlementKind* v);
bool ParseName(absl::string_view s, LicenseState* v);
bool ParseName(absl::string_view s, RevocationReason* v);

struct LicenseProduct {
  std::string sku;
  std::string feature;
  int64_t capacity = 0;
  TermType term_type = TermType::kUnspecified;
  int32_t term_months = 0;
  LicensingSystem system = LicensingSystem::kUnspecified;
  bool unlock_key_required = true;
  int32_t max_devices = 1;
};

// A purchase.
struct Entitlement {
  std::string id;
  std::string account_id;
  LicenseProduct product;
  EntitlementKind kind = EntitlementKind::kUnspecified;
  std::string order_reference;
  std::string code_hash;  // SHA-256 of the activation code; empty for RTU
  absl::Time start_time;
  std::optional<absl::Time> term_end;  // nullopt: perpetual
  int32_t renewal_count = 0;
  int32_t active_devices = 0;  // derived on read
  int64_t version = 1;
  absl::Time create_time;
  absl::Time update_time;
};

// An entitlement activated on one device, with its current signed key.
struct License {
  std::string id;
  std::string entitlement_id;
  std::string account_id;
  std::string sku;
  std::string feature;
  int64_t capacity = 0;
  LicensingSystem system = LicensingSystem::kUnspecified;
  TermType term_type = TermType::kUnspecified;
  std::string device_serial;
  LicenseState state = LicenseState::kActive;
  absl::Time not_before;
  std::optional<absl::Time> not_after;
  std::string key_id;
  std::string license_key;
  int32_t key_generation = 1;
  RevocationReason revocation_reason = RevocationReason::kUnspecified;
  std::string revocation_note;
  std::optional<absl::Time> revoke_time;
  std::string replaces_license_id;
  std::string rma_number;
  int64_t version = 1;
  absl::Time create_time;
  absl::Time update_time;
};

struct Renewal {
  std::string entitlement_id;
  int32_t term_months = 0;
  absl::Time previous_end;
  absl::Time new_end;
  std::string order_reference;
  absl::Time create_time;
};

struct Notification {
  std::string id;
  std::string account_id;
  std::string entitlement_id;
  std::string kind;
  std::string subject;
  std::string body;
  absl::Time create_time;
};

struct TransferredLicense {
  std::string old_license_id;
  std::string new_license_id;
};

struct RmaTransfer {
  std::string rma_number;
  std::string account_id;
  std::string from_serial;
  std::string to_serial;
  std::vector<TransferredLicense> licenses;
  std::string requested_by;
  absl::Time create_time;
};

// Where a newest-first list continues: the last row's (create time, id).
struct ListCursor {
  int64_t create_us = 0;
  std::string id;
};

// Returns the etag of a row version ("v3").
// Returns prefix + 20 random hex digits ("LIC-3f9a...").
std::string NewId(absl::string_view prefix);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_TYPES_H_
