// The use cases behind CaseService's two streams, one object per call (the
// stream's state lives in it; the reactor in case_grpc.cc only moves
// messages and runs the database steps on the executor):
//   - AttachmentUpload (UploadAttachment, client streaming): Add() takes
//     each message in order. The first is the upload's header: its kind,
//     COD details, request_id, case and file name are checked there
//     (Cases::CheckUploadHeader), before any content is kept; later messages
//     repeat request_id and case_id or leave them empty, and the content may
//     not grow past --max_attachment_bytes. Finish() stores the file in one
//     idempotent transaction (a retry with the same request_id gets the
//     first answer and stores nothing again).
//   - AttachmentDownload (DownloadAttachment, server streaming): First()
//     answers the attachment's metadata (one the caller may not see is
//     NOT_FOUND, like one that does not exist) with the first chunk of its
//     content; Next() each further chunk (kChunkBytes), nullopt after the
//     last. One chunk is held at a time.
#ifndef AFTERCARE_CASE_SVC_ATTACHMENT_USE_CASES_H_
#define AFTERCARE_CASE_SVC_ATTACHMENT_USE_CASES_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_repository.h"
#include "case-svc/cases.h"
#include "common/auth.h"

namespace aftercare::cases {

class AttachmentUpload {
 public:
  AttachmentUpload(const Cases& domain, CaseStore& store) : domain_(domain), store_(store) {}

  // One message of the stream, in order; an error ends the call (nothing is
  // stored).
  absl::Status Add(const Principal& caller, const v1::UploadAttachmentRequest& message);
  // The end of the stream: INVALID_ARGUMENT when it carried no message.
  absl::StatusOr<v1::Attachment> Finish(const Principal& caller);

 private:
  absl::Status Header(const Principal& caller);

  const Cases& domain_;
  CaseStore& store_;
  v1::UploadAttachmentRequest combined_;  // the header, and the content at Finish
  int messages_ = 0;
  std::string content_;
  AttachmentKind kind_ = AttachmentKind::kUnspecified;
  std::optional<CodDetails> cod_;
};

class AttachmentDownload {
 public:
  AttachmentDownload(const Cases& domain, CaseStore& store) : domain_(domain), store_(store) {}

  absl::StatusOr<v1::DownloadAttachmentResponse> First(const Principal& caller,
                                                       const std::string& attachment_id);
  absl::StatusOr<std::optional<v1::DownloadAttachmentResponse>> Next();

 private:
  const Cases& domain_;
  CaseStore& store_;
  int64_t id_ = 0;
  int seq_ = 0;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_ATTACHMENT_USE_CASES_H_
