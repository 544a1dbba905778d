// The bootstrap every service runs on, tested through real gRPC on port 0:
// health and readiness, reflection, the interceptors (metrics, request id,
// authentication), the drain on shutdown, and readiness following the database.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <cstdio>
#include <future>
#include <thread>

#include "aftercare/testing/v1/echo.grpc.pb.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "common/logging.h"
#include "gtest/gtest.h"
#include "tests/harness/echo_service.h"
#include "tests/harness/source_dir.h"
#include "tests/harness/test_service.h"

namespace aftercare {
namespace {

using ::aftercare::testing::EchoSpec;
using ::aftercare::testing::TestService;
using ::aftercare::testing::v1::EchoRequest;
using ::aftercare::testing::v1::EchoResponse;
using ::aftercare::testing::v1::EchoService;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

HealthCheckResponse::ServingStatus Check(TestService& svc, const std::string& name,
                                         grpc::Status* status = nullptr) {
  auto stub = Health::NewStub(svc.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest req;
  req.set_service(name);
  HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  if (status != nullptr) *status = s;
  return s.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
}

TEST(ServerTest, HealthAnswersForTheServerItsServicesAndProbes) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  EXPECT_EQ(Check(*svc, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(*svc, "readiness"), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(*svc, "liveness"), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(*svc, "aftercare.testing.v1.EchoService"), HealthCheckResponse::SERVING);
  grpc::Status unknown;
  Check(*svc, "no.such.Service", &unknown);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ServerTest, AHealthPortServesTheSameStatusesInPlaintext) {
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"health_port", std::to_string(aftercare::testing::PickFreePort())}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", svc->runtime().health_port()),
                                     grpc::InsecureChannelCredentials());
  auto check = [&](const std::string& name) {
    auto stub = Health::NewStub(channel);
    grpc::ClientContext ctx;
    HealthCheckRequest req;
    req.set_service(name);
    HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    return s.ok() ? resp.status() : HealthCheckResponse::UNKNOWN;
  };
  EXPECT_EQ(check("readiness"), HealthCheckResponse::SERVING);
  EXPECT_EQ(check("aftercare.testing.v1.EchoService"), HealthCheckResponse::SERVING);
  svc->runtime().health().SetReadiness(false);
  EXPECT_EQ(check("readiness"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(check("liveness"), HealthCheckResponse::SERVING);
}

TEST(ServerTest, ReflectionListsHealthAndTheServiceTheWayGrpcurlSeesIt) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  const std::string buf = absl::StrCat(aftercare::testing::SourceDir(), "/scripts/tooling/node_modules/.bin/buf");
  std::string out = RunCommand(absl::StrCat(buf, " curl --protocol grpc --http2-prior-knowledge",
                                            " --list-services http://", svc->address(), " 2>&1"));
  EXPECT_THAT(out, HasSubstr("grpc.health.v1.Health"));
  EXPECT_THAT(out, HasSubstr("aftercare.testing.v1.EchoService"));
  EXPECT_THAT(out, HasSubstr("grpc.reflection.v1alpha.ServerReflection"));
}

TEST(ServerTest, AuthenticatesCallersAndEchoesTheRequestId) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  auto stub = EchoService::NewStub(svc->channel());
  EchoRequest req;
  req.set_message("hi");
  req.set_require_auth(true);

  {  // no token: deny by default
    grpc::ClientContext ctx;
    EchoResponse resp;
    grpc::Status s = stub->Echo(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {  // a token signed with another key
    TokenClaims claims;
    claims.subject = "mallory";
    claims.role = Role::kAdmin;
    claims.issuer = "aftercare-dev";
    claims.audience = "aftercare";
    auto forged = MintHs256(claims, "another-secret-another-secret-0123456789", absl::Now());
    ASSERT_OK(forged);
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, *forged);
    EchoResponse resp;
    EXPECT_EQ(stub->Echo(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {  // a valid token, with a request id of the caller
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, TestService::Token(Role::kCareAgent, "alice"));
    ctx.AddMetadata("x-request-id", "req-123");
    EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.message(), "hi");
    EXPECT_EQ(resp.caller_subject(), "alice");
    EXPECT_EQ(resp.request_id(), "req-123");
    auto it = ctx.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(it, ctx.GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(it->second.data(), it->second.size()), "req-123");
  }
}

TEST(ServerTest, ExportsGoStyleGrpcMetricsOnTheMetricsPort) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  auto stub = EchoService::NewStub(svc->channel());
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext ctx;
    EchoRequest req;
    EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, req, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    EchoRequest req;
    req.set_require_auth(true);
    EchoResponse resp;
    ASSERT_FALSE(stub->Echo(&ctx, req, &resp).ok());
  }
  std::string metrics = RunCommand(
      absl::StrCat("curl -s http://127.0.0.1:", svc->runtime().metrics_port(), "/metrics"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Echo\","
                                 "grpc_service=\"aftercare.testing.v1.EchoService\",grpc_type=\"unary\"} 3"));
  EXPECT_THAT(metrics, HasSubstr("grpc_code=\"Unauthenticated\",grpc_method=\"Echo\""));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_started_total{"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handling_seconds_bucket{"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_msg_received_total{"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_msg_sent_total{"));
  EXPECT_THAT(metrics, HasSubstr("aftercare_db_pool_connections{state=\"in_use\"}"));
}

// rate() and error ratios need a series before the first call; the
// process, build, database-error and outbox series are in the same scrape.
TEST(ServerTest, EveryMethodAndTheCommonSeriesAreExportedBeforeTheFirstCall) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  std::string metrics = RunCommand(
      absl::StrCat("curl -s http://127.0.0.1:", svc->runtime().metrics_port(), "/metrics"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_started_total{grpc_method=\"Echo\","
                                 "grpc_service=\"aftercare.testing.v1.EchoService\",grpc_type=\"unary\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Echo\","
                                 "grpc_service=\"aftercare.testing.v1.EchoService\",grpc_type=\"unary\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handling_seconds_count{grpc_method=\"Echo\","
                                 "grpc_service=\"aftercare.testing.v1.EchoService\",grpc_type=\"unary\"} 0"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_started_total{grpc_method=\"Watch\","
                                 "grpc_service=\"grpc.health.v1.Health\",grpc_type=\"server_stream\"} 0"));
  for (const char* series :
       {"aftercare_db_errors_total{kind=\"schema\"} 0", "aftercare_db_errors_total{kind=\"other\"} 0",
        "aftercare_outbox_oldest_pending_age_seconds ", "aftercare_outbox_pending ",
        "aftercare_build_info{commit=\"", "service=\"echo-svc\",version=\"",
        "process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ", "process_start_time_seconds ", "process_open_fds ",
        "process_max_fds "}) {
    EXPECT_THAT(metrics, HasSubstr(series));
  }
}

TEST(ServerTest, ShutdownLetsInFlightCallsFinishAndRefusesNewOnes) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  auto stub = EchoService::NewStub(svc->channel());
  grpc::Status slow_status;
  EchoResponse slow_resp;
  std::thread slow([&] {
    grpc::ClientContext ctx;
    EchoRequest req;
    req.set_message("slow");
    req.set_delay_ms(700);
    slow_status = stub->Echo(&ctx, req, &slow_resp);
  });
  absl::SleepFor(absl::Milliseconds(200));  // the slow call is in flight
  svc->Stop();                              // grace is 2s in tests
  slow.join();
  EXPECT_TRUE(slow_status.ok()) << slow_status.error_message();
  EXPECT_EQ(slow_resp.message(), "slow");
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EchoRequest req;
  EchoResponse resp;
  EXPECT_FALSE(stub->Echo(&ctx, req, &resp).ok());
}

TEST(ServerTest, WatchStreamsReadinessChanges) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  auto stub = Health::NewStub(svc->channel());
  grpc::ClientContext ctx;
  HealthCheckRequest req;
  req.set_service("readiness");
  auto reader = stub->Watch(&ctx, req);
  HealthCheckResponse resp;
  ASSERT_TRUE(reader->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  svc->runtime().health().SetReadiness(false);
  ASSERT_TRUE(reader->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  ctx.TryCancel();
}

TEST(ServerTest, ReadinessFollowsTheDatabase) {
  ASSERT_OK_AND_ASSIGN(auto mariadb, aftercare::testing::PrivateMariaDb::Start());
  aftercare::testing::TestServiceOptions options;
  options.server = &mariadb->address();
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  EXPECT_EQ(Check(*svc, "readiness"), HealthCheckResponse::SERVING);

  ASSERT_OK(mariadb->Kill());
  HealthCheckResponse::ServingStatus status = HealthCheckResponse::SERVING;
  for (int i = 0; i < 100 && status == HealthCheckResponse::SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = Check(*svc, "readiness");
  }
  EXPECT_EQ(status, HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(*svc, "liveness"), HealthCheckResponse::SERVING);

  ASSERT_OK(mariadb->Restart());
  for (int i = 0; i < 100 && status != HealthCheckResponse::SERVING; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    status = Check(*svc, "readiness");
  }
  EXPECT_EQ(status, HealthCheckResponse::SERVING);
  svc.reset();  // drops its database while the server is still up
}

// The method's declared policy decides before the handler runs: a role it
// does not list is PERMISSION_DENIED whatever the handler would do.
TEST(ServerTest, ThePolicyOfTheMethodDecidesBeforeTheHandler) {
  static const ServicePolicy admin_only(
      "aftercare.testing.v1.EchoService",
      {{"Echo", {Role::kAdmin}, ScopeKind::kNone, "admin only"}});
  ServiceSpec spec = EchoSpec();
  spec.policies = {&admin_only};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(spec));
  auto stub = EchoService::NewStub(svc->channel());
  EchoRequest req;
  req.set_message("hi");
  req.set_require_auth(true);
  for (Role role : {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kTse,
                    Role::kLogistics, Role::kService}) {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, TestService::Token(role, "bob", {}, role == Role::kPartner ? "P-1" : ""));
    EchoResponse resp;
    grpc::Status s = stub->Echo(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << RoleName(role);
    EXPECT_THAT(s.error_message(), HasSubstr("may not call Echo; allowed: admin"));
    EXPECT_EQ(resp.message(), "") << "the handler ran for " << RoleName(role);
  }
  grpc::ClientContext ctx;
  TestService::Authorize(ctx, TestService::Token(Role::kAdmin, "root"));
  EchoResponse resp;
  ASSERT_TRUE(stub->Echo(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.caller_subject(), "root");
}

// The JSON line of a failed RPC carries its exact error text (the message is
// a copy returned by grpc::Status::error_message(): the line must keep it
// alive, not a view of a destroyed temporary).
TEST(ServerTest, AFailedCallsLogLineCarriesItsExactError) {
  static const ServicePolicy admin_only(
      "aftercare.testing.v1.EchoService",
      {{"Echo", {Role::kAdmin}, ScopeKind::kNone, "admin only"}});
  ServiceSpec spec = EchoSpec();
  spec.policies = {&admin_only};
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"log_level", "info"}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(spec, options));
  auto stub = EchoService::NewStub(svc->channel());
  EchoRequest req;
  req.set_message("hi");
  req.set_require_auth(true);
  const std::string expected =
      "role 'customer' may not call Echo; allowed: admin";  // longer than any small-string buffer
  FlushLogs();  // earlier lines out of the capture
  ::testing::internal::CaptureStderr();
  grpc::Status s;
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, TestService::Token(Role::kCustomer, "bob", {"ACME-1"}));
    ctx.AddMetadata("x-request-id", "log-line-" + std::to_string(i));
    EchoResponse resp;
    s = stub->Echo(&ctx, req, &resp);
  }
  FlushLogs();
  const std::string logs = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.error_message(), expected);
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(logs, '\n')) {
    if (!absl::StrContains(line, "\"request_id\":\"log-line-")) continue;
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j.value("error", ""), expected) << line;
    EXPECT_EQ(j.value("code", ""), "PermissionDenied") << line;
    EXPECT_EQ(j.value("caller", ""), "bob") << line;
    EXPECT_EQ(j.value("role", ""), "customer") << line;
    ++lines;
  }
  EXPECT_EQ(lines, 20) << logs;
}

// The schema of the per-RPC line, field by field (docs/CONFIGURATION.md
// "Logs" maps it onto the OpenTelemetry log data model), read from a real
// call; a health check at the same level writes nothing.
TEST(ServerTest, TheRpcLogLineHasItsDocumentedSchemaAndProbesAreQuiet) {
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"log_level", "info"}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  auto stub = EchoService::NewStub(svc->channel());
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string caller_span = "00f067aa0ba902b7";
  FlushLogs();  // earlier lines out of the capture
  ::testing::internal::CaptureStderr();
  {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, TestService::Token(Role::kAdmin, "alice"));
    ctx.AddMetadata("x-request-id", "schema-check-1");
    ctx.AddMetadata("traceparent", absl::StrCat("00-", trace_id, "-", caller_span, "-01"));
    EchoRequest req;
    req.set_message("hi");
    EchoResponse resp;
    ASSERT_TRUE(stub->Echo(&ctx, req, &resp).ok());
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Check(*svc, ""), HealthCheckResponse::SERVING);
  FlushLogs();
  const std::string logs = ::testing::internal::GetCapturedStderr();

  std::vector<nlohmann::json> rpc_lines;
  for (absl::string_view line : absl::StrSplit(logs, '\n', absl::SkipEmpty())) {
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_FALSE(absl::StrContains(j.value("method", ""), "grpc.health")) << line;
    if (j.value("request_id", "") == "schema-check-1") rpc_lines.push_back(j);
  }
  ASSERT_EQ(rpc_lines.size(), 1u) << logs;
  const nlohmann::json& j = rpc_lines[0];
  const auto is_hex = [](const nlohmann::json& v, size_t n) {
    if (!v.is_string()) return false;
    const std::string s = v;
    return s.size() == n && s.find_first_not_of("0123456789abcdef") == std::string::npos;
  };
  // Required fields and their types.
  for (const char* field : {"ts", "level", "service", "msg", "method", "code", "request_id",
                            "trace_id", "span_id", "peer", "caller", "role"}) {
    ASSERT_TRUE(j.contains(field) && j[field].is_string()) << field << " in " << j.dump();
  }
  ASSERT_TRUE(j.contains("duration_ms") && j["duration_ms"].is_number()) << j.dump();
  EXPECT_TRUE(::testing::Matches(::testing::MatchesRegex(
      "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z"))(
      j["ts"].get<std::string>()))
      << j["ts"];
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["service"], "echo-svc");
  EXPECT_EQ(j["msg"], "rpc");
  EXPECT_EQ(j["method"], "/aftercare.testing.v1.EchoService/Echo");
  EXPECT_EQ(j["code"], "OK");
  EXPECT_GE(j["duration_ms"].get<double>(), 0);
  EXPECT_EQ(j["trace_id"], trace_id);  // the caller's trace continues
  EXPECT_TRUE(is_hex(j["span_id"], 16)) << j["span_id"];
  EXPECT_NE(j["span_id"], caller_span);  // this server's own span, not the caller's
  EXPECT_EQ(j["parent_span_id"], caller_span);
  EXPECT_EQ(j["caller"], "alice");
  EXPECT_EQ(j["role"], "admin");
  EXPECT_FALSE(j.contains("error"));
}

// Bytes that are not a valid request message: INVALID_ARGUMENT with a
// message (gRPC 1.51's callback handlers alone would say UNIMPLEMENTED with
// none), counted under that code; an unknown method stays UNIMPLEMENTED.
TEST(ServerTest, AMalformedRequestIsInvalidArgumentNotUnimplemented) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  grpc::GenericStub stub(svc->channel());
  auto call = [&](const std::string& method, const std::string& bytes) {
    grpc::ClientContext ctx;
    TestService::Authorize(ctx, TestService::Token(Role::kAdmin, "root"));
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  };
  const std::string echo = "/aftercare.testing.v1.EchoService/Echo";
  for (const std::string& bytes :
       {std::string("\x0a\x05" "ab", 4),                     // length past the end
        std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),  // bad varint
        std::string("\x0b", 1)}) {                           // a group start, never closed
    grpc::Status s = call(echo, bytes);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("could not be parsed"));
  }
  EchoRequest ok;
  ok.set_message("fine");
  EXPECT_TRUE(call(echo, ok.SerializeAsString()).ok());
  EXPECT_EQ(call("/aftercare.testing.v1.EchoService/Nope", ok.SerializeAsString()).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  const std::string metrics = RunCommand(
      absl::StrCat("curl -s http://127.0.0.1:", svc->runtime().metrics_port(), "/metrics"));
  EXPECT_THAT(metrics, HasSubstr("grpc_code=\"InvalidArgument\",grpc_method=\"Echo\""));
}

}  // namespace
}  // namespace aftercare
