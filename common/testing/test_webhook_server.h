// A loopback HTTP/1.1 server for tests of PostWebhook (common/notify/
// webhook.h): port 0, its own thread, one connection at a time, one request
// per connection. It accepts POSTs with a Content-Length body, records each
// request and answers the configured status (204 unless queued otherwise).
// With RequireSignature it checks Aftercare-Signature with
// VerifyWebhookSignature (401 when refused) and answers 409 to a signature
// header it has seen before (a replay).
//
//   TestWebhookServer hooks;
//   hooks.RequireSignature("secret", absl::Minutes(5));
//   hooks.RespondNext({500});
//   PostWebhook({hooks.url("/events"), body, headers});
#ifndef AFTERCARE_COMMON_TESTING_TEST_WEBHOOK_SERVER_H_
#define AFTERCARE_COMMON_TESTING_TEST_WEBHOOK_SERVER_H_

#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/testing/loopback_socket.h"

namespace aftercare::testing {

class TestWebhookServer {
 public:
  struct Request {
    std::string method;
    std::string path;                           // with the query
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
    std::optional<bool> signature_verified;  // set when RequireSignature is on
    std::string signature_problem;           // why it was refused
    int answered = 0;                        // the status sent back
  };

  TestWebhookServer();
  ~TestWebhookServer();
  TestWebhookServer(const TestWebhookServer&) = delete;
  TestWebhookServer& operator=(const TestWebhookServer&) = delete;

  int port() const { return listener_.port(); }
  std::string url(const std::string& path = "/hook") const;  // "http://127.0.0.1:<port><path>"

  // The status of every request not covered by RespondNext (default 204).
  void SetDefaultStatus(int status);
  // The statuses of the next requests, in order (a 3xx sends Location: /moved).
  void RespondNext(std::vector<int> statuses);
  // Verifies the Aftercare-Signature of each request from now on.
  void RequireSignature(std::string secret, absl::Duration tolerance);

  std::vector<Request> requests() const;
  int verified() const;  // requests whose signature verified
  int refused() const;   // requests refused for a missing or bad signature
  int replays() const;   // requests refused as replays (409)
  // Waits until at least `n` requests arrived; false after `timeout`. For readiness only.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

 private:
  void Run();
  void Serve(LoopbackConnection& c);

  LoopbackListener listener_;
  std::atomic<bool> stop_{false};
  mutable absl::Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  int default_status_ ABSL_GUARDED_BY(mu_) = 204;
  std::deque<int> next_statuses_ ABSL_GUARDED_BY(mu_);
  std::optional<std::string> secret_ ABSL_GUARDED_BY(mu_);
  absl::Duration tolerance_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> seen_signatures_ ABSL_GUARDED_BY(mu_);
  int verified_ ABSL_GUARDED_BY(mu_) = 0;
  int refused_ ABSL_GUARDED_BY(mu_) = 0;
  int replays_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_TEST_WEBHOOK_SERVER_H_
