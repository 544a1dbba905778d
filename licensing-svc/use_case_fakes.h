// What the use-case tests of licensing-svc share (create_entitlement_test.cc,
// activate_license_test.cc, renew_subscription_test.cc,
// retrieve_device_keys_test.cc, revoke_license_test.cc,
// transfer_licenses_test.cc): the domain with a fake clock and an
// ephemeral signer over the in-memory store, three callers, and the
// purchases and activations a test starts from, made through the store so
// that a test counts only its own writes.
#ifndef AFTERCARE_LICENSING_SVC_USE_CASE_FAKES_H_
#define AFTERCARE_LICENSING_SVC_USE_CASE_FAKES_H_

#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/page_token.h"
#include "common/status.h"
#include "common/testing/principals.h"
#include "licensing-svc/fake_licensing_repository.h"
#include "licensing-svc/license_signer.h"
#include "licensing-svc/licensing.h"

namespace aftercare::licensing {

class LicensingUseCaseTest : public ::testing::Test {
 protected:
  LicensingUseCaseTest()
      : signer_(*LicenseSigner::Ephemeral()),
        pages_("0123456789abcdef0123456789abcdef"),
        domain_(clock_, signer_.get(), &pages_) {
    admin_ = ::aftercare::testing::TestCaller(Role::kAdmin, "admin");
    customer_ = ::aftercare::testing::TestCaller(Role::kCustomer, "cust", {"ACME-001"});
    stranger_ = ::aftercare::testing::TestCaller(Role::kCustomer, "globex", {"GLOBEX-9"});
  }

  struct Bought {
    std::string entitlement_id;
    std::string code;  // in clear; empty for a right-to-use purchase
  };

  // ACME-001 buys a Junos feature: a subscription of `term_months`, or
  // perpetual when 0.
  Bought Buy(int term_months = 12) {
    Bought out;
    Seed([&](LicensingRepository& repo) -> absl::Status {
      PurchaseCommand cmd;
      cmd.account_id = "ACME-001";
      cmd.product = {"S-EX-A-C2-P",
                     "advanced-routing",
                     48,
                     term_months == 0 ? TermType::kPerpetual : TermType::kSubscription,
                     term_months,
                     LicensingSystem::kJunos,
                     /*unlock_key_required=*/true,
                     /*max_devices=*/1};
      ASSIGN_OR_RETURN(PurchaseResult bought, domain_.CreateEntitlement(admin_, cmd, repo));
      out.entitlement_id = bought.entitlement.id;
      ASSIGN_OR_RETURN(out.code, signer_->Open(bought.sealed_activation_code));
      return absl::OkStatus();
    });
    return out;
  }

  // customer_ activates `code` on `device`; returns the license.
  License Activate(const std::string& code, const std::string& device) {
    License out;
    Seed([&](LicensingRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(ActivationResult r, domain_.Activate(customer_, code, device, repo));
      out = r.license;
      return absl::OkStatus();
    });
    return out;
  }

  // Writes made since the last Seed.
  int NewWrites() { return store_.writes() - writes_after_seed_; }

  FakeClock clock_;
  std::unique_ptr<LicenseSigner> signer_;
  PageTokenCodec pages_;
  Licensing domain_;
  FakeLicensingStore store_;
  Principal admin_, customer_, stranger_;

 private:
  template <typename Body>
  void Seed(Body body) {
    absl::StatusOr<std::string> seeded =
        store_.Write({"seed", "", "seed"}, google::protobuf::StringValue(), "seed",
                     [&](LicensingRepository& repo) -> absl::StatusOr<std::string> {
                       RETURN_IF_ERROR(body(repo));
                       return std::string();
                     });
    EXPECT_TRUE(seeded.ok()) << seeded.status();
    writes_after_seed_ = store_.writes();
  }

  int writes_after_seed_ = 0;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_USE_CASE_FAKES_H_
