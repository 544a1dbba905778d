// The trade-in use cases (trade_in_use_cases.h) against fakes: bad lines,
// a stale etag or a missing due time change nothing, an extension
// requested once and reviewed, shipping instructions only with a form, and
// received units checked against the registered serials.
#include "case-svc/trade_in_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "case-svc/use_case_fakes.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TradeInUseCasesTest : public CaseUseCaseTest {
 protected:
  TradeInUseCasesTest() : trade_in_(OpenedTradeIn()) {}

  template <typename Req>
  Req For(const std::string& request_id) {
    Req req;
    req.set_request_id(request_id);
    req.set_case_id(trade_in_.case_id());
    return req;
  }

  // The lines with the two serials registered.
  v1::UpdateTradeInLinesRequest Registered(const std::string& request_id, const std::string& etag) {
    auto req = For<v1::UpdateTradeInLinesRequest>(request_id);
    v1::TradeInLine* line = req.add_lines();
    line->set_sku("MX480");
    line->set_quantity(2);
    line->add_serial_numbers("JN11TRD00001");
    line->add_serial_numbers("JN11TRD00002");
    req.set_etag(etag);
    return req;
  }

  TradeIn Stored() { return repo_.trade_ins.at(trade_in_.case_id()); }

  UpdateTradeInLinesUseCase lines_{Deps()};
  RequestDeadlineExtensionUseCase request_extension_{Deps()};
  ReviewDeadlineExtensionUseCase review_extension_{Deps()};
  IssueShippingInstructionsUseCase issue_shipping_{Deps()};
  RecordReceivedUnitsUseCase record_received_{Deps()};
  v1::TradeInCase trade_in_;
};

TEST_F(TradeInUseCasesTest, BadLinesAStaleEtagOrAnotherAccountChangeNothing) {
  auto bad = Registered("l-1", trade_in_.etag());
  bad.mutable_lines(0)->set_quantity(0);
  EXPECT_THAT(lines_.Run(alice_, bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines")));
  EXPECT_THAT(lines_.Run(alice_, Registered("l-1", "\"99\"")),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(lines_.Run(mallory_, Registered("l-1", trade_in_.etag())),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Stored().version, 1);
  EXPECT_TRUE(Stored().lines.at(0).serials.empty());

  ASSERT_OK_AND_ASSIGN(v1::TradeInCase updated,
                       lines_.Run(alice_, Registered("l-1", trade_in_.etag())));
  ASSERT_EQ(updated.lines_size(), 1);
  EXPECT_THAT(updated.lines(0).serial_numbers(), ElementsAre("JN11TRD00001", "JN11TRD00002"));
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase retry,
                       lines_.Run(alice_, Registered("l-1", trade_in_.etag())));
  EXPECT_EQ(retry.SerializeAsString(), updated.SerializeAsString());
}

TEST_F(TradeInUseCasesTest, AnExtensionIsRequestedOnceAndItsApprovalMovesTheDueDate) {
  auto no_time = For<v1::RequestDeadlineExtensionRequest>("x-1");
  no_time.set_reason("the customer's site is closed for the holidays");
  EXPECT_THAT(
      request_extension_.Run(alice_, no_time),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("requested_due_time is required")));
  auto ask = no_time;
  const absl::Time later =
      absl::FromUnixSeconds(trade_in_.documents_due_time().seconds()) + absl::Hours(24 * 14);
  SetTime(later, ask.mutable_requested_due_time());
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase pending, request_extension_.Run(alice_, ask));
  EXPECT_EQ(pending.extension_status(), v1::EXTENSION_STATUS_PENDING);
  ask.set_request_id("x-2");
  EXPECT_THAT(request_extension_.Run(alice_, ask),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("pending extension")));

  auto review = For<v1::ReviewDeadlineExtensionRequest>("v-1");
  review.set_approve(true);
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase approved, review_extension_.Run(agent_, review));
  EXPECT_EQ(approved.extension_status(), v1::EXTENSION_STATUS_APPROVED);
  EXPECT_EQ(approved.documents_due_time().seconds(), absl::ToUnixSeconds(later));
  EXPECT_EQ(Stored().due_time, later);
}

TEST_F(TradeInUseCasesTest, UnitsAreReceivedOnlyAfterShippingInstructionsAndAgainstTheSerials) {
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase registered,
                       lines_.Run(alice_, Registered("l-1", trade_in_.etag())));
  auto shipping = For<v1::IssueShippingInstructionsRequest>("i-1");
  shipping.set_prepaid_label_reference("UPS-LBL-0042");
  EXPECT_THAT(issue_shipping_.Run(agent_, shipping),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("trade-in form")));
  auto receive = For<v1::RecordReceivedUnitsRequest>("r-1");
  receive.add_units()->set_serial_number("JN11TRD00001");
  receive.add_units()->set_serial_number("JN11XXX99999");
  EXPECT_THAT(record_received_.Run(agent_, receive),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("shipping instructions")));

  repo_.trade_ins.at(trade_in_.case_id()).form_version = 1;  // the partner uploaded the form
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase issued, issue_shipping_.Run(agent_, shipping));
  EXPECT_EQ(issued.shipping_instructions().prepaid_label_reference(), "UPS-LBL-0042");

  ASSERT_OK_AND_ASSIGN(v1::TradeInCase received, record_received_.Run(agent_, receive));
  ASSERT_EQ(received.lines_size(), 1);
  EXPECT_THAT(received.lines(0).received_serial_numbers(), ElementsAre("JN11TRD00001"));
  ASSERT_EQ(received.exceptions_size(), 1);
  EXPECT_EQ(received.exceptions(0).serial_number(), "JN11XXX99999");
  EXPECT_THAT(received.exceptions(0).reason(), HasSubstr("not registered"));
  ASSERT_OK_AND_ASSIGN(v1::TradeInCase retry, record_received_.Run(agent_, receive));
  EXPECT_EQ(retry.SerializeAsString(), received.SerializeAsString());
  EXPECT_EQ(Stored().exceptions.size(), 1u);
  EXPECT_EQ(received.status(), v1::TRADE_IN_STATUS_OPEN);  // one of two received
}

}  // namespace
}  // namespace aftercare::cases
