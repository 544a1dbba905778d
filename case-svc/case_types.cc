#include "case-svc/case_types.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace aftercare::cases {

const char* Name(CaseStatus s) {
  switch (s) {
    case CaseStatus::kNew:
      return "NEW";
    case CaseStatus::kInProgress:
      return "IN_PROGRESS";
    case CaseStatus::kAwaitingCustomer:
      return "AWAITING_CUSTOMER";
    case CaseStatus::kResolved:
      return "RESOLVED";
    case CaseStatus::kClosed:
      return "CLOSED";
    case CaseStatus::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

const char* Name(Priority p) {
  switch (p) {
    case Priority::kP1:
      return "P1";
    case Priority::kP2:
      return "P2";
    case Priority::kP3:
      return "P3";
    case Priority::kP4:
      return "P4";
    case Priority::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

const char* Name(TradeInStatus s) {
  switch (s) {
    case TradeInStatus::kOpen:
      return "OPEN";
    case TradeInStatus::kCompleted:
      return "COMPLETED";
    case TradeInStatus::kDefaulted:
      return "DEFAULTED";
    case TradeInStatus::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

std::string AttachmentName(int64_t id) { return absl::StrFormat("AT%010d", id); }

std::optional<int64_t> ParseAttachmentName(const std::string& name) {
  if (name.size() != 12 || name[0] != 'A' || name[1] != 'T') return std::nullopt;
  int64_t id = 0;
  for (size_t i = 2; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
  }
  if (!absl::SimpleAtoi(name.substr(2), &id) || id <= 0) return std::nullopt;
  return id;
}

bool IsOpen(CaseStatus s) {
  return s == CaseStatus::kNew || s == CaseStatus::kInProgress ||
         s == CaseStatus::kAwaitingCustomer;
}

std::optional<absl::Time> BreachAt(const Case& c) {
  if (!IsOpen(c.status) || c.first_response_time || !c.sla.due) return std::nullopt;
  return c.sla.due;
}

bool IsBreaching(const Case& c, absl::Time now) {
  const std::optional<absl::Time> at = BreachAt(c);
  return at && *at < now;
}

}  // namespace aftercare::cases
