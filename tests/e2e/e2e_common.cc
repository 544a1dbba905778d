#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {

CallResult RetryWhileUnavailable(const std::function<CallResult()>& call, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    CallResult r = call();
    if (r.status.error_code() != grpc::StatusCode::UNAVAILABLE || absl::Now() > deadline) return r;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

void E2eTest::WaitCallersReconnected() {
  bool ok = Eventually([&] {
    auto a = CreateRma(Unique("probe-"), "JN1PROBE0000", "PROBE-ACCOUNT");
    auto b = env().Call("licensing", "TransferLicenses", tok().admin,
                        {{"requestId", Unique("probe-")}, {"rmaNumber", "R99999999"}});
    // case-svc looks the SKU up in inventory-svc; unknown → refused, nothing written.
    auto c = env().Call(
        "case", "CreateTradeInCase", tok().Customer("PROBE-ACCOUNT"),
        {{"requestId", Unique("probe-")},
         {"tradeInCase",
          {{"accountId", "PROBE-ACCOUNT"}, {"orderNumber", "SO-PROBE"},
           {"orderTime", absl::FormatTime("%Y-%m-%dT00:00:00Z", absl::Now() - absl::Hours(48),
                                          absl::UTCTimeZone())},
           {"phase", "TMIP_PHASE_PHASE1"}, {"disposition", "DISPOSITION_RETURN"},
           {"credit", {{"currencyCode", "USD"}, {"amountMinor", "100"}}},
           {"lines", {{{"sku", "PROBE-NO-SUCH-SKU"}, {"quantity", 1}, {"serialNumbers", {"JN1PROBE0000"}}}}}}}});
    return a.status.error_code() != grpc::StatusCode::UNAVAILABLE &&
           b.status.error_code() != grpc::StatusCode::UNAVAILABLE &&
           c.status.error_code() != grpc::StatusCode::UNAVAILABLE && !c.ok();
  }, absl::Seconds(20));
  ASSERT_TRUE(ok) << "callers did not reconnect";
}

CallResult E2eTest::Mutate(const std::string& service, const std::string& method,
                           const std::string& token, const Json& request) {
  (void)env().Call(service, method, token, request, absl::Milliseconds(1));
  auto call = [&] {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (true) {
      CallResult r = env().Call(service, method, token, request);
      // ABORTED: the cut first try still holds the request_id's row.
      if (r.status.error_code() != grpc::StatusCode::ABORTED || absl::Now() > deadline) return r;
      absl::SleepFor(absl::Milliseconds(20));
    }
  };
  CallResult first = call();
  CallResult retry = call();
  EXPECT_EQ(retry.status.error_code(), first.status.error_code())
      << method << ": " << first.str() << " vs " << retry.str();
  EXPECT_EQ(retry.body.dump(), first.body.dump()) << method;
  return first;
}

void E2eTest::CreateProduct(const std::string& sku, const std::string& series,
                            const std::string& platform, int64_t list_minor,
                            bool end_of_production) {
  Json product = {{"sku", sku},
                  {"displayName", sku},
                  {"family", "PRODUCT_FAMILY_SWITCHING"},
                  {"series", series},
                  {"platform", platform},
                  {"listPrice", {{"currencyCode", "USD"}, {"amountMinor", std::to_string(list_minor)}}},
                  {"lifecycle", "LIFECYCLE_CURRENT"},
                  {"latestSoftwareRelease", "22.2R3"},
                  {"standardWarrantyMonths", 12}};
  if (end_of_production) {
    product["lifecycle"] = "LIFECYCLE_END_OF_PRODUCTION";
    product["endOfProductionTime"] = "2023-06-30T00:00:00Z";
  }
  E2E_OK(Mutate("inventory", "CreateProduct", tok().admin,
                    {{"requestId", "p-" + sku}, {"product", product}}));
}

void E2eTest::LoadGenuine(const std::vector<std::string>& serials, const std::string& sku) {
  Json entries = Json::array();
  for (const auto& s : serials) entries.push_back({{"serialNumber", s}, {"sku", sku}});
  E2E_OK(env().Call("inventory", "LoadGenuineSerials", tok().admin,
                    {{"requestId", "g-" + serials.front()}, {"entries", entries}}));
}

void E2eTest::Certify(const std::string& s, const std::string& round) {
  auto step = [&](int n, Json extra) {
    extra["requestId"] = "s" + std::to_string(n) + "-" + s + "-" + round;
    extra["serialNumber"] = s;
    E2E_OK(Mutate("inventory", "RecordCertificationStep", tok().logistics, extra));
  };
  step(1, {{"step", "CERTIFICATION_STEP_SERIAL_VERIFICATION"}});
  step(2, {{"step", "CERTIFICATION_STEP_COMPONENT_REPAIR"}, {"noRepairNeeded", true}});
  step(3, {{"step", "CERTIFICATION_STEP_SOFTWARE_UPDATE"}, {"softwareVersion", "22.2R3"}});
  step(4, {{"step", "CERTIFICATION_STEP_CONFIGURATION_RESET"}, {"passed", true}});
  step(5, {{"step", "CERTIFICATION_STEP_PACKAGING_AND_LABELING"}, {"passed", true}});
  step(6, {{"step", "CERTIFICATION_STEP_QUALIFICATION_TEST"}, {"passed", true},
           {"testReportReference", "QT-" + s}});
  auto r = E2E_OK(Mutate("inventory", "CertifyUnit", tok().logistics,
                             {{"requestId", "c-" + s + "-" + round},
                              {"serialNumber", s}}));
  EXPECT_EQ(r.body.value("state", ""), "UNIT_STATE_CERTIFIED") << r.str();
}

void E2eTest::ReceiveAndCertify(const std::string& s, const std::string& sku) {
  E2E_OK(Mutate("inventory", "ReceiveUnit", tok().logistics,
                    {{"requestId", "r-" + s}, {"serialNumber", s}, {"sku", sku},
                     {"source", "UNIT_SOURCE_STOCK_ROTATION"}}));
  Certify(s);
}

void E2eTest::ReserveAndSell(const std::string& s, const std::string& account) {
  E2E_OK(Mutate("inventory", "ReserveUnit", tok().partner,
                    {{"requestId", "rsv-" + s}, {"serialNumber", s}, {"shipToRegionCode", "US"}}));
  E2E_OK(Mutate("inventory", "SellUnit", tok().partner,
                    {{"requestId", "sell-" + s},
                     {"serialNumber", s},
                     {"buyerAccountId", account},
                     {"supportOptions",
                      {{{"level", "SUPPORT_LEVEL_NEXT_BUSINESS_DAY"}, {"termMonths", 36},
                        {"preApprovalReference", "PA-" + s}}}}}));
}

void E2eTest::MakeSpare(const std::string& s, const std::string& sku) {
  ReceiveAndCertify(s, sku);
  E2E_OK(Mutate("inventory", "MoveToSparePool", tok().logistics,
                    {{"requestId", "spare-" + s}, {"serialNumber", s}}));
}

Json E2eTest::GetUnit(const std::string& serial) {
  auto r = env().Call("inventory", "GetUnit", tok().admin, {{"serialNumber", serial}});
  return r.ok() ? r.body : Json::object();
}

std::string E2eTest::UnitState(const std::string& serial) {
  return GetUnit(serial).value("state", std::string("?"));
}

Json E2eTest::CreateRmaRequest(const std::string& request_id, const std::string& serial,
                               const std::string& account) {
  return {{"requestId", request_id},
          {"serialNumber", serial},
          {"accountId", account},
          {"technicalCaseId", "2026-1121-00042"},
          {"type", "RMA_TYPE_ADVANCE_REPLACEMENT"},
          {"failureDescription", "PSU 1 failed"},
          {"damageCause", "DAMAGE_CAUSE_HARDWARE_FAILURE"},
          {"shipTo", {{"regionCode", "US"}, {"locality", "Austin"},
                      {"addressLines", {"1 Main Street"}}}},
          {"contactEmail", "noc@acme.example"}};
}

CallResult E2eTest::CreateRma(const std::string& request_id, const std::string& serial,
                              const std::string& account) {
  return env().Call("rma", "CreateRma", tok().tse, CreateRmaRequest(request_id, serial, account));
}

}  // namespace aftercare::e2e
