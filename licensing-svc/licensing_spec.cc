#include "licensing-svc/licensing_spec.h"

namespace aftercare::licensing {
namespace {

class LicensingInstance : public ServiceInstance {
 public:
  std::vector<grpc::Service*> services() override { return {}; }
};

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "licensing";
  spec.default_grpc_port = 50054;
  spec.default_metrics_port = 9104;
  spec.migrations = &Migrations;
  spec.build = [](ServiceContext&) -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return std::make_unique<LicensingInstance>();
  };
  return spec;
}

}  // namespace aftercare::licensing
