// Runs aftercare-load as its options ask: the --self_check of the two request
// paths, the --walk_pages walk, then the load and its report.
#ifndef AFTERCARE_TESTS_LOAD_LOAD_RUNNER_H_
#define AFTERCARE_TESTS_LOAD_LOAD_RUNNER_H_

#include "tests/load/load_options.h"

namespace aftercare::load {

// The process's exit code: 0, or 1 when the walk or the self check failed.
int RunLoad(Options o);

}  // namespace aftercare::load

#endif  // AFTERCARE_TESTS_LOAD_LOAD_RUNNER_H_
