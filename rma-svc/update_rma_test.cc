// The UpdateRma use case (update_rma.h) against fakes: an amendment is
// checked against the entitlement inventory-svc gives now, and an RMA the
// caller does not reach is NOT_FOUND before inventory-svc is asked.
#include "rma-svc/update_rma.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/ids.h"
#include "common/testing/status_matchers.h"
#include "rma-svc/create_rma.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class UpdateRmaTest : public RmaUseCaseTest {
 protected:
  UpdateRmaTest() {
    auto created = create_.Run(customer_, nullptr, CreateRequest("create-1"));
    EXPECT_OK(created.status());
    if (created.ok()) rma_ = *created;
    inventory_.asked.clear();
  }

  v1::UpdateRmaRequest ToType(v1::RmaType type, const std::string& request_id) {
    v1::UpdateRmaRequest req;
    req.set_request_id(request_id);
    req.set_name(rma_.validation_number());
    req.set_etag(rma_.etag());
    req.mutable_rma()->set_type(type);
    req.mutable_update_mask()->add_paths("type");
    return req;
  }

  CountingIds validation_numbers_{0};
  CreateRmaUseCase create_{Deps(), validation_numbers_};
  UpdateRmaUseCase update_{Deps()};
  v1::Rma rma_;
};

TEST_F(UpdateRmaTest, ANewTypeIsCheckedAgainstTodaysEntitlement) {
  ASSERT_OK_AND_ASSIGN(v1::Rma r,
                       update_.Run(customer_, nullptr, ToType(v1::RMA_TYPE_RETURN_TO_FACTORY, "u-1")));
  EXPECT_EQ(r.type(), v1::RMA_TYPE_RETURN_TO_FACTORY);
  EXPECT_THAT(inventory_.asked, ElementsAre("JN11AAA0001"));

  EntitlementView late = Covered();
  late.within_doa_window = false;
  inventory_.answer = late;
  v1::UpdateRmaRequest doa = ToType(v1::RMA_TYPE_DOA, "u-2");
  doa.set_etag(r.etag());
  EXPECT_THAT(update_.Run(customer_, nullptr, doa),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("dead on arrival")));
  EXPECT_EQ(repo_.rmas.begin()->second.type, RmaType::kReturnToFactory);
}

TEST_F(UpdateRmaTest, AnRmaOfAnotherAccountIsNotFoundAndInventoryIsNotAsked) {
  EXPECT_THAT(update_.Run(other_customer_, nullptr, ToType(v1::RMA_TYPE_RETURN_TO_FACTORY, "u-1")),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_EQ(repo_.rmas.begin()->second.type, RmaType::kAdvanceReplacement);
}

}  // namespace
}  // namespace aftercare::rma
