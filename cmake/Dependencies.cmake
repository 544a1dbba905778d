# Every dependency comes from a Debian 12 package (see scripts/packages.txt).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)            # module mode: FindProtobuf
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)

# Connector/C++ 1.1 ships neither a CMake config nor a pkg-config file.
find_library(MYSQLCPPCONN_LIBRARY NAMES mysqlcppconn REQUIRED)
find_path(MYSQLCPPCONN_INCLUDE_DIR NAMES cppconn/driver.h REQUIRED)
add_library(mysqlcppconn::mysqlcppconn UNKNOWN IMPORTED)
set_target_properties(mysqlcppconn::mysqlcppconn PROPERTIES
  IMPORTED_LOCATION "${MYSQLCPPCONN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${MYSQLCPPCONN_INCLUDE_DIR}")

pkg_check_modules(LIBJWT REQUIRED IMPORTED_TARGET libjwt)

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
set(GRPC_PROTO_DIR "/usr/share/grpc-proto" CACHE PATH "grpc-proto package root (health.proto)")
