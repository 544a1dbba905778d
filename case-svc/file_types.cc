#include "case-svc/file_types.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace aftercare::cases {
namespace {

bool StartsWithBytes(absl::string_view s, absl::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// The extension of `name` in lower case ("pdf"), empty when there is none.
std::string Extension(absl::string_view name) {
  size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos || dot + 1 >= name.size()) return "";
  return absl::AsciiStrToLower(name.substr(dot + 1));
}

bool ExtensionFits(FileType t, const std::string& ext) {
  switch (t) {
    case FileType::kPdf:
      return ext == "pdf";
    case FileType::kJpeg:
      return ext == "jpg" || ext == "jpeg";
    case FileType::kPng:
      return ext == "png";
    case FileType::kXlsx:
      return ext == "xlsx" || ext == "xlsm";
    case FileType::kOds:
      return ext == "ods";
    case FileType::kXls:
      return ext == "xls";
    case FileType::kUnknown:
      return false;
  }
  return false;
}

}  // namespace

FileType DetectFileType(absl::string_view c) {
  if (StartsWithBytes(c, "%PDF-")) return FileType::kPdf;
  if (StartsWithBytes(c, absl::string_view("\xFF\xD8\xFF", 3))) return FileType::kJpeg;
  if (StartsWithBytes(c, absl::string_view("\x89PNG\r\n\x1A\n", 8))) return FileType::kPng;
  if (StartsWithBytes(c, absl::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) {
    return FileType::kXls;
  }
  if (StartsWithBytes(c, absl::string_view("PK\x03\x04", 4))) {
    // Office Open XML and OpenDocument are zip archives; look at the names
    // of the entries near the start.
    absl::string_view head = c.substr(0, 4096);
    if (absl::StrContains(head, "mimetypeapplication/vnd.oasis.opendocument.spreadsheet")) {
      return FileType::kOds;
    }
    if (absl::StrContains(head, "[Content_Types].xml") || absl::StrContains(head, "xl/")) {
      return FileType::kXlsx;
    }
  }
  return FileType::kUnknown;
}

const char* MimeType(FileType t) {
  switch (t) {
    case FileType::kPdf:
      return "application/pdf";
    case FileType::kJpeg:
      return "image/jpeg";
    case FileType::kPng:
      return "image/png";
    case FileType::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case FileType::kOds:
      return "application/vnd.oasis.opendocument.spreadsheet";
    case FileType::kXls:
      return "application/vnd.ms-excel";
    case FileType::kUnknown:
      return "application/octet-stream";
  }
  return "application/octet-stream";
}

absl::StatusOr<std::string> CheckAttachmentContent(AttachmentKind kind, absl::string_view file_name,
                                                   absl::string_view content) {
  if (content.empty()) return InvalidField("chunk", ": the file is empty");
  const FileType t = DetectFileType(content);
  bool allowed = false;
  const char* rule = "";
  if (kind == AttachmentKind::kTradeInForm) {
    allowed = t == FileType::kPdf || t == FileType::kXlsx || t == FileType::kXls ||
              t == FileType::kOds;
    rule = "a trade-in form must be a spreadsheet (xlsx, xls, ods) or a PDF";
  } else if (kind == AttachmentKind::kCertificateOfDestruction) {
    allowed = t == FileType::kPdf || t == FileType::kJpeg;
    rule = "a Certificate of Destruction must be a PDF or a JPEG";
  } else {
    return InvalidField("kind", "must be TRADE_IN_FORM or CERTIFICATE_OF_DESTRUCTION");
  }
  if (!allowed) {
    return InvalidField(
        "chunk", absl::StrCat(": ", rule, "; the content is ",
                              t == FileType::kUnknown ? "not a recognized file type" : MimeType(t),
                              " (checked by content, not by name)"));
  }
  const std::string ext = Extension(file_name);
  if (!ext.empty() && !ExtensionFits(t, ext)) {
    return InvalidField("file_name",
                        absl::StrCat(": the extension '.", ext, "' does not match the content (",
                                     MimeType(t), ")"));
  }
  return std::string(MimeType(t));
}

}  // namespace aftercare::cases
