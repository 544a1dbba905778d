// Unit tests of GenuineSerialsLoad (genuine_serials_load.h) against the
// in-memory store: entries checked as they arrive (by their index in the
// whole load) and nothing written for a refused stream, the request_id of
// later messages, the per-call cap, and a load written once however often
// it is retried.
#include "inventory-svc/genuine_serials_load.h"

#include <string>
#include <vector>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "inventory-svc/use_case_fakes.h"

namespace aftercare::inventory {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

class GenuineSerialsLoadTest : public InventoryUseCaseTest {
 protected:
  static v1::LoadGenuineSerialsRequest Message(const std::string& request_id,
                                               const std::vector<std::string>& serials) {
    v1::LoadGenuineSerialsRequest m;
    m.set_request_id(request_id);
    for (const std::string& s : serials) {
      auto* e = m.add_entries();
      e->set_serial_number(s);
      e->set_sku("ex4300-48t");
    }
    return m;
  }

  absl::StatusOr<v1::LoadGenuineSerialsResponse> Load(
      const std::vector<v1::LoadGenuineSerialsRequest>& stream) {
    GenuineSerialsLoad load(domain_, store_);
    for (const auto& m : stream) RETURN_IF_ERROR(load.Add(admin_, m));
    return load.Finish(admin_);
  }
};

TEST_F(GenuineSerialsLoadTest, ALoadIsWrittenOnceAndARetryGetsTheFirstCounts) {
  Genuine("JN11OLD00001");
  const std::vector<v1::LoadGenuineSerialsRequest> stream = {
      Message("load-1", {"jn11new00001", "JN11NEW00002"}),
      Message("", {"JN11OLD00001", "JN11NEW00003", "JN11NEW00001"})};  // 00001 twice
  ASSERT_OK_AND_ASSIGN(v1::LoadGenuineSerialsResponse first, Load(stream));
  EXPECT_EQ(first.received_count(), 5);
  EXPECT_EQ(first.inserted_count(), 3);
  EXPECT_EQ(first.updated_count(), 1);
  ASSERT_TRUE(repo_.registry.count("JN11NEW00001"));  // stored upper case
  EXPECT_EQ(repo_.registry.at("JN11NEW00001").sku, "EX4300-48T");

  repo_.registry.erase("JN11NEW00002");
  ASSERT_OK_AND_ASSIGN(v1::LoadGenuineSerialsResponse retry, Load(stream));
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_FALSE(repo_.registry.count("JN11NEW00002")) << "the retry wrote again";
}

TEST_F(GenuineSerialsLoadTest, ABadEntryIsNamedByItsIndexInTheWholeLoadAndNothingIsWritten) {
  const int writes = store_.writes();
  GenuineSerialsLoad load(domain_, store_);
  ASSERT_OK(load.Add(admin_, Message("load-2", {"JN11NEW00001", "JN11NEW00002"})));
  EXPECT_THAT(load.Add(admin_, Message("", {"JN11NEW00003", "not a serial!"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entries[3].serial_number")));
  v1::LoadGenuineSerialsRequest bad_sku = Message("", {"JN11NEW00004"});
  bad_sku.mutable_entries(0)->set_sku("");
  GenuineSerialsLoad other(domain_, store_);
  EXPECT_THAT(other.Add(admin_, bad_sku), StatusIs(absl::StatusCode::kInvalidArgument,
                                           HasSubstr("entries[0].sku")));
  EXPECT_EQ(store_.writes(), writes);
  EXPECT_FALSE(repo_.registry.count("JN11NEW00001"));
}

TEST_F(GenuineSerialsLoadTest, LaterMessagesRepeatTheRequestIdOrLeaveItEmpty) {
  GenuineSerialsLoad load(domain_, store_);
  ASSERT_OK(load.Add(admin_, Message("load-3", {"JN11NEW00001"})));
  ASSERT_OK(load.Add(admin_, Message("load-3", {"JN11NEW00002"})));
  EXPECT_THAT(load.Add(admin_, Message("load-4", {"JN11NEW00003"})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("request_id")));
}

TEST_F(GenuineSerialsLoadTest, ACallCarriesAtMostTheCapAndAnEmptyLoadIsRefused) {
  std::vector<std::string> serials;
  for (int i = 0; i < 120'000; ++i) serials.push_back(absl::StrCat("JN", 10'000'000 + i));
  GenuineSerialsLoad load(domain_, store_);
  ASSERT_OK(load.Add(admin_, Message("load-5", serials)));
  serials.resize(GenuineSerialsLoad::kMaxEntries - 120'000 + 1);
  EXPECT_THAT(load.Add(admin_, Message("", serials)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 200000 serials")));

  EXPECT_THAT(Load({Message("load-6", {})}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("entries")));
}

}  // namespace
}  // namespace aftercare::inventory
