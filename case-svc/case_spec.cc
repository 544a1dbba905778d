#include "case-svc/case_spec.h"

namespace aftercare::cases {
namespace {

class CasesInstance : public ServiceInstance {
 public:
  std::vector<grpc::Service*> services() override { return {}; }
};

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "cases";
  spec.default_grpc_port = 50052;
  spec.default_metrics_port = 9102;
  spec.migrations = &Migrations;
  spec.build = [](ServiceContext&) -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return std::make_unique<CasesInstance>();
  };
  return spec;
}

}  // namespace aftercare::cases
