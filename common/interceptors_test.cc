#include "common/interceptors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "aftercare/testing/v1/echo.pb.h"
#include "common/testing/metrics.h"
#include "grpc/health/v1/health.pb.h"
#include "prometheus/registry.h"

namespace aftercare {
namespace {

using Type = grpc::experimental::ServerRpcInfo::Type;

// The labels of every grpc_server_started_total series in `registry`.
std::set<std::string> StartedSeries(prometheus::Registry& registry) {
  std::set<std::string> out;
  for (const auto& family : registry.Collect()) {
    if (family.name != "grpc_server_started_total") continue;
    for (const auto& m : family.metric) {
      std::string key;
      for (const auto& l : m.label) absl::StrAppend(&key, l.name, "=", l.value, ";");
      out.insert(key);
    }
  }
  return out;
}

TEST(ServerInterceptorFactoryTest, OneSeriesPerMethodLookedUpOnce) {
  auto registry = std::make_shared<prometheus::Registry>();
  ServerInterceptorFactory factory(registry, nullptr, nullptr);
  MethodMetrics* a = factory.ForMethod("/aftercare.inventory.v1.InventoryService/GetUnit", Type::UNARY);
  MethodMetrics* b = factory.ForMethod("/aftercare.inventory.v1.InventoryService/GetUnit", Type::UNARY);
  MethodMetrics* c = factory.ForMethod("/aftercare.inventory.v1.InventoryService/ListUnits", Type::UNARY);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a->labels.at("grpc_service"), "aftercare.inventory.v1.InventoryService");
  EXPECT_EQ(a->labels.at("grpc_method"), "GetUnit");
  a->started.Increment();
  a->Handled(grpc::StatusCode::NOT_FOUND).Increment();
  EXPECT_EQ(&a->Handled(grpc::StatusCode::NOT_FOUND), &b->Handled(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(a->Handled(grpc::StatusCode::NOT_FOUND).Value(), 1);
  EXPECT_EQ(a->Handled(grpc::StatusCode::OK).Value(), 0);
}

TEST(ServerInterceptorFactoryTest, ClientChosenMethodNamesCannotGrowTheRegistry) {
  auto registry = std::make_shared<prometheus::Registry>();
  ServerInterceptorFactory factory(registry, nullptr, nullptr);
  for (size_t i = 0; i < ServerInterceptorFactory::kMaxMethods + 300; ++i) {
    factory.ForMethod(absl::StrCat("/x.Y/M", i), Type::UNARY)->started.Increment();
  }
  const std::set<std::string> series = StartedSeries(*registry);
  EXPECT_EQ(series.size(), ServerInterceptorFactory::kMaxMethods + 1);
  EXPECT_EQ(series.count("grpc_method=unknown;grpc_service=unknown;grpc_type=unary;"), 1u);
}

TEST(ServerInterceptorFactoryTest, InitializeServiceExportsEveryMethodBeforeItsFirstCall) {
  using ::aftercare::testing::MetricValue;
  auto registry = std::make_shared<prometheus::Registry>();
  ServerInterceptorFactory factory(registry, nullptr, nullptr);
  factory.InitializeService(
      *::aftercare::testing::v1::EchoRequest::descriptor()->file()->FindServiceByName("EchoService"));
  factory.InitializeService(
      *grpc::health::v1::HealthCheckRequest::descriptor()->file()->FindServiceByName("Health"));
  const std::map<std::string, std::string> echo = {
      {"grpc_type", "unary"},
      {"grpc_service", "aftercare.testing.v1.EchoService"},
      {"grpc_method", "Echo"}};
  auto with_ok = echo;
  with_ok["grpc_code"] = "OK";
  EXPECT_EQ(MetricValue(*registry, "grpc_server_started_total", echo), 0);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handled_total", with_ok), 0);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_handling_seconds", echo), 0);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_msg_received_total", echo), 0);
  EXPECT_EQ(MetricValue(*registry, "grpc_server_msg_sent_total", echo), 0);
  // Watch streams: its type comes from the descriptor.
  EXPECT_EQ(MetricValue(*registry, "grpc_server_started_total",
                        {{"grpc_type", "server_stream"},
                         {"grpc_service", "grpc.health.v1.Health"},
                         {"grpc_method", "Watch"}}),
            0);
  // The first call uses the same series.
  factory.ForMethod("/aftercare.testing.v1.EchoService/Echo", Type::UNARY)->started.Increment();
  EXPECT_EQ(MetricValue(*registry, "grpc_server_started_total", echo), 1);
  EXPECT_EQ(StartedSeries(*registry).size(), 3u);  // Echo, Check, Watch
}

TEST(RpcLogLevelTest, ProbesAndReflectionAtDebugUnlessTheyFail) {
  using grpc::StatusCode;
  EXPECT_EQ(RpcLogLevel("/grpc.health.v1.Health/Check", StatusCode::OK), LogLevel::kDebug);
  EXPECT_EQ(RpcLogLevel("/grpc.health.v1.Health/Watch", StatusCode::OK), LogLevel::kDebug);
  EXPECT_EQ(RpcLogLevel("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                        StatusCode::OK),
            LogLevel::kDebug);
  EXPECT_EQ(RpcLogLevel("/grpc.health.v1.Health/Check", StatusCode::NOT_FOUND), LogLevel::kWarning);
  EXPECT_EQ(RpcLogLevel("/grpc.health.v1.Health/Check", StatusCode::INTERNAL), LogLevel::kError);
  EXPECT_EQ(RpcLogLevel("/aftercare.testing.v1.EchoService/Echo", StatusCode::OK), LogLevel::kInfo);
  EXPECT_EQ(RpcLogLevel("/aftercare.testing.v1.EchoService/Echo", StatusCode::NOT_FOUND),
            LogLevel::kInfo);
  EXPECT_EQ(RpcLogLevel("/aftercare.testing.v1.EchoService/Echo", StatusCode::UNKNOWN),
            LogLevel::kError);
  // Only the real prefixes: a service merely named like them is traffic.
  EXPECT_EQ(RpcLogLevel("/grpc.healthy.Svc/Check", StatusCode::OK), LogLevel::kInfo);
}

}  // namespace
}  // namespace aftercare
