// The end-to-end environment: one private MariaDB, the four real service
// binaries as child processes (each on free ports, its own fresh database,
// the test clock enabled) and a JSON-over-gRPC client that calls any method
// of the suite by name (request and response as proto3 JSON, the way the
// README's grpcurl walk-throughs do), with real HS256 tokens.
#ifndef AFTERCARE_TESTS_E2E_E2E_ENV_H_
#define AFTERCARE_TESTS_E2E_E2E_ENV_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "nlohmann/json.hpp"
#include "tests/harness/service_process.h"
#include "tests/harness/test_database.h"

namespace aftercare::e2e {

using Json = nlohmann::json;

struct CallResult {
  grpc::Status status;
  Json body = Json::object();  // the response as proto3 JSON (camelCase names); {} on error
  absl::Duration elapsed;
  bool ok() const { return status.ok(); }
  std::string str() const;
};

struct Service {
  std::string name;  // "inventory", "case", "rma", "licensing"
  std::string full_name;  // "aftercare.inventory.v1.InventoryService"
  int grpc_port = 0;
  std::unique_ptr<testing::TestDatabase> db;
  std::unique_ptr<testing::ServiceProcess> process;
  std::shared_ptr<grpc::Channel> channel;
  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port); }
};

class Env {
 public:
  // Started on first use; stopped at exit.
  static Env& Get();
  absl::Status status() const { return status_; }

  Service& svc(const std::string& name) { return *services_.at(name); }
  testing::PrivateMariaDb& mariadb() { return *mariadb_; }

  // Galera mode (environment AFTERCARE_E2E_GALERA=1, the e2e_galera test):
  // the databases live on a local 3-node cluster and every service is given
  // all three nodes (--mysql_host list, node 1 first). null otherwise.
  testing::GaleraCluster* cluster() { return cluster_.get(); }
  // kill -9 of node n; the test's own queries (Count, Snapshot) move to a
  // live node.
  absl::Status KillNode(int n);
  absl::Status RestartNode(int n);  // waits until it is Synced

  // Tokens (issuer aftercare-dev, audience aftercare), valid 2000 h from
  // `issued_at` so that they survive the test clock moving forward.
  static std::string Token(Role role, const std::string& subject,
                           std::vector<std::string> accounts = {},
                           const std::string& partner = "", bool cpo = false,
                           absl::Time issued_at = absl::Now(),
                           absl::Duration ttl = absl::Hours(2000),
                           const std::string& secret = "");

  // Calls `service`'s `method` (short name) with `request_json`.
  CallResult Call(const std::string& service, const std::string& method,
                  const std::string& token, const Json& request,
                  absl::Duration deadline = absl::Seconds(10));
  // The same on a given process (an instance from StartInstance).
  CallResult CallOn(Service& s, const std::string& method, const std::string& token,
                    const Json& request, absl::Duration deadline = absl::Seconds(10));
  // Sends raw request bytes to a method ("/pkg.Service/Method"); works for
  // unary and streaming methods (one request message, then half-close).
  CallResult CallRaw(const std::string& service, const std::string& full_method,
                     const std::string& token, const std::string& bytes,
                     absl::Duration deadline = absl::Seconds(10));

  // grpc.health.v1 Check("readiness") → "SERVING", "NOT_SERVING" or an error.
  std::string Readiness(const std::string& service, absl::Duration deadline = absl::Seconds(2));
  std::string Readiness(Service& s, absl::Duration deadline = absl::Seconds(2));
  absl::Status WaitReady(const std::string& service, absl::Duration timeout = absl::Seconds(60));

  // Another process of `base`'s binary on its own port and its own empty
  // database, with base's flags followed by `extra_flags` (not waited for,
  // not part of svc() or Snapshot()).
  absl::StatusOr<std::unique_ptr<Service>> StartInstance(const std::string& base,
                                                         const std::vector<std::string>& extra_flags);

  void KillService(const std::string& service);  // kill -9
  absl::Status StartService(const std::string& service);  // same flags; waits for readiness
  absl::Status RestartMariaDb();  // stop, start on the same folder and port

  // Writes the test clock offset ("480h", "0h") read by every service.
  void SetClockOffset(const std::string& offset);

  // SELECT COUNT(*) FROM <table> [WHERE ...] in the service's database.
  int64_t Count(const std::string& service, const std::string& table,
                const std::string& where = "");
  // Row counts of every table of every service (for "nothing was written").
  std::map<std::string, int64_t> Snapshot();

  // The lines of the mail sink's index.jsonl (scripts/tooling/mail_sink.py):
  // one per message accepted, message_id, to, subject, file, duplicate.
  std::vector<Json> Mails();
  const std::string& mail_dir() const { return mail_dir_; }
  // The sink answers a message to a recipient ending with this suffix 2 s
  // after it kept it: a window to kill the sender mid-delivery.
  static constexpr char kSlowMailSuffix[] = "@slow.acme.example";

  // Log tails of all services (printed when a test fails).
  std::string Logs();
  bool AllAlive();

 private:
  Env() = default;
  absl::Status Start();
  absl::Status StartMailSink();
  std::vector<std::string> Flags(const std::string& name);
  CallResult CallRaw(Service& s, const std::string& full_method, const std::string& token,
                     const std::string& bytes, absl::Duration deadline);

  absl::Status status_;
  std::string dir_;
  std::string clock_file_;
  std::string key_file_;
  std::unique_ptr<testing::PrivateMariaDb> mariadb_;
  std::unique_ptr<testing::GaleraCluster> cluster_;
  testing::ServerAddress server_;  // where the services' databases are created
  std::unique_ptr<testing::ServiceProcess> mail_sink_;
  std::string mail_dir_;
  int mail_port_ = 0;
  std::map<std::string, std::unique_ptr<Service>> services_;
};

// Polls `pred` every 50 ms until it is true or `timeout` passes.
bool Eventually(const std::function<bool()>& pred, absl::Duration timeout = absl::Seconds(20));

// A unique suffix for serials and request ids of one test run.
std::string Unique(const std::string& prefix);

// Role tokens used throughout.
struct Tokens {
  std::string admin, care, tse, logistics, partner, service;
  std::string Customer(const std::string& account) const;
  static const Tokens& Get();
};

}  // namespace aftercare::e2e

#endif  // AFTERCARE_TESTS_E2E_E2E_ENV_H_
