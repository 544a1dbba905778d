// Starts a service of the suite in-process, on port 0, against a fresh test
// database, with the same runtime as production (common/service_runtime.h),
// and hands out a channel and tokens to call it with.
//
//   ASSERT_OK_AND_ASSIGN(auto svc, TestService::Start(inventory::Spec()));
//   auto stub = InventoryService::NewStub(svc->channel());
//   grpc::ClientContext ctx;
//   svc->Authorize(ctx, svc->Token(Role::kAdmin));
#ifndef AFTERCARE_TESTS_HARNESS_TEST_SERVICE_H_
#define AFTERCARE_TESTS_HARNESS_TEST_SERVICE_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/service_runtime.h"
#include "tests/harness/test_database.h"

namespace aftercare::testing {

inline constexpr char kTestJwtSecret[] = "aftercare-test-secret-0123456789abcdef";

struct TestServiceOptions {
  const Clock* clock = nullptr;                   // default: the system clock
  std::map<std::string, std::string> flags;       // overrides, e.g. {"db_pool_size", "2"}
  const ServerAddress* server = nullptr;          // default: the shared test server
};

class TestService {
 public:
  static absl::StatusOr<std::unique_ptr<TestService>> Start(const ServiceSpec& spec,
                                                            TestServiceOptions options = {});
  ~TestService();

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::string address() const;
  ServiceRuntime& runtime() { return *runtime_; }
  TestDatabase& database() { return *db_; }

  // A token for a caller of `role`, valid for `ttl` from `issued_at` (pass
  // the FakeClock's time when the service runs on one, and a long ttl when
  // the test moves that clock forward).
  static std::string Token(Role role, const std::string& subject = "test-user",
                           std::vector<std::string> account_ids = {},
                           const std::string& partner_id = "", bool cpo_channel = false,
                           absl::Time issued_at = absl::Now(),
                           absl::Duration ttl = absl::Hours(1));
  // Adds the bearer token to a client context.
  static void Authorize(grpc::ClientContext& context, const std::string& token);

  // Stops the runtime (drain) without dropping the database.
  void Stop();

 private:
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ServiceRuntime> runtime_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Calls a unary method of `stub` as the bearer of `token`, with a 30 s deadline.
//
//   grpc::Status s = CallAs(stub.get(), &Stub::GetUnit, admin_token, req, &unit);
template <typename Stub, typename Req, typename Resp>
grpc::Status CallAs(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const std::string& token, const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  TestService::Authorize(ctx, token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return (stub->*method)(&ctx, req, resp);
}

// Builds the Config a test service runs with (exposed for tests that start a
// runtime themselves).
Config TestConfig(const ServiceSpec& spec, const TestDatabase& db,
                  const std::map<std::string, std::string>& flags);

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_TEST_SERVICE_H_
