// Unit tests of NotificationService's use cases (notification_use_cases.h)
// against the in-memory repository: what is refused before any write,
// another account's subscription answering exactly like an unknown one,
// retries answered once, the subscription quota, and the keyset pages.
#include "common/notification_use_cases.h"

#include <string>
#include <vector>

#include "common/testing/fake_notification_repository.h"
#include "common/testing/principals.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

namespace pb = aftercare::notify::v1;
using ::aftercare::testing::FakeNotificationRepository;
using ::aftercare::testing::FakeNotificationStore;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCaller;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

class NotificationUseCasesTest : public ::testing::Test {
 protected:
  // A delivery of ACME's (or `account`'s) event, as the dispatcher left it.
  Delivery Put(int64_t id, DeliveryChannel channel, DeliveryState state,
               const std::string& account = "ACME", const std::string& target = "ops@acme.example") {
    Delivery d;
    d.id = id;
    d.event_key = absl::StrCat("rma-V1-n", id);
    d.event_type = "rma_approved";
    d.account_id = account;
    d.channel = channel;
    d.target = target;
    d.subject = "RMA R100 approved";
    d.state = state;
    d.attempts = state == DeliveryState::kPending ? 0 : 3;
    d.created_at = clock_.Now() - absl::Hours(1);
    d.next_attempt_at = clock_.Now() - absl::Minutes(5);
    if (state == DeliveryState::kDead) {
      d.dead_at = clock_.Now() - absl::Minutes(1);
      d.last_error = "550 mailbox unavailable";
    }
    repo_.AddDelivery(d);
    return d;
  }

  static std::vector<int64_t> Ids(const pb::ListDeliveriesResponse& r) {
    std::vector<int64_t> out;
    for (const auto& d : r.deliveries()) out.push_back(d.delivery_id());
    return out;
  }

  static pb::CreateWebhookSubscriptionRequest Subscription(const std::string& request_id,
                                                           const std::string& account = "ACME") {
    pb::CreateWebhookSubscriptionRequest req;
    req.set_request_id(request_id);
    req.set_account_id(account);
    req.set_url("https://hooks.acme.example/aftercare");
    req.add_event_types("rma_closed");
    req.add_event_types("rma_approved");
    req.add_event_types("rma_closed");
    req.set_description("ops board");
    return req;
  }

  std::string Subscribe(const std::string& request_id, const std::string& account = "ACME") {
    auto created = create_.Run(admin_, Subscription(request_id, account));
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->subscription_id() : "";
  }

  static pb::DeleteWebhookSubscriptionRequest Delete(const std::string& request_id,
                                                     const std::string& id) {
    pb::DeleteWebhookSubscriptionRequest req;
    req.set_request_id(request_id);
    req.set_subscription_id(id);
    return req;
  }

  FakeClock clock_;
  FakeNotificationRepository repo_;
  FakeNotificationStore store_{&repo_};
  PageTokenCodec page_tokens_{"0123456789abcdef0123456789abcdef"};
  NotificationUseCaseDeps deps_{store_, clock_, page_tokens_, {}};
  NotificationQueries queries_{deps_};
  ResendDeliveryUseCase resend_{deps_};
  CreateWebhookSubscriptionUseCase create_{deps_};
  DeleteWebhookSubscriptionUseCase delete_{deps_};

  const Principal admin_ = TestCaller(Role::kAdmin, "root");
  const Principal agent_ = TestCaller(Role::kCareAgent, "agent-7");
  const Principal acme_ = TestCaller(Role::kCustomer, "ops@acme", {"ACME"});
  const Principal globex_ = TestCaller(Role::kPartner, "reseller@globex", {"GLOBEX"});
};

// --- ListDeliveries ------------------------------------------------------------------

TEST_F(NotificationUseCasesTest, TheDeliveryLogFiltersNewestFirstAndPagesByKeyset) {
  Put(1, DeliveryChannel::kEmail, DeliveryState::kDelivered);
  Put(2, DeliveryChannel::kEmail, DeliveryState::kDead);
  Put(3, DeliveryChannel::kWebhook, DeliveryState::kDead, "ACME", "whs_1");
  Put(4, DeliveryChannel::kEmail, DeliveryState::kDead, "GLOBEX", "it@globex.example");
  Put(5, DeliveryChannel::kCaseNote, DeliveryState::kPending, "ACME", "2026-1205-000123");

  pb::ListDeliveriesRequest dead;
  dead.set_state(pb::DELIVERY_STATE_DEAD);
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse all_dead, queries_.ListDeliveries(agent_, dead));
  EXPECT_THAT(Ids(all_dead), ElementsAre(4, 3, 2));

  pb::ListDeliveriesRequest acme_email_dead = dead;
  acme_email_dead.set_channel(pb::DELIVERY_CHANNEL_EMAIL);
  acme_email_dead.set_account_id("ACME");
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse one,
                       queries_.ListDeliveries(agent_, acme_email_dead));
  ASSERT_THAT(Ids(one), ElementsAre(2));
  EXPECT_EQ(one.deliveries(0).last_error(), "550 mailbox unavailable");
  EXPECT_THAT(one.deliveries(0).message_id(), HasSubstr("@aftercare.invalid"));
  EXPECT_TRUE(one.deliveries(0).has_dead_time());
  EXPECT_FALSE(one.deliveries(0).has_next_attempt_time());  // only a pending one is due

  pb::ListDeliveriesRequest paged;
  paged.set_page_size(2);
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse first, queries_.ListDeliveries(agent_, paged));
  EXPECT_THAT(Ids(first), ElementsAre(5, 4));
  ASSERT_FALSE(first.next_page_token().empty());
  paged.set_page_token(first.next_page_token());
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse second, queries_.ListDeliveries(agent_, paged));
  EXPECT_THAT(Ids(second), ElementsAre(3, 2));
  paged.set_page_token(second.next_page_token());
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse last, queries_.ListDeliveries(agent_, paged));
  EXPECT_THAT(Ids(last), ElementsAre(1));
  EXPECT_TRUE(last.next_page_token().empty());

  // A token belongs to its query: another filter refuses it.
  dead.set_page_token(first.next_page_token());
  EXPECT_THAT(queries_.ListDeliveries(agent_, dead),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("page_token")));
}

TEST_F(NotificationUseCasesTest, TheDeliveryLogRefusesValuesOutsideItsEnums) {
  pb::ListDeliveriesRequest req;
  req.set_state(static_cast<pb::DeliveryState>(42));
  EXPECT_THAT(queries_.ListDeliveries(agent_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("state")));
  req.set_state(pb::DELIVERY_STATE_UNSPECIFIED);
  req.set_channel(static_cast<pb::DeliveryChannel>(-1));
  EXPECT_THAT(queries_.ListDeliveries(agent_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("channel")));
  req.set_channel(pb::DELIVERY_CHANNEL_UNSPECIFIED);
  req.set_account_id(std::string(65, 'A'));
  EXPECT_THAT(queries_.ListDeliveries(agent_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("account_id")));
}

// --- ResendDelivery ------------------------------------------------------------------

TEST_F(NotificationUseCasesTest, AResendPutsADeadLetterBackDueNowAndARetryGetsTheFirstAnswer) {
  Put(7, DeliveryChannel::kEmail, DeliveryState::kDead);
  pb::ResendDeliveryRequest req;
  req.set_request_id("resend-7");
  req.set_delivery_id(7);
  ASSERT_OK_AND_ASSIGN(pb::Delivery first, resend_.Run(admin_, req));
  EXPECT_EQ(first.state(), pb::DELIVERY_STATE_PENDING);
  EXPECT_EQ(first.attempts(), 0);
  EXPECT_EQ(first.next_attempt_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_FALSE(first.has_dead_time());
  const Delivery& stored = repo_.deliveries().at(7);
  EXPECT_EQ(stored.state, DeliveryState::kPending);
  EXPECT_EQ(stored.next_attempt_at, clock_.Now());

  // It fails again; the same request is answered as the first time and does
  // not resend it a second time.
  Put(7, DeliveryChannel::kEmail, DeliveryState::kDead);
  clock_.Advance(absl::Minutes(3));
  ASSERT_OK_AND_ASSIGN(pb::Delivery retry, resend_.Run(admin_, req));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(repo_.deliveries().at(7).state, DeliveryState::kDead);
}

TEST_F(NotificationUseCasesTest, OnlyAKnownDeadLetterIsResent) {
  Put(8, DeliveryChannel::kWebhook, DeliveryState::kPending, "ACME", "whs_1");
  pb::ResendDeliveryRequest req;
  req.set_delivery_id(8);
  EXPECT_THAT(resend_.Run(admin_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id is required")));
  req.set_request_id("resend-8");
  req.set_delivery_id(0);
  EXPECT_THAT(resend_.Run(admin_, req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("delivery_id")));
  EXPECT_EQ(store_.writes(), 0);

  req.set_delivery_id(99);
  EXPECT_THAT(resend_.Run(admin_, req), StatusIs(absl::StatusCode::kNotFound));
  req.set_delivery_id(8);
  EXPECT_THAT(resend_.Run(admin_, req),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("not dead")));
  EXPECT_EQ(repo_.deliveries().at(8).next_attempt_at, clock_.Now() - absl::Minutes(5));
}

// --- Webhook subscriptions ---------------------------------------------------------

TEST_F(NotificationUseCasesTest, ASubscriptionIsCreatedOnceWithItsSecretShownAtCreation) {
  const pb::CreateWebhookSubscriptionRequest req = Subscription("sub-1");
  ASSERT_OK_AND_ASSIGN(pb::WebhookSubscription first, create_.Run(acme_, req));
  EXPECT_THAT(first.subscription_id(), StartsWith("whs_"));
  EXPECT_THAT(first.secret(), StartsWith("whsec_"));
  EXPECT_EQ(first.secret().size(), 6u + 64u);
  EXPECT_THAT(first.event_types(), ElementsAre("rma_approved", "rma_closed"));  // once each
  EXPECT_EQ(first.created_by(), "ops@acme");
  EXPECT_EQ(first.create_time().seconds(), absl::ToUnixSeconds(clock_.Now()));

  ASSERT_OK_AND_ASSIGN(pb::WebhookSubscription retry, create_.Run(acme_, req));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  ASSERT_EQ(repo_.subscriptions().size(), 1u);
  EXPECT_EQ(repo_.subscriptions().begin()->second.secret, first.secret());

  // A list never shows the secret.
  pb::ListWebhookSubscriptionsRequest list;
  list.set_account_id("ACME");
  ASSERT_OK_AND_ASSIGN(pb::ListWebhookSubscriptionsResponse listed,
                       queries_.ListWebhookSubscriptions(acme_, list));
  ASSERT_EQ(listed.subscriptions_size(), 1);
  EXPECT_TRUE(listed.subscriptions(0).secret().empty());
}

TEST_F(NotificationUseCasesTest, ABadSubscriptionOrAnotherAccountsIsRefusedBeforeAnyWrite) {
  auto refused = [&](pb::CreateWebhookSubscriptionRequest req, absl::StatusCode code,
                     const std::string& says) {
    EXPECT_THAT(create_.Run(acme_, req), StatusIs(code, HasSubstr(says)));
  };
  pb::CreateWebhookSubscriptionRequest req = Subscription("");
  refused(req, absl::StatusCode::kInvalidArgument, "request_id is required");
  req = Subscription("s");
  req.set_account_id("");
  refused(req, absl::StatusCode::kInvalidArgument, "account_id is required");
  req = Subscription("s");
  req.set_url("http://hooks.acme.example/aftercare");
  refused(req, absl::StatusCode::kInvalidArgument, "url");
  req = Subscription("s");
  req.add_event_types("rma_exploded");
  refused(req, absl::StatusCode::kInvalidArgument, "event_types[3]");
  req = Subscription("s");
  req.set_description(std::string(257, 'd'));
  refused(req, absl::StatusCode::kInvalidArgument, "description");
  refused(Subscription("s", "GLOBEX"), absl::StatusCode::kNotFound, "");
  EXPECT_EQ(store_.writes(), 0);
  EXPECT_THAT(repo_.subscriptions(), IsEmpty());
}

TEST_F(NotificationUseCasesTest, HttpWebhooksAreAcceptedOnlyWhenAllowed) {
  deps_.options.allow_http_webhooks = true;
  pb::CreateWebhookSubscriptionRequest req = Subscription("s");
  req.set_url("http://hooks.acme.example/aftercare");
  EXPECT_OK(create_.Run(acme_, req).status());
}

TEST_F(NotificationUseCasesTest, AnAccountHasAtMost25ActiveSubscriptions) {
  std::vector<std::string> ids;
  for (int i = 0; i < kMaxWebhookSubscriptionsPerAccount; ++i) {
    ids.push_back(Subscribe(absl::StrCat("sub-", i)));
  }
  EXPECT_THAT(create_.Run(acme_, Subscription("sub-over")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("at most 25")));
  EXPECT_OK(create_.Run(globex_, Subscription("sub-g", "GLOBEX")).status());  // per account
  // A deleted one frees its place.
  ASSERT_OK(delete_.Run(acme_, Delete("del-0", ids[0])).status());
  EXPECT_OK(create_.Run(acme_, Subscription("sub-over")).status());
}

TEST_F(NotificationUseCasesTest, AnotherAccountsSubscriptionAnswersLikeAnUnknownOne) {
  const std::string globex = Subscribe("sub-g", "GLOBEX");
  Put(1, DeliveryChannel::kWebhook, DeliveryState::kDelivered, "GLOBEX", globex);

  auto unknown = delete_.Run(acme_, Delete("del-1", "whs_000000000000000000000000"));
  auto foreign = delete_.Run(acme_, Delete("del-2", globex));
  EXPECT_THAT(foreign, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(foreign.status().message(), unknown.status().message());
  EXPECT_FALSE(repo_.subscriptions().at(globex).deleted_at.has_value());

  pb::ListWebhookDeliveriesRequest deliveries;
  deliveries.set_subscription_id(globex);
  EXPECT_THAT(queries_.ListWebhookDeliveries(acme_, deliveries),
              StatusIs(absl::StatusCode::kNotFound));
  deliveries.set_subscription_id(std::string(41, 'w'));
  EXPECT_THAT(queries_.ListWebhookDeliveries(acme_, deliveries),
              StatusIs(absl::StatusCode::kNotFound));

  pb::ListWebhookSubscriptionsRequest list;
  list.set_account_id("GLOBEX");
  ASSERT_OK_AND_ASSIGN(pb::ListWebhookSubscriptionsResponse listed,
                       queries_.ListWebhookSubscriptions(acme_, list));
  EXPECT_EQ(listed.subscriptions_size(), 0);  // like an account without any
  ASSERT_OK_AND_ASSIGN(listed, queries_.ListWebhookSubscriptions(globex_, list));
  EXPECT_EQ(listed.subscriptions_size(), 1);
}

TEST_F(NotificationUseCasesTest, ADeletedSubscriptionLeavesTheListAndIsDeletedOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Subscribe(absl::StrCat("sub-", i)));
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK_AND_ASSIGN(pb::WebhookSubscription deleted, delete_.Run(acme_, Delete("del-2", ids[2])));
  EXPECT_EQ(deleted.delete_time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  EXPECT_THAT(delete_.Run(acme_, Delete("del-2-again", ids[2])),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("already deleted")));
  EXPECT_THAT(delete_.Run(acme_, Delete("del-x", "")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("subscription_id")));

  // Oldest first, in pages of two, the deleted one left out.
  pb::ListWebhookSubscriptionsRequest list;
  list.set_account_id("ACME");
  list.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    ASSERT_OK_AND_ASSIGN(pb::ListWebhookSubscriptionsResponse r,
                         queries_.ListWebhookSubscriptions(acme_, list));
    for (const auto& s : r.subscriptions()) seen.push_back(s.subscription_id());
    if (r.next_page_token().empty()) break;
    list.set_page_token(r.next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre(ids[0], ids[1], ids[3], ids[4]));
}

TEST_F(NotificationUseCasesTest, ASubscriptionsDeliveriesAreItsWebhookDeliveriesOnly) {
  const std::string mine = Subscribe("sub-1");
  const std::string other = Subscribe("sub-2");
  Put(1, DeliveryChannel::kWebhook, DeliveryState::kDelivered, "ACME", mine);
  Put(2, DeliveryChannel::kWebhook, DeliveryState::kDead, "ACME", other);
  Put(3, DeliveryChannel::kEmail, DeliveryState::kDelivered, "ACME", mine);  // same target text
  Put(4, DeliveryChannel::kWebhook, DeliveryState::kPending, "ACME", mine);
  pb::ListWebhookDeliveriesRequest req;
  req.set_subscription_id(mine);
  ASSERT_OK_AND_ASSIGN(pb::ListDeliveriesResponse r, queries_.ListWebhookDeliveries(acme_, req));
  EXPECT_THAT(Ids(r), ElementsAre(4, 1));
  EXPECT_TRUE(r.deliveries(1).message_id().empty());  // only e-mails have one
}

}  // namespace
}  // namespace aftercare
