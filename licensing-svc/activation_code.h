// Activation (authorization) codes: 120 random bits from the OS CSPRNG,
// written as 24 Crockford base32 symbols plus one Luhn mod 32 check symbol,
// in five groups of five: "7K2QD-M9XWB-4RT0H-ZN3EE-PQ8VA". The check symbol
// catches every single-symbol typo and most swaps of neighbours before any
// lookup. Only SHA-256 of the canonical code is stored.
//
//   std::string code = NewActivationCode();
//   ASSIGN_OR_RETURN(std::string canonical, NormalizeActivationCode(input));
//   std::string key = ActivationCodeHash(canonical);   // 32 bytes, for the DB
#ifndef AFTERCARE_LICENSING_SVC_ACTIVATION_CODE_H_
#define AFTERCARE_LICENSING_SVC_ACTIVATION_CODE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftercare::licensing {

inline constexpr int kActivationCodeSymbols = 25;

// Returns a fresh code in its grouped display form.
std::string NewActivationCode();

// Returns the canonical 25 symbols of a code typed by a person: dashes and
// spaces are ignored, lower case is accepted, O reads as 0 and I/L as 1.
// INVALID_ARGUMENT naming `field` for a wrong length, a foreign character, or
// a check symbol that does not match (the message never echoes the code).
absl::StatusOr<std::string> NormalizeActivationCode(absl::string_view text,
                                                    absl::string_view field = "activation_code");

// Returns SHA-256 of the canonical code (32 raw bytes).
std::string ActivationCodeHash(absl::string_view canonical);

// Returns the Luhn mod 32 check symbol of `symbols` (Crockford base32).
char ActivationCheckSymbol(absl::string_view symbols);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_ACTIVATION_CODE_H_
