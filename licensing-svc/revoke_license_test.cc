// Unit tests of RevokeLicenseUseCase (revoke_license.h) against the
// in-memory store: the reason is checked before any transaction, a stale
// etag changes nothing, and a revocation is answered once.
#include "licensing-svc/revoke_license.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/licensing_view.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class RevokeLicenseTest : public LicensingUseCaseTest {
 protected:
  static v1::RevokeLicenseRequest Request(const std::string& request_id, const std::string& id,
                                          v1::RevocationReason reason, const std::string& etag) {
    v1::RevokeLicenseRequest req;
    req.set_request_id(request_id);
    req.set_license_id(id);
    req.set_reason(reason);
    req.set_note("chargeback on SO-9");
    req.set_etag(etag);
    return req;
  }

  // The license's etag as the API shows it.
  std::string EtagOf(const std::string& id) {
    v1::License l;
    ToProto(store_.state().licenses.at(id), &l);
    return l.etag();
  }

  RevokeLicenseUseCase use_case_{domain_, store_};
};

TEST_F(RevokeLicenseTest, ABadReasonOrAStaleEtagChangesNothing) {
  const License license = Activate(Buy().code, "JN11REV00001");
  EXPECT_THAT(use_case_.Run(admin_, Request("v-1", license.id,
                                            static_cast<v1::RevocationReason>(99), "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  EXPECT_THAT(use_case_.Run(admin_, Request("v-1", license.id,
                                            v1::REVOCATION_REASON_UNSPECIFIED, "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("reason")));
  EXPECT_THAT(
      use_case_.Run(admin_, Request("v-1", license.id, v1::REVOCATION_REASON_FRAUD, "\"v99\"")),
      StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(NewWrites(), 0);
  EXPECT_EQ(store_.state().licenses.at(license.id).state, LicenseState::kActive);
}

TEST_F(RevokeLicenseTest, RevokesOnceWithItsReasonAndARetryGetsTheFirstAnswer) {
  const License license = Activate(Buy().code, "JN11REV00001");
  const v1::RevokeLicenseRequest req =
      Request("v-1", license.id, v1::REVOCATION_REASON_FRAUD, EtagOf(license.id));
  ASSERT_OK_AND_ASSIGN(v1::License first, use_case_.Run(admin_, req));
  EXPECT_EQ(first.state(), v1::LICENSE_STATE_REVOKED);
  EXPECT_EQ(first.revocation_reason(), v1::REVOCATION_REASON_FRAUD);
  EXPECT_EQ(first.revocation_note(), "chargeback on SO-9");
  EXPECT_EQ(store_.state().licenses.at(license.id).state, LicenseState::kRevoked);
  EXPECT_EQ(NewWrites(), 1);

  // A retry (its etag is stale by now) gets the first answer.
  ASSERT_OK_AND_ASSIGN(v1::License retry, use_case_.Run(admin_, req));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(NewWrites(), 1);
}

}  // namespace
}  // namespace aftercare::licensing
