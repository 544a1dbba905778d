// Helpers shared by the files that implement Cases (cases.cc, admin_cases.cc,
// trade_ins.cc, attachments.cc). Not part of case-svc's interface: only those
// files include it.
#ifndef AFTERCARE_CASE_SVC_CASES_INTERNAL_H_
#define AFTERCARE_CASE_SVC_CASES_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "case-svc/case_types.h"
#include "common/auth.h"

namespace aftercare::cases {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;
// Lines of a mis-shipment report or a trade-in, and the quantity of one line.
inline constexpr int kMaxLines = 200;
inline constexpr int kMaxQuantity = 10000;

// The caller's role name, as recorded in case history.
std::string RoleOf(const Principal& p);

// An account id of at most 64 letters, digits, '-' or '_' (empty passes).
absl::Status CheckAccountId(const std::string& id, const std::string& field);

// `id` ("CASE-…") parsed and written back in its one canonical form.
absl::StatusOr<std::string> CanonicalCaseId(const std::string& id);

// The account a scoped caller opens a case for: the one named (which must be
// in its token), else its only account, else none.
absl::StatusOr<std::string> AccountFor(const Principal& caller, const std::string& requested,
                                       const std::string& field, bool required_for_staff);

// "NEW -> IN_PROGRESS", for the history.
std::string StatusChange(CaseStatus from, CaseStatus to);

bool Contains(const std::vector<std::string>& v, const std::string& s);

// FAILED_PRECONDITION (reason TRADE_IN_STATE) unless the trade-in is OPEN.
absl::Status RequireOpen(const TradeIn& t, const char* action);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASES_INTERNAL_H_
