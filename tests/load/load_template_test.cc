// The request templates of aftercare-load (load_template.h) without a
// server: placeholders parsed and evaluated in order, the fast path giving
// the bytes of the JSON path call after call, the fallback for a template it
// cannot take, and a malformed placeholder refused.
#include "tests/load/load_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aftercare/cases/v1/case_service.pb.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"

namespace aftercare::load {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

std::vector<Piece::Kind> Kinds(const std::vector<Piece>& pieces) {
  std::vector<Piece::Kind> out;
  for (const Piece& p : pieces) out.push_back(p.kind);
  return out;
}

// Prepares `data` for `method` as the runner does.
Prepared Prepare(const Entry& entry) {
  Prepared p;
  p.entry = &entry;
  p.pieces = ParseTemplate(entry.data);
  p.request_proto = Factory().GetPrototype(entry.desc->input_type());
  p.response_proto = Factory().GetPrototype(entry.desc->output_type());
  PrepareFastPath(p);
  return p;
}

Entry EntryFor(const std::string& method, const std::string& data) {
  (void)aftercare::cases::v1::CreateCaseRequest::descriptor();
  (void)aftercare::inventory::v1::ListUnitsRequest::descriptor();
  Entry e;
  e.method = "/" + method;
  e.data = data;
  std::string full = method;
  full[full.rfind('/')] = '.';
  e.desc = gp::DescriptorPool::generated_pool()->FindMethodByName(full);
  return e;
}

TEST(LoadTemplateTest, PlaceholdersAreParsedAndEvaluatedInOrder) {
  const std::vector<Piece> pieces = ParseTemplate("a-{{seq:4}}-{{rand:7-7:2}}-{{serial:BN:5-5}}{{run}}");
  EXPECT_THAT(Kinds(pieces), ElementsAre(Piece::kText, Piece::kSeq, Piece::kText, Piece::kRand,
                                         Piece::kText, Piece::kSerial, Piece::kRun));
  Shared sh;
  sh.seq = 41;
  sh.run_id = "R";
  std::mt19937_64 rng(1);
  EXPECT_EQ(Render(pieces, sh, rng), "a-0041-07-BN0000000005R");
  EXPECT_EQ(Render(pieces, sh, rng), "a-0042-07-BN0000000005R");
}

TEST(LoadTemplateTest, TheFastPathGivesTheBytesOfTheJsonPath) {
  const Entry entry = EntryFor(
      "aftercare.cases.v1.CaseService/CreateCase",
      R"({"requestId":"case-{{run}}-{{seq}}","case":{"requestType":"REQUEST_TYPE_OTHER",)"
      R"("summary":"s {{seq:6}} {{seq}}","accountId":"ACME-{{rand:1-9:3}}"}})");
  ASSERT_NE(entry.desc, nullptr);
  const Prepared p = Prepare(entry);
  ASSERT_NE(p.filled, nullptr) << p.no_fast_path;
  EXPECT_EQ(p.placeholders, 5);
  Shared fast_sh, json_sh;
  fast_sh.run_id = json_sh.run_id = "run1";
  std::mt19937_64 fast_rng(9), json_rng(9);
  for (int i = 0; i < 200; ++i) {
    std::string fast, slow, error;
    ASSERT_TRUE(Build(p, fast_sh, fast_rng, &fast, &error)) << error;
    ASSERT_TRUE(Serialize(p, Render(p.pieces, json_sh, json_rng), &slow, &error)) << error;
    ASSERT_EQ(fast, slow) << "request " << i;
  }
  EXPECT_EQ(fast_sh.seq, json_sh.seq);
  aftercare::cases::v1::CreateCaseRequest last;
  std::string bytes, error;
  ASSERT_TRUE(Build(p, fast_sh, fast_rng, &bytes, &error));
  ASSERT_TRUE(last.ParseFromString(bytes));
  EXPECT_EQ(last.request_id(), "case-run1-601");  // three {{seq}} per request
  EXPECT_THAT(last.case_().account_id(), ::testing::MatchesRegex("ACME-00[1-9]"));
}

TEST(LoadTemplateTest, ANumberPlaceholderTakesTheJsonPath) {
  const Entry entry =
      EntryFor("aftercare.inventory.v1.InventoryService/ListUnits", R"({"pageSize":{{rand:5-5}}})");
  ASSERT_NE(entry.desc, nullptr);
  const Prepared p = Prepare(entry);
  EXPECT_EQ(p.filled, nullptr);
  EXPECT_THAT(p.no_fast_path, Not(IsEmpty()));
  Shared sh;
  std::mt19937_64 rng(1);
  std::string bytes, error;
  ASSERT_TRUE(Build(p, sh, rng, &bytes, &error)) << error;
  aftercare::inventory::v1::ListUnitsRequest req;
  ASSERT_TRUE(req.ParseFromString(bytes));
  EXPECT_EQ(req.page_size(), 5);
}

TEST(LoadTemplateDeathTest, AnUnknownPlaceholderIsRefusedByName) {
  EXPECT_EXIT(ParseTemplate("{{nonsense}}"), ::testing::ExitedWithCode(2),
              "unknown placeholder \\{\\{nonsense\\}\\}");
  EXPECT_EXIT(ParseTemplate("x{{seq"), ::testing::ExitedWithCode(2), "unclosed");
}

}  // namespace
}  // namespace aftercare::load
