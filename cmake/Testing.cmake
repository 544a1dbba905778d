# aftercare_add_test(NAME <target> LABEL unit|integration SOURCES ... LIBS ...)
# One test binary per directory and kind; each gtest case is its own ctest.
# LIBS is everything the binary links besides GoogleTest: the harness
# (aftercare_testing, aftercare_testing_db) only where the tests use it.
include(GoogleTest)
enable_testing()
function(aftercare_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT T_SOURCES)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock_main aftercare_warnings)
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS ${T_LABEL}
    DISCOVERY_TIMEOUT 60
    DISCOVERY_MODE PRE_TEST)
endfunction()

# Collects <dir>/*_test.cc (unit) and <dir>/*_integration_test.cc (integration).
function(aftercare_glob_tests DIR UNIT_VAR INTEGRATION_VAR)
  file(GLOB_RECURSE _all CONFIGURE_DEPENDS "${DIR}/*_test.cc")
  set(_unit "")
  set(_integ "")
  foreach(f ${_all})
    if(f MATCHES "_integration_test\\.cc$")
      list(APPEND _integ ${f})
    else()
      list(APPEND _unit ${f})
    endif()
  endforeach()
  set(${UNIT_VAR} ${_unit} PARENT_SCOPE)
  set(${INTEGRATION_VAR} ${_integ} PARENT_SCOPE)
endfunction()
