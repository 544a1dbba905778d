#include "common/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aftercare/testing/v1/echo.pb.h"
#include "common/idempotency.h"
#include "common/status.h"

namespace aftercare {
namespace {

using ::testing::HasSubstr;

Principal Make(Role role, std::vector<std::string> accounts = {}, std::string subject = "u1") {
  Principal p;
  p.subject = std::move(subject);
  p.role = role;
  p.account_ids = std::move(accounts);
  if (role == Role::kPartner) p.partner_id = "P-1";
  return p;
}

const ServicePolicy& TestPolicy() {
  // Links the generated echo service into the descriptor pool.
  (void)aftercare::testing::v1::EchoRequest::descriptor();
  static const ServicePolicy policy(
      "aftercare.testing.v1.EchoService",
      {{"Echo", {Role::kLogistics, Role::kAdmin}, ScopeKind::kNone, "depot"}});
  return policy;
}

TEST(PolicyIndexTest, OnlyTheListedRolesMayCall) {
  PolicyIndex index({&TestPolicy()});
  const std::string method = "/aftercare.testing.v1.EchoService/Echo";
  EXPECT_TRUE(index.Authorize(method, Make(Role::kLogistics)).ok());
  EXPECT_TRUE(index.Authorize(method, Make(Role::kAdmin)).ok());
  for (Role r : {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kTse, Role::kService}) {
    absl::Status s = index.Authorize(method, Make(r));
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << RoleName(r);
    EXPECT_THAT(std::string(s.message()), HasSubstr("may not call Echo; allowed: logistics, admin"));
  }
}

TEST(PolicyIndexTest, AMethodWithoutPolicyIsDeniedToEveryone) {
  PolicyIndex index({&TestPolicy()});
  absl::Status s = index.Authorize("/aftercare.testing.v1.EchoService/Other", Make(Role::kAdmin));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no authorization policy"));
  EXPECT_EQ(PolicyIndex().Authorize("/x.Y/Z", Make(Role::kService)).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(ServicePolicyTest, CompleteOnlyWhenEveryRpcHasOneEntry) {
  EXPECT_TRUE(TestPolicy().CheckComplete().ok()) << TestPolicy().CheckComplete();
  ServicePolicy missing("aftercare.testing.v1.EchoService", {});
  EXPECT_THAT(std::string(missing.CheckComplete().message()),
              HasSubstr("EchoService/Echo has no authorization policy"));
  ServicePolicy extra("aftercare.testing.v1.EchoService",
                      {{"Echo", AnyRole(), ScopeKind::kNone, ""},
                       {"Gone", AnyRole(), ScopeKind::kNone, ""}});
  EXPECT_THAT(std::string(extra.CheckComplete().message()), HasSubstr("Gone, which does not exist"));
  ServicePolicy twice("aftercare.testing.v1.EchoService",
                      {{"Echo", AnyRole(), ScopeKind::kNone, ""},
                       {"Echo", {Role::kAdmin}, ScopeKind::kNone, ""}});
  EXPECT_THAT(std::string(twice.CheckComplete().message()), HasSubstr("declares Echo twice"));
  ServicePolicy nobody("aftercare.testing.v1.EchoService",
                       {{"Echo", RoleSet{}, ScopeKind::kNone, ""}});
  EXPECT_THAT(std::string(nobody.CheckComplete().message()), HasSubstr("allows no role"));
  ServicePolicy unknown("aftercare.nothing.v1.Nope", {});
  EXPECT_FALSE(unknown.CheckComplete().ok());
}

TEST(ServicePolicyTest, MarkdownListsEveryEntry) {
  EXPECT_EQ(TestPolicy().Markdown(),
            "| RPC | roles | scope | what a caller reaches |\n|---|---|---|---|\n"
            "| `Echo` | logistics, admin | none | depot |\n");
}

TEST(OutOfScopeTest, LooksExactlyLikeNotFoundOnTheWire) {
  absl::Status out = OutOfScope("unit JN1");
  absl::Status missing = absl::NotFoundError("unit JN1 not found");
  EXPECT_EQ(out.code(), missing.code());
  EXPECT_EQ(out.message(), missing.message());
  grpc::Status a = ToGrpcStatus(out);
  grpc::Status b = ToGrpcStatus(missing);
  EXPECT_EQ(a.error_code(), b.error_code());
  EXPECT_EQ(a.error_message(), b.error_message());
  EXPECT_EQ(a.error_details(), b.error_details());
  EXPECT_FALSE(IsAuthorizationFailure(missing));
  EXPECT_TRUE(IsAuthorizationFailure(absl::PermissionDeniedError("x")));
  EXPECT_TRUE(IsAuthorizationFailure(absl::UnauthenticatedError("x")));
  EXPECT_FALSE(IsAuthorizationFailure(absl::FailedPreconditionError("x")));
}

TEST(CheckAccountScopeTest, ScopedRolesReachOnlyTheirAccounts) {
  for (Role role : {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kTse,
                    Role::kLogistics, Role::kAdmin, Role::kService}) {
    Principal p = Make(role, {"ACME-1"});
    EXPECT_TRUE(CheckAccountScope(p, "ACME-1", "case 1").ok());
    absl::Status other = CheckAccountScope(p, "OTHER", "case 1");
    if (role == Role::kCustomer || role == Role::kPartner) {
      EXPECT_EQ(other.code(), absl::StatusCode::kNotFound);
      EXPECT_EQ(other.message(), "case 1 not found");
      EXPECT_FALSE(CheckAccountScope(p, "", "case 1").ok());
    } else {
      EXPECT_TRUE(other.ok()) << RoleName(role);
    }
  }
}

TEST(ScopeFingerprintTest, DiffersWithEveryRightAndNotWithAccountOrder) {
  Principal base = Make(Role::kCustomer, {"A", "B"});
  const std::string fp = ScopeFingerprint(base);
  EXPECT_EQ(fp.size(), 32u);
  EXPECT_EQ(ScopeFingerprint(Make(Role::kCustomer, {"B", "A"})), fp);
  EXPECT_NE(ScopeFingerprint(Make(Role::kCustomer, {"A"})), fp);
  EXPECT_NE(ScopeFingerprint(Make(Role::kCustomer, {"A", "B"}, "u2")), fp);
  EXPECT_NE(ScopeFingerprint(Make(Role::kAdmin, {"A", "B"})), fp);
  Principal partner = Make(Role::kPartner, {"A", "B"});
  Principal cpo = partner;
  cpo.cpo_channel = true;
  Principal other_partner = partner;
  other_partner.partner_id = "P-2";
  EXPECT_NE(ScopeFingerprint(partner), ScopeFingerprint(cpo));
  EXPECT_NE(ScopeFingerprint(partner), ScopeFingerprint(other_partner));
  // Field boundaries are kept: ["AB"] is not ["A", "B"].
  EXPECT_NE(ScopeFingerprint(Make(Role::kCustomer, {"AB"})), fp);
}

TEST(IdempotencyKeyTest, BoundToSubjectRoleAndScope) {
  const IdempotencyKey key = IdempotencyKey::For(Make(Role::kCustomer, {"A"}), "r1", "CreateCase");
  EXPECT_EQ(key.request_id, "r1");
  EXPECT_EQ(key.method, "CreateCase");
  EXPECT_THAT(key.caller, HasSubstr("customer|"));
  EXPECT_LE(key.caller.size(), 191u);
  EXPECT_EQ(IdempotencyKey::For(Make(Role::kCustomer, {"A"}), "r1", "CreateCase").caller,
            key.caller);
  EXPECT_NE(IdempotencyKey::For(Make(Role::kAdmin, {"A"}), "r1", "CreateCase").caller, key.caller);
  EXPECT_NE(IdempotencyKey::For(Make(Role::kCustomer, {"B"}), "r1", "CreateCase").caller,
            key.caller);
  EXPECT_NE(IdempotencyKey::For(Make(Role::kCustomer, {}), "r1", "CreateCase").caller, key.caller);
  EXPECT_LE(IdempotencyKey::For(Make(Role::kCustomer, {"A"}, std::string(5000, 's')), "r", "M")
                .caller.size(),
            191u);
}

}  // namespace
}  // namespace aftercare
