#include "inventory-svc/inventory_spec.h"

namespace aftercare::inventory {
namespace {

class InventoryInstance : public ServiceInstance {
 public:
  std::vector<grpc::Service*> services() override { return {}; }
};

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "inventory";
  spec.default_grpc_port = 50051;
  spec.default_metrics_port = 9101;
  spec.migrations = &Migrations;
  spec.build = [](ServiceContext&) -> absl::StatusOr<std::unique_ptr<ServiceInstance>> {
    return std::make_unique<InventoryInstance>();
  };
  return spec;
}

}  // namespace aftercare::inventory
