// aftercare-bare-echo-server: aftercare.testing.v1.EchoService on a bare
// grpc::ServerBuilder, with none of common/ (no interceptors, auth, metrics,
// database). scripts/bench measures it with h2load as the ceiling of gRPC C++
// on this machine, beside the EchoService of aftercare-echo-server.
//
//   aftercare-bare-echo-server --port=50166 [--host=127.0.0.1]
#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "aftercare/testing/v1/echo.grpc.pb.h"

namespace {

using aftercare::testing::v1::EchoRequest;
using aftercare::testing::v1::EchoResponse;

// Answers on the callback thread with the message it was given.
class BareEchoService : public aftercare::testing::v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const EchoRequest* request,
                                 EchoResponse* response) override {
    response->set_message(request->message());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const size_t eq = a.find('=');
    const std::string k = a.substr(0, eq), v = eq == std::string::npos ? "" : a.substr(eq + 1);
    if (k == "--host") host = v;
    else if (k == "--port") port = std::atoi(v.c_str());
    else {
      std::cerr << "usage: aftercare-bare-echo-server --port=N [--host=H]\n";
      return 2;
    }
  }
  BareEchoService service;
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(host + ":" + std::to_string(port), grpc::InsecureServerCredentials(), &bound);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || bound == 0) {
    std::cerr << "aftercare-bare-echo-server: cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  std::cout << "serving on " << host << ":" << bound << std::endl;
  server->Wait();
  return 0;
}
