#include "common/etag.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace aftercare {

std::string Etag(int64_t version) { return absl::StrCat("v", version); }

absl::Status CheckEtag(absl::string_view etag, int64_t version, absl::string_view what,
                       absl::string_view field) {
  if (etag.empty() || etag == Etag(version)) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat(field, " is stale: ", what,
                                         " was changed since it was read; read it again"));
}

absl::Status RequireEtag(absl::string_view etag, int64_t version, absl::string_view what,
                         absl::string_view field) {
  if (etag.empty()) {
    return InvalidField(field, absl::StrCat("is required (the etag of ", what, " as last read)"));
  }
  return CheckEtag(etag, version, what, field);
}

}  // namespace aftercare
