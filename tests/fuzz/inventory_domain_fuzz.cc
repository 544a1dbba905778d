// Fuzz target: inventory-svc's rules driven with arbitrary requests, the way
// its gRPC layer hands them over (any strings, any enum numbers), on the
// in-memory repository of the unit tests. The bytes choose a caller and a
// sequence of operations; every answer must be OK or a client error
// (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED,
// PERMISSION_DENIED), never a crash, INTERNAL or UNKNOWN, and a scoped caller
// must never get a unit of an account outside its token.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/clock.h"
#include "common/page_token.h"
#include "inventory-svc/fake_inventory_repository.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_policy.h"

namespace {
using namespace aftercare;
using namespace aftercare::inventory;

void Check(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kPermissionDenied:
      return;
    default:
      std::abort();
  }
}

void Setup(const absl::Status& s) {
  if (s.ok()) return;
  std::fprintf(stderr, "fixture: %s\n", s.ToString().c_str());
  std::abort();
}

template <typename E>
E AnyEnum(FuzzedDataProvider& in) {
  return static_cast<E>(in.ConsumeIntegralInRange<int>(-1, 20));
}

std::string Text(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

PostalAddress Site(FuzzedDataProvider& in) {
  PostalAddress a;
  a.region_code = in.ConsumeBool() ? "US" : Text(in);
  a.postal_code = Text(in);
  a.locality = Text(in);
  if (in.ConsumeBool()) a.address_lines.push_back(Text(in));
  return a;
}

// The server applies the RPC's policy before the domain runs: so does this.
bool Allowed(const char* method, const Principal& caller) {
  return InventoryPolicy().Allows(method, caller.role);
}

Principal Caller(FuzzedDataProvider& in) {
  Principal p;
  p.subject = "fuzz";
  p.role = static_cast<Role>(in.ConsumeIntegralInRange<int>(0, 6));
  if (in.ConsumeBool()) p.account_ids.push_back(in.ConsumeBool() ? "ACME-001" : Text(in));
  if (p.role == Role::kPartner) p.partner_id = in.ConsumeBool() ? "P-1" : "P-2";
  p.cpo_channel = in.ConsumeBool();
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  FakeClock clock;
  static const PageTokenCodec* codec =
      new PageTokenCodec(*PageTokenCodec::Create("fuzz-secret-fuzz-secret-fuzz-secret-0123"));
  Inventory inv(clock, {}, codec);
  FakeInventoryRepository repo;
  Principal admin;
  admin.subject = "admin";
  admin.role = Role::kAdmin;
  const Product p = Ex4300Product();
  Setup(inv.CreateProduct(admin, p, repo).status());
  RegisterCommand owned{"JN11OWNED001", "EX4300-48T", "ACME-001", {}, std::nullopt};
  owned.site.region_code = "US";
  owned.site.postal_code = "94089";
  owned.site.locality = "Sunnyvale";
  owned.site.address_lines = {"1133 Innovation Way"};
  Setup(inv.RegisterProduct(admin, owned, repo).status());

  while (in.remaining_bytes() > 0) {
    const Principal caller = in.ConsumeBool() ? admin : Caller(in);
    static const char* const kMethods[] = {
        "CreateProduct", "ReceiveUnit", "RegisterProduct", "ReserveUnit", "SellUnit",
        "GetUnit", "GetEntitlement", "ListUnits", "UpdateInstalledBase", "CreateSupportContract"};
    const int op = in.ConsumeIntegralInRange<int>(0, 9);
    if (!Allowed(kMethods[op], caller)) continue;
    switch (op) {
      case 0: {
        Product q = p;
        q.sku = Text(in);
        q.display_name = Text(in);
        q.family = AnyEnum<Family>(in);
        q.lifecycle = AnyEnum<Lifecycle>(in);
        q.list_price = {Text(in), in.ConsumeIntegral<int64_t>()};
        q.standard_warranty_months = in.ConsumeIntegral<int32_t>();
        Check(inv.CreateProduct(caller, q, repo).status());
        break;
      }
      case 1:
        Check(inv.ReceiveUnit(caller, {Text(in), Text(in), AnyEnum<Source>(in),
                                       AnyEnum<Condition>(in), Text(in)}, repo).status());
        break;
      case 2: {
        RegisterCommand c{Text(in), Text(in), Text(in), Site(in), std::nullopt};
        if (in.ConsumeBool()) c.ship_time = absl::FromUnixSeconds(in.ConsumeIntegral<int32_t>());
        Check(inv.RegisterProduct(caller, c, repo).status());
        break;
      }
      case 3:
        Check(inv.ReserveUnit(caller, {Text(in), Text(in), Text(in), AnyEnum<Condition>(in)}, repo)
                  .status());
        break;
      case 4: {
        SellCommand c{Text(in), Text(in), {}, Site(in)};
        if (in.ConsumeBool()) {
          c.support_options.push_back({AnyEnum<SupportLevel>(in), in.ConsumeIntegral<int32_t>(), Text(in)});
        }
        Check(inv.SellUnit(caller, c, repo).status());
        break;
      }
      case 5: {
        absl::StatusOr<Unit> u = inv.GetUnit(caller, in.ConsumeBool() ? "JN11OWNED001" : Text(in), repo);
        Check(u.status());
        if (u.ok() && (caller.role == Role::kCustomer || caller.role == Role::kPartner) &&
            u->state != UnitState::kCertified && u->state != UnitState::kReserved &&
            !caller.CanAccessAccount(u->owner_account_id)) {
          std::abort();  // a scoped caller reached another account's unit
        }
        break;
      }
      case 6: {
        EntitlementKey k{in.ConsumeBool() ? "JN11OWNED001" : Text(in), Text(in), Text(in)};
        absl::StatusOr<Entitlement> e = inv.GetEntitlement(caller, k, repo);
        Check(e.status());
        if (e.ok() && !caller.CanAccessAccount(e->unit.owner_account_id)) std::abort();
        break;
      }
      case 7: {
        UnitFilter f;
        f.sku = Text(in);
        f.state = AnyEnum<UnitState>(in);
        Check(inv.ListUnits(caller, f, in.ConsumeIntegral<int32_t>(), Text(in), repo).status());
        break;
      }
      case 8: {
        SiteMoveCommand c{in.ConsumeBool() ? "JN11OWNED001" : Text(in), Site(in),
                          AnyEnum<SupportLevel>(in), Text(in)};
        Check(inv.UpdateInstalledBase(caller, c, repo).status());
        break;
      }
      case 9:
        Check(inv.CreateSupportContract(caller, in.ConsumeBool() ? "JN11OWNED001" : Text(in),
                                        {AnyEnum<SupportLevel>(in), in.ConsumeIntegral<int32_t>(),
                                         Text(in)}, repo).status());
        break;
    }
  }
  return 0;
}
