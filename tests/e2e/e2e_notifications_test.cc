// Notifications end to end (docs/NOTIFICATIONS.md): an advance-replacement
// RMA sends exactly one e-mail per transition to a real SMTP server (the mail
// sink of scripts/up), one public note per transition on its technical case
// in case-svc, and one signed webhook per transition to the account's
// subscriber — also when rma-svc is killed -9 after the SMTP server kept a
// message and before rma-svc recorded it. A receiver that keeps failing ends
// in a dead letter that an operator resends; nothing is lost.
#include <filesystem>
#include <map>
#include <set>

#include <gmock/gmock.h>

#include "common/notify/webhook.h"
#include "common/testing/test_webhook_server.h"
#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {
namespace {

constexpr char kNotify[] = "aftercare.notify.v1.NotificationService/";

class NotificationsE2eTest : public E2eTest {
 protected:
  // The sink's index lines for messages to `to`.
  std::vector<Json> MailsTo(const std::string& to) {
    std::vector<Json> out;
    for (Json& m : env().Mails()) {
      for (const auto& r : m.value("to", Json::array())) {
        if (r.get<std::string>() == to) out.push_back(m);
      }
    }
    return out;
  }

  // Sets up a sold unit with a spare of its SKU; returns {serial, account}.
  std::pair<std::string, std::string> SoldUnitWithSpare() {
    const std::string sku = Unique("SKU-NT-");
    const std::string account = Unique("ACME-NT-");
    const std::string bad = Unique("JN1NT");
    const std::string spare = Unique("JN1NS");
    CreateProduct(sku);
    LoadGenuine({bad, spare}, sku);
    ReceiveAndCertify(bad, sku);
    ReserveAndSell(bad, account);
    MakeSpare(spare, sku);
    return {bad, account};
  }

  std::string Subscribe(const std::string& account, const std::string& url,
                        std::vector<std::string> types = {}) {
    auto sub = E2E_OK(env().Call("rma", std::string(kNotify) + "CreateWebhookSubscription",
                                 tok().Customer(account),
                                 {{"requestId", Unique("sub-")}, {"accountId", account},
                                  {"url", url}, {"eventTypes", types},
                                  {"description", "e2e receiver"}}));
    EXPECT_EQ(sub.body.value("secret", "").rfind("whsec_", 0), 0u) << sub.str();
    return sub.body.value("secret", "");
  }
};

TEST_F(NotificationsE2eTest, AdvanceReplacementSendsOneOfEachPerTransitionThroughAKill9) {
  auto [bad, account] = SoldUnitWithSpare();
  const std::string customer = tok().Customer(account);
  const std::string contact = Unique("noc-") + Env::kSlowMailSuffix;
  const std::string technical_case = Unique("2026-1205-");

  testing::TestWebhookServer hooks;
  const std::string secret = Subscribe(account, hooks.url("/aftercare"));
  hooks.RequireSignature(secret, absl::Minutes(5));

  auto rma = E2E_OK(env().Call(
      "rma", "CreateRma", tok().tse,
      {{"requestId", Unique("nt-rma-")}, {"serialNumber", bad}, {"accountId", account},
       {"technicalCaseId", technical_case}, {"type", "RMA_TYPE_ADVANCE_REPLACEMENT"},
       {"failureDescription", "PSU 1 failed"}, {"damageCause", "DAMAGE_CAUSE_HARDWARE_FAILURE"},
       {"shipTo", {{"regionCode", "US"}, {"locality", "Austin"}, {"addressLines", {"1 Main Street"}}}},
       {"contactEmail", contact}}));
  const std::string v = rma.body.value("validationNumber", "");
  auto approved = E2E_OK(Mutate("rma", "ApproveRma", tok().tse, {{"requestId", Unique("nt-ap-")}, {"name", v}}));
  const std::string r = approved.body.value("rmaNumber", "");
  ASSERT_FALSE(r.empty()) << approved.str();
  ASSERT_TRUE(Eventually([&] {
    return !env().Call("rma", "GetRma", tok().tse, {{"name", r}})
                .body.value("replacementSerialNumber", "")
                .empty();
  })) << "no spare allocated";
  E2E_OK(Mutate("rma", "ShipReplacement", tok().logistics,
                {{"requestId", Unique("nt-ship-")}, {"name", r}, {"carrier", "UPS"},
                 {"trackingNumber", "1Z999AA10123456784"}}));

  // The sink keeps the shipment e-mail and answers 2 s later: kill -9
  // rma-svc inside that window, so it never records the delivery.
  const std::string shipped_subject = "RMA " + r + ": replacement shipped";
  ASSERT_TRUE(Eventually([&] {
    for (const Json& m : MailsTo(contact)) {
      if (m.value("subject", "") == shipped_subject) return true;
    }
    return false;
  })) << "the shipment e-mail never reached the sink";
  env().KillService("rma");
  ASSERT_TRUE(env().StartService("rma").ok());

  E2E_OK(RetryWhileUnavailable([&] {
    return env().Call("rma", "ReceiveReturn", tok().logistics,
                      {{"requestId", "nt-back-" + r}, {"rmaNumber", r}, {"serialNumber", bad}});
  }));
  E2E_OK(Mutate("rma", "CloseRma", tok().logistics, {{"requestId", Unique("nt-close-")}, {"name", r}}));

  const std::vector<std::string> subjects = {
      "RMA request " + v + " opened for " + bad, "RMA " + r + " approved", shipped_subject,
      "RMA " + r + ": unit received", "RMA " + r + " closed"};

  // E-mail: every transition kept once; the shipment was sent again after
  // the kill (the claim lapsed) with the same Message-ID, and de-duplicated.
  std::map<std::string, std::set<std::string>> ids_by_subject;
  std::map<std::string, int> kept_by_subject;
  bool resent = false;
  ASSERT_TRUE(Eventually(
      [&] {
        ids_by_subject.clear();
        kept_by_subject.clear();
        resent = false;
        for (const Json& m : MailsTo(contact)) {
          const std::string subject = m.value("subject", "");
          ids_by_subject[subject].insert(m.value("message_id", ""));
          if (!m.value("duplicate", false)) ++kept_by_subject[subject];
          if (subject == shipped_subject && m.value("duplicate", false)) resent = true;
        }
        return kept_by_subject.size() == subjects.size() && resent;
      },
      absl::Seconds(60)))
      << "e-mails: " << Json(env().Mails()).dump();
  for (const std::string& s : subjects) {
    EXPECT_EQ(kept_by_subject[s], 1) << s;
    EXPECT_EQ(ids_by_subject[s].size(), 1u) << s << ": one Message-ID per notification";
  }
  EXPECT_TRUE(resent) << "the kill did not land inside the delivery";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(env().mail_dir())) {
    if (entry.path().extension() != ".eml") continue;
    for (const auto& ids : ids_by_subject) {
      for (const std::string& id : ids.second) {
        std::string safe = id.substr(1, id.size() - 2);
        for (char& c : safe) {
          if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' ||
                c == '-' || c == '+')) {
            c = '_';
          }
        }
        if (entry.path().filename().string().find(safe) != std::string::npos) ++files;
      }
    }
  }
  EXPECT_EQ(files, 5) << "one .eml file per transition in " << env().mail_dir();

  // The technical case: one public note per transition.
  std::vector<Json> notes;
  ASSERT_TRUE(Eventually([&] {
    auto list = env().Call("case", "ListTechnicalCaseNotes", tok().care,
                           {{"technicalCaseId", technical_case}});
    notes = list.body.value("notes", std::vector<Json>{});
    return notes.size() >= subjects.size();
  })) << "notes on " << technical_case;
  std::multiset<std::string> note_subjects;
  for (const Json& n : notes) note_subjects.insert(n.value("subject", ""));
  for (const std::string& s : subjects) EXPECT_EQ(note_subjects.count(s), 1u) << s;
  EXPECT_EQ(notes.size(), subjects.size());
  // The account's customer reads them; another account's sees none.
  auto own = E2E_OK(env().Call("case", "ListTechnicalCaseNotes", customer,
                               {{"technicalCaseId", technical_case}}));
  EXPECT_EQ(own.body.value("notes", Json::array()).size(), subjects.size());
  auto other = env().Call("case", "ListTechnicalCaseNotes", tok().Customer(Unique("OTHER-")),
                          {{"technicalCaseId", technical_case}});
  EXPECT_EQ(other.body.value("notes", Json::array()).size(), 0u) << other.str();

  // Webhooks: every request signed; one event id per transition.
  std::set<std::string> event_ids;
  ASSERT_TRUE(Eventually([&] {
    event_ids.clear();
    for (const auto& req : hooks.requests()) {
      if (req.signature_verified.value_or(false)) event_ids.insert(req.headers.at("aftercare-event-id"));
    }
    return event_ids.size() >= subjects.size();
  })) << "webhook requests: " << hooks.requests().size();
  EXPECT_EQ(event_ids.size(), subjects.size());
  EXPECT_EQ(hooks.refused(), 0);
  for (const auto& req : hooks.requests()) {
    const Json body = Json::parse(req.body, nullptr, false);
    EXPECT_EQ(body.value("account_id", ""), account);
    EXPECT_EQ(body.value("id", ""), req.headers.at("aftercare-event-id"));
  }
  // A request captured on the way and sent again is refused as a replay.
  const auto first = hooks.requests().front();
  notify::WebhookRequest replay;
  replay.url = hooks.url("/aftercare");
  replay.body = first.body;
  replay.headers = {{notify::kSignatureHeader, first.headers.at("aftercare-signature")}};
  EXPECT_FALSE(notify::PostWebhook(replay).ok());
  EXPECT_EQ(hooks.replays(), 1);

  // The delivery log: everything delivered, nothing dead.
  auto log = E2E_OK(env().Call("rma", std::string(kNotify) + "ListDeliveries", tok().admin,
                               {{"accountId", account}, {"pageSize", 100}}));
  int delivered = 0;
  for (const Json& d : log.body.value("deliveries", Json::array())) {
    EXPECT_EQ(d.value("state", ""), "DELIVERY_STATE_DELIVERED") << d.dump();
    ++delivered;
  }
  EXPECT_EQ(delivered, 3 * static_cast<int>(subjects.size()));  // e-mail, note, webhook
}

TEST_F(NotificationsE2eTest, AReceiverThatKeepsFailingEndsDeadAndAResendDeliversIt) {
  auto [bad, account] = SoldUnitWithSpare();
  testing::TestWebhookServer hooks;
  const std::string secret = Subscribe(account, hooks.url("/failing"), {"rma_request_opened"});
  hooks.RequireSignature(secret, absl::Minutes(5));
  hooks.RespondNext({500, 503, 429, 502});  // --notify_max_attempts=4 in the e2e suite

  auto rma = E2E_OK(CreateRma(Unique("nt-dead-"), bad, account));
  std::string dead_id;
  ASSERT_TRUE(Eventually([&] {
    auto dead = env().Call("rma", std::string(kNotify) + "ListDeliveries", tok().admin,
                           {{"state", "DELIVERY_STATE_DEAD"}, {"accountId", account},
                            {"channel", "DELIVERY_CHANNEL_WEBHOOK"}});
    for (const Json& d : dead.body.value("deliveries", Json::array())) {
      dead_id = d.value("deliveryId", "");
      EXPECT_EQ(d.value("attempts", 0), 4) << d.dump();
      EXPECT_THAT(d.value("lastError", ""), ::testing::HasSubstr("502")) << d.dump();
    }
    return !dead_id.empty();
  }, absl::Seconds(40))) << "no dead letter";
  EXPECT_EQ(hooks.requests().size(), 4u);

  // Only an admin resends; the receiver now answers 204.
  auto denied = env().Call("rma", std::string(kNotify) + "ResendDelivery", tok().Customer(account),
                           {{"requestId", Unique("rs-")}, {"deliveryId", dead_id}});
  EXPECT_EQ(denied.status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.str();
  E2E_OK(env().Call("rma", std::string(kNotify) + "ResendDelivery", tok().admin,
                    {{"requestId", Unique("rs-")}, {"deliveryId", dead_id}}));
  ASSERT_TRUE(Eventually([&] { return hooks.requests().size() >= 5u; }));
  ASSERT_TRUE(Eventually([&] {
    auto log = env().Call("rma", std::string(kNotify) + "ListWebhookDeliveries", tok().Customer(account),
                          {{"subscriptionId",
                            env().Call("rma", std::string(kNotify) + "ListWebhookSubscriptions",
                                       tok().Customer(account), {{"accountId", account}})
                                .body["subscriptions"][0]
                                .value("subscriptionId", "")}});
    const Json ds = log.body.value("deliveries", Json::array());
    return ds.size() == 1 && ds[0].value("state", "") == "DELIVERY_STATE_DELIVERED";
  })) << "the resent delivery was not delivered";
  EXPECT_EQ(hooks.requests().back().answered, 204);
  EXPECT_EQ(hooks.verified(), 5);
}

TEST_F(NotificationsE2eTest, SubscriptionsAreScopedAndValidated) {
  const std::string account = Unique("ACME-SUB-");
  const std::string customer = tok().Customer(account);
  // Another account's customer cannot subscribe to it, and cannot see or
  // delete its subscriptions (NOT_FOUND, like a subscription that does not exist).
  auto foreign = env().Call("rma", std::string(kNotify) + "CreateWebhookSubscription",
                            tok().Customer(Unique("OTHER-")),
                            {{"requestId", Unique("sub-")}, {"accountId", account},
                             {"url", "https://hooks.example/x"}});
  EXPECT_EQ(foreign.status.error_code(), grpc::StatusCode::NOT_FOUND) << foreign.str();
  auto bad_url = env().Call("rma", std::string(kNotify) + "CreateWebhookSubscription", customer,
                            {{"requestId", Unique("sub-")}, {"accountId", account},
                             {"url", "ftp://hooks.example/x"}});
  EXPECT_EQ(bad_url.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad_url.str();
  EXPECT_THAT(bad_url.status.error_message(), ::testing::HasSubstr("url"));
  auto bad_type = env().Call("rma", std::string(kNotify) + "CreateWebhookSubscription", customer,
                             {{"requestId", Unique("sub-")}, {"accountId", account},
                              {"url", "https://hooks.example/x"}, {"eventTypes", {"no_such_event"}}});
  EXPECT_EQ(bad_type.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad_type.str();
  EXPECT_THAT(bad_type.status.error_message(), ::testing::HasSubstr("event_types[0]"));

  auto sub = E2E_OK(env().Call("rma", std::string(kNotify) + "CreateWebhookSubscription", customer,
                               {{"requestId", Unique("sub-")}, {"accountId", account},
                                {"url", "https://hooks.example/x"}}));
  const std::string id = sub.body.value("subscriptionId", "");
  auto listed = E2E_OK(env().Call("rma", std::string(kNotify) + "ListWebhookSubscriptions", customer,
                                  {{"accountId", account}}));
  ASSERT_EQ(listed.body.value("subscriptions", Json::array()).size(), 1u);
  EXPECT_EQ(listed.body["subscriptions"][0].value("secret", ""), "") << "the secret is shown once";
  auto peek = env().Call("rma", std::string(kNotify) + "ListWebhookDeliveries",
                         tok().Customer(Unique("OTHER-")), {{"subscriptionId", id}});
  EXPECT_EQ(peek.status.error_code(), grpc::StatusCode::NOT_FOUND) << peek.str();
  auto steal = env().Call("rma", std::string(kNotify) + "DeleteWebhookSubscription",
                          tok().Customer(Unique("OTHER-")),
                          {{"requestId", Unique("del-")}, {"subscriptionId", id}});
  EXPECT_EQ(steal.status.error_code(), grpc::StatusCode::NOT_FOUND) << steal.str();
  E2E_OK(env().Call("rma", std::string(kNotify) + "DeleteWebhookSubscription", customer,
                    {{"requestId", Unique("del-")}, {"subscriptionId", id}}));
  auto after = E2E_OK(env().Call("rma", std::string(kNotify) + "ListWebhookSubscriptions", customer,
                                 {{"accountId", account}}));
  EXPECT_EQ(after.body.value("subscriptions", Json::array()).size(), 0u);
}

// case-svc: one e-mail per notifying transition of an admin case (created,
// awaiting the customer, resolved) to the case's notification address, and
// none for taking ownership or a customer's answer.
TEST_F(NotificationsE2eTest, AdminCaseSendsOneEmailPerNotifyingTransition) {
  const std::string account = Unique("ACME-NC-");
  const std::string contact = Unique("ops-") + "@acme.example";
  const std::string customer = Env::Token(Role::kCustomer, Unique("nc-u-"), {account});
  const std::string agent = Env::Token(Role::kCareAgent, "nc-agent");
  auto created = E2E_OK(env().Call(
      "case", "CreateCase", customer,
      {{"requestId", Unique("nc-create-")},
       {"case", {{"requestType", "REQUEST_TYPE_OTHER"}, {"priority", "PRIORITY_P3"},
                 {"followUpMethod", "FOLLOW_UP_METHOD_EMAIL"}, {"summary", "fan alarm"},
                 {"accountId", account}, {"notificationEmails", {contact}}}}}));
  const std::string id = created.body.value("caseId", "");
  ASSERT_FALSE(id.empty()) << created.str();
  E2E_OK(Mutate("case", "TakeCaseOwnership", agent,
                {{"requestId", Unique("nc-take-")}, {"caseId", id}}));
  E2E_OK(Mutate("case", "UpdateCaseStatus", agent,
                {{"requestId", Unique("nc-wait-")}, {"caseId", id},
                 {"status", "CASE_STATUS_AWAITING_CUSTOMER"},
                 {"question", "Which fan tray is installed?"}}));
  E2E_OK(Mutate("case", "AddCaseNote", customer,
                {{"requestId", Unique("nc-note-")}, {"caseId", id}, {"body", "FFANTRAY-1"}}));
  E2E_OK(Mutate("case", "ResolveCase", agent,
                {{"requestId", Unique("nc-resolve-")}, {"caseId", id},
                 {"resolution", "replaced the fan tray"}}));

  const std::set<std::string> subjects = {"Case " + id + " opened: fan alarm",
                                          "Case " + id + ": your input is needed",
                                          "Case " + id + " resolved"};
  std::map<std::string, int> kept;
  ASSERT_TRUE(Eventually([&] {
    kept.clear();
    for (const Json& m : MailsTo(contact)) {
      if (!m.value("duplicate", false)) ++kept[m.value("subject", "")];
    }
    return kept.size() >= subjects.size();
  })) << "e-mails of case " << id << ": " << kept.size();
  for (const auto& [subject, n] : kept) {
    EXPECT_TRUE(subjects.count(subject)) << subject;
    EXPECT_EQ(n, 1) << subject;
  }
}

}  // namespace
}  // namespace aftercare::e2e
