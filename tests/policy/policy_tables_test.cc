// The four services' authorization policy tables: complete against the
// generated descriptors (a service with a missing entry does not start), and
// shown in docs/<svc>-svc.md exactly as generated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>

#include <fstream>
#include <sstream>

#include "common/service_runtime.h"
#include "tests/harness/source_dir.h"
#include "tests/policy/policy_docs.h"

namespace aftercare {
namespace {

using ::testing::HasSubstr;

TEST(PolicyTablesTest, EveryRpcOfEveryServiceHasExactlyOnePolicy) {
  for (const auto& s : policy_docs::Services()) {
    ServiceSpec spec = s.spec();
    EXPECT_TRUE(CheckPolicies(spec).ok()) << s.name << ": " << CheckPolicies(spec);
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(s.policy->service());
    ASSERT_NE(service, nullptr) << s.name;
    EXPECT_EQ(static_cast<size_t>(service->method_count()), s.policy->methods().size()) << s.name;
  }
}

TEST(PolicyTablesTest, AServiceWithAnRpcWithoutPolicyDoesNotStart) {
  for (const auto& s : policy_docs::Services()) {
    ServiceSpec spec = s.spec();
    std::vector<MethodPolicy> methods = s.policy->methods();
    const std::string dropped = methods.back().method;
    methods.pop_back();
    ServicePolicy incomplete(s.policy->service(), methods);
    spec.policies = {&incomplete};
    Config config;
    DefineCommonFlags(config, spec);
    absl::StatusOr<std::unique_ptr<ServiceRuntime>> rt = ServiceRuntime::Create(spec, config);
    ASSERT_FALSE(rt.ok()) << s.name;
    EXPECT_EQ(rt.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(rt.status().message()),
                HasSubstr(dropped + " has no authorization policy"));
    spec.policies = {};
    rt = ServiceRuntime::Create(spec, config);
    ASSERT_FALSE(rt.ok()) << s.name;
    EXPECT_THAT(std::string(rt.status().message()), HasSubstr("has no authorization policy table"));
  }
}

TEST(PolicyTablesTest, DocsCarryTheGeneratedTables) {
  for (const auto& s : policy_docs::Services()) {
    const std::string path = aftercare::testing::SourceDir() + "/docs/" + s.name + "-svc.md";
    std::ifstream in(path);
    ASSERT_TRUE(in.good()) << path;
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<std::string> expected = policy_docs::WithTable(text.str(), *s.policy);
    ASSERT_TRUE(expected.ok()) << path << ": " << expected.status();
    EXPECT_EQ(text.str(), *expected)
        << path << " does not show the policy table the server enforces; run "
        << "build/tests/aftercare-policy-docs --write .";
  }
}

TEST(PolicyTablesTest, NotificationsDocCarriesTheNotificationServiceTable) {
  const std::string path = aftercare::testing::SourceDir() + "/docs/NOTIFICATIONS.md";
  std::ifstream in(path);
  ASSERT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::string> expected = policy_docs::WithTable(text.str(), NotificationPolicy());
  ASSERT_TRUE(expected.ok()) << path << ": " << expected.status();
  EXPECT_EQ(text.str(), *expected) << path << " does not show the policy table the server enforces; run "
                                   << "build/tests/aftercare-policy-docs --write .";
  EXPECT_TRUE(NotificationPolicy().CheckComplete().ok()) << NotificationPolicy().CheckComplete();
}

TEST(PolicyTablesTest, ServicesThatNotifyServeNotificationServiceUnderItsPolicy) {
  for (const auto& s : policy_docs::Services()) {
    const ServiceSpec spec = WithCommonServices(s.spec());
    const bool serves = std::find(spec.health_names.begin(), spec.health_names.end(),
                                  NotificationPolicy().service()) != spec.health_names.end();
    EXPECT_EQ(serves, s.name != "inventory") << s.name;
    EXPECT_TRUE(CheckPolicies(spec).ok()) << s.name << ": " << CheckPolicies(spec);
  }
}

}  // namespace
}  // namespace aftercare
