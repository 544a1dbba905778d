// Unit tests of RetrieveDeviceKeysUseCase (retrieve_device_keys.h) against
// the in-memory store: the device named as stored, only the caller's keys,
// a key renewed in time signed again once, and a retry answered as first.
#include "licensing-svc/retrieve_device_keys.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/renew_subscription.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class RetrieveDeviceKeysTest : public LicensingUseCaseTest {
 protected:
  static v1::RetrieveDeviceKeysRequest Request(const std::string& request_id,
                                               const std::string& device) {
    v1::RetrieveDeviceKeysRequest req;
    req.set_request_id(request_id);
    req.set_device_serial(device);
    return req;
  }

  RetrieveDeviceKeysUseCase use_case_{domain_, store_};
};

TEST_F(RetrieveDeviceKeysTest, ABadSerialWritesNothingAndAStrangerSeesNoKey) {
  Activate(Buy().code, "JN11KEY00001");
  EXPECT_THAT(use_case_.Run(customer_, Request("k-1", "JN11 KEY")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("device_serial")));
  ASSERT_OK_AND_ASSIGN(v1::RetrieveDeviceKeysResponse theirs,
                       use_case_.Run(stranger_, Request("k-1", "JN11KEY00001")));
  EXPECT_EQ(theirs.keys_size(), 0);
  EXPECT_EQ(theirs.device_serial(), "JN11KEY00001");
}

TEST_F(RetrieveDeviceKeysTest, AKeyRenewedInTimeIsSignedAgainOnceAndARetryGetsTheFirstAnswer) {
  const Bought sub = Buy(12);
  const License license = Activate(sub.code, "JN11KEY00001");
  ASSERT_OK_AND_ASSIGN(v1::RetrieveDeviceKeysResponse current,
                       use_case_.Run(customer_, Request("k-0", "jn11key00001")));
  EXPECT_EQ(current.device_serial(), "JN11KEY00001");
  ASSERT_EQ(current.keys_size(), 1);
  EXPECT_EQ(current.keys(0).refresh(), v1::KEY_REFRESH_CURRENT);
  EXPECT_EQ(current.keys(0).license().key_generation(), 1);

  // Renewed before the key expires: the next retrieval signs a new key.
  v1::RenewSubscriptionRequest renew;
  renew.set_request_id("r-1");
  renew.set_entitlement_id(sub.entitlement_id);
  ASSERT_OK(RenewSubscriptionUseCase(domain_, store_).Run(admin_, renew).status());
  ASSERT_OK_AND_ASSIGN(v1::RetrieveDeviceKeysResponse renewed,
                       use_case_.Run(customer_, Request("k-1", "JN11KEY00001")));
  ASSERT_EQ(renewed.keys_size(), 1);
  EXPECT_EQ(renewed.keys(0).refresh(), v1::KEY_REFRESH_RENEWED);
  EXPECT_EQ(renewed.keys(0).license().license_id(), license.id);
  EXPECT_EQ(renewed.keys(0).license().key_generation(), 2);
  EXPECT_NE(renewed.keys(0).license().license_key(), current.keys(0).license().license_key());

  // A retry gets that answer as it was, and the key is not signed a third time.
  ASSERT_OK_AND_ASSIGN(v1::RetrieveDeviceKeysResponse retry,
                       use_case_.Run(customer_, Request("k-1", "JN11KEY00001")));
  EXPECT_EQ(retry.SerializeAsString(), renewed.SerializeAsString());
  EXPECT_EQ(store_.state().licenses.at(license.id).key_generation, 2);
}

}  // namespace
}  // namespace aftercare::licensing
