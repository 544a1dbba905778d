#include "common/service_runtime.h"

#include "common/notification_channels.h"
#include "common/notify/email.h"

#include <algorithm>

#include <signal.h>

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/logging.h"
#include "common/process_metrics.h"
#include "common/status.h"

namespace aftercare {

std::string ServiceName(const ServiceSpec& spec) {
  return spec.service_name.empty() ? spec.name + "-svc" : spec.service_name;
}

void DefineCommonFlags(Config& c, const ServiceSpec& spec) {
  c.Define("grpc_host", "0.0.0.0", "Address the gRPC server listens on.");
  c.Define("grpc_port", std::to_string(spec.default_grpc_port), "gRPC port (0 picks a free one).");
  c.Define("metrics_host", "0.0.0.0", "Address of the Prometheus /metrics endpoint.");
  c.Define("metrics_port", std::to_string(spec.default_metrics_port),
           "Port of the Prometheus /metrics endpoint (0 picks a free one).");
  c.Define("mysql_host", "127.0.0.1",
           "MySQL/MariaDB host, or a comma-separated list of host[:port] (the nodes of a Galera"
           " cluster): new connections go to the first that answers and is synced, and move to"
           " the next when it stops answering.");
  c.Define("mysql_port", "3306", "MySQL/MariaDB port (of each mysql_host entry without one).");
  c.Define("mysql_socket", "", "Unix socket of the database; when set, host and port are not used.");
  c.Define("mysql_user", "aftercare", "Database user.");
  c.Define("mysql_password", "", "Database password (prefer mysql_password_file).");
  c.Define("mysql_password_file", "", "File holding the database password (a mounted Secret).");
  c.Define("mysql_database", "aftercare_" + spec.name, "This service's own database.");
  c.Define("mysql_tls_mode", "disabled",
           "TLS to the database: disabled, required (encrypted or refused), verify_ca (and the"
           " server certificate chains to mysql_tls_ca_file) or verify_identity (and it names"
           " mysql_host).");
  c.Define("mysql_tls_ca_file", "",
           "CA bundle (PEM) the database server's certificate must chain to.");
  c.Define("mysql_tls_cert_file", "",
           "Client certificate (PEM) presented to the database (users created REQUIRE X509).");
  c.Define("mysql_tls_key_file", "", "Private key of mysql_tls_cert_file (PEM, unencrypted).");
  c.Define("db_pool_size", "8", "Database connections; also the number of worker threads.");
  c.Define("db_acquire_timeout", "5s", "How long a request waits for a free connection.");
  c.Define("db_startup_timeout", "60s", "How long start-up waits for the database.");
  c.Define("outbox_leader_lease", "10s",
           "How long the outbox leader's lease lasts without renewal: a standby replica takes"
           " over this long after the leader stopped renewing (killed, or cut off).");
  c.Define("executor_queue", "256", "Requests that may wait for a worker before RESOURCE_EXHAUSTED.");
  c.Define("migrate", "true", "Apply missing migrations at start-up.");
  c.Define("migrate_only", "false",
           "Apply migrations and exit (the Kubernetes init container that runs before the server).");
  c.Define("jwt_hs256_secret", "", "HS256 secret for development tokens.");
  c.Define("jwt_hs256_secret_file", "", "File holding the HS256 secret.");
  c.Define("jwt_public_keys_file", "",
           "PEM file with the RS256/ES256 public keys that verify tokens (deployments); read again"
           " every jwt_keys_refresh_interval, so an issuer key rotation needs no restart.");
  c.Define("jwt_keys_refresh_interval", "60s",
           "How often jwt_public_keys_file is read again (0: only at start).");
  c.Define("jwt_issuer", "aftercare-dev", "Required token issuer (iss); empty: not checked.");
  c.Define("jwt_audience", "aftercare", "Required token audience (aud); empty: not checked.");
  c.Define("service_token_file", "", "Token this service sends when it calls the others.");
  c.Define("tls_cert_file", "", "Server certificate (PEM); enables TLS. Also the client certificate for mTLS.");
  c.Define("tls_key_file", "", "Private key of tls_cert_file.");
  c.Define("tls_ca_file", "",
           "CA bundle: when set with tls_cert_file, clients must present a certificate it signed"
           " (mTLS), and outgoing calls verify servers with it.");
  c.Define("tls_refresh_interval", "60s",
           "How often tls_cert_file, tls_key_file and tls_ca_file are read again (whole seconds,"
           " at least 1s): renewed certificates serve new connections without a restart.");
  c.Define("health_port", "0",
           "When set, a second, plaintext port serving only grpc.health.v1 (kubelet gRPC probes"
           " cannot speak mTLS); 0: off.");
  c.Define("shutdown_grace", "20s", "Time in-flight RPCs get to finish after SIGTERM.");
  c.Define("max_connection_age", "5m", "Connections are closed after this age so clients rebalance.");
  c.Define("readiness_interval", "2s", "How often readiness checks the database and its schema version.");
  c.Define("page_token_secret", "aftercare-dev-page-tokens",
           "Key that signs page tokens (set the same value on every replica).");
  c.Define("page_token_secret_file", "", "File holding page_token_secret.");
  c.Define("idempotency_retention", "48h", "How long request_id results are kept.");
  c.Define("log_level", "info", "debug, info, warning or error.");
  c.Define("log_flush_interval", "20ms",
           "Lines below warning are written in batches this often (0: each line at once).");
  c.Define("enable_test_clock", "false",
           "Test only: allow test_clock_offset_file to move this service's clock.");
  c.Define("test_clock_offset_file", "",
           "Test only: file holding a duration (e.g. 240h) added to the system time.");
  if (spec.sends_notifications) DefineNotificationFlags(c);
  if (spec.define_flags) spec.define_flags(c);
}

void DefineNotificationFlags(Config& c) {
  c.Define("smtp_url", "",
           "SMTP server, smtp://host:port or smtps://host:port; empty: e-mails wait, pending.");
  c.Define("smtp_tls", "starttls",
           "none, starttls (required, refused without it) or tls (implicit, smtps).");
  c.Define("smtp_ca_file", "", "CA bundle the SMTP server's certificate must chain to; empty: system CAs.");
  c.Define("smtp_username", "", "SMTP AUTH user; empty: no authentication.");
  c.Define("smtp_password", "", "SMTP AUTH password (prefer smtp_password_file).");
  c.Define("smtp_password_file", "", "File holding the SMTP password (a mounted Secret).");
  c.Define("smtp_from", "Aftercare <notifications@aftercare.invalid>",
           "From header and envelope sender of notification e-mails.");
  c.Define("smtp_timeout", "30s", "Deadline of one SMTP delivery.");
  c.Define("message_id_domain", "aftercare.invalid",
           "Right-hand side of every Message-ID (stable per notification).");
  c.Define("webhook_timeout", "10s", "Deadline of one webhook POST.");
  c.Define("webhook_allow_http", "false",
           "Accept http:// webhook URLs (development); otherwise https:// only.");
  c.Define("notify_max_attempts", "8",
           "Failed deliveries of one notification before it is dead-lettered.");
  c.Define("notify_base_backoff", "30s", "Wait after the first failed delivery; doubles each time.");
  c.Define("notify_max_backoff", "1h", "Longest wait between two delivery attempts.");
  c.Define("notify_poll_interval", "1s", "How often the delivery loop looks for due deliveries.");
  c.Define("notify_claim_timeout", "2m",
           "A delivery claimed by a replica that died is tried again after this.");
}

absl::Status CheckPolicies(const ServiceSpec& spec) {
  for (const std::string& name : spec.health_names) {
    auto it = std::find_if(spec.policies.begin(), spec.policies.end(),
                           [&](const ServicePolicy* p) { return p->service() == name; });
    if (it == spec.policies.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("service ", name, " has no authorization policy table"));
    }
  }
  for (const ServicePolicy* p : spec.policies) RETURN_IF_ERROR(p->CheckComplete());
  return absl::OkStatus();
}

ServiceRuntime::ServiceRuntime(const ServiceSpec& spec, Config config)
    : spec_(spec), config_(std::move(config)) {}

ServiceRuntime::~ServiceRuntime() { Shutdown(); }

ServiceSpec WithCommonServices(ServiceSpec spec) {
  if (spec.sends_notifications) {
    spec.health_names.push_back(NotificationPolicy().service());
    spec.policies.push_back(&NotificationPolicy());
  }
  return spec;
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(const ServiceSpec& declared,
                                                                       Config config,
                                                                       const Clock* clock) {
  const ServiceSpec spec = WithCommonServices(declared);
  RETURN_IF_ERROR(CheckPolicies(spec));
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime(spec, std::move(config)));
  rt->policies_ = PolicyIndex(spec.policies);
  const Config& c = rt->config_;

  LogLevel level = LogLevel::kInfo;
  if (!ParseLogLevel(c.GetString("log_level"), &level)) {
    return absl::InvalidArgumentError("--log_level must be debug, info, warning or error");
  }
  InitLogging(ServiceName(spec), level);
  ASSIGN_OR_RETURN(absl::Duration log_flush, c.GetDuration("log_flush_interval"));
  if (log_flush < absl::ZeroDuration() || log_flush > absl::Seconds(1)) {
    return absl::InvalidArgumentError("--log_flush_interval must be between 0 and 1s");
  }
  EnableBufferedLogging(log_flush);
  // The ErrorInfo domain is the proto package without its version
  // ("aftercare.inventory.v1.InventoryService" -> "aftercare.inventory").
  if (!spec.health_names.empty()) {
    std::vector<std::string> parts = absl::StrSplit(spec.health_names.front(), '.');
    if (parts.size() >= 2) SetErrorDomain(absl::StrCat(parts[0], ".", parts[1]));
  }

  ASSIGN_OR_RETURN(rt->migrate_only_, c.GetBool("migrate_only"));
  ASSIGN_OR_RETURN(rt->shutdown_grace_, c.GetDuration("shutdown_grace"));
  ASSIGN_OR_RETURN(rt->readiness_interval_, c.GetDuration("readiness_interval"));
  ASSIGN_OR_RETURN(rt->idempotency_retention_, c.GetDuration("idempotency_retention"));

  if (clock != nullptr) {
    rt->clock_ = clock;
  } else {
    ASSIGN_OR_RETURN(bool test_clock, c.GetBool("enable_test_clock"));
    std::string offset_file = c.GetString("test_clock_offset_file");
    if (!offset_file.empty() && !test_clock) {
      return absl::InvalidArgumentError(
          "--test_clock_offset_file is a test-only setting: it needs --enable_test_clock");
    }
    if (!offset_file.empty()) {
      LogWarning("test clock enabled: time is shifted by the offset file", {{"file", offset_file}});
      rt->owned_clock_ = std::make_unique<OffsetFileClock>(offset_file);
      rt->clock_ = rt->owned_clock_.get();
    } else {
      rt->clock_ = SystemClock::Get();
    }
  }

  rt->registry_ = std::make_shared<prometheus::Registry>();
  RegisterBuildInfo(*rt->registry_, ServiceName(spec));
  rt->process_metrics_ = std::make_shared<ProcessCollector>();

  db::DbOptions db;
  ASSIGN_OR_RETURN(int64_t mysql_port, c.GetInt("mysql_port"));
  ASSIGN_OR_RETURN(db.endpoints,
                   db::ParseDbEndpoints(c.GetString("mysql_host"), static_cast<int>(mysql_port)));
  db.host = db.endpoints.front().host;
  db.port = db.endpoints.front().port;
  db.socket = c.GetString("mysql_socket");
  db.user = c.GetString("mysql_user");
  ASSIGN_OR_RETURN(db.password, c.GetSecret("mysql_password"));
  db.database = c.GetString("mysql_database");
  ASSIGN_OR_RETURN(db.tls.mode, db::ParseTlsMode(c.GetString("mysql_tls_mode")));
  db.tls.ca_file = c.GetString("mysql_tls_ca_file");
  db.tls.cert_file = c.GetString("mysql_tls_cert_file");
  db.tls.key_file = c.GetString("mysql_tls_key_file");
  ASSIGN_OR_RETURN(int64_t pool_size, c.GetInt("db_pool_size"));
  db.pool_size = static_cast<int>(pool_size);
  ASSIGN_OR_RETURN(db.acquire_timeout, c.GetDuration("db_acquire_timeout"));
  ASSIGN_OR_RETURN(rt->pool_, db::ConnectionPool::Create(db, rt->registry_));

  ASSIGN_OR_RETURN(int64_t queue, c.GetInt("executor_queue"));
  rt->executor_ = std::make_unique<BoundedExecutor>(db.pool_size, static_cast<int>(queue));

  JwtVerifierOptions jwt;
  ASSIGN_OR_RETURN(jwt.hs256_secret, c.GetSecret("jwt_hs256_secret"));
  std::string keys_file = c.GetString("jwt_public_keys_file");
  std::string keys_bundle;
  if (!keys_file.empty()) {
    ASSIGN_OR_RETURN(keys_bundle, ReadFileToString(keys_file));
    jwt.public_keys_pem = SplitPemBundle(keys_bundle);
  }
  jwt.issuer = c.GetString("jwt_issuer");
  jwt.audience = c.GetString("jwt_audience");
  if (jwt.hs256_secret.empty() && jwt.public_keys_pem.empty()) {
    return absl::InvalidArgumentError(
        "no token verification key: set --jwt_public_keys_file (or --jwt_hs256_secret for development)");
  }
  ASSIGN_OR_RETURN(rt->verifier_, JwtVerifier::Create(jwt));
  ASSIGN_OR_RETURN(absl::Duration keys_refresh, c.GetDuration("jwt_keys_refresh_interval"));
  const JwtKeyFileWatcher::Counters key_reloads =
      JwtKeyFileWatcher::RegisterCounters(*rt->registry_);
  if (!keys_file.empty() && keys_refresh > absl::ZeroDuration()) {
    rt->jwt_keys_ = std::make_unique<JwtKeyFileWatcher>(keys_file, keys_bundle,
                                                        rt->verifier_.get(), key_reloads);
    JwtKeyFileWatcher* watcher = rt->jwt_keys_.get();
    rt->jwt_keys_task_ = std::make_unique<PeriodicTask>("jwt public keys reload", keys_refresh,
                                                        [watcher] { return watcher->Check(); });
  }
  ASSIGN_OR_RETURN(absl::Duration tls_refresh, c.GetDuration("tls_refresh_interval"));
  if (tls_refresh < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--tls_refresh_interval must be at least 1s");
  }

  ClientOptions client;
  client.service_name = spec.name;
  client.service_token_file = c.GetString("service_token_file");
  client.hs256_secret = jwt.hs256_secret;
  client.issuer = jwt.issuer;
  client.audience = jwt.audience;
  client.ca_file = c.GetString("tls_ca_file");
  client.cert_file = c.GetString("tls_cert_file");
  client.key_file = c.GetString("tls_key_file");
  client.tls_refresh = tls_refresh;
  rt->clients_ = std::make_unique<ClientFactory>(client, rt->registry_, rt->clock_);

  db::DbOptions outbox_db = db;
  outbox_db.pool_size = 1;
  // Its SQL errors count in aftercare_db_errors_total; its gauges would
  // overwrite the main pool's.
  ASSIGN_OR_RETURN(auto outbox_pool, db::ConnectionPool::Create(outbox_db, rt->registry_,
                                                                db::PoolMetrics::kErrorsOnly));
  OutboxOptions outbox;
  outbox.service = spec.name;
  ASSIGN_OR_RETURN(outbox.leader_lease, c.GetDuration("outbox_leader_lease"));
  if (outbox.leader_lease < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--outbox_leader_lease must be at least 1s");
  }
  ASSIGN_OR_RETURN(int64_t grpc_port, c.GetInt("grpc_port"));
  outbox.holder = db::InstanceHolderId(spec.name, static_cast<int>(grpc_port));
  rt->outbox_ = std::make_unique<OutboxDispatcher>(std::move(outbox_pool), rt->clock_,
                                                   rt->registry_, outbox);
  ASSIGN_OR_RETURN(std::string page_secret, c.GetSecret("page_token_secret"));
  ASSIGN_OR_RETURN(PageTokenCodec codec, PageTokenCodec::Create(page_secret));
  rt->page_tokens_ = std::make_unique<PageTokenCodec>(std::move(codec));
  if (spec.sends_notifications) RETURN_IF_ERROR(rt->CreateNotifications());
  return rt;
}

absl::Status ServiceRuntime::CreateNotifications() {
  const Config& c = config_;
  NotificationOptions n;
  ASSIGN_OR_RETURN(int64_t max_attempts, c.GetInt("notify_max_attempts"));
  if (max_attempts < 1 || max_attempts > 100) {
    return absl::InvalidArgumentError("--notify_max_attempts must be between 1 and 100");
  }
  n.max_attempts = static_cast<int>(max_attempts);
  ASSIGN_OR_RETURN(n.base_backoff, c.GetDuration("notify_base_backoff"));
  ASSIGN_OR_RETURN(n.max_backoff, c.GetDuration("notify_max_backoff"));
  ASSIGN_OR_RETURN(n.poll_interval, c.GetDuration("notify_poll_interval"));
  ASSIGN_OR_RETURN(n.claim_timeout, c.GetDuration("notify_claim_timeout"));
  if (n.base_backoff <= absl::ZeroDuration() || n.max_backoff < n.base_backoff) {
    return absl::InvalidArgumentError(
        "--notify_base_backoff must be positive and at most --notify_max_backoff");
  }
  if (n.poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--notify_poll_interval must be positive");
  }
  ASSIGN_OR_RETURN(absl::Duration smtp_timeout, c.GetDuration("smtp_timeout"));
  ASSIGN_OR_RETURN(absl::Duration webhook_timeout, c.GetDuration("webhook_timeout"));
  // A claim must outlive the slowest attempt, or a second replica would send
  // a message the first is still sending.
  n.max_send_time = std::max(smtp_timeout, webhook_timeout);
  if (n.claim_timeout <= n.max_send_time) {
    return absl::InvalidArgumentError(
        "--notify_claim_timeout must be longer than --smtp_timeout and --webhook_timeout");
  }
  ASSIGN_OR_RETURN(bool allow_http, c.GetBool("webhook_allow_http"));
  notifications_ = std::make_unique<NotificationDispatcher>(pool_.get(), clock_, registry_, n);

  const std::string smtp_url = c.GetString("smtp_url");
  if (!smtp_url.empty()) {
    EmailChannelOptions email;
    email.smtp.url = smtp_url;
    absl::StatusOr<notify::SmtpTls> tls = notify::ParseSmtpTls(c.GetString("smtp_tls"));
    if (!tls.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--smtp_tls: ", tls.status().message()));
    }
    email.smtp.tls = *tls;
    email.smtp.ca_file = c.GetString("smtp_ca_file");
    email.smtp.username = c.GetString("smtp_username");
    ASSIGN_OR_RETURN(email.smtp.password, c.GetSecret("smtp_password"));
    email.smtp.timeout = smtp_timeout;
    email.from = c.GetString("smtp_from");
    email.message_id_domain = c.GetString("message_id_domain");
    if (!notify::IsValidEmailAddress(notify::AddrSpec(email.from))) {
      return absl::InvalidArgumentError("--smtp_from must hold an e-mail address");
    }
    if (!absl::StartsWith(smtp_url, "smtp://") && !absl::StartsWith(smtp_url, "smtps://")) {
      return absl::InvalidArgumentError("--smtp_url must start with smtp:// or smtps://");
    }
    // Settings that cannot work stop start-up here, rather than dead-letter
    // every e-mail later (a user without TLS, smtps:// without --smtp_tls=tls).
    RETURN_IF_ERROR(notify::ValidateSmtpSettings(email.smtp));
    notifications_->RegisterChannel(DeliveryChannel::kEmail, MakeEmailChannel(std::move(email)));
  } else {
    LogWarning("no --smtp_url: notification e-mails wait, pending, until one is configured");
  }
  WebhookChannelOptions webhook;
  webhook.timeout = webhook_timeout;
  webhook.allow_http = allow_http;
  notifications_->RegisterChannel(DeliveryChannel::kWebhook,
                                  MakeWebhookChannel(pool_.get(), webhook));
  NotificationServiceOptions service;
  service.allow_http_webhooks = allow_http;
  service.message_id_domain = c.GetString("message_id_domain");
  notification_service_ = std::make_unique<NotificationServiceImpl>(
      pool_.get(), clock_, executor_.get(), page_tokens_.get(), notifications_.get(), service);
  return absl::OkStatus();
}

absl::Status ServiceRuntime::Start() {
  const Config& c = config_;
  ASSIGN_OR_RETURN(absl::Duration startup_timeout, c.GetDuration("db_startup_timeout"));
  RETURN_IF_ERROR(pool_->WaitUntilReachable(startup_timeout));

  ASSIGN_OR_RETURN(bool migrate, c.GetBool("migrate"));
  if (migrate || migrate_only_) {
    ASSIGN_OR_RETURN(db::MigrationReport report, db::ApplyMigrations(*pool_, MigrationSets()));
    LogInfo("migrations done", {{"applied", report.applied},
                                {"already_applied", report.already_applied}});
  }
  if (migrate_only_) return absl::OkStatus();

  ASSIGN_OR_RETURN(int64_t metrics_port_flag, c.GetInt("metrics_port"));
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(
        absl::StrCat(c.GetString("metrics_host"), ":", metrics_port_flag));
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on port ", metrics_port_flag,
                                               ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(process_metrics_);

  context_ = std::make_unique<ServiceContext>(ServiceContext{
      config_, *clock_, *pool_, *executor_, registry_, *clients_, *outbox_, *page_tokens_,
      notifications_.get()});
  ASSIGN_OR_RETURN(instance_, spec_.build(*context_));

  ServerOptions server;
  server.host = c.GetString("grpc_host");
  ASSIGN_OR_RETURN(int64_t grpc_port, c.GetInt("grpc_port"));
  server.port = static_cast<int>(grpc_port);
  ASSIGN_OR_RETURN(server.max_connection_age, c.GetDuration("max_connection_age"));
  server.tls.cert_file = c.GetString("tls_cert_file");
  server.tls.key_file = c.GetString("tls_key_file");
  server.tls.client_ca_file = c.GetString("tls_ca_file");
  ASSIGN_OR_RETURN(server.tls.refresh, c.GetDuration("tls_refresh_interval"));
  std::vector<grpc::Service*> services = instance_->services();
  if (notification_service_) services.push_back(notification_service_.get());
  for (const std::string& name : spec_.health_names) {
    health_.SetStatus(name, grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  }
  auto interceptors = std::make_unique<ServerInterceptorFactory>(registry_, verifier_.get(),
                                                                 clock_, &policies_);
  // Every method's series from the start, not after its first call.
  std::vector<std::string> served = spec_.health_names;
  served.push_back("grpc.health.v1.Health");
  for (const std::string& name : served) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (descriptor == nullptr) {
      LogWarning("no descriptor for a served service: its metrics start at its first call",
                 {{"grpc_service", name}});
      continue;
    }
    interceptors->InitializeService(*descriptor);
  }
  ASSIGN_OR_RETURN(server_,
                   GrpcServer::Start(server, services, &health_, std::move(interceptors)));
  ASSIGN_OR_RETURN(int64_t health_port, c.GetInt("health_port"));
  if (health_port > 0) {
    ServerOptions health_only;
    health_only.host = server.host;
    health_only.port = static_cast<int>(health_port);
    health_.Mirror(&probe_health_);
    ASSIGN_OR_RETURN(health_server_,
                     GrpcServer::Start(health_only, {}, &probe_health_, nullptr));
  }
  UpdateReadiness();
  outbox_->Start();
  if (notifications_) notifications_->Start();
  instance_->Start();
  if (jwt_keys_task_) jwt_keys_task_->Start();
  readiness_thread_ = std::thread([this] { ReadinessLoop(); });
  LogInfo("serving", {{"grpc_port", server_->port()}, {"metrics_port", metrics_port()},
                      {"database", pool_->options().database}});
  return absl::OkStatus();
}

int ServiceRuntime::metrics_port() const {
  if (!exposer_) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

std::vector<db::MigrationSet> ServiceRuntime::MigrationSets() const {
  std::vector<db::MigrationSet> sets = {{"common", &db::CommonMigrations()}};
  if (spec_.migrations != nullptr) sets.push_back({spec_.name, &spec_.migrations()});
  return sets;
}

bool ServiceRuntime::UpdateReadiness() {
  // SERVING needs the database reachable and holding the schema this
  // binary expects (db::CheckSchema): not a replica started with
  // --migrate=false before the migrations ran, nor an old replica after a
  // breaking migration. One log line per change.
  std::string reason;
  absl::StatusOr<db::SchemaCheck> schema = db::CheckSchema(*pool_, MigrationSets());
  if (!schema.ok()) {
    reason = absl::StrCat("database unreachable: ", schema.status().message());
  } else if (!schema->current) {
    reason = schema->problem;
  }
  const std::string note = schema.ok() ? schema->note : std::string();
  if (reason != not_ready_reason_ || note != schema_note_ || !readiness_known_) {
    if (reason.empty()) {
      LogInfo("readiness: SERVING", {{"schema", note.empty() ? "current" : note}});
    } else {
      LogWarning("readiness: NOT_SERVING", {{"reason", reason}});
    }
    not_ready_reason_ = reason;
    schema_note_ = note;
    readiness_known_ = true;
  }
  health_.SetReadiness(reason.empty());
  return reason.empty();
}

void ServiceRuntime::ReadinessLoop() {
  absl::Time next_janitor = absl::Now() + absl::Minutes(1);
  while (!stop_.WaitForNotificationWithTimeout(readiness_interval_)) {
    const bool ready = UpdateReadiness();
    if (ready && absl::Now() >= next_janitor) {
      JanitorTick();
      next_janitor = absl::Now() + absl::Minutes(10);
    }
  }
}

void ServiceRuntime::JanitorTick() {
  auto purged = PurgeIdempotencyKeys(*pool_, clock_->Now() - idempotency_retention_);
  if (!purged.ok()) {
    LogWarning("idempotency purge failed", {{"error", purged.status().ToString()}});
  } else if (*purged > 0) {
    LogInfo("idempotency keys purged", {{"count", *purged}});
  }
  auto events = PurgeDeliveredEvents(*pool_, clock_->Now() - absl::Hours(24 * 7));
  if (!events.ok()) {
    LogWarning("outbox purge failed", {{"error", events.status().ToString()}});
  } else if (*events > 0) {
    LogInfo("delivered outbox events purged", {{"count", *events}});
  }
}

void ServiceRuntime::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (server_) {
    LogInfo("draining", {{"grace_ms", absl::ToInt64Milliseconds(shutdown_grace_)}});
    server_->Shutdown(shutdown_grace_);
  }
  if (health_server_) health_server_->Shutdown(absl::ZeroDuration());
  if (readiness_thread_.joinable()) readiness_thread_.join();
  if (jwt_keys_task_) jwt_keys_task_->Stop();
  if (instance_) instance_->Stop();
  if (outbox_) outbox_->Stop();
  if (notifications_) notifications_->Stop();
  if (executor_) executor_->Shutdown();
  if (server_) server_->Wait();
  if (health_server_) health_server_->Wait();
  instance_.reset();
  LogInfo("stopped");
  FlushLogs();
}

int RunServiceMain(const ServiceSpec& spec, int argc, char** argv) {
  // Block the stop signals before any thread starts, so that only the
  // sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Abseil's mutex deadlock detection costs ~2.6 % of a read RPC's CPU
  // (docs/BENCHMARKS.md); the tests keep it on, the servers do not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  Config config;
  DefineCommonFlags(config, spec);
  absl::Status parsed = config.Parse(argc, argv);
  if (config.help_requested()) {
    std::cout << config.HelpText(argv[0]);
    return 0;
  }
  if (!parsed.ok()) {
    std::cerr << argv[0] << ": " << parsed.message() << "\n";
    return 2;
  }
  auto runtime = ServiceRuntime::Create(spec, std::move(config));
  if (!runtime.ok()) {
    LogError("start-up failed", {{"error", runtime.status().ToString()}});
    return 1;
  }
  absl::Status started = (*runtime)->Start();
  if (!started.ok()) {
    LogError("start-up failed", {{"error", started.ToString()}});
    return 1;
  }
  if ((*runtime)->migrate_only()) return 0;
  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo("signal received, shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*runtime)->Shutdown();
  return 0;
}

}  // namespace aftercare
