// The fakes the use-case tests of case-svc run over (create_case_test.cc,
// create_trade_in_test.cc): a store over FakeCaseRepository with a day
// sequence of its own, and an inventory-svc that answers what a test sets.
#ifndef AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_
#define AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_

#include <map>
#include <string>
#include <vector>

#include "case-svc/case_repository.h"
#include "case-svc/fake_case_repository.h"
#include "case-svc/inventory_client.h"
#include "common/testing/fake_store.h"

namespace aftercare::cases {

class TestCaseStore : public ::aftercare::testing::FakeStore<CaseStore, FakeCaseRepository> {
 public:
  using FakeStore::FakeStore;
  absl::StatusOr<int64_t> NextCaseSequence(const std::string& day) override {
    days.push_back(day);
    return ++next;
  }
  int64_t next = 41;
  std::vector<std::string> days;  // one per number taken
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

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_USE_CASE_FAKES_H_
