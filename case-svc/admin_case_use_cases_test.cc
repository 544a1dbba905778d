// The admin-case use cases (admin_case_use_cases.h) against fakes: a case
// taken, put to the customer and answered, escalated, resolved, reopened
// and closed, each step once (a retry gets the first answer); enums and
// etags checked before anything changes; another account's case answers
// like an unknown one.
#include "case-svc/admin_case_use_cases.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "case-svc/use_case_fakes.h"
#include "common/testing/status_matchers.h"

namespace aftercare::cases {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class AdminCaseUseCasesTest : public CaseUseCaseTest {
 protected:
  template <typename Req>
  static Req For(const v1::Case& c, const std::string& request_id) {
    Req req;
    req.set_request_id(request_id);
    req.set_case_id(c.case_id());
    return req;
  }

  Case Stored(const v1::Case& c) { return repo_.cases.at(c.case_id()); }

  TakeCaseOwnershipUseCase take_{Deps()};
  UpdateCaseStatusUseCase status_{Deps()};
  AddCaseNoteUseCase note_{Deps()};
  EscalateCaseUseCase escalate_{Deps()};
  ResolveCaseUseCase resolve_{Deps()};
  CloseCaseUseCase close_{Deps()};
  ReopenCaseUseCase reopen_{Deps()};
  ApproveReinstatementUseCase reinstate_{Deps()};
};

TEST_F(AdminCaseUseCasesTest, BadEnumsStaleEtagsAndOtherAccountsChangeNothing) {
  const v1::Case c = Opened();
  auto take = For<v1::TakeCaseOwnershipRequest>(c, "t-1");
  take.set_etag("\"99\"");
  EXPECT_THAT(take_.Run(agent_, take), StatusIs(absl::StatusCode::kAborted));
  auto status = For<v1::UpdateCaseStatusRequest>(c, "s-1");
  status.set_status(static_cast<v1::CaseStatus>(99));
  EXPECT_THAT(status_.Run(agent_, status),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("status")));
  auto escalate = For<v1::EscalateCaseRequest>(c, "e-1");
  escalate.set_kind(static_cast<v1::EscalationKind>(99));
  escalate.set_reason("no answer for two days");
  EXPECT_THAT(escalate_.Run(alice_, escalate),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind")));
  auto note = For<v1::AddCaseNoteRequest>(c, "n-1");
  note.set_body("is anyone there?");
  EXPECT_THAT(note_.Run(mallory_, note), StatusIs(absl::StatusCode::kNotFound));
  note.set_internal(true);
  EXPECT_THAT(note_.Run(alice_, note), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(reinstate_.Run(agent_, For<v1::ApproveReinstatementRequest>(c, "r-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("grey-market")));
  EXPECT_EQ(Stored(c).status, CaseStatus::kNew);
  EXPECT_EQ(Stored(c).version, 1);
  EXPECT_EQ(Stored(c).escalation_level, 0);
}

TEST_F(AdminCaseUseCasesTest, ACaseIsTakenAskedAnsweredEscalatedResolvedReopenedAndClosed) {
  const v1::Case c = Opened();
  auto take = For<v1::TakeCaseOwnershipRequest>(c, "t-1");
  take.set_etag(c.etag());
  ASSERT_OK_AND_ASSIGN(v1::Case taken, take_.Run(agent_, take));
  EXPECT_EQ(taken.status(), v1::CASE_STATUS_IN_PROGRESS);
  EXPECT_EQ(taken.owner(), "agent-7");
  ASSERT_OK_AND_ASSIGN(v1::Case retry, take_.Run(agent_, take));
  EXPECT_EQ(retry.SerializeAsString(), taken.SerializeAsString());

  auto ask = For<v1::UpdateCaseStatusRequest>(c, "s-1");
  ask.set_status(v1::CASE_STATUS_AWAITING_CUSTOMER);
  ask.set_question("which PSU slot?");
  ask.set_etag(taken.etag());
  ASSERT_OK_AND_ASSIGN(v1::Case asked, status_.Run(agent_, ask));
  EXPECT_EQ(asked.status(), v1::CASE_STATUS_AWAITING_CUSTOMER);
  EXPECT_TRUE(asked.sla_paused());

  // alice answers: the case is worked on again.
  auto answer = For<v1::AddCaseNoteRequest>(c, "n-1");
  answer.set_body("slot 1");
  ASSERT_OK_AND_ASSIGN(v1::Case answered, note_.Run(alice_, answer));
  EXPECT_EQ(answered.status(), v1::CASE_STATUS_IN_PROGRESS);
  EXPECT_FALSE(answered.sla_paused());

  auto escalate = For<v1::EscalateCaseRequest>(c, "e-1");
  escalate.set_kind(v1::ESCALATION_KIND_FASTER_PROGRESS);
  escalate.set_reason("the site is down");
  ASSERT_OK_AND_ASSIGN(v1::Case escalated, escalate_.Run(alice_, escalate));
  EXPECT_EQ(escalated.escalation_level(), 1);
  EXPECT_TRUE(escalated.team_lead_attention());
  ASSERT_OK_AND_ASSIGN(v1::Case escalated_again, escalate_.Run(alice_, escalate));
  EXPECT_EQ(escalated_again.escalation_level(), 1);  // the retry escalates nothing
  EXPECT_EQ(Stored(c).escalation_level, 1);

  auto resolve = For<v1::ResolveCaseRequest>(c, "v-1");
  resolve.set_resolution("PSU 1 replaced under RMA");
  resolve.set_etag(escalated.etag());
  ASSERT_OK_AND_ASSIGN(v1::Case resolved, resolve_.Run(agent_, resolve));
  EXPECT_EQ(resolved.status(), v1::CASE_STATUS_RESOLVED);
  EXPECT_EQ(resolved.resolution(), "PSU 1 replaced under RMA");

  auto reopen = For<v1::ReopenCaseRequest>(c, "o-1");
  reopen.set_reason("the fan is loud again");
  ASSERT_OK_AND_ASSIGN(v1::Case reopened, reopen_.Run(alice_, reopen));
  EXPECT_EQ(reopened.status(), v1::CASE_STATUS_IN_PROGRESS);  // it has an owner
  EXPECT_THAT(close_.Run(alice_, For<v1::CloseCaseRequest>(c, "c-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("RESOLVED")));

  resolve.set_request_id("v-2");
  resolve.set_etag(reopened.etag());
  ASSERT_OK(resolve_.Run(agent_, resolve).status());
  ASSERT_OK_AND_ASSIGN(v1::Case closed, close_.Run(alice_, For<v1::CloseCaseRequest>(c, "c-2")));
  EXPECT_EQ(closed.status(), v1::CASE_STATUS_CLOSED);
  EXPECT_TRUE(closed.has_close_time());
  EXPECT_EQ(Stored(c).status, CaseStatus::kClosed);
}

}  // namespace
}  // namespace aftercare::cases
