// A load generator for case-svc (see docs/case-svc.md, "Benchmark").
//
//   case-bench --target=127.0.0.1:50152 --jwt_secret=... --mode=create
//       --concurrency=64 --duration=20s
//
// Modes:
//   create  CreateCase (P3, no serial) as customers of 64 accounts, each
//           call with a fresh request_id
//   walk    ListCases pages of 50 as a care agent, from the first page to
//           the last, reporting the latency of the first and last pages
// Prints throughput and p50/p99 latency, and checks that the created ids
// are distinct.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "aftercare/cases/v1/case_service.grpc.pb.h"
#include "common/auth.h"

namespace pb = ::aftercare::cases::v1;

namespace {

std::map<std::string, std::string> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> out = {
      {"target", "127.0.0.1:50052"}, {"mode", "create"},  {"concurrency", "64"},
      {"duration", "20s"},           {"jwt_secret", ""},  {"issuer", "aftercare-dev"},
      {"audience", "aftercare"},     {"max_pages", "100000"}};
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
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

std::string Token(const std::map<std::string, std::string>& args, aftercare::Role role,
                  const std::string& subject, std::vector<std::string> accounts) {
  aftercare::TokenClaims c;
  c.subject = subject;
  c.role = role;
  c.account_ids = std::move(accounts);
  c.issuer = args.at("issuer");
  c.audience = args.at("audience");
  c.ttl = absl::Hours(2);
  auto t = aftercare::MintHs256(c, args.at("jwt_secret"), absl::Now());
  if (!t.ok()) {
    std::cerr << t.status() << "\n";
    std::exit(2);
  }
  return *t;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = ParseArgs(argc, argv);
  auto channel = grpc::CreateChannel(args["target"], grpc::InsecureChannelCredentials());
  if (args["mode"] == "walk") {
    auto stub = pb::CaseService::NewStub(channel);
    const std::string token = Token(args, aftercare::Role::kCareAgent, "bench-agent", {});
    pb::ListCasesRequest req;
    req.set_page_size(50);
    std::vector<double> lat;
    int64_t pages = 0, rows = 0, max_pages = 0;
    absl::SimpleAtoi(args["max_pages"], &max_pages);
    while (pages < max_pages) {
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + token);
      pb::ListCasesResponse resp;
      const absl::Time t0 = absl::Now();
      grpc::Status s = stub->ListCases(&ctx, req, &resp);
      lat.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
      if (!s.ok()) {
        std::cerr << "ListCases: " << s.error_message() << "\n";
        return 1;
      }
      ++pages;
      rows += resp.cases_size();
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    const size_t n = std::min<size_t>(100, lat.size());
    std::vector<double> first(lat.begin(), lat.begin() + n), last(lat.end() - n, lat.end());
    std::cout << absl::StrFormat(
        "walk: %d pages, %d cases; first %d pages p50 %.2f ms p99 %.2f ms; last %d pages p50 "
        "%.2f ms p99 %.2f ms\n",
        pages, rows, n, Percentile(first, 0.5), Percentile(first, 0.99), n,
        Percentile(last, 0.5), Percentile(last, 0.99));
    return 0;
  }

  int concurrency = 64;
  absl::SimpleAtoi(args["concurrency"], &concurrency);
  absl::Duration duration;
  if (!absl::ParseDuration(args["duration"], &duration)) duration = absl::Seconds(20);
  const std::string run = absl::StrCat(absl::ToUnixNanos(absl::Now()));
  std::mutex mu;
  std::vector<double> latencies;
  std::set<std::string> ids;
  std::atomic<int64_t> errors{0};
  const absl::Time end = absl::Now() + duration;
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = pb::CaseService::NewStub(channel);
      const std::string token = Token(args, aftercare::Role::kCustomer, absl::StrCat("bench-", t),
                                      {absl::StrCat("BENCH-", t)});
      std::vector<double> mine;
      std::vector<std::string> my_ids;
      for (int i = 0; absl::Now() < end; ++i) {
        pb::CreateCaseRequest req;
        req.set_request_id(absl::StrCat("bench-", run, "-", t, "-", i));
        auto* c = req.mutable_case_();
        c->set_request_type(pb::REQUEST_TYPE_OTHER);
        c->set_priority(pb::PRIORITY_P3);
        c->set_follow_up_method(pb::FOLLOW_UP_METHOD_EMAIL);
        c->set_summary("benchmark case");
        c->set_description("created by case-bench");
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + token);
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        pb::Case out;
        const absl::Time t0 = absl::Now();
        grpc::Status s = stub->CreateCase(&ctx, req, &out);
        if (!s.ok()) {
          if (errors++ < 5) std::cerr << "CreateCase: " << s.error_message() << "\n";
          continue;
        }
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        my_ids.push_back(out.case_id());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      for (auto& id : my_ids) ids.insert(id);
    });
  }
  for (auto& th : threads) th.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  const size_t ok = latencies.size();
  std::cout << absl::StrFormat(
      "create: %d callers, %.1f s: %d cases (%.0f/s), p50 %.1f ms, p99 %.1f ms, %d errors, "
      "%d distinct ids\n",
      concurrency, secs, ok, static_cast<double>(ok) / secs, Percentile(latencies, 0.5),
      Percentile(latencies, 0.99), errors.load(), ids.size());
  return ids.size() == ok && errors == 0 ? 0 : 1;
}
