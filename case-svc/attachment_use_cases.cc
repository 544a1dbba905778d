#include "case-svc/attachment_use_cases.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "case-svc/case_proto.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace aftercare::cases {

absl::Status AttachmentUpload::Header(const Principal& caller) {
  ASSIGN_OR_RETURN(kind_,
                   FromEnum<AttachmentKind>(combined_.kind(), v1::AttachmentKind_IsValid, "kind"));
  if (combined_.has_cod()) {
    ASSIGN_OR_RETURN(CodDetails cod, FromProto(combined_.cod()));
    cod_ = std::move(cod);
  }
  RETURN_IF_ERROR(ValidateRequestId(combined_.request_id()));
  return domain_.CheckUploadHeader(caller, combined_.case_id(), kind_, combined_.file_name(),
                                   cod_);
}

absl::Status AttachmentUpload::Add(const Principal& caller,
                                   const v1::UploadAttachmentRequest& message) {
  if (messages_++ == 0) {
    combined_ = message;
    combined_.clear_chunk();
    RETURN_IF_ERROR(Header(caller));
  } else if ((!message.request_id().empty() && message.request_id() != combined_.request_id()) ||
             (!message.case_id().empty() && message.case_id() != combined_.case_id())) {
    return InvalidFields(
        {"request_id", "case_id"},
        "request_id and case_id must be the same in every message (or only in the first)");
  }
  const int64_t limit = domain_.options().max_attachment_bytes;
  if (static_cast<int64_t>(content_.size() + message.chunk().size()) > limit) {
    return InvalidField(
        "chunk", absl::StrCat(": the file is larger than ", limit, " bytes (--max_attachment_bytes)"));
  }
  content_.append(message.chunk());
  return absl::OkStatus();
}

absl::StatusOr<v1::Attachment> AttachmentUpload::Finish(const Principal& caller) {
  if (messages_ == 0) return absl::InvalidArgumentError("the stream carried no message");
  // The request the idempotency key is bound to: the header with its whole
  // content, so a retry with other content is refused.
  combined_.set_chunk(content_);
  return store_.WriteOnce<v1::Attachment>(
      caller, combined_, "UploadAttachment", "upload attachment",
      [&](CaseRepository& repo) -> absl::StatusOr<v1::Attachment> {
        ASSIGN_OR_RETURN(Attachment a, domain_.Upload(caller, combined_.case_id(), kind_,
                                                      combined_.file_name(), cod_, content_, repo));
        v1::Attachment out;
        ToProto(a, &out);
        return out;
      });
}

absl::StatusOr<v1::DownloadAttachmentResponse> AttachmentDownload::First(
    const Principal& caller, const std::string& attachment_id) {
  ASSIGN_OR_RETURN(Attachment a,
                   store_.ReadOnce<Attachment>(
                       "download attachment", [&](CaseRepository& repo) -> absl::StatusOr<Attachment> {
                         return domain_.GetAttachment(caller, attachment_id, repo);
                       }));
  id_ = a.id;
  seq_ = 0;
  v1::DownloadAttachmentResponse out;
  ToProto(a, out.mutable_attachment());
  ASSIGN_OR_RETURN(std::optional<std::string> chunk, store_.ReadChunk(id_, seq_++));
  if (chunk) out.set_chunk(*std::move(chunk));
  return out;
}

absl::StatusOr<std::optional<v1::DownloadAttachmentResponse>> AttachmentDownload::Next() {
  ASSIGN_OR_RETURN(std::optional<std::string> chunk, store_.ReadChunk(id_, seq_++));
  if (!chunk) return std::optional<v1::DownloadAttachmentResponse>();
  v1::DownloadAttachmentResponse out;
  out.set_chunk(*std::move(chunk));
  return std::optional<v1::DownloadAttachmentResponse>(std::move(out));
}

}  // namespace aftercare::cases
