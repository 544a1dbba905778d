// The source tree the tests were built from (scripts/db, the docs, the npm
// tooling). Compiled into one file only (source_dir.cc), so that no other
// object's compile command names the checkout it came from and a compiler
// cache can share objects between clones (scripts/build).
#ifndef AFTERCARE_TESTS_HARNESS_SOURCE_DIR_H_
#define AFTERCARE_TESTS_HARNESS_SOURCE_DIR_H_

#include <string>

namespace aftercare::testing {

// The project root, without a trailing slash.
const std::string& SourceDir();

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_SOURCE_DIR_H_
