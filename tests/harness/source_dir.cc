#include "tests/harness/source_dir.h"

namespace aftercare::testing {

const std::string& SourceDir() {
  static const auto* const kDir = new std::string(AFTERCARE_SOURCE_DIR);
  return *kDir;
}

}  // namespace aftercare::testing
