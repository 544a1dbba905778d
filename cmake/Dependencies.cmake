# Every dependency comes from a Debian 12 package (see scripts/packages.txt).
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)            # module mode: FindProtobuf
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(GTest CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)                # libcurl4-openssl-dev: SMTP and webhooks (common/notify)
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

# google/rpc/{status,error_details}.proto (structured error details, common/errors.h)
# from Debian's golang-github-gogo-googleapis-dev: plain googleapis files that
# import only google/protobuf.
find_path(GOOGLEAPIS_RPC_PROTO_DIR
  NAMES google/rpc/error_details.proto google/rpc/status.proto
  PATHS /usr/share/gocode/src/github.com/gogo/googleapis
  NO_DEFAULT_PATH)
if(NOT GOOGLEAPIS_RPC_PROTO_DIR)
  message(FATAL_ERROR "google/rpc/status.proto and error_details.proto not found: install the "
    "Debian package golang-github-gogo-googleapis-dev (scripts/install-deps), or set "
    "GOOGLEAPIS_RPC_PROTO_DIR to a directory holding google/rpc/*.proto")
endif()
