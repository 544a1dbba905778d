#include "case-svc/case_types.h"

#include "aftercare/cases/v1/case_service.pb.h"
#include "common/testing/enum_mirror.h"
#include "gtest/gtest.h"

namespace aftercare::cases {
namespace {

namespace pb = ::aftercare::cases::v1;
using ::aftercare::testing::ExpectNamesMirrorProto;

// The names the repository stores and the logs show are the API's.
TEST(ProtoEnumsTest, NameTablesMirrorTheApi) {
  ExpectNamesMirrorProto<CaseStatus>(pb::CaseStatus_descriptor(), &Name);
  ExpectNamesMirrorProto<Priority>(pb::Priority_descriptor(), &Name);
  ExpectNamesMirrorProto<TradeInStatus>(pb::TradeInStatus_descriptor(), &Name);
}

}  // namespace
}  // namespace aftercare::cases
