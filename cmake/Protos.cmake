# aftercare_proto_library(NAME <target> ROOT <import root> PROTOS <files relative to ROOT>
#                         [DEPS <proto library targets>] [EXTRA_IMPORTS <dirs>])
# Generates message and gRPC code into ${CMAKE_BINARY_DIR}/gen and builds a library.
set(AFTERCARE_GEN_DIR "${CMAKE_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${AFTERCARE_GEN_DIR}")

function(aftercare_proto_library)
  cmake_parse_arguments(P "" "NAME;ROOT" "PROTOS;DEPS;EXTRA_IMPORTS" ${ARGN})
  set(_srcs "")
  set(_imports -I "${P_ROOT}" -I "${Protobuf_INCLUDE_DIR}")
  foreach(d ${P_EXTRA_IMPORTS})
    list(APPEND _imports -I "${d}")
  endforeach()
  foreach(rel ${P_PROTOS})
    get_filename_component(_dir "${rel}" DIRECTORY)
    get_filename_component(_we "${rel}" NAME_WE)
    set(_base "${AFTERCARE_GEN_DIR}/${_dir}/${_we}")
    set(_out "${_base}.pb.cc" "${_base}.pb.h" "${_base}.grpc.pb.cc" "${_base}.grpc.pb.h")
    add_custom_command(
      OUTPUT ${_out}
      COMMAND protobuf::protoc
      ARGS ${_imports}
           --cpp_out "${AFTERCARE_GEN_DIR}"
           --grpc_out "${AFTERCARE_GEN_DIR}"
           --plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}
           "${P_ROOT}/${rel}"
      DEPENDS "${P_ROOT}/${rel}" protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND _srcs ${_out})
  endforeach()
  add_library(${P_NAME} STATIC ${_srcs})
  target_include_directories(${P_NAME} PUBLIC "${AFTERCARE_GEN_DIR}")
  target_link_libraries(${P_NAME} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${P_DEPS})
endfunction()
