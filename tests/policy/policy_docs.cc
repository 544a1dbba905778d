#include "tests/policy/policy_docs.h"

#include "case-svc/case_policy.h"
#include "case-svc/case_spec.h"
#include "inventory-svc/inventory_policy.h"
#include "inventory-svc/inventory_spec.h"
#include "licensing-svc/licensing_policy.h"
#include "licensing-svc/licensing_spec.h"
#include "rma-svc/rma_policy.h"
#include "rma-svc/rma_spec.h"

namespace aftercare::policy_docs {

const std::vector<ServiceEntry>& Services() {
  static const std::vector<ServiceEntry> services = {
      {"inventory", &inventory::InventoryPolicy(), &inventory::Spec},
      {"case", &cases::CasePolicy(), &cases::Spec},
      {"rma", &rma::RmaPolicy(), &rma::Spec},
      {"licensing", &licensing::LicensingPolicy(), &licensing::Spec},
  };
  return services;
}

absl::StatusOr<std::string> WithTable(const std::string& doc, const ServicePolicy& policy) {
  const size_t begin = doc.find(kBegin);
  const size_t end = doc.find(kEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return absl::FailedPreconditionError(
        std::string("the policy markers are missing: ") + kBegin + " ... " + kEnd);
  }
  const size_t body = begin + std::string(kBegin).size();
  return doc.substr(0, body) + "\n\n" + policy.Markdown() + "\n" + doc.substr(end);
}

}  // namespace aftercare::policy_docs
