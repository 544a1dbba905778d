// The domain counters are exported at 0 before the first event, with every
// label value they can take, so alerts and rate() see the first one.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/licensing_grpc.h"
#include "prometheus/registry.h"

namespace aftercare::licensing {
namespace {

using ::testing::IsSupersetOf;

// family name -> its series, each as "label=value" ("" without labels).
std::map<std::string, std::set<std::string>> Series(prometheus::Registry& registry) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& family : registry.Collect()) {
    for (const auto& metric : family.metric) {
      EXPECT_EQ(metric.counter.value, 0) << family.name;
      std::string series;
      for (const auto& label : metric.label) series += label.name + "=" + label.value;
      out[family.name].insert(series);
    }
  }
  return out;
}

TEST(LicensingMetricsTest, EverySeriesExistsAtZeroBeforeTheFirstEvent) {
  auto registry = std::make_shared<prometheus::Registry>();
  LicensingMetrics metrics(registry.get());
  auto series = Series(*registry);
  EXPECT_THAT(series["aftercare_licensing_purchases_total"],
              IsSupersetOf({"kind=ENTITLEMENT_KIND_ACTIVATION_CODE"}));
  EXPECT_EQ(series["aftercare_licensing_activations_total"],
            (std::set<std::string>{"result=activated", "result=already_activated"}));
  EXPECT_EQ(series["aftercare_licensing_renewals_total"], (std::set<std::string>{""}));
  EXPECT_THAT(series["aftercare_licensing_key_refreshes_total"],
              IsSupersetOf({"refresh=KEY_REFRESH_RENEWED"}));
  EXPECT_EQ(series["aftercare_licensing_rma_transfers_total"],
            (std::set<std::string>{"result=existing", "result=transferred"}));
  EXPECT_FALSE(series["aftercare_licensing_key_verifications_total"].empty());
  EXPECT_FALSE(series["aftercare_licensing_revocations_total"].empty());
  for (const auto& [name, values] : series) {
    for (const std::string& v : values) {
      EXPECT_EQ(v.find("UNSPECIFIED"), std::string::npos) << name << " " << v;
    }
  }
}

}  // namespace
}  // namespace aftercare::licensing
