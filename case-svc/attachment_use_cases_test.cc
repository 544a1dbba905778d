// Unit tests of the attachment streams' use cases (attachment_use_cases.h)
// against the in-memory store: a bad header refused before any content is
// kept, ids that change mid-stream, the size limit as the content arrives,
// an upload stored once however often it is retried, another account's case
// or attachment answered like an unknown one, and a download in chunks.
#include "case-svc/attachment_use_cases.h"

#include <string>
#include <vector>

#include "case-svc/use_case_fakes.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class AttachmentUseCasesTest : public CaseUseCaseTest {
 protected:
  // A PDF of `bytes` bytes.
  static std::string Pdf(size_t bytes) {
    std::string out = "%PDF-1.7\n";
    out.resize(bytes, 'x');
    return out;
  }

  // The stream of an upload of `content` to `case_id`, cut in `pieces`
  // messages; only the first carries the metadata.
  static std::vector<v1::UploadAttachmentRequest> Stream(const std::string& request_id,
                                                         const std::string& case_id,
                                                         const std::string& content, int pieces) {
    std::vector<v1::UploadAttachmentRequest> out(pieces);
    out[0].set_request_id(request_id);
    out[0].set_case_id(case_id);
    out[0].set_kind(v1::ATTACHMENT_KIND_TRADE_IN_FORM);
    out[0].set_file_name("trade-in form.pdf");
    const size_t piece = content.size() / pieces + 1;
    for (int i = 0; i < pieces; ++i) {
      out[i].set_chunk(content.substr(std::min(content.size(), i * piece), piece));
    }
    return out;
  }

  absl::StatusOr<v1::Attachment> Upload(const Principal& caller,
                                        const std::vector<v1::UploadAttachmentRequest>& stream) {
    AttachmentUpload upload(domain_, store_);
    for (const auto& m : stream) RETURN_IF_ERROR(upload.Add(caller, m));
    return upload.Finish(caller);
  }
};

TEST_F(AttachmentUseCasesTest, AnUploadIsStoredOnceAndARetryGetsTheFirstAnswer) {
  const v1::TradeInCase t = OpenedTradeIn();
  const std::string content = Pdf(600 * 1024);
  const auto stream = Stream("up-1", t.case_id(), content, 5);
  ASSERT_OK_AND_ASSIGN(v1::Attachment first, Upload(alice_, stream));
  EXPECT_EQ(first.case_id(), t.case_id());
  EXPECT_EQ(first.size_bytes(), static_cast<int64_t>(content.size()));
  EXPECT_EQ(first.content_type(), "application/pdf");
  EXPECT_EQ(first.version(), 1);
  ASSERT_EQ(repo_.attachments.size(), 1u);
  EXPECT_EQ(repo_.attachments.begin()->second.second, content);

  ASSERT_OK_AND_ASSIGN(v1::Attachment retry, Upload(alice_, stream));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(repo_.attachments.size(), 1u);
  // The same request_id with other content is another request.
  EXPECT_THAT(Upload(alice_, Stream("up-1", t.case_id(), Pdf(1000), 1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST_F(AttachmentUseCasesTest, ABadHeaderIsRefusedBeforeAnyContentIsKept) {
  const v1::TradeInCase t = OpenedTradeIn();
  const int writes = store_.writes();
  auto refused = [&](v1::UploadAttachmentRequest first, const std::string& field) {
    AttachmentUpload upload(domain_, store_);
    EXPECT_THAT(upload.Add(alice_, first),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(field)));
  };
  v1::UploadAttachmentRequest first = Stream("up-2", t.case_id(), Pdf(100), 1)[0];
  v1::UploadAttachmentRequest bad = first;
  bad.set_kind(v1::ATTACHMENT_KIND_UNSPECIFIED);
  refused(bad, "kind");
  bad = first;
  bad.set_kind(static_cast<v1::AttachmentKind>(77));
  refused(bad, "kind");
  bad = first;
  bad.set_file_name("../etc/form.pdf");
  refused(bad, "file_name");
  bad = first;
  bad.mutable_cod()->set_signer_name("Jo");
  refused(bad, "cod");
  bad = first;
  bad.set_case_id("not-a-case");
  refused(bad, "case_id");
  bad = first;
  bad.set_request_id(std::string(200, 'r'));
  refused(bad, "request_id");
  EXPECT_EQ(store_.writes(), writes);
  EXPECT_TRUE(repo_.attachments.empty());
}

TEST_F(AttachmentUseCasesTest, LaterMessagesRepeatTheIdsOrLeaveThemEmpty) {
  const v1::TradeInCase t = OpenedTradeIn();
  auto stream = Stream("up-3", t.case_id(), Pdf(3000), 3);
  stream[1].set_request_id("up-3");  // the same: fine
  stream[2].set_case_id(t.case_id());
  EXPECT_OK(Upload(alice_, stream).status());
  stream = Stream("up-4", t.case_id(), Pdf(3000), 3);
  stream[2].set_request_id("up-5");
  EXPECT_THAT(Upload(alice_, stream),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the same in every message")));
  EXPECT_EQ(repo_.attachments.size(), 1u);
}

TEST_F(AttachmentUseCasesTest, AFilePastTheLimitIsRefusedAsItArrivesAndAnEmptyStreamStoresNothing) {
  CaseOptions small;
  small.max_attachment_bytes = 2000;
  Cases domain(clock_, small, &codec_);
  const v1::TradeInCase t = OpenedTradeIn();
  const int writes = store_.writes();
  const auto stream = Stream("up-6", t.case_id(), Pdf(3000), 5);  // 601 bytes a message
  AttachmentUpload upload(domain, store_);
  for (int i = 0; i < 3; ++i) EXPECT_OK(upload.Add(alice_, stream[i]));  // 1,803 bytes
  EXPECT_THAT(upload.Add(alice_, stream[3]),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("larger than 2000 bytes")));

  AttachmentUpload empty(domain_, store_);
  EXPECT_THAT(empty.Finish(alice_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no message")));
  EXPECT_EQ(store_.writes(), writes);
}

TEST_F(AttachmentUseCasesTest, AnotherAccountsCaseOrAttachmentAnswersLikeAnUnknownOne) {
  const v1::TradeInCase t = OpenedTradeIn();
  EXPECT_THAT(Upload(mallory_, Stream("up-7", t.case_id(), Pdf(100), 1)),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(repo_.attachments.empty());

  ASSERT_OK_AND_ASSIGN(v1::Attachment a, Upload(alice_, Stream("up-8", t.case_id(), Pdf(100), 1)));
  AttachmentDownload theirs(domain_, store_);
  const absl::Status foreign = theirs.First(mallory_, a.attachment_id()).status();
  AttachmentDownload unknown(domain_, store_);
  const absl::Status missing = unknown.First(mallory_, "AT0000009999").status();
  EXPECT_THAT(foreign, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(foreign.code(), missing.code());
  EXPECT_OK(AttachmentDownload(domain_, store_).First(alice_, a.attachment_id()).status());
}

TEST_F(AttachmentUseCasesTest, ADownloadIsTheMetadataThenTheContentInChunks) {
  const v1::TradeInCase t = OpenedTradeIn();
  const std::string content = Pdf(2 * kChunkBytes + 1000);
  ASSERT_OK_AND_ASSIGN(v1::Attachment a, Upload(alice_, Stream("up-9", t.case_id(), content, 4)));
  AttachmentDownload download(domain_, store_);
  ASSERT_OK_AND_ASSIGN(v1::DownloadAttachmentResponse first, download.First(agent_, a.attachment_id()));
  EXPECT_EQ(first.attachment().SerializeAsString(), a.SerializeAsString());
  EXPECT_EQ(first.chunk().size(), kChunkBytes);
  std::string got = first.chunk();
  std::vector<size_t> sizes;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(std::optional<v1::DownloadAttachmentResponse> next, download.Next());
    if (!next) break;
    EXPECT_FALSE(next->has_attachment());  // metadata only in the first message
    sizes.push_back(next->chunk().size());
    got += next->chunk();
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{kChunkBytes, 1000}));
  EXPECT_EQ(got, content);
}

}  // namespace
}  // namespace aftercare::cases
