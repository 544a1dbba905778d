// How the rma-svc process is assembled: its settings, migrations and the
// objects it serves. Used by rma_main.cc and by the tests that start the
// service in-process.
#ifndef AFTERCARE_RMA_SVC_RMA_SPEC_H_
#define AFTERCARE_RMA_SVC_RMA_SPEC_H_

#include <vector>

#include "common/db/migrations.h"
#include "common/service_runtime.h"

namespace aftercare::rma {

// The SQL migrations of this service (generated from migrations/).
const std::vector<db::MigrationFile>& Migrations();

ServiceSpec Spec();

}  // namespace aftercare::rma

#endif
