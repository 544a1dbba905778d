# Shared compile options for the project's own code (not generated code).
add_library(aftercare_warnings INTERFACE)
target_compile_options(aftercare_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wnon-virtual-dtor)

# The sanitizer pass of scripts/test (scripts/sanitizers/run) builds the whole
# suite a second time with AddressSanitizer, LeakSanitizer and UBSan. -O1 -g:
# readable stacks at a bearable speed; every UBSan finding is fatal
# (-fno-sanitize-recover). UBSan's vptr check is left out: it needs the type
# information of every polymorphic class, and protobuf, gRPC and
# Connector/C++ come from Debian without it, so it reports their own classes.
option(AFTERCARE_SANITIZE "Build with AddressSanitizer, LeakSanitizer and UBSan" OFF)
if(AFTERCARE_SANITIZE)
  add_compile_options(-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
                      -fno-sanitize=vptr -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# The fuzz pass (scripts/fuzz): libFuzzer targets in tests/fuzz/, built with
# clang 14 and ASan + UBSan into build-fuzz/ (-DAFTERCARE_FUZZ=ON
# -DCMAKE_CXX_COMPILER=clang++-14).
option(AFTERCARE_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(AFTERCARE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AFTERCARE_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14)")
  endif()
  add_compile_options(-O1 -g -fno-omit-frame-pointer
                      -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# The ThreadSanitizer pass (scripts/sanitizers/tsan): the concurrency-heavy
# tests built with -fsanitize=thread into build-tsan/. The suite's own locks
# come from common/sync.h, which is pthread-based in this build so that TSan
# sees them (Debian's Abseil is not built with TSan).
option(AFTERCARE_TSAN "Build with ThreadSanitizer" OFF)
if(AFTERCARE_TSAN)
  if(AFTERCARE_SANITIZE OR AFTERCARE_FUZZ)
    message(FATAL_ERROR "AFTERCARE_TSAN cannot be combined with AFTERCARE_SANITIZE or AFTERCARE_FUZZ")
  endif()
  add_compile_options(-O1 -g -fno-omit-frame-pointer -fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()
