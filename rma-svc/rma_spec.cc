#include "rma-svc/rma_spec.h"

namespace aftercare::rma {
namespace {

class RmaInstance : public ServiceInstance {
 public:
  std::vector<grpc::Service*> services() override { return {}; }
};

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "rma";
  spec.default_grpc_port = 50053;
  spec.default_metrics_port = 9103;
  spec.migrations = &Migrations;
  spec.build = [](ServiceContext&) -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return std::make_unique<RmaInstance>();
  };
  return spec;
}

}  // namespace aftercare::rma
