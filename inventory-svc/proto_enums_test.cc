#include "inventory-svc/inventory_types.h"

#include "aftercare/inventory/v1/resources.pb.h"
#include "common/testing/enum_mirror.h"
#include "gtest/gtest.h"

namespace aftercare::inventory {
namespace {

namespace pb = ::aftercare::inventory::v1;
using ::aftercare::testing::ExpectNamesMirrorProto;

// The names the repository stores and the logs show are the API's.
TEST(ProtoEnumsTest, NameTablesMirrorTheApi) {
  ExpectNamesMirrorProto<Family>(pb::ProductFamily_descriptor(), &Name);
  ExpectNamesMirrorProto<Lifecycle>(pb::Lifecycle_descriptor(), &Name);
  ExpectNamesMirrorProto<Source>(pb::UnitSource_descriptor(), &Name);
  ExpectNamesMirrorProto<Condition>(pb::UnitCondition_descriptor(), &Name);
  ExpectNamesMirrorProto<UnitState>(pb::UnitState_descriptor(), &Name);
  ExpectNamesMirrorProto<Step>(pb::CertificationStep_descriptor(), &Name);
  ExpectNamesMirrorProto<SupportLevel>(pb::SupportLevel_descriptor(), &Name);
  ExpectNamesMirrorProto<WarrantyKind>(pb::WarrantyKind_descriptor(), &Name);
}

}  // namespace
}  // namespace aftercare::inventory
