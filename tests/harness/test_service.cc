#include "tests/harness/test_service.h"

#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"

namespace aftercare::testing {

Config TestConfig(const ServiceSpec& spec, const TestDatabase& db,
                  const std::map<std::string, std::string>& flags) {
  Config config;
  DefineCommonFlags(config, spec);
  config.Set("grpc_host", "127.0.0.1");
  config.Set("grpc_port", "0");
  config.Set("metrics_host", "127.0.0.1");
  config.Set("metrics_port", "0");
  config.Set("mysql_host", db.server().host);
  config.Set("mysql_port", std::to_string(db.server().port));
  config.Set("mysql_user", db.server().user);
  config.Set("mysql_password", db.server().password);
  config.Set("mysql_database", db.name());
  config.Set("db_pool_size", "4");
  config.Set("db_startup_timeout", "10s");
  config.Set("jwt_hs256_secret", kTestJwtSecret);
  config.Set("shutdown_grace", "2s");
  config.Set("readiness_interval", "200ms");
  config.Set("log_level", "warning");
  for (const auto& [k, v] : flags) config.Set(k, v);
  return config;
}

absl::StatusOr<std::unique_ptr<TestService>> TestService::Start(const ServiceSpec& spec,
                                                                TestServiceOptions options) {
  auto svc = std::make_unique<TestService>();
  if (options.server != nullptr) {
    auto db = TestDatabase::CreateOn(*options.server);
    if (!db.ok()) return db.status();
    svc->db_ = *std::move(db);
  } else {
    auto db = TestDatabase::Create();
    if (!db.ok()) return db.status();
    svc->db_ = *std::move(db);
  }
  auto runtime = ServiceRuntime::Create(spec, TestConfig(spec, *svc->db_, options.flags),
                                        options.clock);
  if (!runtime.ok()) return runtime.status();
  svc->runtime_ = *std::move(runtime);
  absl::Status started = svc->runtime_->Start();
  if (!started.ok()) return started;
  svc->channel_ = grpc::CreateChannel(svc->address(), grpc::InsecureChannelCredentials());
  return svc;
}

TestService::~TestService() { Stop(); }

void TestService::Stop() {
  if (runtime_) runtime_->Shutdown();
}

std::string TestService::address() const {
  return absl::StrCat("127.0.0.1:", runtime_->grpc_port());
}

std::string TestService::Token(Role role, const std::string& subject,
                               std::vector<std::string> account_ids,
                               const std::string& partner_id, bool cpo_channel,
                               absl::Time issued_at, absl::Duration ttl) {
  TokenClaims claims;
  claims.subject = subject;
  claims.role = role;
  claims.account_ids = std::move(account_ids);
  claims.partner_id = partner_id;
  claims.cpo_channel = cpo_channel;
  claims.issuer = "aftercare-dev";
  claims.audience = "aftercare";
  claims.ttl = ttl;
  auto token = MintHs256(claims, kTestJwtSecret, issued_at);
  return token.ok() ? *token : std::string();
}

void TestService::Authorize(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

}  // namespace aftercare::testing
