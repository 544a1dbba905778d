// The four services' policy tables and the docs sections that show them.
#ifndef AFTERCARE_TESTS_POLICY_POLICY_DOCS_H_
#define AFTERCARE_TESTS_POLICY_POLICY_DOCS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/policy.h"
#include "common/service_runtime.h"

namespace aftercare::policy_docs {

struct ServiceEntry {
  std::string name;  // "inventory"
  const ServicePolicy* policy;
  ServiceSpec (*spec)();
};

const std::vector<ServiceEntry>& Services();

inline constexpr char kBegin[] =
    "<!-- policy:begin (generated from the policy table by aftercare-policy-docs; do not edit) -->";
inline constexpr char kEnd[] = "<!-- policy:end -->";

// `doc` with the text between kBegin and kEnd replaced by `policy`'s table;
// FAILED_PRECONDITION when the markers are missing.
absl::StatusOr<std::string> WithTable(const std::string& doc, const ServicePolicy& policy);

}  // namespace aftercare::policy_docs

#endif  // AFTERCARE_TESTS_POLICY_POLICY_DOCS_H_
