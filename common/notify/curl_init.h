// curl_global_init, once per process, before the first easy handle (used by
// smtp.cc and webhook.cc; libcurl's global state is not thread-safe to set up).
#ifndef AFTERCARE_COMMON_NOTIFY_CURL_INIT_H_
#define AFTERCARE_COMMON_NOTIFY_CURL_INIT_H_

namespace aftercare::notify::internal {

// Initializes libcurl (CURL_GLOBAL_DEFAULT) the first time it is called; later
// calls, from any thread, return at once.
void EnsureCurlInitialized();

}  // namespace aftercare::notify::internal

#endif  // AFTERCARE_COMMON_NOTIFY_CURL_INIT_H_
