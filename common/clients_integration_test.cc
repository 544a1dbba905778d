// Outgoing calls between services: the context they carry (deadline, service
// token, request id, trace), the token's renewal, retries of UNAVAILABLE
// attempts, client metrics, and TLS / mutual TLS.
#include "common/clients.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/server_builder.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "aftercare/testing/v1/echo.grpc.pb.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth.h"
#include "common/server.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "common/logging.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/text_serializer.h"
#include "tests/harness/echo_service.h"
#include "tests/harness/test_service.h"

namespace aftercare {
namespace {

using ::aftercare::testing::EchoSpec;
using ::aftercare::testing::TestService;
using ::aftercare::testing::v1::EchoRequest;
using ::aftercare::testing::v1::EchoResponse;
using ::aftercare::testing::v1::EchoService;
using ::testing::HasSubstr;

ClientOptions DevOptions() {
  ClientOptions o;
  o.service_name = "caller";
  o.hs256_secret = aftercare::testing::kTestJwtSecret;
  o.issuer = "aftercare-dev";
  o.audience = "aftercare";
  return o;
}

TEST(ClientFactoryTest, CallsCarryTheServiceTokenRequestIdTraceAndAreCounted) {
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"log_level", "info"}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  auto registry = std::make_shared<prometheus::Registry>();
  FakeClock clock(absl::Now());
  ClientFactory clients(DevOptions(), registry, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(svc->address()));
  auto stub = EchoService::NewStub(channel);

  CallInfo parent;
  parent.request_id = "parent-request-7";
  parent.trace = TraceContext::NewSpan(std::nullopt);
  ASSERT_OK_AND_ASSIGN(auto ctx, clients.NewContext(&parent, absl::Seconds(5)));
  EchoRequest req;
  req.set_message("ping");
  req.set_require_auth(true);
  EchoResponse resp;
  FlushLogs();  // earlier lines out of the capture
  ::testing::internal::CaptureStderr();
  grpc::Status s = stub->Echo(ctx.get(), req, &resp);
  FlushLogs();
  const std::string logs = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.caller_subject(), "svc:caller");
  EXPECT_EQ(resp.request_id(), "parent-request-7");
  // The callee's line continues the trace as a child of the calling span.
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(logs, '\n', absl::SkipEmpty())) {
    if (!absl::StrContains(line, "parent-request-7")) continue;
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_EQ(j.value("trace_id", ""), parent.trace.trace_id) << line;
    EXPECT_EQ(j.value("parent_span_id", ""), parent.trace.span_id) << line;
    EXPECT_NE(j.value("span_id", ""), parent.trace.span_id) << line;
    ++lines;
  }
  EXPECT_EQ(lines, 1) << logs;

  std::string text = prometheus::TextSerializer().Serialize(registry->Collect());
  EXPECT_THAT(text, HasSubstr("grpc_client_handled_total{grpc_code=\"OK\",grpc_method=\"Echo\","
                              "grpc_service=\"aftercare.testing.v1.EchoService\",grpc_type=\"unary\"} 1"));
  EXPECT_THAT(text, HasSubstr("grpc_client_started_total{"));
  EXPECT_THAT(text, HasSubstr("grpc_client_handling_seconds_bucket{"));
}

TEST(ClientFactoryTest, CallsHaveADeadline) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  FakeClock clock(absl::Now());
  ClientFactory clients(DevOptions(), nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(svc->address()));
  auto stub = EchoService::NewStub(channel);
  ASSERT_OK_AND_ASSIGN(auto ctx, clients.NewBackgroundContext("bg-1", absl::Milliseconds(200)));
  EchoRequest req;
  req.set_delay_ms(1500);  // slower than the deadline
  EchoResponse resp;
  absl::Time start = absl::Now();
  grpc::Status s = stub->Echo(ctx.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(ClientFactoryTest, WithoutCredentialsThereIsNoToken) {
  FakeClock clock(absl::Now());
  ClientOptions o;
  o.service_name = "caller";
  ClientFactory clients(o, nullptr, &clock);
  EXPECT_THAT(clients.ServiceToken(), aftercare::testing::StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Issue 15: a service that minted its token while the clock was moved
// forward must not keep sending it ("issued in the future") once the clock
// is back.
TEST(ClientFactoryTest, AClockMovedBackGetsAFreshlyMintedToken) {
  const absl::Time now = absl::Now();
  FakeClock clock(now + absl::Hours(480));  // the test clock of a demo, 20 days ahead
  ClientFactory clients(DevOptions(), nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(std::string ahead, clients.ServiceToken());
  clock.Set(now);
  ASSERT_OK_AND_ASSIGN(std::string back, clients.ServiceToken());
  EXPECT_NE(back, ahead);
  JwtVerifierOptions o;
  o.hs256_secret = aftercare::testing::kTestJwtSecret;
  o.issuer = "aftercare-dev";
  o.audience = "aftercare";
  ASSERT_OK_AND_ASSIGN(auto verifier, JwtVerifier::Create(o));
  EXPECT_FALSE(verifier->Verify(ahead, now).ok());  // what the old cache kept sending
  ASSERT_OK_AND_ASSIGN(Principal p, verifier->Verify(back, now));
  EXPECT_EQ(p.subject, "svc:caller");
}

// A receiver that answers UNAUTHENTICATED (the issuer rotated the token in
// the file) gets the new token on the next call, not after the cache's
// minute.
TEST(ClientFactoryTest, ATokenTheReceiverRejectsIsReadAgain) {
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec()));
  const std::string file = ::testing::TempDir() + "/svc-token-" + std::to_string(getpid());
  auto write = [&](const std::string& token) {
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(token.c_str(), f);
    std::fclose(f);
  };
  write("not-a-valid-token");
  FakeClock clock(absl::Now());
  ClientOptions o;
  o.service_name = "caller";
  o.service_token_file = file;
  ClientFactory clients(o, nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(svc->address()));
  auto stub = EchoService::NewStub(channel);
  auto call = [&] {
    auto ctx = clients.NewBackgroundContext("token-rotation", absl::Seconds(5));
    EXPECT_TRUE(ctx.ok());
    EchoRequest req;
    req.set_require_auth(true);
    EchoResponse resp;
    return stub->Echo(ctx->get(), req, &resp);
  };
  EXPECT_EQ(call().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  write(svc->Token(Role::kService, "svc:caller"));
  grpc::Status s = call();  // same clock: the cached token would still be used
  EXPECT_TRUE(s.ok()) << s.error_message();
  std::remove(file.c_str());
}

// An EchoService that answers UNAVAILABLE to its first `failures` calls (a
// dependency restarting) or INVALID_ARGUMENT to every call.
class FlakyEcho : public EchoService::CallbackService {
 public:
  FlakyEcho(int failures, grpc::StatusCode code) : failures_(failures), code_(code) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const EchoRequest* req,
                                 EchoResponse* resp) override {
    auto* reactor = ctx->DefaultReactor();
    if (attempts_.fetch_add(1) < failures_) {
      reactor->Finish(grpc::Status(code_, "not now"));
    } else {
      resp->set_message(req->message());
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }
  int attempts() const { return attempts_.load(); }

 private:
  const int failures_;
  const grpc::StatusCode code_;
  std::atomic<int> attempts_{0};
};

struct FlakyServer {
  explicit FlakyServer(int failures, grpc::StatusCode code) : echo(failures, code) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&echo);
    server = builder.BuildAndStart();
  }
  ~FlakyServer() { server->Shutdown(); }
  FlakyEcho echo;
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

TEST(ClientFactoryTest, UnavailableAttemptsAreRetriedWithinTheDeadline) {
  FlakyServer flaky(2, grpc::StatusCode::UNAVAILABLE);
  FakeClock clock(absl::Now());
  ClientFactory clients(DevOptions(), nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(absl::StrCat("127.0.0.1:", flaky.port)));
  auto stub = EchoService::NewStub(channel);
  ASSERT_OK_AND_ASSIGN(auto ctx, clients.NewBackgroundContext("retry-1", absl::Seconds(10)));
  EchoRequest req;
  req.set_message("again");
  EchoResponse resp;
  grpc::Status s = stub->Echo(ctx.get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.message(), "again");
  EXPECT_EQ(flaky.echo.attempts(), 3);
}

TEST(ClientFactoryTest, OtherErrorsAreNotRetried) {
  FlakyServer flaky(100, grpc::StatusCode::INVALID_ARGUMENT);
  FakeClock clock(absl::Now());
  ClientFactory clients(DevOptions(), nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(absl::StrCat("127.0.0.1:", flaky.port)));
  auto stub = EchoService::NewStub(channel);
  ASSERT_OK_AND_ASSIGN(auto ctx, clients.NewBackgroundContext("retry-2", absl::Seconds(10)));
  EchoRequest req;
  EchoResponse resp;
  EXPECT_EQ(stub->Echo(ctx.get(), req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(flaky.echo.attempts(), 1);
}

// Certificates made with the openssl command for this test only.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(::testing::TempDir() + "/aftercare-tls-" + std::to_string(getpid()));
    std::string script = absl::StrCat(
        "set -e; mkdir -p ", *dir_, "; cd ", *dir_, ";",
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key",
        " -out ca.pem -subj /CN=aftercare-test-ca -days 2 2>/dev/null;",
        "for n in server client; do",
        " openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $n.key",
        "  -out $n.csr -subj /CN=$n 2>/dev/null;",
        " echo subjectAltName=DNS:localhost,IP:127.0.0.1 > $n.ext;",
        " openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem",
        "  -days 2 -extfile $n.ext 2>/dev/null;",
        "done");
    const std::string file = *dir_ + ".sh";
    FILE* f = std::fopen(file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(script.c_str(), f);
    std::fclose(f);
    ASSERT_EQ(std::system(absl::StrCat("bash ", file).c_str()), 0);
  }
  static std::string Path(const std::string& name) { return *dir_ + "/" + name; }
  static std::string* dir_;
};
std::string* TlsTest::dir_ = nullptr;

grpc::Status CallEcho(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = EchoService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  EchoRequest req;
  req.set_message("secure");
  EchoResponse resp;
  return stub->Echo(&ctx, req, &resp);
}

TEST_F(TlsTest, MutualTlsAdmitsOnlyClientsWithACertificateFromTheCa) {
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"tls_cert_file", Path("server.pem")},
                   {"tls_key_file", Path("server.key")},
                   {"tls_ca_file", Path("ca.pem")}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  const std::string target = absl::StrCat("localhost:", svc->runtime().grpc_port());

  // Through the suite's own client factory, with our certificate: accepted.
  FakeClock clock(absl::Now());
  ClientOptions o = DevOptions();
  o.ca_file = Path("ca.pem");
  o.cert_file = Path("client.pem");
  o.key_file = Path("client.key");
  ClientFactory clients(o, nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(target));
  grpc::Status ok = CallEcho(channel);
  EXPECT_TRUE(ok.ok()) << ok.error_message();

  // TLS without a client certificate: refused.
  grpc::SslCredentialsOptions no_cert;
  no_cert.pem_root_certs = *ReadFileToString(Path("ca.pem"));
  EXPECT_FALSE(CallEcho(grpc::CreateChannel(target, grpc::SslCredentials(no_cert))).ok());
  // Plaintext: refused.
  EXPECT_FALSE(CallEcho(grpc::CreateChannel(target, grpc::InsecureChannelCredentials())).ok());
}

TEST_F(TlsTest, ServerTlsWithoutClientCa) {
  aftercare::testing::TestServiceOptions options;
  options.flags = {{"tls_cert_file", Path("server.pem")}, {"tls_key_file", Path("server.key")}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  const std::string target = absl::StrCat("localhost:", svc->runtime().grpc_port());
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = *ReadFileToString(Path("ca.pem"));
  grpc::Status s = CallEcho(grpc::CreateChannel(target, grpc::SslCredentials(tls)));
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace aftercare
