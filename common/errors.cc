#include "common/errors.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/sync.h"

namespace aftercare {
namespace {

constexpr char kTypeUrlPrefix[] = "type.googleapis.com/";

template <typename Detail>
std::string TypeUrl() {
  return absl::StrCat(kTypeUrlPrefix, Detail::descriptor()->full_name());
}

template <typename Detail>
void SetDetail(absl::Status& status, const Detail& detail) {
  status.SetPayload(TypeUrl<Detail>(), absl::Cord(detail.SerializeAsString()));
}

// The installed Abseil's string_view is its own type, not std::string_view.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Set at start-up, read by every error. Every domain ever set stays
// allocated (and reachable, for LeakSanitizer): a reader may still hold the
// previous one; a process sets one or, in tests, a few.
std::atomic<const std::string*> g_domain{nullptr};
Mutex g_domains_mu;
std::vector<std::unique_ptr<const std::string>>& Domains()
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_domains_mu) {
  static auto* domains = new std::vector<std::unique_ptr<const std::string>>();
  return *domains;
}

bool Retryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kResourceExhausted;
}

google::rpc::RetryInfo RetryAfter(absl::Duration delay) {
  google::rpc::RetryInfo retry;
  const int64_t nanos = absl::ToInt64Nanoseconds(std::max(delay, absl::ZeroDuration()));
  retry.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return retry;
}

}  // namespace

void SetErrorDomain(std::string domain) {
  MutexLock lock(&g_domains_mu);
  Domains().push_back(std::make_unique<const std::string>(std::move(domain)));
  g_domain.store(Domains().back().get(), std::memory_order_release);
}

std::string ErrorDomain() {
  const std::string* domain = g_domain.load(std::memory_order_acquire);
  return domain != nullptr ? *domain : "aftercare";
}

absl::Status InvalidField(ErrorText field, ErrorText rule) {
  std::string_view description = rule.view();
  const bool colon = absl::StartsWith(Sv(description), ": ");
  if (colon) description.remove_prefix(2);
  return WithFieldViolation(absl::InvalidArgumentError(absl::StrCat(
                                Sv(field.view()), colon ? ": " : " ", Sv(description))),
                            field, description);
}

absl::Status InvalidFields(std::initializer_list<ErrorText> fields, ErrorText message) {
  absl::Status status = absl::InvalidArgumentError(Sv(message.view()));
  for (const ErrorText& field : fields) {
    status = WithFieldViolation(std::move(status), field, message);
  }
  return status;
}

absl::Status FailedPrecondition(ErrorText type, ErrorText subject, ErrorText description) {
  absl::Status status = absl::FailedPreconditionError(Sv(description.view()));
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type(type.str());
  v->set_subject(subject.str());
  v->set_description(description.str());
  SetDetail(status, failure);
  return status;
}

absl::Status WithFieldViolation(absl::Status status, ErrorText field, ErrorText description) {
  if (status.ok()) return status;
  google::rpc::BadRequest bad =
      GetDetail<google::rpc::BadRequest>(status).value_or(google::rpc::BadRequest());
  auto* v = bad.add_field_violations();
  v->set_field(field.str());
  v->set_description(description.str());
  SetDetail(status, bad);
  if (!GetDetail<google::rpc::ErrorInfo>(status).has_value()) {
    status = WithReason(std::move(status), kReasonInvalidField);
  }
  return status;
}

absl::Status WithReason(absl::Status status, ErrorText reason,
                        const std::map<std::string, std::string>& metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(reason.str());
  for (const auto& [k, v] : metadata) (*info.mutable_metadata())[k] = v;
  SetDetail(status, info);
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  SetDetail(status, RetryAfter(delay));
  return status;
}

absl::Status DependencyUnavailable(absl::Status status, ErrorText dependency,
                                   absl::Duration retry_delay) {
  return WithRetryDelay(WithReason(std::move(status), kReasonDependencyUnavailable,
                                   {{"dependency", dependency.str()}}),
                        retry_delay);
}

std::string DefaultReason(absl::StatusCode code) {
  // Abseil spells the codes as the reasons want them ("NOT_FOUND"); it
  // answers "" for a number that is no code.
  std::string name = absl::StatusCodeToString(code);
  return name.empty() ? "UNKNOWN" : name;
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(ToGrpcCode(status.code())));
  rpc.set_message(std::string(status.message()));
  // ErrorInfo first: the one detail every error has.
  google::rpc::ErrorInfo info =
      GetDetail<google::rpc::ErrorInfo>(status).value_or(google::rpc::ErrorInfo());
  if (info.reason().empty()) info.set_reason(DefaultReason(status.code()));
  if (info.domain().empty()) info.set_domain(ErrorDomain());
  rpc.add_details()->PackFrom(info);
  const std::string error_info_url = TypeUrl<google::rpc::ErrorInfo>();
  const std::string retry_info_url = TypeUrl<google::rpc::RetryInfo>();
  bool has_retry = false;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    // Only google.rpc details go on the wire (other payloads are internal
    // markers, e.g. db::MarkRetryable's).
    if (!absl::StartsWith(url, "type.googleapis.com/google.rpc.") || url == error_info_url) return;
    if (url == retry_info_url) {
      if (!Retryable(status.code())) return;
      has_retry = true;
    }
    google::protobuf::Any* any = rpc.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  });
  if (Retryable(status.code()) && !has_retry) {
    rpc.add_details()->PackFrom(RetryAfter(kDefaultRetryDelay));
  }
  return rpc;
}

grpc::Status WithDefaultDetails(const grpc::Status& status) {
  if (status.ok() || !status.error_details().empty()) return status;
  const absl::Status as_absl = FromGrpcStatus(status);
  return grpc::Status(status.error_code(), status.error_message(),
                      ToRpcStatus(as_absl).SerializeAsString());
}

}  // namespace aftercare
