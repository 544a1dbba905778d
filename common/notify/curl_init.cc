#include "common/notify/curl_init.h"

#include <curl/curl.h>

#include "absl/base/call_once.h"

namespace aftercare::notify::internal {

void EnsureCurlInitialized() {
  static absl::once_flag once;
  // Never cleaned up: the process keeps libcurl until it exits.
  absl::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace aftercare::notify::internal
