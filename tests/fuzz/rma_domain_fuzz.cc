// Fuzz target: rma-svc's rules (rma.h) driven with arbitrary requests the
// way rma_grpc.cc hands them over (enum numbers checked by FromEnum, any
// strings, the entitlement fetched from inventory-svc between the checks and
// the transaction), on the in-memory repository of the unit tests and a fake
// inventory-svc whose answers the bytes also change, behind the service's
// policy table. Between requests the clock moves, allocated spares arrive
// and the non-return sweeper runs. The target aborts when
//  - an answer is not OK or a client error (INVALID_ARGUMENT, NOT_FOUND,
//    FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED, or
//    UNAVAILABLE passed on from inventory-svc);
//  - a customer or partner gets an RMA, notification or return label of an
//    account outside its token, or changes anything of another account;
//  - a rejected request changed the repository;
//  - a unit has two open RMAs;
//  - an RMA moves along an edge its type's state machine does not have, or
//    changes state without a notification;
//  - an RMA number is missing, malformed or shared where the state needs
//    one, or present where it does not;
//  - an RMA is opened, amended or approved for a unit that is not in the
//    account's installed base, is grey market, or for fire or an act of God;
//  - a receipt that does not match moves the RMA, a non-return charge is
//    recorded before the due time or for a unit already received, or a
//    replacement closes neither received nor charged.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aftercare/rma/v1/resources.pb.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "rma-svc/fake_rma_repository.h"
#include "rma-svc/inventory_client.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_policy.h"

namespace {
using namespace aftercare;
using namespace aftercare::rma;
namespace pb = ::aftercare::rma::v1;

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
    case absl::StatusCode::kUnavailable:  // only FakeInventory says it
      return;
    default:
      Fail("unexpected answer " + s.ToString());
  }
}

// inventory-svc as the domain sees it: an entitlement per known serial.
class FakeInventory : public InventoryClient {
 public:
  std::map<std::string, EntitlementView> units;
  bool down = false;

  absl::StatusOr<EntitlementView> GetEntitlement(const std::string& serial,
                                                 const CallInfo*) override {
    if (down) return absl::UnavailableError("inventory-svc: connection refused");
    auto it = units.find(serial);
    if (it == units.end()) {
      return absl::FailedPreconditionError("inventory-svc does not know unit " + serial);
    }
    return it->second;
  }
};

EntitlementView Unit(const std::string& serial, const std::string& owner) {
  return CoveredEntitlement(serial, owner);
}

// What the invariants compare before and after an operation.
struct Row {
  int64_t version;
  Status status;
  size_t notifications;
  bool operator==(const Row& o) const {
    return version == o.version && status == o.status && notifications == o.notifications;
  }
};
struct Snapshot {
  std::map<int64_t, Row> rmas;
  size_t notifications, events, exceptions;
  bool operator==(const Snapshot& o) const {
    return rmas == o.rmas && notifications == o.notifications && events == o.events &&
           exceptions == o.exceptions;
  }
};

Snapshot Take(const FakeRmaRepository& repo) {
  Snapshot s{{}, repo.notifications.size(), repo.events.size(), 0};
  for (const auto& [id, r] : repo.rmas) s.rmas[id] = {r.version, r.status, 0};
  for (const rma::Notification& n : repo.notifications) {
    if (auto it = s.rmas.find(n.rma_id); it != s.rmas.end()) ++it->second.notifications;
  }
  for (const auto& [id, list] : repo.exceptions) s.exceptions += list.size();
  return s;
}

bool Edge(RmaType type, Status from, Status to) {
  using S = Status;
  if (from == to) return true;
  const bool replacement = IsReplacementType(type);
  switch (from) {
    case S::kPending:
      return to == S::kApproved || to == S::kRejected || to == S::kCancelled;
    case S::kApproved:
      return to == (replacement ? S::kReplacementShipped : S::kReceived);
    case S::kReplacementShipped:
      return to == S::kReceived || to == S::kClosed;
    case S::kReceived:
      return to == (replacement ? S::kClosed : S::kRepaired);
    case S::kRepaired:
      return to == S::kRepairShipped;
    case S::kRepairShipped:
      return to == S::kClosed;
    default:
      return false;
  }
}

// The oracle's own rule (not rma_types.h's IsOpen, which it checks).
bool CountsAsOpen(Status s) {
  return s != Status::kRejected && s != Status::kCancelled && s != Status::kClosed;
}

// Rules that hold after every operation, whoever made it.
void CheckStored(const FakeRmaRepository& repo, const Snapshot& before, const Snapshot& after) {
  std::set<std::string> open_serials, numbers;
  for (const auto& [id, r] : repo.rmas) {
    if (CountsAsOpen(r.status) && !open_serials.insert(r.serial).second) {
      Fail("unit " + r.serial + " has two open RMAs");
    }
    auto was = before.rmas.find(id);
    if (was != before.rmas.end()) {
      if (!Edge(r.type, was->second.status, r.status)) {
        Fail(absl::StrCat("RMA ", r.Label(), " moved ", Name(was->second.status), " -> ",
                          Name(r.status), " (", Name(r.type), ")"));
      }
      if (was->second.status != r.status &&
          after.rmas.at(id).notifications <= was->second.notifications) {
        Fail("RMA " + r.Label() + " changed state without a notification");
      }
      if (was->second.status == Status::kPending && r.status == Status::kPending &&
          was->second.version != r.version &&
          after.rmas.at(id).notifications <= was->second.notifications) {
        Fail("RMA " + r.Label() + " was amended without a notification");
      }
    }
    const bool numbered = r.status != Status::kPending && r.status != Status::kRejected &&
                          r.status != Status::kCancelled;
    if (numbered != !r.rma_number.empty()) Fail("RMA " + r.Label() + ": number and state disagree");
    if (numbered) {
      absl::StatusOr<int64_t> n = ParseRmaNumber(r.rma_number);
      if (!n.ok() || FormatRmaNumber(*n) != r.rma_number)
        Fail("malformed RMA number " + r.rma_number);
      if (!numbers.insert(r.rma_number).second) Fail("RMA number " + r.rma_number + " given twice");
    }
    // A unit that arrives after the charge is still received and the charge
    // stays (docs/rma-svc.md); a received unit is never charged.
    if (r.charge_time && (!IsReplacementType(r.type) || !r.return_due_time ||
                          *r.charge_time < *r.return_due_time ||
                          (r.receive_time && *r.receive_time < *r.charge_time))) {
      Fail("RMA " + r.Label() + " charged before its due time or after the unit came back");
    }
    if (r.status == Status::kClosed && IsReplacementType(r.type) && !r.receive_time &&
        !r.charge_time) {
      Fail("replacement RMA " + r.Label() + " closed neither received nor charged");
    }
  }
}

// What a customer or partner may reach: only its accounts.
void CheckScopedCall(const Principal& caller, const FakeRmaRepository& repo, const Snapshot& before,
                     const Snapshot& after) {
  for (const auto& [id, r] : repo.rmas) {
    auto was = before.rmas.find(id);
    const bool changed = was == before.rmas.end() || !(was->second == after.rmas.at(id));
    if (changed && !caller.CanAccessAccount(r.account_id)) Fail("changed another account's RMA");
  }
}

void Sees(const Principal& caller, const std::string& account, const char* what) {
  if (caller.HasRole({Role::kCustomer, Role::kPartner}) && !caller.CanAccessAccount(account)) {
    Fail(absl::StrCat("a scoped caller got another account's ", what));
  }
}

// The rules an RMA's unit must meet when the RMA is opened, amended or approved.
void Entitled(const Rma& r, const EntitlementView& e) {
  if (e.owner_account_id != r.account_id || !e.installed || e.grey_market ||
      IsExcludedDamage(r.damage_cause)) {
    Fail("RMA " + r.Label() + " accepted for a unit that is not covered");
  }
}

std::string Text(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

template <size_t N>
std::string Pick(FuzzedDataProvider& in, const char* const (&pool)[N]) {
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, N);
  return i < N ? pool[i] : Text(in);
}

const char* const kAccounts[] = {"ACME-001", "GLOBEX-7", ""};
const char* const kSerials[] = {"JN11AAA0001", "jn11aaa0001", "JN11BBB0002",
                                "JN11GREY001", "JN11CCC0003", "JN11SPARE001"};

int EnumNumber(FuzzedDataProvider& in, int max) {
  return in.ConsumeIntegralInRange<int>(-1, max + 1);
}

PostalAddress Place(FuzzedDataProvider& in) {
  static const char* const kRegions[] = {"US", "DE", "us", ""};
  PostalAddress a;
  a.region_code = Pick(in, kRegions);
  a.locality = in.ConsumeBool() ? "Austin" : Text(in);
  const int lines = in.ConsumeIntegralInRange<int>(0, 6);
  for (int i = 0; i < lines; ++i)
    a.address_lines.push_back(in.ConsumeBool() ? "1 Main Street" : Text(in));
  if (in.ConsumeBool()) a.postal_code = Text(in);
  return a;
}

std::string Email(FuzzedDataProvider& in) {
  static const char* const kEmails[] = {"noc@acme.example", "a@b", "@x.y", "a@@b.c"};
  return Pick(in, kEmails);
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
      Who(Role::kTse, "tse-1", {}),
      Who(Role::kLogistics, "depot-1", {}),
      Who(Role::kCareAgent, "care-1", {}),
      Who(Role::kCustomer, "acme-user", {"ACME-001"}),
      Who(Role::kCustomer, "globex-user", {"GLOBEX-7"}),
      Who(Role::kAdmin, "ops-1", {}),
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
  // Friday 2026-09-04 10:00 UTC; Monday 2026-09-07 is Labor Day.
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 9, 4, 10, 0, 0), absl::UTCTimeZone()));
  Rmas rmas(clock, codec, RmaOptions{});
  FakeRmaRepository repo;
  FakeInventory inventory;
  for (const char* code : {"US-SVL", "DE-FRA"}) {
    ReturnLocation l;
    l.code = code;
    l.name = code;
    l.theater = code[0] == 'U' ? "NA" : "EMEA_EU";
    l.served_region_codes = {std::string(code, 2)};
    repo.locations.push_back(l);
  }
  inventory.units["JN11AAA0001"] = Unit("JN11AAA0001", "ACME-001");
  inventory.units["JN11BBB0002"] = Unit("JN11BBB0002", "GLOBEX-7");
  inventory.units["JN11BBB0002"].advance_replacement = false;
  inventory.units["JN11GREY001"] = Unit("JN11GREY001", "ACME-001");
  inventory.units["JN11GREY001"].grey_market = true;
  inventory.units["JN11CCC0003"] = Unit("JN11CCC0003", "ACME-001");
  inventory.units["JN11CCC0003"].installed = false;
  int64_t validation_seq = 0, rma_seq = 0;
  std::string last_token;

  // An RMA or validation number as a caller writes it (or anything).
  const auto pick_name = [&]() -> std::string {
    if (repo.rmas.empty() || in.ConsumeIntegralInRange<int>(0, 3) == 0) {
      return in.ConsumeBool() ? FormatValidationNumber(kValidationBase + 1) : Text(in);
    }
    auto it = repo.rmas.begin();
    std::advance(it, in.ConsumeIntegralInRange<size_t>(0, repo.rmas.size() - 1));
    const Rma& r = it->second;
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        return r.validation_number;
      case 1:
        return absl::StrReplaceAll(r.Label(), {{"R", "R000"}, {"V", "V000"}});  // leading zeros
      default:
        return r.Label();
    }
  };
  const auto pick_etag = [&]() -> std::string {
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:
        return "";
      case 1:
        return Etag(in.ConsumeIntegralInRange<int64_t>(0, 8));
      default:
        return Text(in);
    }
  };
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
  const auto page_size = [&] {
    return in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(-1, 3)
                            : in.ConsumeIntegral<int32_t>();
  };
  const auto carrier = [&] { return in.ConsumeBool() ? std::string("UPS") : Text(in); };
  const auto tracking = [&] { return in.ConsumeBool() ? std::string("1Z 999 AA1") : Text(in); };

  static const char* const kMethods[] = {"CreateRma",
                                         "GetRma",
                                         "ListRmas",
                                         "ListOverdueReturns",
                                         "UpdateRma",
                                         "CancelRma",
                                         "ApproveRma",
                                         "RejectRma",
                                         "ShipReplacement",
                                         "ReceiveReturn",
                                         "RecordRepair",
                                         "ShipRepairedUnit",
                                         "CloseRma",
                                         "ListNotifications",
                                         "GetReturnLabel",
                                         "ListReturnLocations",
                                         nullptr /* background work */,
                                         nullptr /* inventory-svc changes its mind */};
  constexpr int kOps = static_cast<int>(std::size(kMethods));

  while (in.remaining_bytes() > 0) {
    const Principal caller = Caller(in);
    const int op = in.ConsumeIntegralInRange<int>(0, kOps - 1);
    if (kMethods[op] != nullptr && !RmaPolicy().Allows(kMethods[op], caller.role)) continue;
    const Snapshot before = Take(repo);
    absl::Status status;
    switch (op) {
      case 0: {  // CreateRma
        CreateCommand cmd;
        cmd.serial = Pick(in, kSerials);
        cmd.account_id = Pick(in, kAccounts);
        cmd.technical_case_id = in.ConsumeBool() ? "2026-0904-00001" : Text(in);
        absl::StatusOr<RmaType> type =
            FromEnum<RmaType>(EnumNumber(in, 4), pb::RmaType_IsValid, "type");
        absl::StatusOr<DamageCause> cause =
            FromEnum<DamageCause>(EnumNumber(in, 7), pb::DamageCause_IsValid, "damage_cause");
        if (!type.ok() || !cause.ok()) {
          status = type.ok() ? cause.status() : type.status();
          break;
        }
        cmd.type = *type;
        cmd.damage_cause = *cause;
        cmd.failure_description = in.ConsumeBool() ? "PSU failed" : Text(in);
        cmd.ship_to = Place(in);
        cmd.contact_email = Email(in);
        status = rmas.ValidateCreate(caller, &cmd);
        if (status.ok()) status = rmas.CheckDamage(cmd.damage_cause);
        if (!status.ok()) break;
        absl::StatusOr<EntitlementView> e = inventory.GetEntitlement(cmd.serial, nullptr);
        if (!e.ok()) {
          status = e.status();
          break;
        }
        absl::StatusOr<Rma> r = rmas.Create(caller, cmd, *e, ++validation_seq, repo);
        status = r.status();
        if (r.ok()) Entitled(*r, *e);
        break;
      }
      case 1: {  // GetRma
        absl::StatusOr<Rma> r = rmas.Get(caller, pick_name(), repo);
        status = r.status();
        if (r.ok()) Sees(caller, r->account_id, "RMA");
        break;
      }
      case 2:
      case 3: {  // ListRmas, ListOverdueReturns
        RmaFilter f;
        absl::StatusOr<Status> s =
            FromEnum<Status>(EnumNumber(in, 9), pb::RmaStatus_IsValid, "status");
        absl::StatusOr<RmaType> t =
            FromEnum<RmaType>(EnumNumber(in, 4), pb::RmaType_IsValid, "type");
        if (!s.ok() || !t.ok()) {
          status = s.ok() ? t.status() : s.status();
          break;
        }
        f.status = *s;
        f.type = *t;
        f.account_id = Pick(in, kAccounts);
        if (in.ConsumeBool()) f.serial = Pick(in, kSerials);
        f.overdue = in.ConsumeBool();
        const int32_t size = page_size();
        const std::string token = pick_token();
        absl::StatusOr<Page<Rma>> page = op == 2 ? rmas.List(caller, f, size, token, repo)
                                                 : rmas.ListOverdue(caller, size, token, repo);
        status = page.status();
        if (!page.ok()) break;
        for (const Rma& r : page->items) Sees(caller, r.account_id, "RMA in a list");
        if (!page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 4: {  // UpdateRma
        AmendCommand cmd;
        cmd.name = pick_name();
        cmd.etag = pick_etag();
        static const char* const kFields[] = {"type", "failure_description", "damage_cause",
                                              "ship_to", "contact_email"};
        const int fields = in.ConsumeIntegralInRange<int>(0, 3);
        for (int i = 0; i < fields; ++i) cmd.mask.insert(Pick(in, kFields));
        absl::StatusOr<RmaType> type =
            FromEnum<RmaType>(EnumNumber(in, 4), pb::RmaType_IsValid, "rma.type");
        absl::StatusOr<DamageCause> cause =
            FromEnum<DamageCause>(EnumNumber(in, 7), pb::DamageCause_IsValid, "rma.damage_cause");
        if (!type.ok() || !cause.ok()) {
          status = type.ok() ? cause.status() : type.status();
          break;
        }
        cmd.type = *type;
        cmd.damage_cause = *cause;
        cmd.failure_description = Text(in);
        cmd.ship_to = Place(in);
        cmd.contact_email = Email(in);
        absl::StatusOr<Rma> current = rmas.PrepareAmend(caller, &cmd, repo);
        if (!current.ok()) {
          status = current.status();
          break;
        }
        absl::StatusOr<EntitlementView> e = inventory.GetEntitlement(current->serial, nullptr);
        if (!e.ok()) {
          status = e.status();
          break;
        }
        absl::StatusOr<Rma> r = rmas.Amend(caller, cmd, *e, repo);
        status = r.status();
        if (r.ok()) {
          Sees(caller, r->account_id, "amended RMA");
          Entitled(*r, *e);
        }
        break;
      }
      case 5: {  // CancelRma
        const std::string name = pick_name(), reason = Text(in);
        absl::StatusOr<Rma> r = rmas.Cancel(caller, name, reason, pick_etag(), repo);
        status = r.status();
        if (r.ok()) Sees(caller, r->account_id, "cancelled RMA");
        break;
      }
      case 6: {  // ApproveRma
        const std::string name = pick_name(), etag = pick_etag();
        absl::StatusOr<Rma> current = rmas.PrepareApprove(caller, name, repo);
        if (!current.ok()) {
          status = current.status();
          break;
        }
        absl::StatusOr<EntitlementView> e = inventory.GetEntitlement(current->serial, nullptr);
        if (!e.ok()) {
          status = e.status();
          break;
        }
        absl::StatusOr<Rma> r = rmas.Approve(caller, name, etag, *e, ++rma_seq, repo);
        status = r.status();
        if (r.ok()) Entitled(*r, *e);
        break;
      }
      case 7: {  // RejectRma
        const std::string name = pick_name(), reason = in.ConsumeBool() ? "not covered" : Text(in);
        status = rmas.Reject(caller, name, reason, pick_etag(), repo).status();
        break;
      }
      case 8: {  // ShipReplacement
        const std::string name = pick_name(), c = carrier();
        status = rmas.ShipReplacement(caller, name, c, tracking(), repo).status();
        break;
      }
      case 9: {  // ReceiveReturn
        const std::string name = pick_name(), serial = Pick(in, kSerials);
        absl::StatusOr<ReceiveResult> r = rmas.Receive(caller, name, serial, Text(in), repo);
        status = r.status();
        if (r.ok() && !r->accepted) {
          auto was = before.rmas.find(r->rma.id);
          if (was == before.rmas.end() || was->second.status != repo.rmas.at(r->rma.id).status ||
              !r->exception) {
            Fail("a receipt that does not match moved the RMA or left no exception");
          }
        }
        break;
      }
      case 10: {  // RecordRepair
        const std::string name = pick_name(),
                          summary = in.ConsumeBool() ? "PSU replaced" : Text(in);
        status = rmas.RecordRepair(caller, name, summary, Text(in), repo).status();
        break;
      }
      case 11: {  // ShipRepairedUnit
        const std::string name = pick_name(), c = carrier();
        status = rmas.ShipRepaired(caller, name, c, tracking(), repo).status();
        break;
      }
      case 12: {  // CloseRma
        const std::string name = pick_name();
        status = rmas.Close(caller, name, Text(in), repo).status();
        break;
      }
      case 13: {  // ListNotifications
        const std::string name = pick_name();
        const int32_t size = page_size();
        absl::StatusOr<Page<rma::Notification>> page =
            rmas.ListNotifications(caller, name, size, pick_token(), repo);
        status = page.status();
        if (!page.ok()) break;
        for (const rma::Notification& n : page->items) {
          auto r = repo.rmas.find(n.rma_id);
          Sees(caller, r == repo.rmas.end() ? "" : r->second.account_id, "notification");
        }
        if (!page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 14: {  // GetReturnLabel
        absl::StatusOr<ReturnLabel> label = rmas.GetReturnLabel(caller, pick_name(), repo);
        status = label.status();
        if (!label.ok()) break;
        bool found = false;
        for (const auto& [id, r] : repo.rmas) {
          if (r.rma_number == label->rma_number) {
            Sees(caller, r.account_id, "return label");
            found = true;
          }
        }
        if (!found) Fail("a return label without its RMA");
        break;
      }
      case 15: {  // ListReturnLocations
        static const char* const kRegions[] = {"US", "DE", "FR", ""};
        static const char* const kTheaters[] = {"NA", "EMEA_EU", "APAC", ""};
        const std::string region = Pick(in, kRegions), theater = Pick(in, kTheaters);
        const int32_t size = page_size();
        absl::StatusOr<Page<ReturnLocation>> page =
            rmas.ListReturnLocations(caller, region, theater, size, pick_token(), repo);
        status = page.status();
        if (page.ok() && !page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 16: {  // the clock moves; spares arrive (outbox); the sweeper charges
        clock.Advance(absl::Hours(in.ConsumeIntegralInRange<int>(0, 24 * 30)));
        for (const auto& [id, r] : std::map<int64_t, Rma>(repo.rmas)) {
          if (r.status == Status::kApproved && IsReplacementType(r.type) && in.ConsumeBool()) {
            Check(rmas.RecordSpare(r.validation_number, absl::StrCat("JN11SPARE", 100 + id), repo));
          }
        }
        absl::StatusOr<std::vector<int64_t>> overdue = repo.OverdueUncharged(clock.Now(), 100);
        if (!overdue.ok()) Fail(overdue.status().ToString());
        for (int64_t id : *overdue) Check(rmas.ChargeIfOverdue(id, repo).status());
        CheckStored(repo, before, Take(repo));
        continue;
      }
      default: {  // inventory-svc changes its answer about a unit, or goes down
        inventory.down = in.ConsumeIntegralInRange<int>(0, 7) == 0;
        EntitlementView& e = inventory.units[Pick(in, kSerials)];
        e.owner_account_id = Pick(in, kAccounts);
        e.installed = in.ConsumeBool();
        e.grey_market = in.ConsumeBool();
        e.warranty_active = in.ConsumeBool();
        e.within_doa_window = in.ConsumeBool();
        e.entitled = in.ConsumeBool();
        e.advance_replacement = in.ConsumeBool();
        continue;
      }
    }
    Check(status);
    const Snapshot after = Take(repo);
    if (!status.ok() && !(after == before)) {
      Fail(std::string(kMethods[op]) + " was refused (" + status.ToString() +
           ") but changed the repository");
    }
    if (caller.HasRole({Role::kCustomer, Role::kPartner}))
      CheckScopedCall(caller, repo, before, after);
    CheckStored(repo, before, after);
  }
  return 0;
}
