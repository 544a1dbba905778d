// Unit tests of ActivateLicenseUseCase (activate_license.h) against the
// in-memory store: a bad or foreign code writes nothing, a device is
// licensed once, and a retry gets the first answer.
#include "licensing-svc/activate_license.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class ActivateLicenseTest : public LicensingUseCaseTest {
 protected:
  static v1::ActivateLicenseRequest Request(const std::string& request_id, const std::string& code,
                                            const std::string& device) {
    v1::ActivateLicenseRequest req;
    req.set_request_id(request_id);
    req.set_activation_code(code);
    req.set_device_serial(device);
    return req;
  }

  ActivateLicenseUseCase use_case_{domain_, store_};
};

TEST_F(ActivateLicenseTest, ABadOrForeignCodeWritesNothing) {
  const Bought bought = Buy();
  EXPECT_THAT(use_case_.Run(customer_, Request("a-1", "not a code", "JN11AAA00001")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("activation_code")));
  EXPECT_THAT(use_case_.Run(customer_, Request("a-1", bought.code, "JN11 AAA")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("device_serial")));
  // Another account's customer learns nothing about ACME-001's code.
  EXPECT_THAT(use_case_.Run(stranger_, Request("a-1", bought.code, "JN11AAA00001")),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(NewWrites(), 0);
  EXPECT_TRUE(store_.state().licenses.empty());
}

TEST_F(ActivateLicenseTest, ADeviceIsLicensedOnceAndARetryGetsTheFirstAnswer) {
  const Bought bought = Buy();
  ASSERT_OK_AND_ASSIGN(v1::ActivateLicenseResponse first,
                       use_case_.Run(customer_, Request("a-1", bought.code, "jn11aaa00001")));
  EXPECT_FALSE(first.already_activated());
  EXPECT_EQ(first.license().device_serial(), "JN11AAA00001");
  EXPECT_EQ(first.license().entitlement_id(), bought.entitlement_id);
  EXPECT_EQ(first.license().state(), v1::LICENSE_STATE_ACTIVE);
  EXPECT_FALSE(first.license().license_key().empty());
  EXPECT_EQ(NewWrites(), 1);

  // The same device again, under another request id: its license, marked.
  ASSERT_OK_AND_ASSIGN(v1::ActivateLicenseResponse again,
                       use_case_.Run(customer_, Request("a-2", bought.code, "JN11AAA00001")));
  EXPECT_TRUE(again.already_activated());
  EXPECT_EQ(again.license().license_id(), first.license().license_id());

  // A retry of the first call: the first answer, written once.
  ASSERT_OK_AND_ASSIGN(v1::ActivateLicenseResponse retry,
                       use_case_.Run(customer_, Request("a-1", bought.code, "jn11aaa00001")));
  EXPECT_FALSE(retry.already_activated());
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(NewWrites(), 2);
  EXPECT_EQ(store_.state().licenses.size(), 1u);
}

}  // namespace
}  // namespace aftercare::licensing
