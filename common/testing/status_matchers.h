// gMock matchers for absl::Status and absl::StatusOr<T>.
//
//   EXPECT_THAT(repo.Find("X"), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(Validate(req), StatusIs(absl::StatusCode::kInvalidArgument,
//                                       HasSubstr("serial_number")));
//   ASSERT_OK(status);  ASSERT_OK_AND_ASSIGN(auto unit, repo.Find("X"));
#ifndef AFTERCARE_COMMON_TESTING_STATUS_MATCHERS_H_
#define AFTERCARE_COMMON_TESTING_STATUS_MATCHERS_H_

#include <grpcpp/support/status.h>

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("status code is ") + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::aftercare::testing::GetStatus(arg);
  if (s.code() != code) {
    *result_listener << "got " << s;
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, std::string(s.message()),
                                       result_listener);
}

MATCHER_P(StatusIs, code, std::string("status code is ") + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::aftercare::testing::GetStatus(arg);
  if (s.code() != code) {
    *result_listener << "got " << s;
    return false;
  }
  return true;
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::aftercare::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "got " << s;
  return s.ok();
}

// Matches a grpc::Status by code and (optionally) message.
MATCHER_P2(GrpcStatusIs, code, message_matcher, "grpc status matches") {
  if (arg.error_code() != code) {
    *result_listener << "got code " << arg.error_code() << ": " << arg.error_message();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, arg.error_message(), result_listener);
}

}  // namespace aftercare::testing

#define ASSERT_OK(expr) ASSERT_THAT(expr, ::aftercare::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT(expr, ::aftercare::testing::IsOk())
#define AFTERCARE_MATCHERS_CONCAT_(a, b) a##b
#define AFTERCARE_MATCHERS_CONCAT(a, b) AFTERCARE_MATCHERS_CONCAT_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(AFTERCARE_MATCHERS_CONCAT(_aftercare_sor_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()

#endif  // AFTERCARE_COMMON_TESTING_STATUS_MATCHERS_H_
