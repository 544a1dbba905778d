#include "rma-svc/case_client.h"

#include "absl/strings/str_cat.h"
#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "common/errors.h"
#include "common/status.h"

namespace aftercare::rma {
namespace {

namespace cases = ::aftercare::cases::v1;

absl::Status MapStatus(const grpc::Status& s, absl::string_view what) {
  const absl::Status st = FromGrpcStatus(s);
  switch (st.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: {
      std::optional<google::rpc::RetryInfo> retry = FindDetail<google::rpc::RetryInfo>(s);
      const absl::Duration delay =
          retry.has_value() ? absl::Seconds(retry->retry_delay().seconds()) +
                                  absl::Nanoseconds(retry->retry_delay().nanos())
                            : kDefaultRetryDelay;
      return DependencyUnavailable(
          absl::UnavailableError(
              absl::StrCat("case-svc is unavailable for ", what, ": ", s.error_message())),
          "case-svc", delay);
    }
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
      return absl::FailedPreconditionError(
          absl::StrCat("case-svc refused ", what, " (", absl::StatusCodeToString(st.code()),
                       "): ", s.error_message()));
    default:
      return absl::Status(st.code(), absl::StrCat("case-svc ", what, ": ", s.error_message()));
  }
}

}  // namespace

absl::Status GrpcCaseNotesClient::AddNote(const std::string& request_id,
                                          const std::string& technical_case_id,
                                          const std::string& account_id,
                                          const std::string& note_id, const std::string& subject,
                                          const std::string& body) {
  cases::AddTechnicalCaseNoteRequest req;
  req.set_request_id(request_id);
  req.set_technical_case_id(technical_case_id);
  req.set_account_id(account_id);
  req.set_note_id(note_id);
  req.set_subject(subject);
  req.set_body(body);
  ASSIGN_OR_RETURN(auto channel, clients_.Channel(target_));
  auto stub = cases::CaseService::NewStub(channel);
  ASSIGN_OR_RETURN(auto ctx, clients_.NewBackgroundContext(request_id, timeout_));
  cases::TechnicalCaseNote note;
  grpc::Status s = stub->AddTechnicalCaseNote(ctx.get(), req, &note);
  if (!s.ok()) {
    return MapStatus(s, absl::StrCat("note ", note_id, " of technical case ", technical_case_id));
  }
  return absl::OkStatus();
}

}  // namespace aftercare::rma
