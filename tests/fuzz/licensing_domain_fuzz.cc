// Fuzz target: licensing-svc's rules (licensing.h) driven with arbitrary
// requests the way licensing_grpc.cc hands them over (enum numbers checked by
// FromEnum, any strings), on the in-memory repository of the unit tests and
// the FakeRmaDirectory of rma_directory.h (whose RMAs the bytes also write),
// behind the service's policy table. Activation codes are the ones the
// purchases issued (as typed: lower case, without dashes, with a typo) or
// anything; license keys are the issued ones (intact or with a byte
// changed) or anything. The clock moves between requests. The target aborts
// when
//  - an answer is not OK or a client error (INVALID_ARGUMENT, NOT_FOUND,
//    FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED);
//  - a customer or partner gets an entitlement, license, device key,
//    transfer or notification of an account outside its token;
//  - a customer or partner changes another account's entitlement or
//    license, except the licenses on the defective unit of an RMA of its
//    own account, which a transfer moves whoever activated them
//    (docs/licensing-svc.md: every active license of the serial moves);
//  - a rejected request changed the repository (a transfer's claim on the
//    RMA number is undone on failure, as its transaction is);
//  - a code has more active devices than it allows, or two active licenses
//    on one device; a revoked license becomes active again;
//  - a license stored with a key that does not verify offline for its own
//    id and device; VerifyLicenseKey answers VALID for a license that is
//    not active on that device;
//  - a new transfer leaves an active license on the defective unit, or its
//    new licenses differ from the old ones (entitlement, feature, term end)
//    or are not active on the replacement; a repeated transfer changes
//    anything.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aftercare/licensing/v1/resources.pb.h"
#include "common/clock.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "licensing-svc/fake_licensing_repository.h"
#include "licensing-svc/license_signer.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_policy.h"
#include "licensing-svc/rma_directory.h"

namespace {
using namespace aftercare;
using namespace aftercare::licensing;
namespace pb = ::aftercare::licensing::v1;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "invariant broken: %s\n", what.c_str());
  std::abort();
}

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
      Fail("unexpected answer " + s.ToString());
  }
}

bool IsScoped(const Principal& p) { return p.HasRole({Role::kCustomer, Role::kPartner}); }

void Sees(const Principal& caller, const std::string& account, const char* what) {
  if (IsScoped(caller) && !caller.CanAccessAccount(account)) {
    Fail(absl::StrCat("a scoped caller got another account's ", what));
  }
}

// What the invariants compare before and after an operation (ids are random,
// so rows are kept by id, never by position).
struct Snapshot {
  std::map<std::string, int64_t> entitlements;
  std::map<std::string, std::pair<int64_t, LicenseState>> licenses;
  std::map<std::string, size_t> transfers;  // RMA number -> transferred licenses
  size_t renewals, notifications;
  bool operator==(const Snapshot& o) const {
    return entitlements == o.entitlements && licenses == o.licenses && transfers == o.transfers &&
           renewals == o.renewals && notifications == o.notifications;
  }
};

Snapshot Take(const FakeLicensingRepository& repo) {
  Snapshot s{{}, {}, {}, repo.state.renewals.size(), repo.state.notifications.size()};
  for (const auto& [id, e] : repo.state.entitlements) s.entitlements[id] = e.version;
  for (const auto& [id, l] : repo.state.licenses) s.licenses[id] = {l.version, l.state};
  for (const auto& [n, t] : repo.state.transfers) s.transfers[n] = t.licenses.size();
  return s;
}

// Rules that hold after every operation, whoever made it.
void CheckStored(const FakeLicensingRepository& repo, const Snapshot& before,
                 const LicenseSigner& signer, absl::Time now) {
  std::map<std::string, int> active;  // entitlement -> active licenses
  std::set<std::pair<std::string, std::string>> on_device;
  for (const auto& [id, l] : repo.state.licenses) {
    auto was = before.licenses.find(id);
    if (l.state != LicenseState::kActive) {
      if (l.state != LicenseState::kRevoked) Fail("license " + id + " in an unknown state");
      continue;
    }
    if (was != before.licenses.end() && was->second.second == LicenseState::kRevoked) {
      Fail("revoked license " + id + " is active again");
    }
    ++active[l.entitlement_id];
    if (!on_device.insert({l.entitlement_id, l.device_serial}).second) {
      Fail("two active licenses of one code on device " + l.device_serial);
    }
    if (was == before.licenses.end() || was->second.first != l.version) {
      const KeyVerification v =
          VerifyLicenseKey(l.license_key, signer.key_set(), l.device_serial, now);
      if (v.result == KeyCheck::kMalformed || v.result == KeyCheck::kUnknownKeyId ||
          v.result == KeyCheck::kBadSignature || v.result == KeyCheck::kWrongDevice || !v.claims ||
          v.claims->license_id != id || v.claims->device_serial != l.device_serial) {
        Fail("license " + id + " stored with a key that does not verify: " + v.detail);
      }
    }
  }
  for (const auto& [id, n] : active) {
    auto e = repo.state.entitlements.find(id);
    if (e == repo.state.entitlements.end()) Fail("license of a purchase that does not exist");
    if (n > e->second.product.max_devices) {
      Fail(absl::StrCat("entitlement ", id, " active on ", n, " of ", e->second.product.max_devices,
                        " devices"));
    }
  }
}

std::string Text(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

template <size_t N>
std::string Pick(FuzzedDataProvider& in, const char* const (&pool)[N]) {
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, N);
  return i < N ? pool[i] : Text(in);
}

// One of `ids` (in the order they were made), or anything.
std::string PickOf(FuzzedDataProvider& in, const std::vector<std::string>& ids) {
  if (ids.empty() || in.ConsumeIntegralInRange<int>(0, 3) == 0) return Text(in);
  return ids[in.ConsumeIntegralInRange<size_t>(0, ids.size() - 1)];
}

const char* const kAccounts[] = {"ACME-001", "GLOBEX-7", ""};
const char* const kDevices[] = {"JN11DEV00001", "jn11dev00001", "JN11DEV00002", "JN11REPL0001",
                                "JN11REPL0002"};
const char* const kRmaNumbers[] = {"R20000001", "R20000002", "R0020000001",
                                   "V10000001", "V10000002", "r20000001"};

int EnumNumber(FuzzedDataProvider& in, int max) {
  return in.ConsumeIntegralInRange<int>(-1, max + 1);
}

// An activation code as a person types it.
std::string AsTyped(FuzzedDataProvider& in, std::string code) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      return absl::AsciiStrToLower(code);
    case 1:
      return absl::StrReplaceAll(code, {{"-", ""}});
    case 2: {  // a typo
      const size_t i = in.ConsumeIntegralInRange<size_t>(0, code.size() - 1);
      code[i] = code[i] == 'Z' ? '0' : static_cast<char>(code[i] + 1);
      return code;
    }
    default:
      return code;
  }
}

Principal Who(Role role, std::string subject, std::vector<std::string> accounts) {
  Principal p;
  p.role = role;
  p.subject = std::move(subject);
  p.account_ids = std::move(accounts);
  return p;
}

Principal Caller(FuzzedDataProvider& in) {
  static const Principal kKnown[] = {
      Who(Role::kAdmin, "order-intake", {}),
      Who(Role::kCustomer, "acme-user", {"ACME-001"}),
      Who(Role::kCustomer, "globex-user", {"GLOBEX-7"}),
      Who(Role::kCareAgent, "care-1", {}),
      Who(Role::kService, "rma-svc", {}),
  };
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, std::size(kKnown));
  if (i < std::size(kKnown)) return kKnown[i];
  Principal p;
  p.role = static_cast<Role>(in.ConsumeIntegralInRange<int>(0, 6));
  // What JwtVerifier admits: a subject, accounts that are not empty.
  p.subject = in.ConsumeBool() ? "someone" : Text(in);
  if (p.subject.empty()) p.subject = "someone";
  const int n = in.ConsumeIntegralInRange<int>(0, 2);
  for (int k = 0; k < n; ++k) {
    std::string account = Pick(in, kAccounts);
    if (!account.empty()) p.account_ids.push_back(std::move(account));
  }
  if (p.role == Role::kPartner) p.partner_id = "P-1";
  return p;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  static const PageTokenCodec* codec =
      new PageTokenCodec(*PageTokenCodec::Create("fuzz-secret-fuzz-secret-fuzz-secret-0123"));
  static const LicenseSigner* signer = LicenseSigner::Ephemeral()->release();
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 16, 9, 0, 0), absl::UTCTimeZone()));
  Licensing licensing(clock, signer, codec);
  FakeLicensingRepository repo;
  FakeRmaDirectory rma_svc;
  // What the requests may name, in the order it was made.
  std::vector<std::string> codes, entitlements, licenses, keys;
  std::string last_token;

  const auto pick_token = [&]() -> std::string {
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:
        return "";
      case 1:
        return last_token;
      default:
        return Text(in);
    }
  };
  const auto page = [&] {
    PageRequest p;
    p.page_size = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(-1, 3)
                                   : in.ConsumeIntegral<int32_t>();
    p.page_token = pick_token();
    return p;
  };
  const auto keep_token = [&](const std::string& token) {
    if (!token.empty()) last_token = token;
  };

  static const char* const kMethods[] = {"CreateEntitlement",
                                         "GetEntitlement",
                                         "ListEntitlements",
                                         "ActivateLicense",
                                         "RenewSubscription",
                                         "RetrieveDeviceKeys",
                                         "TransferLicenses",
                                         "GetRmaTransfer",
                                         "ListRmaTransfers",
                                         "GetLicense",
                                         "ListLicenses",
                                         "RevokeLicense",
                                         "VerifyLicenseKey",
                                         "ListNotifications",
                                         nullptr /* rma-svc's answer changes */,
                                         nullptr /* the clock moves */};
  constexpr int kOps = static_cast<int>(std::size(kMethods));

  while (in.remaining_bytes() > 0) {
    const Principal caller = Caller(in);
    const int op = in.ConsumeIntegralInRange<int>(0, kOps - 1);
    if (kMethods[op] != nullptr && !LicensingPolicy().Allows(kMethods[op], caller.role)) continue;
    const Snapshot before = Take(repo);
    std::optional<RmaTransfer> transferred;  // the answer of a TransferLicenses
    absl::Status status;
    switch (op) {
      case 0: {  // CreateEntitlement
        PurchaseCommand cmd;
        cmd.account_id = Pick(in, kAccounts);
        static const char* const kSkus[] = {"S-EX-A-C2-P", "s-mx-100g"};
        cmd.product.sku = Pick(in, kSkus);
        cmd.product.feature = in.ConsumeBool() ? "advanced-routing" : Text(in);
        cmd.product.capacity = in.ConsumeIntegral<int64_t>();
        absl::StatusOr<TermType> term =
            FromEnum<TermType>(EnumNumber(in, 2), pb::TermType_IsValid, "product.term_type");
        absl::StatusOr<LicensingSystem> system = FromEnum<LicensingSystem>(
            EnumNumber(in, 2), pb::LicensingSystem_IsValid, "product.licensing_system");
        if (!term.ok() || !system.ok()) {
          status = term.ok() ? system.status() : term.status();
          break;
        }
        cmd.product.term_type = *term;
        cmd.product.system = *system;
        cmd.product.term_months = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 13)
                                                   : in.ConsumeIntegral<int32_t>();
        cmd.product.unlock_key_required = in.ConsumeBool();
        cmd.product.max_devices = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(0, 3)
                                                   : in.ConsumeIntegral<int32_t>();
        cmd.order_reference = Text(in);
        absl::StatusOr<PurchaseResult> r = licensing.CreateEntitlement(caller, cmd, repo);
        status = r.status();
        if (!r.ok()) break;
        entitlements.push_back(r->entitlement.id);
        if (!r->sealed_activation_code.empty()) {
          absl::StatusOr<std::string> code = signer->Open(r->sealed_activation_code);
          if (!code.ok()) Fail("the sealed activation code does not open");
          codes.push_back(*code);
        }
        break;
      }
      case 1: {  // GetEntitlement
        absl::StatusOr<Entitlement> e =
            licensing.GetEntitlement(caller, PickOf(in, entitlements), repo);
        status = e.status();
        if (e.ok()) Sees(caller, e->account_id, "entitlement");
        break;
      }
      case 2: {  // ListEntitlements
        const std::string account = Pick(in, kAccounts);
        absl::StatusOr<Page<Entitlement>> p =
            licensing.ListEntitlements(caller, account, page(), repo);
        status = p.status();
        if (!p.ok()) break;
        for (const Entitlement& e : p->items) Sees(caller, e.account_id, "entitlement in a list");
        keep_token(p->next_page_token);
        break;
      }
      case 3: {  // ActivateLicense
        const std::string code =
            codes.empty() || in.ConsumeIntegralInRange<int>(0, 4) == 0
                ? Text(in)
                : AsTyped(in, codes[in.ConsumeIntegralInRange<size_t>(0, codes.size() - 1)]);
        const std::string device = Pick(in, kDevices);
        absl::StatusOr<ActivationResult> r = licensing.Activate(caller, code, device, repo);
        status = r.status();
        if (!r.ok()) break;
        Sees(caller, r->license.account_id, "license");
        if (!r->already_activated) {
          licenses.push_back(r->license.id);
          keys.push_back(r->license.license_key);
        } else if (!(Take(repo) == before)) {
          Fail("activating an activated device changed something");
        }
        break;
      }
      case 4: {  // RenewSubscription
        const std::string id = PickOf(in, entitlements);
        const int32_t months = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(-1, 13)
                                                : in.ConsumeIntegral<int32_t>();
        status = licensing.Renew(caller, id, months, Text(in), {}, repo).status();
        break;
      }
      case 5: {  // RetrieveDeviceKeys
        absl::StatusOr<std::vector<DeviceKey>> r =
            licensing.RetrieveDeviceKeys(caller, Pick(in, kDevices), repo);
        status = r.status();
        if (!r.ok()) break;
        for (const DeviceKey& k : *r) {
          Sees(caller, k.license.account_id, "device key");
          if (k.refresh == KeyRefresh::kRenewed) keys.push_back(k.license.license_key);
        }
        break;
      }
      case 6: {  // TransferLicenses, as LicensingGrpc::TransferLicenses runs it
        absl::StatusOr<std::string> number =
            licensing.ValidateTransferRequest(caller, Pick(in, kRmaNumbers));
        if (!number.ok()) {
          status = number.status();
          break;
        }
        std::optional<RmaTransfer> existing;
        const auto find_existing = [&](const std::string& n) -> absl::Status {
          ASSIGN_OR_RETURN(existing, licensing.FindTransfer(caller, n, repo));
          if (existing) transferred = existing;
          return absl::OkStatus();
        };
        if ((*number)[0] == 'R') {
          status = find_existing(*number);
          if (!status.ok() || existing) break;
        }
        absl::StatusOr<RmaInfo> rma = rma_svc.GetRma(nullptr, *number);
        if (!rma.ok()) {
          status = rma.status();
          break;
        }
        if ((*number)[0] == 'R') {
          rma->rma_number = *number;
        } else {
          rma->validation_number = *number;
          if (!rma->rma_number.empty()) {
            status = CheckAccountScope(caller, rma->account_id, "RMA " + *number);
            if (!status.ok()) break;
            absl::StatusOr<std::string> n =
                licensing.ValidateTransferRequest(caller, rma->rma_number);
            if (!n.ok()) {
              status = n.status();
              break;
            }
            rma->rma_number = *n;
            status = find_existing(rma->rma_number);
            if (!status.ok() || existing) break;
          }
        }
        status = licensing.CheckRmaForTransfer(caller, *rma);
        if (!status.ok()) break;
        // One transaction: a failure undoes the claim on the RMA number.
        const FakeLicensingRepository::State saved = repo.state;
        absl::StatusOr<RmaTransfer> t = licensing.Transfer(caller, *rma, {}, repo);
        status = t.status();
        if (!t.ok()) {
          repo.state = saved;
          break;
        }
        Sees(caller, t->account_id, "transfer");
        transferred = *t;
        for (const TransferredLicense& item : t->licenses) {
          licenses.push_back(item.new_license_id);
          const License& fresh = repo.state.licenses.at(item.new_license_id);
          const License& old = repo.state.licenses.at(item.old_license_id);
          keys.push_back(fresh.license_key);
          if (before.transfers.count(t->rma_number)) continue;  // an earlier transfer
          if (old.state != LicenseState::kRevoked ||
              old.revocation_reason != RevocationReason::kRmaTransfer ||
              fresh.state != LicenseState::kActive || fresh.device_serial != t->to_serial ||
              fresh.entitlement_id != old.entitlement_id || fresh.feature != old.feature ||
              fresh.not_after != old.not_after) {
            Fail("transfer " + t->rma_number + " did not move license " + old.id + " as it is");
          }
        }
        for (const auto& [id, l] : repo.state.licenses) {
          if (!before.transfers.count(t->rma_number) && l.device_serial == t->from_serial &&
              l.state == LicenseState::kActive) {
            Fail("transfer " + t->rma_number + " left an active license on the defective unit");
          }
        }
        break;
      }
      case 7: {  // GetRmaTransfer
        absl::StatusOr<RmaTransfer> t = licensing.GetTransfer(caller, Pick(in, kRmaNumbers), repo);
        status = t.status();
        if (t.ok()) Sees(caller, t->account_id, "transfer");
        break;
      }
      case 8: {  // ListRmaTransfers
        const std::string account = Pick(in, kAccounts);
        const std::string device = in.ConsumeBool() ? "" : Pick(in, kDevices);
        absl::StatusOr<Page<RmaTransfer>> p =
            licensing.ListTransfers(caller, account, device, page(), repo);
        status = p.status();
        if (!p.ok()) break;
        for (const RmaTransfer& t : p->items) Sees(caller, t.account_id, "transfer in a list");
        keep_token(p->next_page_token);
        break;
      }
      case 9: {  // GetLicense
        absl::StatusOr<License> l = licensing.GetLicense(caller, PickOf(in, licenses), repo);
        status = l.status();
        if (l.ok()) Sees(caller, l->account_id, "license");
        break;
      }
      case 10: {  // ListLicenses
        LicenseFilter f;
        f.account_id = Pick(in, kAccounts);
        if (in.ConsumeBool()) f.device_serial = Pick(in, kDevices);
        if (in.ConsumeBool()) f.entitlement_id = PickOf(in, entitlements);
        absl::StatusOr<LicenseState> state =
            FromEnum<LicenseState>(EnumNumber(in, 2), pb::LicenseState_IsValid, "state");
        if (!state.ok()) {
          status = state.status();
          break;
        }
        f.state = *state;
        absl::StatusOr<Page<License>> p = licensing.ListLicenses(caller, f, page(), repo);
        status = p.status();
        if (!p.ok()) break;
        for (const License& l : p->items) Sees(caller, l.account_id, "license in a list");
        keep_token(p->next_page_token);
        break;
      }
      case 11: {  // RevokeLicense
        const std::string id = PickOf(in, licenses);
        absl::StatusOr<RevocationReason> reason =
            FromEnum<RevocationReason>(EnumNumber(in, 5), pb::RevocationReason_IsValid, "reason");
        if (!reason.ok()) {
          status = reason.status();
          break;
        }
        const std::string note = Text(in);
        const std::string etag =
            in.ConsumeBool() ? "" : Etag(in.ConsumeIntegralInRange<int64_t>(0, 4));
        status = licensing.Revoke(caller, id, *reason, note, etag, repo).status();
        break;
      }
      case 12: {  // VerifyLicenseKey
        std::string key = PickOf(in, keys);
        if (!key.empty() && in.ConsumeBool()) {
          key[in.ConsumeIntegralInRange<size_t>(0, key.size() - 1)] ^=
              in.ConsumeIntegralInRange<char>(1, 127);
        }
        const std::string device = Pick(in, kDevices);
        std::optional<absl::Time> at;
        if (in.ConsumeBool()) {
          google::protobuf::Timestamp t;
          t.set_seconds(in.ConsumeIntegral<int64_t>());
          absl::StatusOr<absl::Time> parsed = FromTimestamp(t, "at_time");
          if (!parsed.ok()) {
            status = parsed.status();
            break;
          }
          at = *parsed;
        }
        absl::StatusOr<VerifyResult> v = licensing.Verify(caller, key, device, at, repo);
        status = v.status();
        if (!v.ok() || v->verdict != Verdict::kValid) break;
        auto l = repo.state.licenses.find(v->claims->license_id);
        if (l == repo.state.licenses.end() || l->second.state != LicenseState::kActive ||
            l->second.device_serial != absl::AsciiStrToUpper(device)) {
          Fail("VALID for a license that is not active on the device");
        }
        break;
      }
      case 13: {  // ListNotifications
        const std::string account = Pick(in, kAccounts);
        const std::string entitlement = in.ConsumeBool() ? "" : PickOf(in, entitlements);
        absl::StatusOr<Page<licensing::Notification>> p =
            licensing.ListNotifications(caller, account, entitlement, page(), repo);
        status = p.status();
        if (!p.ok()) break;
        for (const licensing::Notification& n : p->items)
          Sees(caller, n.account_id, "notification");
        keep_token(p->next_page_token);
        break;
      }
      case 14: {  // rma-svc's answer about an RMA changes
        static const char* const kStatuses[] = {"PENDING",   "APPROVED", "REPLACEMENT_SHIPPED",
                                                "CANCELLED", "REJECTED", "CLOSED"};
        RmaInfo r;
        const int n = in.ConsumeIntegralInRange<int>(1, 2);
        r.validation_number = absl::StrCat("V1000000", n);
        if (in.ConsumeBool()) r.rma_number = absl::StrCat("R2000000", n);
        r.account_id = Pick(in, kAccounts);
        r.status = Pick(in, kStatuses);
        r.serial_number = Pick(in, kDevices);
        r.replacement_serial_number = in.ConsumeBool() ? "" : Pick(in, kDevices);
        rma_svc.Put(r);
        continue;
      }
      default:  // the clock moves
        clock.Advance(absl::Hours(in.ConsumeIntegralInRange<int>(0, 24 * 400)));
        continue;
    }
    Check(status);
    const Snapshot after = Take(repo);
    if (!status.ok() && !(after == before)) {
      Fail(std::string(kMethods[op]) + " was refused (" + status.ToString() +
           ") but changed the repository");
    }
    if (transferred && before.transfers.count(transferred->rma_number) && !(after == before)) {
      Fail("a repeated transfer changed something");
    }
    if (IsScoped(caller)) {
      for (const auto& [id, e] : repo.state.entitlements) {
        auto was = before.entitlements.find(id);
        if ((was == before.entitlements.end() || was->second != e.version) &&
            !caller.CanAccessAccount(e.account_id)) {
          Fail("changed another account's entitlement");
        }
      }
      for (const auto& [id, l] : repo.state.licenses) {
        auto was = before.licenses.find(id);
        const bool changed = was == before.licenses.end() || was->second.first != l.version;
        const bool moved_by_transfer = transferred &&
                                       caller.CanAccessAccount(transferred->account_id) &&
                                       (l.device_serial == transferred->from_serial ||
                                        (l.device_serial == transferred->to_serial &&
                                         l.rma_number == transferred->rma_number));
        if (changed && !caller.CanAccessAccount(l.account_id) && !moved_by_transfer) {
          Fail("changed another account's license");
        }
      }
    }
    CheckStored(repo, before, *signer, clock.Now());
  }
  return 0;
}
