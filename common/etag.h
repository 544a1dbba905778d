// Etags: a resource's version as the opaque string a client echoes back to
// make a write conditional on what it read (AIP-154). Every service renders
// them alike, "v<version>", and checks them alike.
//
//   out->set_etag(Etag(unit.version));
//   RETURN_IF_ERROR(CheckEtag(req.etag(), unit.version, "unit " + unit.serial));
#ifndef AFTERCARE_COMMON_ETAG_H_
#define AFTERCARE_COMMON_ETAG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace aftercare {

// The etag of version `version`: "v" followed by the number.
std::string Etag(int64_t version);

// OK when `etag` is empty (the write is unconditional) or names `version`;
// otherwise ABORTED "<field> is stale: <what> was changed since it was read;
// read it again".
absl::Status CheckEtag(absl::string_view etag, int64_t version, absl::string_view what,
                       absl::string_view field = "etag");

// Like CheckEtag, but an empty etag is INVALID_ARGUMENT "<field> is required
// (the etag of <what> as last read)": for writes that must not be blind.
absl::Status RequireEtag(absl::string_view etag, int64_t version, absl::string_view what,
                         absl::string_view field = "etag");

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_ETAG_H_
