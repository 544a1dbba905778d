// aftercare-echo-server: aftercare.testing.v1.EchoService on the same common/
// bootstrap, interceptors and flags as the four services (database, metrics,
// auth). scripts/bench measures it as the trivial-RPC baseline.
#include "common/service_runtime.h"
#include "tests/harness/echo_service.h"

int main(int argc, char** argv) { return aftercare::RunServiceMain(aftercare::testing::EchoSpec(), argc, argv); }
