// aftercare-load: a load generator for any unary RPC of the suite, built from
// the suite's protos (docs/BENCHMARKS.md). Requests are JSON templates turned
// into messages with the generated descriptors; calls go out through
// grpc::GenericStub's callback API, `--concurrency` in flight over
// `--connections` channels.
//
//   aftercare-load --target=127.0.0.1:50061 --token_file=admin.token
//     --call=aftercare.inventory.v1.InventoryService/GetUnit
//     --data='{"serialNumber":"BN{{rand:1000000:10}}"}'
//     --concurrency=64 --duration=20s --json_out=get_unit.json
//
// Run with --help for every option and the template placeholders. The parts:
// load_options.h (the command line), load_template.h (requests from
// templates), load_runner.h (the run and its report).
#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "aftercare/licensing/v1/licensing_service.grpc.pb.h"
#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "aftercare/testing/v1/echo.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "tests/load/load_options.h"
#include "tests/load/load_runner.h"

namespace {

// Links every generated file of the suite so that its descriptors are in the
// generated pool (static libraries drop unreferenced objects).
void RegisterDescriptors() {
  (void)aftercare::inventory::v1::GetUnitRequest::descriptor();
  (void)aftercare::cases::v1::CreateCaseRequest::descriptor();
  (void)aftercare::rma::v1::CreateRmaRequest::descriptor();
  (void)aftercare::licensing::v1::ActivateLicenseRequest::descriptor();
  (void)aftercare::testing::v1::EchoRequest::descriptor();
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
}

}  // namespace

int main(int argc, char** argv) {
  RegisterDescriptors();
  return aftercare::load::RunLoad(aftercare::load::ParseOptions(argc, argv));
}
