// How the licensing-svc process is assembled: its settings, migrations and the
// objects it serves. Used by licensing_main.cc and by the tests that start the
// service in-process.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_SPEC_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_SPEC_H_

#include <vector>

#include "common/db/migrations.h"
#include "common/service_runtime.h"
#include "licensing-svc/rma_directory.h"

namespace aftercare::licensing {

// The SQL migrations of this service (generated from migrations/).
const std::vector<db::MigrationFile>& Migrations();

ServiceSpec Spec();

// The same service with `rmas` (owned by the caller, outliving the service)
// instead of rma-svc over gRPC; for tests.
ServiceSpec SpecWithRmaDirectory(RmaDirectory* rmas);

}  // namespace aftercare::licensing

#endif
