// How the case-svc process is assembled: its settings, migrations and the
// objects it serves. Used by case_main.cc and by the tests that start the
// service in-process.
#ifndef AFTERCARE_CASE_SVC_CASE_SPEC_H_
#define AFTERCARE_CASE_SVC_CASE_SPEC_H_

#include <vector>

#include "common/db/migrations.h"
#include "common/service_runtime.h"

namespace aftercare::cases {

// The SQL migrations of this service (generated from migrations/).
const std::vector<db::MigrationFile>& Migrations();

ServiceSpec Spec();

}  // namespace aftercare::cases

#endif
