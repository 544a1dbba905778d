// Recognizes uploaded files by their content (magic bytes), never by their
// name: a PNG renamed ".pdf" is a PNG.
//
//   DetectFileType(bytes) == FileType::kPdf
//   CheckAttachmentContent(AttachmentKind::kCertificateOfDestruction, "cod.pdf", bytes)
#ifndef AFTERCARE_CASE_SVC_FILE_TYPES_H_
#define AFTERCARE_CASE_SVC_FILE_TYPES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "case-svc/case_types.h"

namespace aftercare::cases {

enum class FileType { kUnknown, kPdf, kJpeg, kPng, kXlsx, kOds, kXls };

// Returns the type the leading bytes of `content` announce.
FileType DetectFileType(absl::string_view content);
// The MIME type of `t` ("application/pdf").
const char* MimeType(FileType t);

// Checks an upload of `kind`: trade-in forms must be spreadsheets (xlsx,
// xls, ods) or PDF, Certificates of Destruction PDF or JPEG; the file name's
// extension, when it has one, must agree with the content. Returns the
// detected MIME type, or INVALID_ARGUMENT naming the field.
absl::StatusOr<std::string> CheckAttachmentContent(AttachmentKind kind, absl::string_view file_name,
                                                   absl::string_view content);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_FILE_TYPES_H_
