// Everything a service process runs besides its own handlers: configuration,
// logging, metrics endpoint, database pool, migrations, the bounded
// executor, token verification, outgoing clients, the outbox dispatcher, the
// gRPC server with health and reflection, readiness that follows the
// database, periodic clean-up, and the graceful stop on SIGTERM/SIGINT.
//
// A service's main.cc is one call:
//   int main(int argc, char** argv) { return aftercare::RunServiceMain(kInventorySpec, argc, argv); }
// and tests start the same runtime in-process on port 0 (tests/harness).
#ifndef AFTERCARE_COMMON_SERVICE_RUNTIME_H_
#define AFTERCARE_COMMON_SERVICE_RUNTIME_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/clients.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/db/connection_pool.h"
#include "common/db/migrations.h"
#include "common/executor.h"
#include "common/health_service.h"
#include "common/key_files.h"
#include "common/notification_service.h"
#include "common/notifications.h"
#include "common/outbox.h"
#include "common/page_token.h"
#include "common/periodic.h"
#include "common/policy.h"
#include "common/server.h"
#include "common/sync.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace aftercare {

// What a service hands to the runtime once its objects are built.
class ServiceInstance {
 public:
  virtual ~ServiceInstance() = default;
  // The gRPC services to register (owned by the instance).
  virtual std::vector<grpc::Service*> services() = 0;
  // Background work of the service (sweepers), started after the server.
  virtual void Start() {}
  // Stops the background work; called after the server has drained.
  virtual void Stop() {}
};

// The shared objects a service builds itself from.
struct ServiceContext {
  const Config& config;
  const Clock& clock;
  db::ConnectionPool& pool;
  BoundedExecutor& executor;
  std::shared_ptr<prometheus::Registry> metrics;
  ClientFactory& clients;
  OutboxDispatcher& outbox;
  const PageTokenCodec& page_tokens;
  // The notification delivery loop (services with sends_notifications;
  // nullptr otherwise): register service-specific channels on it in build.
  NotificationDispatcher* notifications = nullptr;
};

struct ServiceSpec {
  // "inventory": the default database (aftercare_<name>), the migration set,
  // the outbox lock and the callers' token subject ("svc:<name>").
  std::string name;
  // The service's name in logs and aftercare_build_info{service}, the one
  // its Deployment, docs and image have ("case-svc"); empty: name + "-svc".
  std::string service_name;
  int default_grpc_port = 0;
  int default_metrics_port = 0;
  const std::vector<db::MigrationFile>& (*migrations)() = nullptr;
  // Full names of the gRPC services, reported by the health service.
  std::vector<std::string> health_names;
  // The authorization policy of each gRPC service (common/policy.h): one
  // per name in health_names, each complete, or the service does not start.
  std::vector<const ServicePolicy*> policies;
  // Declares the service's own settings (optional).
  std::function<void(Config&)> define_flags;
  // Case, RMA and licensing send e-mails and webhooks (common/notify): the
  // runtime declares the smtp_*, webhook_* and notify_* settings.
  bool sends_notifications = false;
  std::function<absl::StatusOr<std::unique_ptr<ServiceInstance>>(ServiceContext&)> build;
};

// OK when every gRPC service of `spec` has a policy table and every table is
// complete (ServicePolicy::CheckComplete); the runtime refuses to start
// otherwise.
absl::Status CheckPolicies(const ServiceSpec& spec);

// `spec` with the gRPC services the runtime adds itself (NotificationService
// when it sends notifications), their health names and policies.
ServiceSpec WithCommonServices(ServiceSpec spec);

// The name a service goes by in logs and metrics ("inventory-svc").
std::string ServiceName(const ServiceSpec& spec);

// Declares the settings every service has (see docs/CONFIGURATION.md).
void DefineCommonFlags(Config& config, const ServiceSpec& spec);
// The smtp_*, webhook_* and notify_* settings (docs/CONFIGURATION.md#notifications).
void DefineNotificationFlags(Config& config);

class ServiceRuntime {
 public:
  // `clock` overrides the configured clock (tests).
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(const ServiceSpec& spec,
                                                                Config config,
                                                                const Clock* clock = nullptr);
  ~ServiceRuntime();

  // Waits for the database, migrates (unless --migrate=false) and, unless
  // --migrate_only, builds the service and starts serving.
  absl::Status Start();
  // Drains and stops everything Start() started. Idempotent.
  void Shutdown();

  int grpc_port() const { return server_ ? server_->port() : 0; }
  int health_port() const { return health_server_ ? health_server_->port() : 0; }
  int metrics_port() const;
  HealthService& health() { return health_; }
  db::ConnectionPool& pool() { return *pool_; }
  const Config& config() const { return config_; }
  ServiceInstance* instance() { return instance_.get(); }
  bool migrate_only() const { return migrate_only_; }

 private:
  ServiceRuntime(const ServiceSpec& spec, Config config);
  std::vector<db::MigrationSet> MigrationSets() const;
  // The delivery loop, its channels and NotificationService (Create).
  absl::Status CreateNotifications();
  // Checks the database and its schema version, sets readiness and logs a
  // change; true when SERVING. Called at start and by ReadinessLoop only.
  bool UpdateReadiness();
  void ReadinessLoop();
  void JanitorTick();

  const ServiceSpec spec_;
  Config config_;
  const Clock* clock_ = nullptr;
  std::unique_ptr<Clock> owned_clock_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Collectable> process_metrics_;  // the exposer keeps a weak_ptr
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<BoundedExecutor> executor_;
  std::unique_ptr<JwtVerifier> verifier_;
  std::unique_ptr<JwtKeyFileWatcher> jwt_keys_;   // when --jwt_public_keys_file is set
  std::unique_ptr<PeriodicTask> jwt_keys_task_;  // runs jwt_keys_->Check()
  PolicyIndex policies_;
  std::unique_ptr<ClientFactory> clients_;
  std::unique_ptr<OutboxDispatcher> outbox_;
  std::unique_ptr<NotificationDispatcher> notifications_;
  std::unique_ptr<NotificationServiceImpl> notification_service_;
  std::unique_ptr<PageTokenCodec> page_tokens_;
  std::unique_ptr<ServiceContext> context_;
  std::unique_ptr<ServiceInstance> instance_;
  HealthService health_;
  HealthService probe_health_;  // the same statuses, on --health_port
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<GrpcServer> health_server_;  // plaintext probes port (--health_port)
  absl::Duration shutdown_grace_ = absl::Seconds(20);
  absl::Duration readiness_interval_ = absl::Seconds(2);
  std::string not_ready_reason_;  // "" when SERVING; touched by UpdateReadiness only
  std::string schema_note_;       // db::SchemaCheck::note last logged
  bool readiness_known_ = false;
  absl::Duration idempotency_retention_ = absl::Hours(48);
  bool migrate_only_ = false;

  Notification stop_;
  std::thread readiness_thread_;
  bool shut_down_ = false;
};

// Parses flags and environment, runs the service until SIGTERM or SIGINT,
// then drains and exits 0. Returns the process exit code.
int RunServiceMain(const ServiceSpec& spec, int argc, char** argv);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_SERVICE_RUNTIME_H_
