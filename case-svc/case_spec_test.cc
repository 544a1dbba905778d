#include "case-svc/case_spec.h"

#include <gtest/gtest.h>

namespace aftercare::cases {
namespace {

// One name in logs, metrics, manifests and docs; the database and the
// migration set keep the historical "cases".
TEST(CaseSpecTest, TheServiceIsCalledCaseSvc) {
  const ServiceSpec spec = Spec();
  EXPECT_EQ(ServiceName(spec), "case-svc");
  EXPECT_EQ(spec.name, "cases");
}

}  // namespace
}  // namespace aftercare::cases
