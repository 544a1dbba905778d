#include "rma-svc/rma_types.h"

#include "aftercare/rma/v1/resources.pb.h"
#include "common/testing/enum_mirror.h"
#include "gtest/gtest.h"

namespace aftercare::rma {
namespace {

namespace pb = ::aftercare::rma::v1;
using ::aftercare::testing::ExpectNamesMirrorProto;

// The names the repository stores and the logs show are the API's.
TEST(ProtoEnumsTest, NameTablesMirrorTheApi) {
  ExpectNamesMirrorProto<RmaType>(pb::RmaType_descriptor(), &Name);
  ExpectNamesMirrorProto<Status>(pb::RmaStatus_descriptor(), &Name);
  ExpectNamesMirrorProto<DamageCause>(pb::DamageCause_descriptor(), &Name);
}

}  // namespace
}  // namespace aftercare::rma
