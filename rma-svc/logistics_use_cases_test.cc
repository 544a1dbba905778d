// The logistics use cases (logistics_use_cases.h) against fakes: an advance
// replacement ships, is received and closes; a return to factory is
// received, repaired and shipped back; each step is checked against the
// RMA's state and type, moves it once, and answers a retry as first.
#include "rma-svc/logistics_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/testing/status_matchers.h"
#include "rma-svc/use_case_fakes.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class LogisticsUseCasesTest : public RmaUseCaseTest {
 protected:
  template <typename Req>
  static Req Named(const std::string& request_id, const std::string& name) {
    Req req;
    req.set_request_id(request_id);
    req.set_name(name);
    return req;
  }

  v1::ReceiveReturnRequest Receipt(const std::string& request_id, const std::string& number,
                                   const std::string& serial) {
    v1::ReceiveReturnRequest req;
    req.set_request_id(request_id);
    req.set_rma_number(number);
    req.set_serial_number(serial);
    return req;
  }

  Rma Stored() { return repo_.rmas.begin()->second; }

  ShipReplacementUseCase ship_replacement_{Deps()};
  ReceiveReturnUseCase receive_{Deps()};
  RecordRepairUseCase record_repair_{Deps()};
  ShipRepairedUnitUseCase ship_repaired_{Deps()};
  CloseRmaUseCase close_{Deps()};
};

TEST_F(LogisticsUseCasesTest, AnAdvanceReplacementShipsIsReceivedAndClosesEachOnce) {
  const v1::Rma rma = ApprovedRma(v1::RMA_TYPE_ADVANCE_REPLACEMENT);
  // No repair for a replacement.
  auto repair = Named<v1::RecordRepairRequest>("x-1", rma.rma_number());
  repair.set_repair_summary("PSU 1 replaced");
  repair.set_software_version("21.4R3");
  EXPECT_THAT(record_repair_.Run(logistics_, repair),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // inventory-svc's spare (the outbox's allocation, done here by hand).
  ASSERT_OK(domain_.RecordSpare(rma.validation_number(), "JN11SPARE001", repo_));

  auto ship = Named<v1::ShipReplacementRequest>("s-1", rma.rma_number());
  ship.set_carrier("UPS");
  ship.set_tracking_number("1Z999AA10123456784");
  ASSERT_OK_AND_ASSIGN(v1::Rma shipped, ship_replacement_.Run(logistics_, ship));
  EXPECT_EQ(shipped.status(), v1::RMA_STATUS_REPLACEMENT_SHIPPED);
  EXPECT_EQ(shipped.replacement_shipment().carrier(), "UPS");
  EXPECT_EQ(shipped.replacement_shipment().tracking_number(), "1Z999AA10123456784");
  EXPECT_TRUE(shipped.has_return_due_time());
  ASSERT_OK_AND_ASSIGN(v1::Rma again, ship_replacement_.Run(logistics_, ship));
  EXPECT_EQ(again.SerializeAsString(), shipped.SerializeAsString());

  // The wrong unit comes back: recorded, not accepted, the RMA stays.
  ASSERT_OK_AND_ASSIGN(v1::ReceiveReturnResponse wrong,
                       receive_.Run(logistics_, Receipt("r-1", rma.rma_number(), "JN11ZZZ9999")));
  EXPECT_FALSE(wrong.accepted());
  EXPECT_EQ(wrong.exception().received_serial_number(), "JN11ZZZ9999");
  EXPECT_EQ(wrong.rma().status(), v1::RMA_STATUS_REPLACEMENT_SHIPPED);
  EXPECT_EQ(Stored().status, Status::kReplacementShipped);
  // The right one: accepted, RECEIVED, and a retry answers the same.
  ASSERT_OK_AND_ASSIGN(v1::ReceiveReturnResponse right,
                       receive_.Run(logistics_, Receipt("r-2", rma.rma_number(), "jn11aaa0001")));
  EXPECT_TRUE(right.accepted());
  EXPECT_EQ(right.rma().status(), v1::RMA_STATUS_RECEIVED);
  EXPECT_EQ(right.rma().received_by(), "depot-1");
  ASSERT_OK_AND_ASSIGN(v1::ReceiveReturnResponse retry,
                       receive_.Run(logistics_, Receipt("r-2", rma.rma_number(), "jn11aaa0001")));
  EXPECT_EQ(retry.SerializeAsString(), right.SerializeAsString());

  auto close = Named<v1::CloseRmaRequest>("c-1", rma.rma_number());
  ASSERT_OK_AND_ASSIGN(v1::Rma closed, close_.Run(tse_, close));
  EXPECT_EQ(closed.status(), v1::RMA_STATUS_CLOSED);
  EXPECT_TRUE(closed.has_close_time());
  EXPECT_EQ(Stored().status, Status::kClosed);
}

TEST_F(LogisticsUseCasesTest, AReturnToFactoryIsReceivedRepairedAndShippedBack) {
  const v1::Rma rma = ApprovedRma(v1::RMA_TYPE_RETURN_TO_FACTORY);
  auto ship = Named<v1::ShipReplacementRequest>("s-1", rma.rma_number());
  ship.set_carrier("UPS");
  ship.set_tracking_number("1Z1");
  EXPECT_THAT(ship_replacement_.Run(logistics_, ship),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  ASSERT_OK(receive_.Run(logistics_, Receipt("r-1", rma.rma_number(), "JN11AAA0001")).status());

  auto repair = Named<v1::RecordRepairRequest>("x-1", rma.rma_number());
  repair.set_repair_summary("PSU 1 replaced; burn-in 24 h passed");
  repair.set_software_version("21.4R3");
  ASSERT_OK_AND_ASSIGN(v1::Rma repaired, record_repair_.Run(logistics_, repair));
  EXPECT_EQ(repaired.status(), v1::RMA_STATUS_REPAIRED);
  EXPECT_THAT(repaired.repair_summary(), HasSubstr("PSU 1 replaced"));
  EXPECT_EQ(repaired.software_version(), "21.4R3");

  auto back = Named<v1::ShipRepairedUnitRequest>("b-1", rma.rma_number());
  back.set_carrier("FedEx");
  back.set_tracking_number("7712 3456 7890");
  ASSERT_OK_AND_ASSIGN(v1::Rma shipped_back, ship_repaired_.Run(logistics_, back));
  EXPECT_EQ(shipped_back.status(), v1::RMA_STATUS_REPAIR_SHIPPED);
  EXPECT_EQ(shipped_back.return_shipment().carrier(), "FedEx");
  ASSERT_OK_AND_ASSIGN(v1::Rma retry, ship_repaired_.Run(logistics_, back));
  EXPECT_EQ(retry.SerializeAsString(), shipped_back.SerializeAsString());
  EXPECT_EQ(Stored().status, Status::kRepairShipped);
}

}  // namespace
}  // namespace aftercare::rma
