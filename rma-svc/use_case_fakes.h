// The fakes the use-case tests of rma-svc run over (create_rma_test.cc,
// approve_rma_test.cc, update_rma_test.cc, decision_use_cases_test.cc,
// logistics_use_cases_test.cc, rma_queries_test.cc): a store over FakeRmaRepository,
// an inventory-svc that answers what a test sets, and number sequences that
// count.
#ifndef AFTERCARE_RMA_SVC_USE_CASE_FAKES_H_
#define AFTERCARE_RMA_SVC_USE_CASE_FAKES_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "aftercare/rma/v1/rma_service.pb.h"
#include "common/clock.h"
#include "common/db/id_allocator.h"
#include "common/page_token.h"
#include "common/testing/fake_store.h"
#include "common/testing/principals.h"
#include "rma-svc/approve_rma.h"
#include "rma-svc/create_rma.h"
#include "rma-svc/fake_rma_repository.h"
#include "rma-svc/inventory_client.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_repository.h"
#include "rma-svc/rma_use_case.h"

namespace aftercare::rma {

class TestRmaStore : public ::aftercare::testing::FakeStore<RmaStore, FakeRmaRepository> {
 public:
  using FakeStore::FakeStore;
  absl::Status Transact(absl::string_view context, const ReadBody& body) override {
    return Read(context, body);
  }
};

class FakeInventoryClient : public InventoryClient {
 public:
  absl::StatusOr<EntitlementView> GetEntitlement(const std::string& serial,
                                                 const CallInfo*) override {
    asked.push_back(serial);
    return answer;
  }
  absl::StatusOr<EntitlementView> answer;
  std::vector<std::string> asked;  // the serials asked about, in order
};

class CountingIds : public db::IdSource {
 public:
  explicit CountingIds(int64_t last) : last_(last) {}
  absl::StatusOr<int64_t> Next(const std::string& scope) override {
    scopes.push_back(scope);
    return ++last_;
  }
  std::vector<std::string> scopes;  // one per number taken

 private:
  int64_t last_;
};

// What the use-case tests share: the domain over the fakes, a unit
// inventory-svc covers for ACME-001, and principals.
class RmaUseCaseTest : public ::testing::Test {
 protected:
  RmaUseCaseTest() : store_(&repo_) {
    inventory_.answer = Covered();
    ReturnLocation us;
    us.code = "US-SVL";
    us.name = "RMA Returns Depot Sunnyvale";
    us.theater = "NA";
    us.address.region_code = "US";
    us.address.locality = "Sunnyvale";
    us.served_region_codes = {"US"};
    repo_.locations.push_back(us);
  }

  RmaUseCaseDeps Deps() { return RmaUseCaseDeps{domain_, store_, inventory_, clock_}; }

  static Principal P(Role role, const std::string& subject,
                     std::vector<std::string> accounts = {}) {
    return ::aftercare::testing::TestCaller(role, subject, std::move(accounts));
  }

  static EntitlementView Covered() { return CoveredEntitlement(); }

  static v1::CreateRmaRequest CreateRequest(const std::string& request_id) {
    v1::CreateRmaRequest req;
    req.set_request_id(request_id);
    req.set_serial_number("jn11aaa0001");
    req.set_account_id("ACME-001");
    req.set_technical_case_id("2026-0904-00001");
    req.set_type(v1::RMA_TYPE_ADVANCE_REPLACEMENT);
    req.set_failure_description("PSU 1 failed; fans at full speed");
    req.set_damage_cause(v1::DAMAGE_CAUSE_HARDWARE_FAILURE);
    req.mutable_ship_to()->set_region_code("US");
    req.mutable_ship_to()->set_locality("Austin");
    req.mutable_ship_to()->add_address_lines("1 Main Street");
    req.set_contact_email("noc@acme.example");
    return req;
  }

  // A request of `type` for ACME-001's unit, opened by the customer and
  // approved by the TSE (numbers from the fixture's own sequences).
  v1::Rma ApprovedRma(v1::RmaType type = v1::RMA_TYPE_ADVANCE_REPLACEMENT) {
    v1::CreateRmaRequest create = CreateRequest("fixture-create");
    create.set_type(type);
    auto created =
        CreateRmaUseCase(Deps(), fixture_validation_numbers_).Run(customer_, nullptr, create);
    EXPECT_TRUE(created.ok()) << created.status();
    v1::ApproveRmaRequest approve;
    approve.set_request_id("fixture-approve");
    approve.set_name(created.ok() ? created->validation_number() : "");
    approve.set_etag(created.ok() ? created->etag() : "");
    auto approved = ApproveRmaUseCase(Deps(), fixture_rma_numbers_).Run(tse_, nullptr, approve);
    EXPECT_TRUE(approved.ok()) << approved.status();
    return approved.ok() ? *approved : v1::Rma();
  }

  // Friday 2026-09-04 10:00 UTC.
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 9, 4, 10, 0, 0), absl::UTCTimeZone())};
  PageTokenCodec codec_{"0123456789abcdef0123456789abcdef"};
  Rmas domain_{clock_, &codec_, RmaOptions{}};
  FakeRmaRepository repo_;
  TestRmaStore store_;
  FakeInventoryClient inventory_;
  Principal tse_ = P(Role::kTse, "tse-1");
  Principal logistics_ = P(Role::kLogistics, "depot-1");
  Principal customer_ = P(Role::kCustomer, "cust-1", {"ACME-001"});
  Principal other_customer_ = P(Role::kCustomer, "cust-2", {"OTHER-9"});

 private:
  CountingIds fixture_validation_numbers_{0};
  CountingIds fixture_rma_numbers_{99};
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_USE_CASE_FAKES_H_
