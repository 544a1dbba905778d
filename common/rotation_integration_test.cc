// Live rotation under a running service (issue 15): the issuer's token
// signing key and the TLS certificates of both ends are replaced while
// callers keep calling, and not one call fails.
//
//   - Token keys: --jwt_public_keys_file goes from {A} to {A, B} (rotation
//     announced), the callers switch to tokens signed by B, then the file
//     goes to {B}: A's tokens are refused from then on, B's never were.
//   - Certificates: the server's certificate (and the CA bundle it checks
//     clients with) and the client's certificate are swapped the way a
//     Secret volume swaps them (a symlinked folder replaced at once);
//     connections are recycled every second (--max_connection_age=1s), so
//     the callers' calls cross many new handshakes on both sides.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aftercare/testing/v1/echo.grpc.pb.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth.h"
#include "common/clients.h"
#include "common/key_files.h"
#include "common/sync.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/echo_service.h"
#include "tests/harness/test_certificates.h"
#include "tests/harness/test_service.h"

namespace aftercare {
namespace {

using ::aftercare::testing::EchoSpec;
using ::aftercare::testing::TestCertificates;
using ::aftercare::testing::TestService;
using ::aftercare::testing::v1::EchoRequest;
using ::aftercare::testing::v1::EchoResponse;
using ::aftercare::testing::v1::EchoService;

// Writes `content` to `path` through a rename, so a reader sees the old or
// the new file, never half of one.
void WriteAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::binary | std::ios::trunc) << content;
  ASSERT_EQ(std::rename(tmp.c_str(), path.c_str()), 0) << path;
}

// Points the symlink `link` at `target` at once (a new link renamed over
// the old one), as the kubelet does with a Secret volume's ..data.
void SwapLink(const std::string& link, const std::string& target) {
  const std::string tmp = link + ".new";
  std::remove(tmp.c_str());
  ASSERT_EQ(symlink(target.c_str(), tmp.c_str()), 0) << tmp;
  ASSERT_EQ(std::rename(tmp.c_str(), link.c_str()), 0) << link;
}

std::string Read(const std::string& path) {
  absl::StatusOr<std::string> content = ReadFileToString(path);
  EXPECT_TRUE(content.ok()) << content.status();
  return content.value_or("");
}

std::string PublicPemOf(const std::string& private_key_file) {
  const std::string pem = Read(private_key_file);
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  EXPECT_NE(key, nullptr);
  if (key == nullptr) return "";
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(out, key);
  char* data = nullptr;
  long len = BIO_get_mem_data(out, &data);
  std::string result(data, static_cast<size_t>(len));
  BIO_free(out);
  EVP_PKEY_free(key);
  return result;
}

// Callers that call Echo in a loop until stopped and count what failed.
class Callers {
 public:
  Callers(int threads, std::function<grpc::Status()> call) : call_(std::move(call)) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] {
        while (!stop_.load()) {
          grpc::Status s = call_();
          calls_.fetch_add(1);
          if (!s.ok()) {
            MutexLock lock(&mu_);
            if (failures_.size() < 10) {
              failures_.push_back(absl::StrCat(s.error_code(), ": ", s.error_message()));
            }
            ++failed_;
          }
        }
      });
    }
  }
  ~Callers() { Stop(); }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  int64_t calls() const { return calls_.load(); }
  int64_t failed() {
    MutexLock lock(&mu_);
    return failed_;
  }
  std::string failures() {
    MutexLock lock(&mu_);
    std::string all;
    for (const std::string& f : failures_) absl::StrAppend(&all, f, "\n");
    return all;
  }
  // Waits until `n` more calls were made (so each phase really has calls).
  void WaitForMoreCalls(int64_t n) {
    const int64_t target = calls() + n;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (calls() < target && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_GE(calls(), target);
  }

 private:
  std::function<grpc::Status()> call_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> calls_{0};
  Mutex mu_;
  int64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> failures_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// Polls `probe` until it answers true (false after 20 s).
bool Eventually(const std::function<bool()>& probe) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (probe()) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return false;
}

grpc::Status CallEcho(EchoService::Stub& stub, const std::string& token) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!token.empty()) TestService::Authorize(ctx, token);
  EchoRequest req;
  req.set_message("rotate");
  req.set_require_auth(!token.empty());
  EchoResponse resp;
  return stub.Echo(&ctx, req, &resp);
}

TEST(RotationTest, IssuerKeyRotationWithCallsInFlightFailsNoCall) {
  ASSERT_OK_AND_ASSIGN(auto pki, TestCertificates::Create());
  ASSERT_OK(pki->AddCa("issuer-a"));  // only their EC P-256 keys are used
  ASSERT_OK(pki->AddCa("issuer-b"));
  const std::string key_a = Read(pki->Key("issuer-a"));
  const std::string key_b = Read(pki->Key("issuer-b"));
  const std::string pub_a = PublicPemOf(pki->Key("issuer-a"));
  const std::string pub_b = PublicPemOf(pki->Key("issuer-b"));
  const std::string keys_file = pki->dir() + "/jwt-keys.pem";
  WriteAtomically(keys_file, pub_a);

  aftercare::testing::TestServiceOptions options;
  options.flags = {{"jwt_public_keys_file", keys_file}, {"jwt_keys_refresh_interval", "100ms"}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  auto stub = EchoService::NewStub(svc->channel());

  auto mint = [](const std::string& private_pem) {
    TokenClaims claims;
    claims.subject = "rotating-user";
    claims.role = Role::kCareAgent;
    claims.issuer = "aftercare-dev";
    claims.audience = "aftercare";
    absl::StatusOr<std::string> token = MintWithPrivateKey(claims, private_pem, absl::Now());
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  };
  const std::string token_a = mint(key_a);
  const std::string token_b = mint(key_b);
  ASSERT_TRUE(CallEcho(*stub, token_a).ok());
  ASSERT_EQ(CallEcho(*stub, token_b).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  Mutex mu;
  std::string current = token_a;
  Callers callers(4, [&] {
    std::string token;
    {
      MutexLock lock(&mu);
      token = current;
    }
    return CallEcho(*stub, token);
  });
  callers.WaitForMoreCalls(50);

  // Rotation announced: B is accepted beside A.
  WriteAtomically(keys_file, pub_a + pub_b);
  EXPECT_TRUE(Eventually([&] { return CallEcho(*stub, token_b).ok(); }));
  callers.WaitForMoreCalls(50);

  // The issuer signs with B from now on.
  {
    MutexLock lock(&mu);
    current = token_b;
  }
  callers.WaitForMoreCalls(50);

  // A retired: refused (cached or not), while B's callers go on.
  WriteAtomically(keys_file, pub_b);
  EXPECT_TRUE(Eventually([&] {
    return CallEcho(*stub, token_a).error_code() == grpc::StatusCode::UNAUTHENTICATED;
  }));
  callers.WaitForMoreCalls(50);
  callers.Stop();
  EXPECT_EQ(callers.failed(), 0) << callers.failures();
  EXPECT_GE(callers.calls(), 200);
}

TEST(RotationTest, RenewedCertificatesOnBothEndsWithCallsInFlightFailNoCall) {
  ASSERT_OK_AND_ASSIGN(auto pki, TestCertificates::Create());
  const std::string san = "DNS:localhost,IP:127.0.0.1";
  ASSERT_OK(pki->AddCa("ca1"));
  ASSERT_OK(pki->AddCa("ca2"));
  ASSERT_OK(pki->AddCertificate("server1", "ca1", "localhost", san));
  ASSERT_OK(pki->AddCertificate("server2", "ca2", "localhost", san));
  ASSERT_OK(pki->AddCertificate("client1", "ca1", "caller", "DNS:caller"));
  ASSERT_OK(pki->AddCertificate("client2", "ca2", "caller", "DNS:caller"));
  const std::string ca1 = Read(pki->Crt("ca1"));
  const std::string ca2 = Read(pki->Crt("ca2"));

  // Folders laid out like mounted Secrets: <dir>/current -> <dir>/vN.
  auto version = [&](const std::string& dir, const std::string& name, const std::string& crt,
                     const std::string& key, const std::string& ca) {
    const std::string v = absl::StrCat(pki->dir(), "/", dir, "-", name);
    EXPECT_EQ(system(absl::StrCat("mkdir -p ", v).c_str()), 0);
    WriteAtomically(v + "/tls.crt", Read(crt));
    WriteAtomically(v + "/tls.key", Read(key));
    WriteAtomically(v + "/ca.crt", ca);
    return v;
  };
  const std::string server_v1 =
      version("server", "v1", pki->Crt("server1"), pki->Key("server1"), ca1);
  const std::string server_v2 =
      version("server", "v2", pki->Crt("server2"), pki->Key("server2"), ca1 + ca2);
  const std::string server_v3 =
      version("server", "v3", pki->Crt("server2"), pki->Key("server2"), ca2);
  const std::string client_v1 =
      version("client", "v1", pki->Crt("client1"), pki->Key("client1"), ca1 + ca2);
  const std::string client_v2 =
      version("client", "v2", pki->Crt("client2"), pki->Key("client2"), ca1 + ca2);
  const std::string server_dir = pki->dir() + "/server";
  const std::string client_dir = pki->dir() + "/client";
  SwapLink(server_dir, server_v1);
  SwapLink(client_dir, client_v1);

  aftercare::testing::TestServiceOptions options;
  options.flags = {{"tls_cert_file", server_dir + "/tls.crt"},
                   {"tls_key_file", server_dir + "/tls.key"},
                   {"tls_ca_file", server_dir + "/ca.crt"},
                   {"tls_refresh_interval", "1s"},
                   {"max_connection_age", "1s"}};
  ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(EchoSpec(), options));
  const std::string target = absl::StrCat("localhost:", svc->runtime().grpc_port());

  // The suite's own client, on the rotating client folder.
  ClientOptions client;
  client.service_name = "caller";
  client.hs256_secret = aftercare::testing::kTestJwtSecret;
  client.ca_file = client_dir + "/ca.crt";
  client.cert_file = client_dir + "/tls.crt";
  client.key_file = client_dir + "/tls.key";
  client.tls_refresh = absl::Seconds(1);
  FakeClock clock(absl::Now());
  ClientFactory clients(client, nullptr, &clock);
  ASSERT_OK_AND_ASSIGN(auto channel, clients.Channel(target));
  auto stub = EchoService::NewStub(channel);

  // A fresh connection with fixed credentials: which CA the server's
  // certificate chains to, and which client certificates it admits.
  auto fresh_call = [&](const std::string& roots, const std::string& client_name) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = roots;
    ssl.pem_cert_chain = Read(pki->Crt(client_name));
    ssl.pem_private_key = Read(pki->Key(client_name));
    grpc::ChannelArguments args;
    args.SetInt("aftercare.fresh", static_cast<int>(absl::ToUnixMicros(absl::Now()) % 1000000));
    auto fresh = EchoService::NewStub(
        grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl), args));
    return CallEcho(*fresh, "");
  };
  ASSERT_TRUE(fresh_call(ca1, "client1").ok());
  ASSERT_FALSE(fresh_call(ca2, "client1").ok());  // served by ca1's certificate for now

  Callers callers(3, [&] { return CallEcho(*stub, ""); });
  callers.WaitForMoreCalls(50);

  // 1. The server's certificate renewed under another CA; clients of both
  //    CAs admitted during the change.
  SwapLink(server_dir, server_v2);
  EXPECT_TRUE(Eventually([&] { return fresh_call(ca2, "client2").ok(); }));
  EXPECT_FALSE(fresh_call(ca1, "client1").ok());  // no longer ca1's certificate
  callers.WaitForMoreCalls(50);

  // 2. The client's certificate renewed under the new CA.
  SwapLink(client_dir, client_v2);
  absl::SleepFor(absl::Seconds(3));  // the client re-reads it, connections recycle
  callers.WaitForMoreCalls(50);

  // 3. The server admits only the new CA's clients: the old client
  //    certificate is refused, the suite's client (now on client2) goes on
  //    through several more reconnections.
  SwapLink(server_dir, server_v3);
  EXPECT_TRUE(Eventually([&] { return !fresh_call(ca2, "client1").ok(); }));
  EXPECT_TRUE(fresh_call(ca2, "client2").ok());
  absl::SleepFor(absl::Seconds(3));
  callers.WaitForMoreCalls(50);
  callers.Stop();
  EXPECT_EQ(callers.failed(), 0) << callers.failures();
}

}  // namespace
}  // namespace aftercare
