// Helpers shared by the files that implement Rmas (rma.cc, requests.cc,
// decisions.cc, logistics.cc, queries.cc). Not part of rma-svc's interface:
// only those files include it.
#ifndef AFTERCARE_RMA_SVC_RMA_INTERNAL_H_
#define AFTERCARE_RMA_SVC_RMA_INTERNAL_H_

#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "rma-svc/rma_types.h"

namespace aftercare::rma {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// INVALID_ARGUMENT naming `field` and its `rule`.
absl::Status Invalid(absl::string_view field, absl::string_view rule);

// An external id (account, serial, ...) of the suite's id alphabet.
absl::Status CheckId(absl::string_view id, absl::string_view field);

// The contact receives the RMA's e-mails: the address rule of every
// notification recipient (common/notify/email.h).
absl::Status CheckEmail(absl::string_view email, absl::string_view field);

// A carrier name and a tracking number of 1-64 letters, digits, '-' and space.
absl::Status CheckTracking(const std::string& carrier, const std::string& tracking);

// "2026-12-06" (UTC).
std::string Day(absl::Time t);

// "USD 12.50".
std::string FormatMoney(const Money& m);

// FAILED_PRECONDITION (reason RMA_STATE) naming the current status unless it
// is one of `allowed`.
absl::Status RequireStatus(const Rma& rma, std::initializer_list<Status> allowed,
                           absl::string_view action);

// The RMA's etag check; `required` makes an empty etag an error.
absl::Status CheckRmaEtag(const Rma& rma, const std::string& etag, bool required);

// Customers and partners see only their own accounts' RMAs.
bool IsScoped(const Principal& p);

// The RMA type in words, for e-mails and history.
const char* TypeWords(RmaType t);

// One line of what inventory-svc answered about a unit's entitlement.
std::string Summary(const EntitlementView& e);

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_RMA_INTERNAL_H_
