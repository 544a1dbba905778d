// The fakes the use-case tests of case-svc run over (create_case_test.cc,
// create_trade_in_test.cc, and the fixture below): a store over
// FakeCaseRepository with a day sequence of its own, and an inventory-svc
// that answers what a test sets.
#ifndef AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_
#define AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "case-svc/case_repository.h"
#include "case-svc/case_use_case.h"
#include "case-svc/cases.h"
#include "case-svc/create_case.h"
#include "case-svc/create_trade_in.h"
#include "case-svc/fake_case_repository.h"
#include "case-svc/inventory_client.h"
#include "common/clock.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/testing/fake_store.h"
#include "common/testing/principals.h"

namespace aftercare::cases {

class TestCaseStore : public ::aftercare::testing::FakeStore<CaseStore, FakeCaseRepository> {
 public:
  explicit TestCaseStore(FakeCaseRepository* repo) : FakeStore(repo), repo_(repo) {}
  absl::StatusOr<int64_t> NextCaseSequence(const std::string& day) override {
    days.push_back(day);
    return ++next;
  }
  // The content as MySQL keeps it: kChunkBytes per chunk.
  absl::StatusOr<std::optional<std::string>> ReadChunk(int64_t attachment_id, int seq) override {
    auto it = repo_->attachments.find(attachment_id);
    const size_t from = static_cast<size_t>(seq) * kChunkBytes;
    if (it == repo_->attachments.end() || from >= it->second.second.size()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(it->second.second.substr(from, kChunkBytes));
  }
  int64_t next = 41;
  std::vector<std::string> days;  // one per number taken

 private:
  FakeCaseRepository* repo_;
};

class FakeInventory : public InventoryGateway {
 public:
  absl::StatusOr<ProductLookup> LookUpProduct(const CallInfo*, const std::string& serial,
                                              const std::string& ssrn,
                                              const std::string& account_id) override {
    asked.push_back(serial + "|" + ssrn + "|" + account_id);
    return product;
  }
  absl::StatusOr<CatalogEntry> LookUpSku(const CallInfo*, const std::string& sku) override {
    asked.push_back("sku " + sku);
    if (!catalog_status.ok()) return catalog_status;
    auto it = catalog.find(sku);
    return it == catalog.end() ? CatalogEntry{} : it->second;
  }

  absl::StatusOr<ProductLookup> product = ProductLookup{LookupState::kFilled, "MX Series", "MX204"};
  std::map<std::string, CatalogEntry> catalog;
  absl::Status catalog_status;
  std::vector<std::string> asked;  // every question, in order
};

// What the use-case tests of an existing case share
// (admin_case_use_cases_test.cc, trade_in_use_cases_test.cc,
// case_queries_test.cc): the domain over the fakes on Monday 2026-11-16
// 09:00 UTC, callers, and the cases alice (a customer of ACME-001) opens.
class CaseUseCaseTest : public ::testing::Test {
 protected:
  CaseUseCaseTest() : domain_(clock_, CaseOptions{}, &codec_), store_(&repo_) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(2026, 11, 16, 9, 0, 0), absl::UTCTimeZone()));
  }

  CaseUseCaseDeps Deps() { return CaseUseCaseDeps{domain_, store_, clock_}; }

  // alice opens a case (`type`, P3, by e-mail).
  v1::Case Opened(v1::RequestType type = v1::REQUEST_TYPE_OTHER) {
    v1::CreateCaseRequest req;
    req.set_request_id("open-" + std::to_string(++opened_));
    v1::Case* c = req.mutable_case_();
    c->set_request_type(type);
    c->set_priority(v1::PRIORITY_P3);
    c->set_follow_up_method(v1::FOLLOW_UP_METHOD_EMAIL);
    c->set_summary("the PSU fan is loud");
    absl::StatusOr<v1::Case> created =
        CreateCaseUseCase(domain_, store_, inventory_, clock_).Run(alice_, nullptr, req);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : v1::Case();
  }

  // alice opens a trade-in of two MX480s to return, ordered yesterday.
  v1::TradeInCase OpenedTradeIn() {
    inventory_.catalog["MX480"] = CatalogEntry{true, true, "MX480"};
    v1::CreateTradeInCaseRequest req;
    req.set_request_id("open-" + std::to_string(++opened_));
    v1::TradeInCase* t = req.mutable_trade_in_case();
    t->set_account_id("ACME-001");
    t->set_order_number("SO-1");
    SetTime(clock_.Now() - absl::Hours(24), t->mutable_order_time());
    t->set_phase(v1::TMIP_PHASE_PHASE1);
    t->set_disposition(v1::DISPOSITION_RETURN);
    v1::TradeInLine* line = t->add_lines();
    line->set_sku("MX480");
    line->set_quantity(2);
    absl::StatusOr<v1::TradeInCase> created =
        CreateTradeInUseCase(domain_, store_, inventory_, clock_).Run(alice_, nullptr, req);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : v1::TradeInCase();
  }

  FakeClock clock_;
  PageTokenCodec codec_{"0123456789abcdef0123"};
  Cases domain_;
  FakeCaseRepository repo_;
  TestCaseStore store_;
  FakeInventory inventory_;
  Principal alice_ = ::aftercare::testing::TestCaller(Role::kCustomer, "alice", {"ACME-001"});
  Principal mallory_ = ::aftercare::testing::TestCaller(Role::kCustomer, "mallory", {"GLOBEX-9"});
  Principal agent_ = ::aftercare::testing::TestCaller(Role::kCareAgent, "agent-7");

 private:
  int opened_ = 0;
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_
