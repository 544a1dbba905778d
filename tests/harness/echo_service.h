// aftercare.testing.v1.EchoService: a trivial service on the common/
// bootstrap. The tests of common/ use it to exercise the server, the
// interceptors and the drain; the benchmarks use it as the baseline.
#ifndef AFTERCARE_TESTS_HARNESS_ECHO_SERVICE_H_
#define AFTERCARE_TESTS_HARNESS_ECHO_SERVICE_H_

#include "aftercare/testing/v1/echo.grpc.pb.h"
#include "common/executor.h"
#include "common/service_runtime.h"

namespace aftercare::testing {

class EchoService : public aftercare::testing::v1::EchoService::CallbackService {
 public:
  explicit EchoService(BoundedExecutor* executor) : executor_(executor) {}
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const aftercare::testing::v1::EchoRequest* request,
                                 aftercare::testing::v1::EchoResponse* response) override;

 private:
  BoundedExecutor* executor_;
};

// A ServiceSpec that serves EchoService ("echo", no migrations of its own).
ServiceSpec EchoSpec();

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_ECHO_SERVICE_H_
