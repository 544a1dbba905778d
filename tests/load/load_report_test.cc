// The load report on its own: quantiles, the total merged from the methods,
// error codes with their samples, and JSON that parses (with the fields
// scripts/bench reads).
#include "tests/load/load_report.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare::load {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RunReport TwoMethods() {
  RunReport r;
  r.label = "get \"unit\"";
  r.target = "127.0.0.1:50051";
  r.concurrency = 64;
  r.connections = 4;
  r.seconds = 2;
  r.client_cpu_seconds = 0.5;
  CallStats get;
  for (uint32_t us = 1000; us <= 100'000; us += 1000) get.latency_us.push_back(us);  // 100 calls
  get.ok = 100;
  CallStats create;
  create.latency_us = {4000, 2000, 3000, 1000};  // unsorted, as slots record them
  create.ok = 2;
  create.errors = {{6, 1}, {14, 1}};
  create.sample_error = {{14, "connect failed"}, {6, "case exists"}};
  r.methods = {{"aftercare.inventory.v1.InventoryService/GetUnit", get},
               {"aftercare.cases.v1.CaseService/CreateCase", create}};
  r.rss_max_kib = {{4242, 51200}};
  return r;
}

google::protobuf::Struct Parse(const std::string& json) {
  google::protobuf::Struct s;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return s;
}

TEST(LoadReportTest, QuantilesAreTakenFromSortedMicroseconds) {
  std::vector<uint32_t> us;
  for (uint32_t i = 1; i <= 1000; ++i) us.push_back(i * 10);
  EXPECT_NEAR(QuantileMs(us, 0.5), 5.01, 1e-9);  // index 0.5 x 999, rounded: the 501st
  EXPECT_NEAR(QuantileMs(us, 0.99), 9.9, 1e-9);
  EXPECT_DOUBLE_EQ(QuantileMs(us, 1.0), 10.0);
  EXPECT_DOUBLE_EQ(QuantileMs({}, 0.5), 0.0);
}

TEST(LoadReportTest, TheJsonParsesAndItsTotalIsEveryMethodsCalls) {
  const google::protobuf::Struct report = Parse(ReportJson(TwoMethods()));
  const auto& f = report.fields();
  EXPECT_EQ(f.at("label").string_value(), "get \"unit\"");
  EXPECT_EQ(f.at("concurrency").number_value(), 64);
  EXPECT_FALSE(f.contains("walked_pages"));  // no --walk_pages
  const auto& methods = f.at("methods").list_value();
  ASSERT_EQ(methods.values_size(), 2);
  const auto& get = methods.values(0).struct_value().fields();
  EXPECT_EQ(get.at("calls").number_value(), 100);
  EXPECT_EQ(get.at("throughput").number_value(), 50);
  EXPECT_EQ(get.at("latency_ms").struct_value().fields().at("p50").number_value(), 51);
  EXPECT_EQ(get.at("latency_ms").struct_value().fields().at("max").number_value(), 100);
  const auto& create = methods.values(1).struct_value().fields();
  EXPECT_EQ(create.at("errors").number_value(), 2);
  EXPECT_EQ(create.at("latency_ms").struct_value().fields().at("max").number_value(), 4);
  EXPECT_EQ(create.at("errors_by_code").struct_value().fields().at("UNAVAILABLE").number_value(), 1);
  EXPECT_EQ(create.at("error_samples").struct_value().fields().at("ALREADY_EXISTS").string_value(),
            "case exists");
  const auto& total = f.at("total").struct_value().fields();
  EXPECT_EQ(total.at("method").string_value(), "total");
  EXPECT_EQ(total.at("calls").number_value(), 104);
  EXPECT_EQ(total.at("ok").number_value(), 102);
  EXPECT_EQ(total.at("errors").number_value(), 2);
  EXPECT_EQ(f.at("rss_max_kib").struct_value().fields().at("4242").number_value(), 51200);
}

TEST(LoadReportTest, TheTextNamesEachMethodItsErrorsAndTheTotal) {
  RunReport r = TwoMethods();
  r.walked_pages = 3;
  const std::string text = ReportText(r);
  EXPECT_THAT(text, HasSubstr("== get \"unit\"\n"));
  EXPECT_THAT(text, HasSubstr("aftercare.inventory.v1.InventoryService/GetUnit"));
  EXPECT_THAT(text, HasSubstr("    UNAVAILABLE x1: connect failed\n"));
  EXPECT_THAT(text, HasSubstr("-- total (64 in flight, 4 connections, 2 s; the generator used 0.5 CPU s)"));
  EXPECT_THAT(text, HasSubstr("pid 4242 max VmRSS 51200 KiB"));
  EXPECT_EQ(Parse(ReportJson(r)).fields().at("walked_pages").number_value(), 3);
  r.label.clear();
  EXPECT_THAT(ReportText(r), Not(HasSubstr("==")));
}

}  // namespace
}  // namespace aftercare::load
