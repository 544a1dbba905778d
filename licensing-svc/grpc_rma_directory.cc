#include "licensing-svc/grpc_rma_directory.h"

#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "aftercare/rma/v1/rma_service.grpc.pb.h"
#include "common/status.h"

namespace aftercare::licensing {

absl::StatusOr<RmaInfo> GrpcRmaDirectory::GetRma(const CallInfo* parent,
                                                 const std::string& rma_number) {
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = aftercare::rma::v1::RmaService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewContext(parent, absl::Seconds(2)));
  aftercare::rma::v1::GetRmaRequest req;
  req.set_name(rma_number);
  aftercare::rma::v1::Rma rma;
  grpc::Status s = stub->GetRma(ctx.get(), req, &rma);
  if (!s.ok()) return FromGrpcStatus(s);
  RmaInfo out;
  out.rma_number = rma.rma_number();
  out.validation_number = rma.validation_number();
  out.account_id = rma.account_id();
  out.status = std::string(
      absl::StripPrefix(aftercare::rma::v1::RmaStatus_Name(rma.status()), "RMA_STATUS_"));
  out.serial_number = rma.serial_number();
  out.replacement_serial_number = rma.replacement_serial_number();
  out.contact_email = rma.contact_email();
  return out;
}

}  // namespace aftercare::licensing
