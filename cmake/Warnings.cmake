# Shared compile options for the project's own code (not generated code).
add_library(aftercare_warnings INTERFACE)
target_compile_options(aftercare_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wnon-virtual-dtor)

option(AFTERCARE_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
if(AFTERCARE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
