// Reads one series of a prometheus-cpp registry in tests.
//
//   EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", "schema"}}), 1);
#ifndef AFTERCARE_COMMON_TESTING_METRICS_H_
#define AFTERCARE_COMMON_TESTING_METRICS_H_

#include <map>
#include <optional>
#include <string>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace aftercare::testing {

// The value of the series `name` whose labels are exactly `labels` (a
// counter's or gauge's value, a histogram's sample count), or nullopt when
// the registry does not export it.
inline std::optional<double> MetricValue(prometheus::Collectable& registry, const std::string& name,
                                         const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      switch (family.type) {
        case prometheus::MetricType::Counter: return m.counter.value;
        case prometheus::MetricType::Gauge: return m.gauge.value;
        case prometheus::MetricType::Untyped: return m.untyped.value;
        case prometheus::MetricType::Histogram:
          return static_cast<double>(m.histogram.sample_count);
        default: return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_METRICS_H_
