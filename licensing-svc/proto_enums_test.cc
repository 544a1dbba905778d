#include "licensing-svc/licensing_types.h"

#include "aftercare/licensing/v1/resources.pb.h"
#include "common/testing/enum_mirror.h"
#include "gtest/gtest.h"

namespace aftercare::licensing {
namespace {

namespace pb = ::aftercare::licensing::v1;
using ::aftercare::testing::ExpectNamesMirrorProto;

// The names the repository stores and the logs show are the API's.
TEST(ProtoEnumsTest, NameTablesMirrorTheApi) {
  ExpectNamesMirrorProto<LicensingSystem>(pb::LicensingSystem_descriptor(), &Name);
  ExpectNamesMirrorProto<TermType>(pb::TermType_descriptor(), &Name);
  ExpectNamesMirrorProto<EntitlementKind>(pb::EntitlementKind_descriptor(), &Name);
  ExpectNamesMirrorProto<LicenseState>(pb::LicenseState_descriptor(), &Name);
  ExpectNamesMirrorProto<RevocationReason>(pb::RevocationReason_descriptor(), &Name);
}

}  // namespace
}  // namespace aftercare::licensing
