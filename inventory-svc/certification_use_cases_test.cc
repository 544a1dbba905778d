// The certification use cases (certification_use_cases.h) against fakes: a
// unit received with a genuine serial goes through the six steps to
// CERTIFIED; enums are checked before any transaction; a step is recorded
// once however often it is retried; quarantine, scrap and the spare pool
// follow the unit's state.
#include "inventory-svc/certification_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class CertificationUseCasesTest : public InventoryUseCaseTest {
 protected:
  v1::ReceiveUnitRequest Receipt(const std::string& request_id, const std::string& serial) {
    auto req = For<v1::ReceiveUnitRequest>(request_id, serial);
    req.set_sku("EX4300-48T");
    req.set_source(v1::UNIT_SOURCE_DEMO_RETURN);
    return req;
  }

  v1::RecordCertificationStepRequest StepRequest(const std::string& serial, int step) {
    auto req = For<v1::RecordCertificationStepRequest>("step-" + std::to_string(step), serial);
    req.set_step(static_cast<v1::CertificationStep>(step));
    req.set_passed(true);
    if (step == v1::CERTIFICATION_STEP_COMPONENT_REPAIR) req.set_no_repair_needed(true);
    if (step == v1::CERTIFICATION_STEP_SOFTWARE_UPDATE) req.set_software_version("21.4R3-S5");
    if (step == v1::CERTIFICATION_STEP_QUALIFICATION_TEST) req.set_test_report_reference("QT-1");
    return req;
  }

  ReceiveUnitUseCase receive_{Deps()};
  RecordCertificationStepUseCase step_{Deps()};
  CertifyUnitUseCase certify_{Deps()};
  QuarantineUnitUseCase quarantine_{Deps()};
  ScrapUnitUseCase scrap_{Deps()};
  MoveToSparePoolUseCase to_spares_{Deps()};
};

TEST_F(CertificationUseCasesTest, BadEnumsOpenNoTransaction) {
  Genuine("JN11CRT00001");
  auto bad_source = Receipt("r-1", "JN11CRT00001");
  bad_source.set_source(static_cast<v1::UnitSource>(99));
  EXPECT_THAT(receive_.Run(logistics_, bad_source),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("source")));
  auto bad_condition = Receipt("r-1", "JN11CRT00001");
  bad_condition.set_condition(static_cast<v1::UnitCondition>(99));
  EXPECT_THAT(receive_.Run(logistics_, bad_condition),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("condition")));
  auto bad_step = StepRequest("JN11CRT00001", 1);
  bad_step.set_step(static_cast<v1::CertificationStep>(99));
  EXPECT_THAT(step_.Run(logistics_, bad_step),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("step")));
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_TRUE(repo_.units.empty());
}

TEST_F(CertificationUseCasesTest, AReceivedUnitIsCertifiedAfterItsSixStepsEachRecordedOnce) {
  Genuine("JN11CRT00001");
  ASSERT_OK_AND_ASSIGN(v1::Unit received, receive_.Run(logistics_, Receipt("r-1", "jn11crt00001")));
  EXPECT_EQ(received.state(), v1::UNIT_STATE_RECEIVED);
  EXPECT_THAT(certify_.Run(logistics_, For<v1::CertifyUnitRequest>("c-0", "JN11CRT00001")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  for (int step = 1; step <= kStepCount; ++step) {
    SCOPED_TRACE(step);
    ASSERT_OK_AND_ASSIGN(v1::RecordCertificationStepResponse r,
                         step_.Run(logistics_, StepRequest("JN11CRT00001", step)));
    EXPECT_EQ(r.event().step(), static_cast<v1::CertificationStep>(step));
    EXPECT_TRUE(r.event().passed());
    EXPECT_EQ(r.unit().state(), v1::UNIT_STATE_IN_CERTIFICATION);
  }
  // A retried step is answered as first and not recorded again.
  ASSERT_OK(step_.Run(logistics_, StepRequest("JN11CRT00001", 1)).status());
  ASSERT_OK_AND_ASSIGN(auto steps, repo_.StepEvents("JN11CRT00001", 1));
  EXPECT_EQ(steps.size(), static_cast<size_t>(kStepCount));

  ASSERT_OK_AND_ASSIGN(v1::Unit certified, certify_.Run(logistics_, For<v1::CertifyUnitRequest>(
                                                                        "c-1", "JN11CRT00001")));
  EXPECT_EQ(certified.state(), v1::UNIT_STATE_CERTIFIED);
  EXPECT_EQ(certified.certificate_id(), "CPO-JN11CRT00001-1");
  EXPECT_EQ(certified.certified_by(), "lab-1");
  ASSERT_OK_AND_ASSIGN(v1::Unit spare, to_spares_.Run(logistics_, For<v1::MoveToSparePoolRequest>(
                                                                      "s-1", "JN11CRT00001")));
  EXPECT_EQ(spare.state(), v1::UNIT_STATE_SPARE);
}

TEST_F(CertificationUseCasesTest, QuarantineAndScrapFollowTheUnitsState) {
  Put("JN11CRT00002", UnitState::kCertified);
  auto quarantine = For<v1::QuarantineUnitRequest>("q-1", "JN11CRT00002");
  quarantine.set_reason("water damage found on re-inspection");
  ASSERT_OK_AND_ASSIGN(v1::Unit held, quarantine_.Run(logistics_, quarantine));
  EXPECT_EQ(held.state(), v1::UNIT_STATE_QUARANTINED);
  EXPECT_EQ(held.quarantine_reason(), "water damage found on re-inspection");
  auto scrap = For<v1::ScrapUnitRequest>("x-1", "JN11CRT00002");
  scrap.set_reason("beyond repair");
  ASSERT_OK_AND_ASSIGN(v1::Unit scrapped, scrap_.Run(logistics_, scrap));
  EXPECT_EQ(scrapped.state(), v1::UNIT_STATE_SCRAPPED);
  // Scrapped is final.
  quarantine.set_request_id("q-2");
  EXPECT_THAT(quarantine_.Run(logistics_, quarantine),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(Stored("JN11CRT00002").state, UnitState::kScrapped);
}

}  // namespace
}  // namespace aftercare::inventory
