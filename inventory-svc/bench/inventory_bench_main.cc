// A load generator for inventory-svc (see docs/inventory-svc.md, "Benchmark").
//
//   inventory-bench --target=127.0.0.1:50061 --jwt_secret=... --mode=get
//       --concurrency=64 --duration=20s --serial_prefix=BN --serials=1000000
//
// Modes:
//   get      GetUnit of random serials <prefix><10 digits> in [1, serials]
//   reserve  ReserveUnit by a random SKU SKU-001..SKU-<skus> (as a CPO partner)
//   walk     ListUnits pages of 50 from the first to the last, one caller,
//            reporting the latency of the first and the last pages
//   load     one LoadGenuineSerials stream of --serials serials (prefix GS),
//            5,000 per message
// Prints throughput and p50/p99 latency; with --pid, the service's RSS.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "aftercare/inventory/v1/inventory_service.grpc.pb.h"
#include "common/auth.h"

namespace pb = ::aftercare::inventory::v1;

namespace {

std::map<std::string, std::string> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> out = {
      {"target", "127.0.0.1:50051"}, {"mode", "get"},           {"concurrency", "64"},
      {"duration", "20s"},           {"serial_prefix", "BN"},   {"serials", "1000000"},
      {"skus", "100"},               {"jwt_secret", ""},        {"pid", ""},
      {"issuer", "aftercare-dev"},   {"audience", "aftercare"}, {"max_pages", "30000"}};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || a.find('=') == std::string::npos) {
      std::cerr << "bad argument " << a << "\n";
      std::exit(2);
    }
    out[a.substr(2, a.find('=') - 2)] = a.substr(a.find('=') + 1);
  }
  return out;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

std::string Rss(const std::string& pid) {
  if (pid.empty()) return "";
  std::ifstream f("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return line;
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  aftercare::TokenClaims claims;
  claims.issuer = args["issuer"];
  claims.audience = args["audience"];
  claims.ttl = absl::Hours(2);
  const std::string mode = args["mode"];
  if (mode == "reserve") {
    claims.role = aftercare::Role::kPartner;
    claims.subject = "bench-partner";
    claims.partner_id = "bench-reseller";
    claims.cpo_channel = true;
  } else {
    claims.role = aftercare::Role::kAdmin;
    claims.subject = "bench-admin";
  }
  auto token = aftercare::MintHs256(claims, args["jwt_secret"], absl::Now());
  if (!token.ok()) {
    std::cerr << token.status() << "\n";
    return 2;
  }
  const std::string bearer = "Bearer " + *token;
  int concurrency = std::stoi(args["concurrency"]);
  absl::Duration duration;
  if (!absl::ParseDuration(args["duration"], &duration)) return 2;
  const int64_t serials = std::stoll(args["serials"]);
  const int skus = std::stoi(args["skus"]);

  grpc::ChannelArguments ch_args;
  ch_args.SetInt("grpc.use_local_subchannel_pool", 1);
  // A few channels so that 64 callers do not share one HTTP/2 connection.
  std::vector<std::unique_ptr<pb::InventoryService::Stub>> stubs;
  for (int i = 0; i < 4; ++i) {
    ch_args.SetInt("bench.channel", i);
    stubs.push_back(pb::InventoryService::NewStub(
        grpc::CreateCustomChannel(args["target"], grpc::InsecureChannelCredentials(), ch_args)));
  }

  if (mode == "load") {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearer);
    pb::LoadGenuineSerialsResponse resp;
    const absl::Time t0 = absl::Now();
    auto writer = stubs[0]->LoadGenuineSerials(&ctx, &resp);
    pb::LoadGenuineSerialsRequest msg;
    msg.set_request_id(absl::StrCat("bench-load-", absl::ToUnixMicros(t0)));
    for (int64_t i = 1; i <= serials; ++i) {
      auto* e = msg.add_entries();
      e->set_serial_number(absl::StrFormat("GS%010d", i));
      e->set_sku(absl::StrFormat("SKU-%03d", 1 + i % skus));
      if (msg.entries_size() == 5000 || i == serials) {
        writer->Write(msg);
        msg.Clear();
      }
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    const double secs = absl::ToDoubleSeconds(absl::Now() - t0);
    std::printf("load: %s; %lld received, %lld inserted, %lld updated in %.2fs (%.0f serials/s)\n",
                s.ok() ? "OK" : s.error_message().c_str(),
                static_cast<long long>(resp.received_count()),
                static_cast<long long>(resp.inserted_count()),
                static_cast<long long>(resp.updated_count()), secs,
                static_cast<double>(serials) / secs);
    std::printf("%s\n", Rss(args["pid"]).c_str());
    return s.ok() ? 0 : 1;
  }

  if (mode == "walk") {
    const int max_pages = std::stoi(args["max_pages"]);
    std::vector<double> lat;
    pb::ListUnitsRequest req;
    req.set_page_size(50);
    int pages = 0;
    const absl::Time start = absl::Now();
    do {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", bearer);
      pb::ListUnitsResponse resp;
      absl::Time t0 = absl::Now();
      grpc::Status s = stubs[0]->ListUnits(&ctx, req, &resp);
      lat.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
      if (!s.ok()) {
        std::cerr << "page " << pages << ": " << s.error_message() << "\n";
        return 1;
      }
      req.set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page_token().empty() && pages < max_pages);
    const size_t n = std::min<size_t>(500, lat.size() / 2);
    std::vector<double> first(lat.begin(), lat.begin() + n), last(lat.end() - n, lat.end());
    std::printf("walk: %d pages of 50 in %.1fs; first %zu pages p50 %.2f ms p99 %.2f ms; "
                "last %zu pages (from page %zu) p50 %.2f ms p99 %.2f ms\n",
                pages, absl::ToDoubleSeconds(absl::Now() - start), n, Percentile(first, 0.5),
                Percentile(first, 0.99), n, lat.size() - n + 1, Percentile(last, 0.5),
                Percentile(last, 0.99));
    std::printf("%s\n", Rss(args["pid"]).c_str());
    return 0;
  }

  std::atomic<bool> stop{false};
  std::atomic<int64_t> ok{0}, failed{0};
  std::vector<std::vector<double>> lat(concurrency);
  std::map<std::string, int64_t> errors;
  std::mutex errors_mu;
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      absl::BitGen gen;
      auto& stub = stubs[t % stubs.size()];
      int64_t n = 0;
      while (!stop.load()) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", bearer);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        grpc::Status s;
        absl::Time t0 = absl::Now();
        if (mode == "get") {
          pb::GetUnitRequest req;
          req.set_serial_number(absl::StrFormat("%s%010d", args["serial_prefix"],
                                                absl::Uniform<int64_t>(gen, 1, serials + 1)));
          pb::Unit resp;
          s = stub->GetUnit(&ctx, req, &resp);
        } else {
          pb::ReserveUnitRequest req;
          req.set_request_id(absl::StrCat("bench-", absl::ToUnixMicros(start), "-", t, "-", n++));
          req.set_sku(absl::StrFormat("SKU-%03d", absl::Uniform<int>(gen, 1, skus + 1)));
          req.set_ship_to_region_code("US");
          pb::Reservation resp;
          s = stub->ReserveUnit(&ctx, req, &resp);
        }
        lat[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        if (s.ok()) {
          ok++;
        } else {
          failed++;
          std::lock_guard<std::mutex> lock(errors_mu);
          errors[absl::StrCat(s.error_code(), " ", s.error_message().substr(0, 60))]++;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(absl::ToInt64Milliseconds(duration)));
  const std::string rss = Rss(args["pid"]);
  stop = true;
  for (auto& th : threads) th.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::printf("%s: %d callers, %.1fs, %lld ok, %lld failed, %.0f req/s, p50 %.2f ms, p99 %.2f ms\n",
              mode.c_str(), concurrency, secs, static_cast<long long>(ok.load()),
              static_cast<long long>(failed.load()), static_cast<double>(ok + failed) / secs,
              Percentile(all, 0.5), Percentile(all, 0.99));
  for (const auto& [e, n] : errors) std::printf("  error x%lld: %s\n", static_cast<long long>(n), e.c_str());
  if (!rss.empty()) std::printf("service %s (under load)\n", rss.c_str());
  return 0;
}
