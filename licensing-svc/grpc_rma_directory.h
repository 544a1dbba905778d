// RmaDirectory over gRPC: rma-svc's GetRma, with a 2 s deadline, the
// caller's request id and trace, and this service's own token (role
// service, which may read any RMA).
#ifndef AFTERCARE_LICENSING_SVC_GRPC_RMA_DIRECTORY_H_
#define AFTERCARE_LICENSING_SVC_GRPC_RMA_DIRECTORY_H_

#include <string>

#include "common/clients.h"
#include "licensing-svc/rma_directory.h"

namespace aftercare::licensing {

class GrpcRmaDirectory : public RmaDirectory {
 public:
  GrpcRmaDirectory(ClientFactory* clients, std::string target)
      : clients_(*clients), target_(std::move(target)) {}

  absl::StatusOr<RmaInfo> GetRma(const CallInfo* parent, const std::string& rma_number) override;

 private:
  ClientFactory& clients_;
  const std::string target_;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_GRPC_RMA_DIRECTORY_H_
