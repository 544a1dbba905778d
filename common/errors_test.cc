#include "common/errors.h"

#include <google/protobuf/util/message_differencer.h>

#include "common/db/errors.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/policy.h"
#include "common/status.h"
#include "common/testing/status_matchers.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;

// The google.rpc.Status a client decodes from the grpc-status-details-bin trailer.
google::rpc::Status OnTheWire(const absl::Status& status) {
  const grpc::Status sent = ToGrpcStatus(status);
  google::rpc::Status rpc;
  EXPECT_TRUE(rpc.ParseFromString(sent.error_details())) << status;
  EXPECT_EQ(rpc.code(), static_cast<int>(sent.error_code()));
  EXPECT_EQ(rpc.message(), sent.error_message());
  return rpc;
}

template <typename Detail>
std::vector<Detail> All(const google::rpc::Status& rpc) {
  std::vector<Detail> out;
  for (const auto& any : rpc.details()) {
    Detail d;
    if (any.UnpackTo(&d)) out.push_back(d);
  }
  return out;
}

absl::Duration DelayOf(const google::rpc::RetryInfo& r) {
  return absl::Seconds(r.retry_delay().seconds()) + absl::Nanoseconds(r.retry_delay().nanos());
}

TEST(ErrorsTest, EveryErrorCodeCarriesOneErrorInfoWithReasonAndDomain) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    const google::rpc::Status rpc = OnTheWire(absl::Status(code, "boom"));
    const auto infos = All<google::rpc::ErrorInfo>(rpc);
    ASSERT_EQ(infos.size(), 1u) << absl::StatusCodeToString(code);
    EXPECT_EQ(infos[0].reason(), DefaultReason(code));
    EXPECT_EQ(infos[0].domain(), ErrorDomain());
    EXPECT_TRUE(rpc.details(0).Is<google::rpc::ErrorInfo>()) << "ErrorInfo comes first";
  }
  EXPECT_EQ(DefaultReason(absl::StatusCode::kNotFound), "NOT_FOUND");
  EXPECT_EQ(DefaultReason(absl::StatusCode::kFailedPrecondition), "FAILED_PRECONDITION");
  EXPECT_EQ(DefaultReason(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(DefaultReason(static_cast<absl::StatusCode>(99)), "UNKNOWN");  // no such code
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).error_details().empty());
}

TEST(ErrorsTest, RetryInfoOnUnavailableAndResourceExhaustedOnly) {
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    const auto retries = All<google::rpc::RetryInfo>(OnTheWire(absl::Status(code, "x")));
    const bool retryable =
        code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted;
    ASSERT_EQ(retries.size(), retryable ? 1u : 0u) << absl::StatusCodeToString(code);
    if (retryable) {
      EXPECT_EQ(DelayOf(retries[0]), kDefaultRetryDelay);
    }
  }
  // A delay set by the code that knows better wins, and appears once.
  const auto set = All<google::rpc::RetryInfo>(
      OnTheWire(WithRetryDelay(absl::ResourceExhaustedError("pool"), absl::Milliseconds(2500))));
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(DelayOf(set[0]), absl::Milliseconds(2500));
  // A RetryInfo on a code that must not be retried as is is dropped.
  EXPECT_TRUE(All<google::rpc::RetryInfo>(
                  OnTheWire(WithRetryDelay(absl::InvalidArgumentError("x"), absl::Seconds(1))))
                  .empty());
}

TEST(ErrorsTest, InvalidFieldCarriesABadRequestNamingTheField) {
  const absl::Status s = InvalidField("case.priority", "is required (P1-P4)");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "case.priority is required (P1-P4)"));
  const google::rpc::Status rpc = OnTheWire(s);
  const auto bad = All<google::rpc::BadRequest>(rpc);
  ASSERT_EQ(bad.size(), 1u);
  ASSERT_EQ(bad[0].field_violations_size(), 1);
  EXPECT_EQ(bad[0].field_violations(0).field(), "case.priority");
  EXPECT_EQ(bad[0].field_violations(0).description(), "is required (P1-P4)");
  EXPECT_EQ(All<google::rpc::ErrorInfo>(rpc)[0].reason(), kReasonInvalidField);
  // "field: rule" keeps its colon in the message, not in the description.
  const absl::Status colon = InvalidField("chunk", ": the file is empty");
  EXPECT_EQ(colon.message(), "chunk: the file is empty");
  EXPECT_EQ(GetDetail<google::rpc::BadRequest>(colon)->field_violations(0).description(),
            "the file is empty");
}

TEST(ErrorsTest, InvalidFieldsNamesEveryFieldInvolved) {
  const absl::Status s =
      InvalidFields({"serial_number", "sku"}, "exactly one of serial_number and sku is required");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument,
                          "exactly one of serial_number and sku is required"));
  const auto bad = All<google::rpc::BadRequest>(OnTheWire(s));
  ASSERT_EQ(bad.size(), 1u);
  ASSERT_EQ(bad[0].field_violations_size(), 2);
  EXPECT_EQ(bad[0].field_violations(0).field(), "serial_number");
  EXPECT_EQ(bad[0].field_violations(1).field(), "sku");
}

absl::StatusOr<std::string> Layered(std::string_view serial) {
  ASSIGN_OR_RETURN(std::string s, NormalizeSerial(serial, "unit.serial_number"));
  return s;
}

TEST(ErrorsTest, TheSharedFieldHelpersCarryTheFieldTheyWereGiven) {
  struct Case {
    absl::Status status;
    std::string field;
  };
  const std::vector<Case> cases = {
      {CheckText("", "summary", 200, true), "summary"},
      {CheckText(std::string(300, 'a'), "summary", 200, false), "summary"},
      {CheckText("a\x01", "notes.body", 200, false), "notes.body"},
      {CheckRegionCode("usa", "site.region_code"), "site.region_code"},
      {ParseCaseId("2019-13", "case_id").status(), "case_id"},
      {ParseRmaNumber("X1", "rma_number").status(), "rma_number"},
      {NormalizePhone("12", "callback_phone").status(), "callback_phone"},
      {NormalizeSsrn("a", "ssrn").status(), "ssrn"},
      {Layered("x y").status(), "unit.serial_number"},  // through ASSIGN_OR_RETURN
      {NormalizePageSize(-1, 10, 100).status(), "page_size"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(c.status, StatusIs(absl::StatusCode::kInvalidArgument));
    const auto bad = All<google::rpc::BadRequest>(OnTheWire(c.status));
    ASSERT_EQ(bad.size(), 1u) << c.status;
    ASSERT_EQ(bad[0].field_violations_size(), 1) << c.status;
    EXPECT_EQ(bad[0].field_violations(0).field(), c.field) << c.status;
    // The message still names the field first, as before.
    EXPECT_EQ(c.status.message().substr(0, c.field.size()), c.field) << c.status;
  }
}

TEST(ErrorsTest, FailedPreconditionCarriesAPreconditionFailure) {
  const absl::Status s = FailedPrecondition("UNIT_STATE", "units/JN11", "the unit is not in stock");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition, "the unit is not in stock"));
  const auto failures = All<google::rpc::PreconditionFailure>(OnTheWire(s));
  ASSERT_EQ(failures.size(), 1u);
  ASSERT_EQ(failures[0].violations_size(), 1);
  EXPECT_EQ(failures[0].violations(0).type(), "UNIT_STATE");
  EXPECT_EQ(failures[0].violations(0).subject(), "units/JN11");
  EXPECT_EQ(failures[0].violations(0).description(), "the unit is not in stock");
}

TEST(ErrorsTest, ReasonsAndInternalPayloads) {
  const google::rpc::Status rpc = OnTheWire(
      WithReason(absl::PermissionDeniedError("no"), "ROLE_NOT_ALLOWED", {{"role", "customer"}}));
  const auto info = All<google::rpc::ErrorInfo>(rpc);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].reason(), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(info[0].metadata().at("role"), "customer");
  // Payloads that are not google.rpc details (db::MarkRetryable's) stay home.
  const google::rpc::Status aborted = OnTheWire(db::MarkRetryable(absl::AbortedError("retry")));
  EXPECT_EQ(aborted.details_size(), 1);
  // A database outage says so, and when to retry.
  const google::rpc::Status down = OnTheWire(db::DatabaseUnavailable(absl::UnavailableError("x")));
  EXPECT_EQ(All<google::rpc::ErrorInfo>(down)[0].reason(), kReasonDatabaseUnavailable);
  EXPECT_EQ(DelayOf(All<google::rpc::RetryInfo>(down)[0]), db::kDatabaseRetryDelay);
}

TEST(ErrorsTest, AuthorizationFailuresHaveTheirReasons) {
  const ServicePolicy policy("aftercare.testing.v1.EchoService",
                             {{"Echo", {Role::kAdmin}, ScopeKind::kNone, "echo"}});
  const PolicyIndex index({&policy});
  Principal customer;
  customer.subject = "c1";
  customer.role = Role::kCustomer;
  const absl::Status denied = index.Authorize("/aftercare.testing.v1.EchoService/Echo", customer);
  EXPECT_THAT(denied, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(denied)->reason(), kReasonRoleNotAllowed);
  const absl::Status no_policy = index.Authorize("/x.Y/Z", customer);
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(no_policy)->reason(), kReasonNoPolicy);
  const absl::Status missing = BearerFromHeader("").status();
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(missing)->reason(), kReasonMissingToken);
}

TEST(ErrorsTest, OutOfScopeLooksExactlyLikeNotFound) {
  // Another account's resource: the same details as one that does not exist.
  const google::rpc::Status hidden = OnTheWire(OutOfScope("unit JN11"));
  const google::rpc::Status absent = OnTheWire(absl::NotFoundError("unit JN11 not found"));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(hidden, absent))
      << hidden.DebugString() << "\nvs\n"
      << absent.DebugString();
}

TEST(ErrorsTest, StatusesBuiltAsGrpcStatusGetDefaultDetails) {
  const grpc::Status plain(grpc::StatusCode::DEADLINE_EXCEEDED, "late");
  const grpc::Status with = WithDefaultDetails(plain);
  EXPECT_EQ(with.error_code(), plain.error_code());
  EXPECT_EQ(with.error_message(), "late");
  std::optional<google::rpc::ErrorInfo> info = FindDetail<google::rpc::ErrorInfo>(with);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "DEADLINE_EXCEEDED");
  // Details already there are kept as they are.
  const grpc::Status field = ToGrpcStatus(InvalidField("a", "is required"));
  EXPECT_EQ(WithDefaultDetails(field).error_details(), field.error_details());
  EXPECT_EQ(FindDetail<google::rpc::BadRequest>(field)->field_violations(0).field(), "a");
  EXPECT_TRUE(WithDefaultDetails(grpc::Status::OK).error_details().empty());
}

}  // namespace
}  // namespace aftercare
