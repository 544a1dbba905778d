// The CreateTradeInCase use case (create_trade_in.h) against fakes: the
// catalog asked about each SKU, eligibility decided before anything is
// written, an unreachable inventory-svc failing the call with nothing
// written, and a retry answered from the first call.
#include "case-svc/create_trade_in.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "case-svc/use_case_fakes.h"
#include "common/proto_convert.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace pb = ::aftercare::cases::v1;

class CreateTradeInTest : public ::testing::Test {
 protected:
  CreateTradeInTest()
      : codec_("0123456789abcdef0123"),
        domain_(clock_, CaseOptions{}, &codec_),
        store_(&repo_),
        create_(domain_, store_, inventory_, clock_) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 11, 16, 9, 0, 0), absl::UTCTimeZone()));
    inventory_.catalog["MX480"] = CatalogEntry{true, true, "MX480"};
    inventory_.catalog["EX4300-48T"] = CatalogEntry{true, false, "EX4300"};
    alice_.role = Role::kCustomer;
    alice_.subject = "alice";
    alice_.account_ids = {"ACME-001"};
  }

  pb::CreateTradeInCaseRequest Request(const std::string& request_id, const std::string& sku) {
    pb::CreateTradeInCaseRequest req;
    req.set_request_id(request_id);
    pb::TradeInCase* t = req.mutable_trade_in_case();
    t->set_account_id("ACME-001");
    t->set_order_number("SO-1");
    SetTime(clock_.Now() - absl::Hours(24), t->mutable_order_time());
    t->set_phase(pb::TMIP_PHASE_PHASE1);
    t->set_disposition(pb::DISPOSITION_RETURN);
    pb::TradeInLine* line = t->add_lines();
    line->set_sku(sku);
    line->set_quantity(1);
    return req;
  }

  FakeClock clock_;
  PageTokenCodec codec_;
  Cases domain_;
  FakeCaseRepository repo_;
  TestCaseStore store_;
  FakeInventory inventory_;
  CreateTradeInUseCase create_;
  Principal alice_;
};

TEST_F(CreateTradeInTest, AnEligibleTradeInIsCreatedUnderTheDaysNumber) {
  ASSERT_OK_AND_ASSIGN(pb::TradeInCase t, create_.Run(alice_, nullptr, Request("r-1", "MX480")));
  EXPECT_EQ(t.case_id(), "2026-1116-00042");
  EXPECT_THAT(inventory_.asked, Contains("sku MX480"));
  EXPECT_EQ(repo_.trade_ins.count(t.case_id()), 1u);
}

TEST_F(CreateTradeInTest, AnIneligibleSkuIsRefusedBeforeANumberIsTaken) {
  EXPECT_THAT(create_.Run(alice_, nullptr, Request("r-1", "EX4300-48T")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("lines[0].sku")));
  EXPECT_THAT(store_.days, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.trade_ins, IsEmpty());
}

TEST_F(CreateTradeInTest, WithoutTheCatalogTheCallFailsAndWritesNothing) {
  inventory_.catalog_status = absl::UnavailableError("inventory-svc is down");
  EXPECT_THAT(create_.Run(alice_, nullptr, Request("r-1", "MX480")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("retry with the same request_id")));
  EXPECT_THAT(store_.days, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.trade_ins, IsEmpty());
}

TEST_F(CreateTradeInTest, ABadRequestAsksNothing) {
  pb::CreateTradeInCaseRequest no_lines = Request("r-1", "MX480");
  no_lines.mutable_trade_in_case()->clear_lines();
  EXPECT_THAT(create_.Run(alice_, nullptr, no_lines),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("lines")));
  EXPECT_THAT(inventory_.asked, IsEmpty());
  EXPECT_EQ(store_.writes(), 0);
}

TEST_F(CreateTradeInTest, ARetryGetsTheFirstCase) {
  ASSERT_OK_AND_ASSIGN(pb::TradeInCase first, create_.Run(alice_, nullptr, Request("r-1", "MX480")));
  ASSERT_OK_AND_ASSIGN(pb::TradeInCase again, create_.Run(alice_, nullptr, Request("r-1", "MX480")));
  EXPECT_EQ(again.case_id(), first.case_id());
  EXPECT_EQ(repo_.trade_ins.size(), 1u);
}

}  // namespace
}  // namespace aftercare::cases
