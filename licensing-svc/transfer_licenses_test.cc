// Unit tests of TransferLicensesUseCase (transfer_licenses.h) against the
// in-memory store and a FakeRmaDirectory: the order of its steps — nothing
// asked or written for a bad request, an existing transfer answered without
// asking rma-svc, rma-svc's failures named — and the write itself.
#include "licensing-svc/transfer_licenses.h"

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "licensing-svc/use_case_fakes.h"

namespace aftercare::licensing {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class TransferLicensesTest : public LicensingUseCaseTest {
 protected:
  // One license of ACME-001 active on the unit the RMA replaces.
  TransferLicensesTest() : use_case_(domain_, store_, rmas_) {
    license_ = Activate(Buy(/*term_months=*/0).code, kOld).id;
  }

  static constexpr const char* kOld = "JN11OLD00001";

  // An RMA of ACME-001 for kOld, known by its number and its validation number.
  void PutRma(const std::string& status, const std::string& replacement,
              const std::string& number = "R21056835") {
    RmaInfo r;
    r.rma_number = number;
    r.validation_number = "V30000001";
    r.account_id = "ACME-001";
    r.status = status;
    r.serial_number = kOld;
    r.replacement_serial_number = replacement;
    r.contact_email = "noc@acme.example";
    rmas_.Put(r);
  }

  static v1::TransferLicensesRequest Request(const std::string& number,
                                             const std::string& request_id) {
    v1::TransferLicensesRequest req;
    req.set_rma_number(number);
    req.set_request_id(request_id);
    return req;
  }

  FakeRmaDirectory rmas_;
  TransferLicensesUseCase use_case_;
  std::string license_;
};

TEST_F(TransferLicensesTest, ABadRequestAsksRmaSvcNothingAndWritesNothing) {
  PutRma("APPROVED", "JN11NEW00001");
  EXPECT_THAT(use_case_.Run(customer_, nullptr, Request("21056835", "t-1")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rma_number")));
  EXPECT_THAT(use_case_.Run(customer_, nullptr, Request("R21056835", "has space")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
  v1::TransferLicensesRequest bad_email = Request("R21056835", "t-1");
  bad_email.add_notification_emails("not an address");
  EXPECT_THAT(use_case_.Run(customer_, nullptr, bad_email),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("notification_emails[0]")));
  EXPECT_EQ(rmas_.calls(), 0);
  EXPECT_EQ(NewWrites(), 0);
}

TEST_F(TransferLicensesTest, MovesTheLicensesOnceAndAnswersTheTransferAfterwards) {
  PutRma("APPROVED", "JN11NEW00001");
  ASSERT_OK_AND_ASSIGN(TransferOutcome first,
                       use_case_.Run(customer_, nullptr, Request("R21056835", "t-1")));
  EXPECT_FALSE(first.existing);
  ASSERT_EQ(first.transfer.licenses_size(), 1);
  EXPECT_EQ(first.transfer.licenses(0).old_license_id(), license_);
  EXPECT_EQ(first.transfer.to_serial(), "JN11NEW00001");
  EXPECT_EQ(store_.state().licenses.at(license_).state, LicenseState::kRevoked);
  EXPECT_EQ(rmas_.calls(), 1);
  EXPECT_EQ(NewWrites(), 1);

  // By RMA number, another call (a retry or not) is answered from the
  // transfer: rma-svc is not asked and nothing is written.
  for (const char* request_id : {"t-1", "t-2"}) {
    ASSERT_OK_AND_ASSIGN(TransferOutcome again,
                         use_case_.Run(admin_, nullptr, Request("R21056835", request_id)));
    EXPECT_TRUE(again.existing);
    EXPECT_EQ(again.transfer.licenses(0).new_license_id(),
              first.transfer.licenses(0).new_license_id());
  }
  EXPECT_EQ(rmas_.calls(), 1);
  EXPECT_EQ(NewWrites(), 1);
}

TEST_F(TransferLicensesTest, ByValidationNumberTheRmaIsAskedForAndItsAccountChecked) {
  PutRma("REPLACEMENT_SHIPPED", "JN11NEW00001");
  // Another account's customer: the same answer as an RMA nobody knows.
  absl::StatusOr<TransferOutcome> theirs =
      use_case_.Run(stranger_, nullptr, Request("V30000001", "t-1"));
  EXPECT_THAT(theirs, StatusIs(absl::StatusCode::kNotFound, HasSubstr("V30000001 not found")));
  EXPECT_THAT(use_case_.Run(stranger_, nullptr, Request("V39999999", "t-1")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("V39999999 not found")));
  EXPECT_EQ(NewWrites(), 0);

  ASSERT_OK_AND_ASSIGN(TransferOutcome first,
                       use_case_.Run(customer_, nullptr, Request("V30000001", "t-1")));
  EXPECT_FALSE(first.existing);
  EXPECT_EQ(first.transfer.rma_number(), "R21056835");
  // By validation number the RMA number is learnt from rma-svc, then the
  // transfer it already has is answered.
  const int calls = rmas_.calls();
  ASSERT_OK_AND_ASSIGN(TransferOutcome again,
                       use_case_.Run(customer_, nullptr, Request("V30000001", "t-2")));
  EXPECT_TRUE(again.existing);
  EXPECT_EQ(rmas_.calls(), calls + 1);
  EXPECT_EQ(NewWrites(), 1);
}

TEST_F(TransferLicensesTest, RmaSvcsAnswersAreNamedAndWriteNothing) {
  EXPECT_THAT(use_case_.Run(customer_, nullptr, Request("R21056835", "t-1")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("RMA R21056835 not found")));
  PutRma("APPROVED", "JN11NEW00001");
  rmas_.FailWith(absl::UnavailableError("connection refused"));
  EXPECT_THAT(use_case_.Run(customer_, nullptr, Request("R21056835", "t-1")),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("cannot check RMA R21056835 with rma-svc: connection refused")));
  rmas_.FailWith(absl::OkStatus());
  // A state that cannot move licenses yet.
  PutRma("PENDING", "");
  EXPECT_THAT(use_case_.Run(customer_, nullptr, Request("R21056835", "t-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("PENDING")));
  EXPECT_EQ(NewWrites(), 0);
  EXPECT_TRUE(store_.state().transfers.empty());
  EXPECT_EQ(store_.state().licenses.at(license_).state, LicenseState::kActive);
}

}  // namespace
}  // namespace aftercare::licensing
