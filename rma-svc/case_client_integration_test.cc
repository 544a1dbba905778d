// rma-svc's client of case-svc (case_client.h) against a real case-svc and
// MariaDB: a note is added once however often it is delivered, a refused
// note is a permanent FAILED_PRECONDITION, and an unreachable case-svc a
// retryable UNAVAILABLE.
#include "rma-svc/case_client.h"

#include "absl/strings/str_cat.h"
#include "case-svc/case_spec.h"
#include "common/clients.h"
#include "common/clock.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_service.h"

namespace aftercare::rma {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestService;
using ::testing::HasSubstr;

ClientOptions RmaServiceOptions() {
  ClientOptions o;
  o.service_name = "rma";  // token subject "svc:rma", role service
  o.hs256_secret = aftercare::testing::kTestJwtSecret;
  o.issuer = "aftercare-dev";
  o.audience = "aftercare";
  return o;
}

class CaseNotesClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto svc = TestService::Start(
        cases::Spec(),
        {.clock = &clock_,
         .flags = {{"inventory_target", "127.0.0.1:1"}, {"case_sweep_interval", "0"}}});
    ASSERT_TRUE(svc.ok()) << svc.status();
    cases_ = *std::move(svc);
  }

  int64_t Rows() {
    auto v = cases_->database().QueryValue("SELECT COUNT(*) FROM technical_case_notes");
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::stoll(*v) : -1;
  }

  FakeClock clock_;
  std::unique_ptr<TestService> cases_;
  ClientFactory clients_{RmaServiceOptions(), nullptr, &clock_};
};

TEST_F(CaseNotesClientTest, ANoteIsAddedOnceHoweverOftenItIsDelivered) {
  GrpcCaseNotesClient client(&clients_, cases_->address(), absl::Seconds(5));
  EXPECT_TRUE(client.AddNote("rma-ev-1", "2026-1121-00042", "ACME-001", "rma-V10000001-n1",
                             "RMA V10000001 received", "We received your request.")
                  .ok());
  EXPECT_TRUE(client.AddNote("rma-ev-1-again", "2026-1121-00042", "ACME-001", "rma-V10000001-n1",
                             "RMA V10000001 received", "We received your request.")
                  .ok());
  EXPECT_EQ(Rows(), 1);
  auto source = cases_->database().QueryValue("SELECT source FROM technical_case_notes");
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(*source, "svc:rma");
}

TEST_F(CaseNotesClientTest, ARefusedNoteIsAPermanentFailedPrecondition) {
  GrpcCaseNotesClient client(&clients_, cases_->address(), absl::Seconds(5));
  // INVALID_ARGUMENT from case-svc.
  EXPECT_THAT(client.AddNote("rma-ev-2", "2026-1121-00042", "ACME-001", "n1", "", "body"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("subject")));
  // ALREADY_EXISTS (other content under a stored note_id).
  ASSERT_TRUE(client.AddNote("rma-ev-3", "2026-1121-00042", "ACME-001", "n2", "s", "b").ok());
  EXPECT_THAT(client.AddNote("rma-ev-4", "2026-1121-00042", "ACME-001", "n2", "s", "other"),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("ALREADY_EXISTS")));
  EXPECT_EQ(Rows(), 1);
}

TEST_F(CaseNotesClientTest, AnUnreachableCaseSvcIsRetryableUnavailable) {
  GrpcCaseNotesClient client(&clients_, "127.0.0.1:1", absl::Milliseconds(500));
  EXPECT_THAT(client.AddNote("rma-ev-5", "2026-1121-00042", "ACME-001", "n3", "s", "b"),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("case-svc")));
}

}  // namespace
}  // namespace aftercare::rma
