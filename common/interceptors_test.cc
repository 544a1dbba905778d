#include "common/interceptors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
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

}  // namespace
}  // namespace aftercare
