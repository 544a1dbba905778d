// The suite on a 3-node MariaDB Galera cluster (issue 18): every service is
// given the three nodes (--mysql_host list, node 1 first) and fails over
// when the node it is on dies. Run by the e2e_galera ctest entry
// (AFTERCARE_E2E_GALERA=1), together with the lifecycles of
// e2e_flows_test.cc, which run unchanged on the cluster.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/db/connection_pool.h"
#include "common/db/lease.h"
#include "tests/e2e/e2e_common.h"

namespace aftercare::e2e {
namespace {

class GaleraTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    ASSERT_NE(env().cluster(), nullptr) << "run with AFTERCARE_E2E_GALERA=1";
    for (int n = 1; n <= 3; ++n) {
      ASSERT_TRUE(Eventually([&] {
        auto state = env().cluster()->State(n);
        return state.ok() && *state == "Synced";
      }, absl::Seconds(60))) << "node " << n;
    }
  }

  // A client that retries UNAVAILABLE with the same request (a call in
  // flight when the node died; RetryInfo says retry).
  CallResult Retry(const std::string& service, const std::string& method, const std::string& token,
                   const Json& request) {
    return RetryWhileUnavailable(
        [&] { return env().Call(service, method, token, request); }, absl::Seconds(60));
  }

  // A conflict that outlived the service's own retries (ABORTED) or a call
  // in flight when a node died (UNAVAILABLE) is retried by the client with
  // the same request, as the error's RetryInfo tells it to.
  CallResult RetryConflicts(Service& via, const std::string& method, const std::string& token,
                            const Json& request) {
    CallResult r;
    for (int attempt = 0; attempt < 20; ++attempt) {
      r = env().CallOn(via, method, token, request, absl::Seconds(20));
      if (r.status.error_code() != grpc::StatusCode::ABORTED &&
          r.status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return r;
  }

  // Another replica of `base` on base's database, its --mysql_host list
  // starting at node `first` (so replicas write through different nodes).
  std::unique_ptr<Service> Replica(const std::string& base, int first) {
    const auto* c = env().cluster();
    std::vector<std::string> hosts;
    for (int i = 0; i < 3; ++i) {
      const auto& node = c->node((first - 1 + i) % 3 + 1);
      hosts.push_back(absl::StrCat(node.host, ":", node.port));
    }
    auto started = env().StartInstance(
        base, {"--mysql_host=" + absl::StrJoin(hosts, ","),
               "--mysql_database=" + env().svc(base).db->name(), "--migrate=false"});
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return nullptr;
    EXPECT_TRUE(Eventually([&] { return env().Readiness(**started) == "SERVING"; },
                           absl::Seconds(30)))
        << (*started)->process->LogTail();
    return *std::move(started);
  }
};

// Racers spread over the three nodes: 64 partners reserve by SKU through
// three inventory replicas, each writing through a different node. Two
// nodes may pick the same unit (SKIP LOCKED locks only on its node); the
// loser's commit fails certification and its transaction runs again. One
// winner per unit, every unit reserved once.
TEST_F(GaleraTest, ReserversOnThreeNodesGetOneWinnerPerUnit) {
  const std::string sku = Unique("SKU-GR-");
  CreateProduct(sku);
  constexpr int kUnits = 6, kReservers = 64;
  std::vector<std::string> serials;
  for (int i = 0; i < kUnits; ++i) serials.push_back(Unique("JN1GR"));
  LoadGenuine(serials, sku);
  for (const auto& s : serials) ReceiveAndCertify(s, sku);

  std::vector<std::unique_ptr<Service>> replicas;
  for (int n = 1; n <= 3; ++n) replicas.push_back(Replica("inventory", n));
  for (const auto& r : replicas) ASSERT_NE(r, nullptr);

  std::mutex mu;
  std::vector<std::string> won;
  std::map<std::string, int> codes;
  std::vector<std::thread> threads;
  for (int i = 0; i < kReservers; ++i) {
    threads.emplace_back([&, i] {
      Service& via = *replicas[i % 3];
      const Json req = {{"requestId", Unique("grsv-")}, {"sku", sku}, {"shipToRegionCode", "US"}};
      CallResult r = RetryConflicts(via, "ReserveUnit", tok().partner, req);
      std::lock_guard<std::mutex> lock(mu);
      ++codes[r.ok() ? "OK" : std::to_string(r.status.error_code())];
      if (r.ok()) won.push_back(r.body.value("serialNumber", ""));
    });
  }
  for (auto& t : threads) t.join();
  std::string summary;
  for (const auto& [code, n] : codes) absl::StrAppend(&summary, code, "=", n, " ");
  EXPECT_EQ(won.size(), static_cast<size_t>(kUnits)) << summary;
  EXPECT_EQ(std::set<std::string>(won.begin(), won.end()).size(), won.size()) << summary;
  for (const auto& s : serials) EXPECT_EQ(UnitState(s), "UNIT_STATE_RESERVED") << s;
  std::cout << "[ galera ] 64 reservers over 3 nodes: " << summary << "\n";
}

// The one-open-RMA-per-unit rule and the RMA number allocator hold with
// racers on three nodes: 24 CreateRma calls for one unit (distinct request
// ids) through three rma-svc replicas give exactly one RMA; RMAs of
// different units created at once get distinct numbers.
TEST_F(GaleraTest, OneOpenRmaPerUnitAndDistinctNumbersAcrossNodes) {
  const std::string sku = Unique("SKU-GM-");
  const std::string account = Unique("ACME-");
  CreateProduct(sku);
  std::vector<std::string> units;
  for (int i = 0; i < 6; ++i) units.push_back(Unique("JN1GM"));
  LoadGenuine(units, sku);
  for (const auto& u : units) {
    ReceiveAndCertify(u, sku);
    ReserveAndSell(u, account);
  }
  std::vector<std::unique_ptr<Service>> replicas;
  for (int n = 1; n <= 3; ++n) replicas.push_back(Replica("rma", n));
  for (const auto& r : replicas) ASSERT_NE(r, nullptr);

  auto create = [&](Service& via, const std::string& request_id, const std::string& serial) {
    return RetryConflicts(via, "CreateRma", tok().tse, CreateRmaRequest(request_id, serial, account));
  };

  std::mutex mu;
  std::vector<std::string> same_unit_ok, numbers;
  std::vector<std::thread> threads;
  for (int i = 0; i < 24; ++i) {
    threads.emplace_back([&, i] {
      auto r = create(*replicas[i % 3], Unique("grma-"), units[0]);
      std::lock_guard<std::mutex> lock(mu);
      if (r.ok()) same_unit_ok.push_back(r.body.value("validationNumber", ""));
    });
  }
  for (int i = 1; i < 6; ++i) {
    threads.emplace_back([&, i] {
      auto r = create(*replicas[i % 3], Unique("grmb-"), units[i]);
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_TRUE(r.ok()) << r.str();
      if (r.ok()) numbers.push_back(r.body.value("validationNumber", ""));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(same_unit_ok.size(), 1u);
  EXPECT_EQ(env().Count("rma", "rmas", "serial = '" + units[0] + "'"), 1);
  if (!same_unit_ok.empty()) numbers.push_back(same_unit_ok[0]);
  EXPECT_EQ(std::set<std::string>(numbers.begin(), numbers.end()).size(), numbers.size());
  EXPECT_EQ(numbers.size(), 6u);
}

// The leases behind the outbox leader and the migration runner, claimed at
// the same moment through the three nodes: one holder per lease, every
// round (a named lock, GET_LOCK, is node-local: each node would grant it).
TEST_F(GaleraTest, ALeaseClaimedOnThreeNodesAtOnceHasOneHolder) {
  std::vector<std::unique_ptr<db::ConnectionPool>> pools;
  for (int n = 1; n <= 3; ++n) {
    db::DbOptions o = env().svc("inventory").db->Options(1);
    o.host = env().cluster()->node(n).host;
    o.port = env().cluster()->node(n).port;
    auto pool = db::ConnectionPool::Create(o, nullptr);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pools.push_back(*std::move(pool));
  }
  constexpr int kRounds = 10;
  int single_holder_rounds = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string name = Unique("race-");
    std::atomic<int> ready{0}, holders{0};
    std::vector<std::thread> threads;
    for (int n = 0; n < 3; ++n) {
      threads.emplace_back([&, n] {
        db::Lease lease(name, absl::StrCat("node", n + 1), absl::Minutes(1));
        auto conn = pools[n]->Acquire();
        if (!conn.ok()) return;
        // The row exists first (as after the first claim): all three race
        // on the conditional UPDATE, not on the INSERT.
        try {
          auto& insert = (*conn)->Prepare(
              "INSERT IGNORE INTO aftercare_leases (name, holder, fence, expires_at_us)"
              " VALUES (?, '', 0, 0)");
          insert.setString(1, name);
          insert.executeUpdate();
        } catch (const sql::SQLException&) {
        }
        ++ready;
        while (ready.load() < 3) {
        }
        try {
          if (lease.TryAcquire(**conn)) ++holders;
        } catch (const sql::SQLException& e) {
          ADD_FAILURE() << "lease claim on node " << n + 1 << ": " << e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(holders.load(), 1) << "round " << round;
    single_holder_rounds += holders.load() == 1;
  }
  std::cout << "[ galera ] lease claimed on 3 nodes at once: one holder in "
            << single_holder_rounds << " of " << kRounds << " rounds\n";
}

// Readiness follows the node a service is on: a replica given only node 3
// is out of service while node 3 is down and back once it rejoined; the
// services given all three nodes stay in service.
TEST_F(GaleraTest, ReadinessFollowsTheNodeAServiceIsOn) {
  const auto& n3 = env().cluster()->node(3);
  auto started = env().StartInstance(
      "inventory", {absl::StrCat("--mysql_host=", n3.host, ":", n3.port),
                    "--mysql_database=" + env().svc("inventory").db->name(), "--migrate=false"});
  ASSERT_TRUE(started.ok()) << started.status();
  Service& only3 = **started;
  ASSERT_TRUE(Eventually([&] { return env().Readiness(only3) == "SERVING"; }, absl::Seconds(30)));
  ASSERT_TRUE(env().KillNode(3).ok());
  EXPECT_TRUE(Eventually([&] { return env().Readiness(only3) == "NOT_SERVING"; },
                         absl::Seconds(20)))
      << env().Readiness(only3);
  for (const char* s : {"inventory", "case", "rma", "licensing"}) {
    EXPECT_EQ(env().Readiness(s), "SERVING") << s;
  }
  ASSERT_TRUE(env().RestartNode(3).ok());
  EXPECT_TRUE(Eventually([&] { return env().Readiness(only3) == "SERVING"; }, absl::Seconds(30)))
      << only3.process->LogTail();
}

// Advance replacement → license transfer → return intake → non-return
// charge of a second RMA, while the node every service is on is killed -9
// twice (node 1 after the approval, then node 2 — where they went — during
// the transfer); each node rejoins. Nothing is lost or doubled: one spare
// allocated, one swap, one transfer with one new key, one intake, one
// charge, every outbox event delivered, one e-mail per transition.
TEST_F(GaleraTest, LifecycleSurvivesTheKillOfTheNodeEachServiceIsOn) {
  const std::string sku = Unique("SKU-GK-");
  const std::string account = Unique("ACME-");
  const std::string bad = Unique("JN1GK");
  const std::string spare = Unique("JN1GS");
  const std::string bad2 = Unique("JN1GN");
  const std::string spare2 = Unique("JN1GT");
  CreateProduct(sku, "EX Series", "EX4300", 1234567);
  LoadGenuine({bad, spare, bad2, spare2}, sku);
  for (const auto& u : {bad, bad2}) {
    ReceiveAndCertify(u, sku);
    ReserveAndSell(u, account);
  }
  MakeSpare(spare, sku);
  MakeSpare(spare2, sku);
  const std::string customer = tok().Customer(account);
  auto ent = E2E_OK(Retry("licensing", "CreateEntitlement", tok().admin,
      {{"requestId", "gent-" + bad}, {"accountId", account}, {"orderReference", "SO-" + bad},
       {"product", {{"sku", "S-EX-A-C2-P"}, {"feature", "advanced-routing"}, {"capacity", "48"},
                    {"termType", "TERM_TYPE_SUBSCRIPTION"}, {"termMonths", 12},
                    {"licensingSystem", "LICENSING_SYSTEM_JUNOS"}, {"unlockKeyRequired", true}}}}));
  E2E_OK(Retry("licensing", "ActivateLicense", customer,
               {{"requestId", "gact-" + bad},
                {"activationCode", ent.body.value("activationCode", "")},
                {"deviceSerial", bad}}));

  auto rma = E2E_OK(CreateRma("grma-" + bad, bad, account));
  const std::string v = rma.body.value("validationNumber", "");
  auto approved = E2E_OK(Retry("rma", "ApproveRma", tok().tse,
                               {{"requestId", "gappr-" + bad}, {"name", v}}));
  const std::string r = approved.body.value("rmaNumber", "");
  ASSERT_FALSE(r.empty()) << approved.str();

  // Node 1 (where every service is) dies while rma-svc's outbox owes
  // inventory-svc the spare allocation.
  ASSERT_TRUE(env().KillNode(1).ok());
  std::string replacement;
  ASSERT_TRUE(Eventually([&] {
    auto g = env().Call("rma", "GetRma", tok().tse, {{"name", r}});
    replacement = g.body.value("replacementSerialNumber", "");
    return !replacement.empty();
  }, absl::Seconds(60))) << "no spare allocated after the node was lost";
  EXPECT_TRUE(replacement == spare || replacement == spare2) << replacement;
  auto shipped = E2E_OK(Retry("rma", "ShipReplacement", tok().logistics,
                              {{"requestId", "gship-" + bad}, {"name", r}, {"carrier", "UPS"},
                               {"trackingNumber", "1Z999AA10123456784"}}));
  ASSERT_TRUE(env().RestartNode(1).ok());
  ASSERT_TRUE(Eventually([&] { return UnitState(replacement) == "UNIT_STATE_IN_SERVICE"; },
                         absl::Seconds(60)))
      << GetUnit(replacement).dump();

  // Node 2, where the services went, dies during the license transfer.
  Json xfer_req = {{"requestId", "gxfer-" + bad}, {"rmaNumber", r}};
  std::thread killer([&] {
    absl::SleepFor(absl::Milliseconds(5));
    EXPECT_TRUE(env().KillNode(2).ok());
  });
  auto xfer = Retry("licensing", "TransferLicenses", customer, xfer_req);
  killer.join();
  E2E_OK(xfer);
  auto xfer_again = E2E_OK(Retry("licensing", "TransferLicenses", customer, xfer_req));
  EXPECT_EQ(xfer_again.body.dump(), xfer.body.dump());
  ASSERT_EQ(xfer.body.value("licenses", Json::array()).size(), 1u) << xfer.str();
  E2E_OK(Retry("rma", "ReceiveReturn", tok().logistics,
               {{"requestId", "gback-" + bad}, {"rmaNumber", r}, {"serialNumber", bad}}));
  ASSERT_TRUE(Eventually([&] { return UnitState(bad) == "UNIT_STATE_RECEIVED"; },
                         absl::Seconds(60)))
      << GetUnit(bad).dump();
  ASSERT_TRUE(env().RestartNode(2).ok());

  // A second RMA whose defective unit never comes back: charged once,
  // while node 3 (now the only one never killed) is lost mid-sweep.
  auto rma2 = E2E_OK(CreateRma("grma2-" + bad2, bad2, account));
  auto approved2 = E2E_OK(Retry("rma", "ApproveRma", tok().tse,
                                {{"requestId", "gappr2-" + bad2},
                                 {"name", rma2.body.value("validationNumber", "")}}));
  const std::string r2 = approved2.body.value("rmaNumber", "");
  ASSERT_TRUE(Eventually([&] {
    return !env().Call("rma", "GetRma", tok().tse, {{"name", r2}})
                .body.value("replacementSerialNumber", "").empty();
  }, absl::Seconds(60)));
  E2E_OK(Retry("rma", "ShipReplacement", tok().logistics,
               {{"requestId", "gship2-" + bad2}, {"name", r2}, {"carrier", "UPS"},
                {"trackingNumber", "1Z2"}}));
  const std::string charged = "rma_number = '" + r2 + "' AND charged_at_us IS NOT NULL";
  env().SetClockOffset("720h");
  ASSERT_TRUE(env().KillNode(3).ok());
  EXPECT_TRUE(Eventually([&] { return env().Count("rma", "rmas", charged) == 1; },
                         absl::Seconds(60)));
  ASSERT_TRUE(env().RestartNode(3).ok());
  absl::SleepFor(absl::Milliseconds(1500));  // more sweeps, on every node: still one charge
  env().SetClockOffset("0h");

  // Exactly once, everywhere.
  EXPECT_EQ(env().Count("rma", "rmas", "rma_number = '" + r2 + "' AND charged_at_us IS NOT NULL"), 1);
  EXPECT_EQ(env().Count("rma", "rma_notifications",
                        "rma_number = '" + r2 + "' AND template = 'non_return_charged'"), 1);
  EXPECT_EQ(env().Count("rma", "rmas", "account_id = '" + account + "'"), 2);
  EXPECT_EQ(env().Count("licensing", "licenses", "account_id = '" + account + "'"), 2);
  EXPECT_EQ(env().Count("licensing", "rma_transfers", "rma_number = '" + r + "'"), 1);
  for (const auto& s : {bad, spare, bad2, spare2}) {
    EXPECT_EQ(env().Count("inventory", "units", "serial = '" + s + "'"), 1) << s;
  }
  EXPECT_EQ(UnitState(replacement), "UNIT_STATE_IN_SERVICE");
  // Every outbox event delivered (none owed, none lost), no delivery twice.
  for (const char* s : {"case", "rma"}) {
    EXPECT_TRUE(Eventually([&] {
      return env().Count(s, "outbox_events", "delivered_at_us IS NULL") == 0;
    }, absl::Seconds(60))) << s;
  }
  // Every notification handed over or given up for a permanent refusal
  // (the shared test technical case belongs to the first account that used
  // it, so case notes of the others' RMAs are refused: dead, not lost).
  EXPECT_TRUE(Eventually([&] {
    return env().Count("rma", "notification_deliveries", "state = 'pending'") == 0;
  }, absl::Seconds(60)));
  EXPECT_EQ(env().Count("rma", "notification_deliveries",
                        "state = 'dead' AND channel <> 'case_note'"), 0);
  // One kept e-mail per notification: the sink flags a resend of a
  // Message-ID it already has as a duplicate, and keeps one copy.
  std::map<std::string, int> kept;
  for (const auto& m : env().Mails()) {
    if (!m.value("duplicate", false)) ++kept[m.value("message_id", "")];
  }
  for (const auto& [id, n] : kept) EXPECT_EQ(n, 1) << id;
  for (int n = 1; n <= 3; ++n) {
    auto state = env().cluster()->State(n);
    EXPECT_TRUE(state.ok() && *state == "Synced") << n;
  }
}

}  // namespace
}  // namespace aftercare::e2e
