// What the use-case tests of inventory-svc share (inventory_queries_test.cc,
// catalog_use_cases_test.cc, certification_use_cases_test.cc,
// cpo_sales_use_cases_test.cc, installed_base_use_cases_test.cc,
// spares_use_cases_test.cc): the domain over the in-memory repository and
// an all-or-nothing idempotent store, the EX4300-48T in the catalog, the
// callers, and units put straight into the repository.
#ifndef AFTERCARE_INVENTORY_SVC_USE_CASE_FAKES_H_
#define AFTERCARE_INVENTORY_SVC_USE_CASE_FAKES_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/clock.h"
#include "common/page_token.h"
#include "common/testing/fake_store.h"
#include "common/testing/principals.h"
#include "inventory-svc/fake_inventory_repository.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_use_case.h"

namespace aftercare::inventory {

class InventoryUseCaseTest : public ::testing::Test {
 protected:
  InventoryUseCaseTest() {
    const Product ex = Ex4300Product();
    EXPECT_TRUE(domain_.CreateProduct(admin_, ex, repo_).ok());
  }

  InventoryUseCaseDeps Deps() { return InventoryUseCaseDeps{domain_, store_, clock_}; }

  // `serial` in the genuine-serial registry as an EX4300-48T.
  void Genuine(const std::string& serial) {
    repo_.registry[serial] = GenuineSerial{serial, "EX4300-48T", clock_.Now()};
  }

  // A unit put straight into the repository in `state`: owned by ACME-001
  // and shipped when in service, reserved by purewrx for an hour, allocated
  // to RMA R00000001.
  Unit Put(const std::string& serial, UnitState state) {
    Genuine(serial);
    Unit u;
    u.serial = serial;
    u.sku = "EX4300-48T";
    u.state = state;
    u.source = Source::kDemoReturn;
    u.condition = Condition::kRefurbished;
    u.round = 1;
    if (state == UnitState::kInService) {
      u.owner_account_id = u.original_purchaser_account_id = "ACME-001";
      u.ship_time = clock_.Now();
      u.warranty_kind = WarrantyKind::kStandard;
      u.warranty_end = clock_.Now() + absl::Hours(24 * 365);
    }
    if (state == UnitState::kReserved) {
      u.reservation_id = "RSV-1";
      u.reserved_partner_id = "purewrx";
      u.reserved_at = clock_.Now();
      u.reserved_until = clock_.Now() + absl::Hours(1);
      u.reserved_price_minor = 987'654;
    }
    if (state == UnitState::kAllocated) u.allocated_rma = "R00000001";
    EXPECT_TRUE(repo_.InsertUnit(&u).ok());
    return u;
  }

  // The unit as the repository holds it.
  const Unit& Stored(const std::string& serial) { return repo_.units.at(serial); }

  template <typename Req>
  static Req For(const std::string& request_id, const std::string& serial) {
    Req req;
    req.set_request_id(request_id);
    req.set_serial_number(serial);
    return req;
  }

  FakeClock clock_;
  PageTokenCodec codec_{"0123456789abcdef0123456789abcdef"};
  Inventory domain_{clock_, {}, &codec_};
  FakeInventoryRepository repo_;
  ::aftercare::testing::FakeStore<InventoryStore, FakeInventoryRepository> store_{&repo_};
  Principal admin_ = ::aftercare::testing::TestCaller(Role::kAdmin, "admin-1");
  Principal logistics_ = ::aftercare::testing::TestCaller(Role::kLogistics, "lab-1");
  Principal service_ = ::aftercare::testing::TestCaller(Role::kService, "rma-svc");
  Principal customer_ = ::aftercare::testing::TestCaller(Role::kCustomer, "acme-user", {"ACME-001"});
  Principal stranger_ =
      ::aftercare::testing::TestCaller(Role::kCustomer, "globex-user", {"GLOBEX-9"});
  Principal partner_ = [] {
    Principal p = ::aftercare::testing::TestCaller(Role::kPartner, "pw-user");
    p.partner_id = "purewrx";
    p.cpo_channel = true;
    return p;
  }();
};

}  // namespace aftercare::inventory

#endif  // AFTERCARE_INVENTORY_SVC_USE_CASE_FAKES_H_
