// The hardware lifecycles of issue 8 across the four real binaries.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "licensing-svc/verifier/license_key_verifier.h"
#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {
namespace {

class FlowsTest : public E2eTest {};

// 1. Trade-in to CPO: a trade-in case (return path) → units received →
// inventory intake (case-svc's outbox) → six steps and the certificate → a
// partner reserves and sells → the customer's installed base and entitlement.
// kill -9 of case-svc while it owes inventory-svc the intake.
TEST_F(FlowsTest, TradeInToCpoSale) {
  const std::string sku = Unique("SKU-TI-");
  const std::string serial = Unique("JN1TI");
  const std::string account = Unique("TRADER-");
  const std::string buyer = Unique("BUYER-");
  CreateProduct(sku, "MX Series", "MX480", 9999900, /*end_of_production=*/true);
  LoadGenuine({serial}, sku);
  const std::string customer = tok().Customer(account);
  std::string order_time = absl::FormatTime("%Y-%m-%dT00:00:00Z", absl::Now() - absl::Hours(48),
                                            absl::UTCTimeZone());
  auto created = E2E_OK(Mutate("case", "CreateTradeInCase", customer,
      {{"requestId", "ti-" + serial},
       {"tradeInCase",
        {{"accountId", account},
         {"orderNumber", "SO-" + serial},
         {"orderTime", order_time},
         {"phase", "TMIP_PHASE_PHASE1"},
         {"disposition", "DISPOSITION_RETURN"},
         {"credit", {{"currencyCode", "USD"}, {"amountMinor", "1500000"}}},
         {"lines", {{{"sku", sku}, {"quantity", 1}, {"serialNumbers", {serial}}}}}}}}));
  const std::string case_id = created.body.value("caseId", "");
  ASSERT_FALSE(case_id.empty()) << created.str();
  const std::string pdf = "%PDF-1.4\n% trade-in form\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
  E2E_OK(Mutate("case", "UploadAttachment", customer,
                    {{"requestId", "up-" + serial}, {"caseId", case_id},
                     {"kind", "ATTACHMENT_KIND_TRADE_IN_FORM"}, {"fileName", "form.pdf"},
                     {"chunk", absl::Base64Escape(pdf)}}));
  E2E_OK(Mutate("case", "IssueShippingInstructions", tok().care,
                    {{"requestId", "ship-" + serial}, {"caseId", case_id},
                     {"prepaidLabelReference", "UPS-1Z-E2E"}}));
  // Received while inventory-svc is down: case-svc owes it the intake; kill -9
  // case-svc, then bring both back: the intake happens exactly once.
  env().KillService("inventory");
  Json recv_req = {{"requestId", "recv-" + serial}, {"caseId", case_id},
                   {"units", {{{"serialNumber", serial}, {"sku", sku}}}}};
  auto received = E2E_OK(env().Call("case", "RecordReceivedUnits", tok().logistics, recv_req));
  EXPECT_EQ(received.body.value("status", ""), "TRADE_IN_STATUS_COMPLETED") << received.str();
  env().KillService("case");
  ASSERT_TRUE(env().StartService("inventory").ok());
  ASSERT_TRUE(env().StartService("case").ok());
  auto again = E2E_OK(env().Call("case", "RecordReceivedUnits", tok().logistics, recv_req));
  EXPECT_EQ(again.body.value("status", ""), "TRADE_IN_STATUS_COMPLETED") << again.str();
  // Intake arrives through case-svc's outbox.
  ASSERT_TRUE(Eventually([&] { return UnitState(serial) == "UNIT_STATE_RECEIVED"; }))
      << GetUnit(serial).dump();
  EXPECT_EQ(GetUnit(serial).value("source", ""), "UNIT_SOURCE_TRADE_IN");
  Certify(serial);
  ReserveAndSell(serial, buyer);
  const std::string buyer_token = tok().Customer(buyer);
  auto base = E2E_OK(env().Call("inventory", "ListInstalledBase", buyer_token, {{"accountId", buyer}}));
  ASSERT_EQ(base.body["units"].size(), 1u) << base.str();
  EXPECT_EQ(base.body["units"][0].value("serialNumber", ""), serial);
  auto ent = E2E_OK(env().Call("inventory", "GetEntitlement", buyer_token, {{"serialNumber", serial}}));
  EXPECT_EQ(ent.body.value("ownerAccountId", ""), buyer) << ent.str();
  EXPECT_EQ(ent.body.value("originalPurchaserAccountId", ""), buyer) << ent.str();
  EXPECT_TRUE(ent.body.value("entitled", false)) << ent.str();
  EXPECT_TRUE(ent.body.value("advanceReplacement", false)) << ent.str();
  EXPECT_EQ(ent.body.value("series", ""), "MX Series");
  // Another customer sees nothing of it.
  auto other = env().Call("inventory", "GetEntitlement", tok().Customer("SOMEONE-ELSE"),
                          {{"serialNumber", serial}});
  EXPECT_EQ(other.status.error_code(), grpc::StatusCode::NOT_FOUND) << other.str();
  // Exactly once everywhere.
  EXPECT_EQ(env().Count("inventory", "units", "serial = '" + serial + "'"), 1);
  EXPECT_EQ(env().Count("case", "case_events", "case_id = '" + case_id + "' AND kind = 'intake'"), 1);
}


// Offline check of a license key: the public keys from ListSigningKeys and
// the standalone verifier library (what a device links), no service call.
licensing::KeyCheck VerifyOffline(const std::string& key, const std::string& serial) {
  auto keys = Env::Get().Call("licensing", "ListSigningKeys", Tokens::Get().admin, Json::object());
  licensing::PublicKeySet set;
  for (const auto& k : keys.body.value("keys", Json::array())) {
    auto raw = licensing::Ed25519PublicKeyFromPem(k.value("publicKeyPem", ""));
    if (raw.ok()) set[k.value("keyId", "")] = *raw;
  }
  return licensing::VerifyLicenseKey(key, set, serial, absl::Now()).result;
}

// 3. Advance replacement across all four services, with kill -9 of rma-svc
// while it owes inventory-svc the installed-base swap and again while it
// owes the intake of the returned unit, kill -9 of
// licensing-svc after the transfer, and client retries of the approval,
// the shipment and the transfer (the first approval cut by its deadline).
TEST_F(FlowsTest, AdvanceReplacementAcrossAllFour) {
  const std::string sku = Unique("SKU-AR-");
  const std::string account = Unique("ACME-");
  const std::string bad = Unique("JN1AD");
  const std::string spare1 = Unique("JN1SP");
  const std::string spare2 = Unique("JN1SP");
  CreateProduct(sku);
  LoadGenuine({bad, spare1, spare2}, sku);
  ReceiveAndCertify(bad, sku);
  ReserveAndSell(bad, account);
  MakeSpare(spare1, sku);
  MakeSpare(spare2, sku);
  const std::string customer = tok().Customer(account);

  // A license on the unit.
  auto ent = E2E_OK(Mutate("licensing", "CreateEntitlement", tok().admin,
      {{"requestId", "ent-" + bad}, {"accountId", account}, {"orderReference", "SO-" + bad},
       {"product", {{"sku", "S-EX-A-C2-P"}, {"feature", "advanced-routing"}, {"capacity", "48"},
                    {"termType", "TERM_TYPE_SUBSCRIPTION"}, {"termMonths", 12},
                    {"licensingSystem", "LICENSING_SYSTEM_JUNOS"}, {"unlockKeyRequired", true}}}}));
  auto act = E2E_OK(Mutate("licensing", "ActivateLicense", customer,
                               {{"requestId", "act-" + bad},
                                {"activationCode", ent.body.value("activationCode", "")},
                                {"deviceSerial", bad}}));
  const std::string old_key = act.body["license"].value("licenseKey", "");
  ASSERT_FALSE(old_key.empty()) << act.str();
  EXPECT_EQ(VerifyOffline(old_key, bad), licensing::KeyCheck::kValid);

  // RMA request; licenses do not move while it is pending.
  auto rma = E2E_OK(CreateRma("rma-" + bad, bad, account));
  const std::string v = rma.body.value("validationNumber", "");
  ASSERT_EQ(rma.body.value("status", ""), "RMA_STATUS_PENDING") << rma.str();
  auto early = env().Call("licensing", "TransferLicenses", customer,
                          {{"requestId", "xfer0-" + bad}, {"rmaNumber", v}});
  EXPECT_EQ(early.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << early.str();

  // Approval, first cut by a tiny deadline, then retried with the same request_id.
  Json approve = {{"requestId", "appr-" + bad}, {"name", v}};
  auto cut = env().Call("rma", "ApproveRma", tok().tse, approve, absl::Milliseconds(1));
  (void)cut;
  auto approved = E2E_OK(env().Call("rma", "ApproveRma", tok().tse, approve));
  auto again = E2E_OK(env().Call("rma", "ApproveRma", tok().tse, approve));
  const std::string r = approved.body.value("rmaNumber", "");
  ASSERT_FALSE(r.empty()) << approved.str();
  EXPECT_EQ(again.body.value("rmaNumber", ""), r);
  // The spare arrives through rma-svc's outbox.
  std::string replacement;
  ASSERT_TRUE(Eventually([&] {
    auto g = env().Call("rma", "GetRma", tok().tse, {{"name", r}});
    replacement = g.body.value("replacementSerialNumber", "");
    return !replacement.empty();
  })) << "no spare allocated";
  EXPECT_TRUE(replacement == spare1 || replacement == spare2) << replacement;
  const std::string other_spare = replacement == spare1 ? spare2 : spare1;
  EXPECT_EQ(UnitState(replacement), "UNIT_STATE_ALLOCATED");
  EXPECT_EQ(UnitState(other_spare), "UNIT_STATE_SPARE");

  // Ship while inventory-svc is down: rma-svc owes it the swap; kill -9
  // rma-svc, bring both back: the swap happens exactly once.
  env().KillService("inventory");
  Json ship = {{"requestId", "ship-" + bad}, {"name", r}, {"carrier", "UPS"},
               {"trackingNumber", "1Z999AA10123456784"}};
  auto shipped = E2E_OK(env().Call("rma", "ShipReplacement", tok().logistics, ship));
  EXPECT_EQ(shipped.body.value("status", ""), "RMA_STATUS_REPLACEMENT_SHIPPED") << shipped.str();
  env().KillService("rma");
  ASSERT_TRUE(env().StartService("inventory").ok());
  ASSERT_TRUE(env().StartService("rma").ok());
  auto reship = E2E_OK(env().Call("rma", "ShipReplacement", tok().logistics, ship));  // retry
  EXPECT_EQ(reship.body.value("status", ""), "RMA_STATUS_REPLACEMENT_SHIPPED") << reship.str();
  ASSERT_TRUE(Eventually([&] { return UnitState(replacement) == "UNIT_STATE_IN_SERVICE"; }))
      << GetUnit(replacement).dump();
  EXPECT_EQ(GetUnit(replacement).value("ownerAccountId", ""), account);
  EXPECT_EQ(UnitState(bad), "UNIT_STATE_AWAITING_RETURN");
  auto base = E2E_OK(env().Call("inventory", "ListInstalledBase", customer, {{"accountId", account}}));
  ASSERT_EQ(base.body.value("units", Json::array()).size(), 1u) << base.str();
  EXPECT_EQ(base.body["units"][0].value("serialNumber", ""), replacement);

  // Licenses move to the replacement: the old key is revoked, the new one verifies offline.
  Json xfer_req = {{"requestId", "xfer-" + bad}, {"rmaNumber", r}};
  auto xfer = E2E_OK(RetryWhileUnavailable(
      [&] { return env().Call("licensing", "TransferLicenses", customer, xfer_req); }));
  auto xfer2 = E2E_OK(env().Call("licensing", "TransferLicenses", customer, xfer_req));
  EXPECT_EQ(xfer.body.value("toSerial", ""), replacement) << xfer.str();
  ASSERT_EQ(xfer.body.value("licenses", Json::array()).size(), 1u) << xfer.str();
  EXPECT_EQ(xfer2.body.dump(), xfer.body.dump());
  // kill -9 of licensing-svc after the transfer; the client's retry after the
  // restart returns the same transfer and no key is issued twice.
  env().KillService("licensing");
  ASSERT_TRUE(env().StartService("licensing").ok());
  auto xfer3 = E2E_OK(RetryWhileUnavailable(
      [&] { return env().Call("licensing", "TransferLicenses", customer, xfer_req); }));
  EXPECT_EQ(xfer3.body.dump(), xfer.body.dump());
  auto old_verdict = E2E_OK(env().Call("licensing", "VerifyLicenseKey", customer,
                                       {{"licenseKey", old_key}, {"deviceSerial", bad}}));
  EXPECT_EQ(old_verdict.body.value("verdict", ""), "KEY_VERDICT_REVOKED") << old_verdict.str();
  auto lic = E2E_OK(env().Call("licensing", "GetLicense", customer,
                               {{"licenseId", xfer.body["licenses"][0].value("newLicenseId", "")}}));
  const std::string new_key = lic.body.value("licenseKey", "");
  EXPECT_EQ(VerifyOffline(new_key, replacement), licensing::KeyCheck::kValid);
  EXPECT_EQ(VerifyOffline(new_key, bad), licensing::KeyCheck::kWrongDevice);
  EXPECT_EQ(env().Count("licensing", "licenses", "account_id = '" + account + "'"), 2);
  EXPECT_EQ(env().Count("licensing", "rma_transfers"), 1);

  // The defective unit comes back, goes to intake, is certified and back on sale.
  // Received while inventory-svc is down: rma-svc owes it the intake; kill -9
  // rma-svc and bring both back.
  env().KillService("inventory");
  auto recv = E2E_OK(Mutate("rma", "ReceiveReturn", tok().logistics,
                                {{"requestId", "back-" + bad}, {"rmaNumber", r}, {"serialNumber", bad}}));
  env().KillService("rma");
  ASSERT_TRUE(env().StartService("inventory").ok());
  ASSERT_TRUE(env().StartService("rma").ok());
  ASSERT_TRUE(Eventually([&] { return UnitState(bad) == "UNIT_STATE_RECEIVED"; }))
      << GetUnit(bad).dump();
  E2E_OK(Mutate("rma", "CloseRma", tok().logistics, {{"requestId", "close-" + bad}, {"name", r}}));
  Certify(bad, "2");
  EXPECT_EQ(UnitState(bad), "UNIT_STATE_CERTIFIED");
  auto offers = E2E_OK(env().Call("inventory", "ReserveUnit", tok().partner,
                                  {{"requestId", "rsv2-" + bad}, {"serialNumber", bad},
                                   {"shipToRegionCode", "US"}}));
  EXPECT_EQ(UnitState(bad), "UNIT_STATE_RESERVED");

  // Exactly once: one RMA, one unit row each, one swap event pair.
  EXPECT_EQ(env().Count("rma", "rmas", "account_id = '" + account + "'"), 1);
  for (const auto& s : {bad, spare1, spare2}) {
    EXPECT_EQ(env().Count("inventory", "units", "serial = '" + s + "'"), 1) << s;
  }
  EXPECT_EQ(UnitState(other_spare), "UNIT_STATE_SPARE");
}

}  // namespace
}  // namespace aftercare::e2e
