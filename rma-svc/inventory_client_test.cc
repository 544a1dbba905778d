// DeliveryRefused (inventory_client.h): which refusals of inventory-svc
// dead-letter an outbox event and which are retried.
#include "rma-svc/inventory_client.h"

#include "common/outbox.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::rma {
namespace {

using ::testing::HasSubstr;

grpc::Status Refusal(grpc::StatusCode code) { return grpc::Status(code, "unit JN11X is SCRAPPED"); }

TEST(DeliveryRefusedTest, WhatARetryCannotChangeIsDeadLettered) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::OUT_OF_RANGE,
        grpc::StatusCode::NOT_FOUND, grpc::StatusCode::PERMISSION_DENIED,
        grpc::StatusCode::ALREADY_EXISTS, grpc::StatusCode::FAILED_PRECONDITION}) {
    SCOPED_TRACE(code);
    const absl::Status s = DeliveryRefused(Refusal(code), "SwapInstalledBase for R00000001",
                                           /*state_may_change=*/false);
    EXPECT_TRUE(IsPoison(s)) << s;
    EXPECT_THAT(s.message(), HasSubstr("SwapInstalledBase for R00000001"));
    EXPECT_THAT(s.message(), HasSubstr("unit JN11X is SCRAPPED"));
  }
}

TEST(DeliveryRefusedTest, ASpareOutOfStockAndEveryTransientFailureAreRetried) {
  const absl::Status no_spare =
      DeliveryRefused(Refusal(grpc::StatusCode::FAILED_PRECONDITION), "AllocateSpare for R1",
                      /*state_may_change=*/true);
  EXPECT_FALSE(IsPoison(no_spare));
  EXPECT_EQ(no_spare.code(), absl::StatusCode::kFailedPrecondition);
  // A malformed request is dead-lettered for a spare too.
  EXPECT_TRUE(IsPoison(DeliveryRefused(Refusal(grpc::StatusCode::INVALID_ARGUMENT),
                                       "AllocateSpare for R1", /*state_may_change=*/true)));
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::INTERNAL,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::ABORTED,
        grpc::StatusCode::UNKNOWN, grpc::StatusCode::CANCELLED}) {
    SCOPED_TRACE(code);
    EXPECT_FALSE(IsPoison(DeliveryRefused(Refusal(code), "IntakeReturnedUnit for R1",
                                          /*state_may_change=*/false)));
  }
}

}  // namespace
}  // namespace aftercare::rma
