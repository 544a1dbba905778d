// The authorization matrix: every RPC of the four services (enumerated from
// the generated service descriptors) × the seven roles × six scope
// situations, against real services and a real MariaDB. The expected code of
// each cell comes from the services' own policy tables (common/policy.h,
// tests/policy/policy_docs.h) through a pure function (Expected); a pure
// checker (CheckResults) turns the recorded answers into a list of failures.
// Every call expected to be denied must leave Env::Snapshot() unchanged.
#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/policy.h"
#include "tests/e2e/e2e_common.h"
#include "tests/policy/policy_docs.h"

namespace aftercare::e2e {
namespace {

namespace pb = google::protobuf;
using Code = grpc::StatusCode;

// ---------------------------------------------------------------------------
// The expectation engine (pure).

enum class Situation {
  kOwnAccount,    // token lists account A (partner: partner P1)
  kOtherAccount,  // token lists account B only
  kNoAccount,     // token lists no account
  kOwnPartner,    // partner P1, account A
  kOtherPartner,  // partner P2, account A
  kLostAccount,   // the subject that created A's fixtures, token now without A
};
constexpr Situation kSituations[] = {Situation::kOwnAccount,   Situation::kOtherAccount,
                                     Situation::kNoAccount,    Situation::kOwnPartner,
                                     Situation::kOtherPartner, Situation::kLostAccount};
constexpr Role kRoles[] = {Role::kCustomer, Role::kPartner, Role::kCareAgent, Role::kTse,
                           Role::kLogistics, Role::kAdmin, Role::kService};

const char* SituationName(Situation s) {
  switch (s) {
    case Situation::kOwnAccount: return "own account";
    case Situation::kOtherAccount: return "other account";
    case Situation::kNoAccount: return "no account";
    case Situation::kOwnPartner: return "own partner";
    case Situation::kOtherPartner: return "other partner";
    case Situation::kLostAccount: return "lost account";
  }
  return "?";
}

enum class Expect {
  kPermissionDenied,  // role not in the policy
  kNotFound,          // out of scope: NOT_FOUND, nothing of the aggregate
  kHiddenFromList,    // out of scope list: OK or NOT_FOUND, none of A's ids
  kAllowed,           // anything but PERMISSION_DENIED, UNAUTHENTICATED, NOT_FOUND
};

const char* ExpectName(Expect e) {
  switch (e) {
    case Expect::kPermissionDenied: return "PERMISSION_DENIED";
    case Expect::kNotFound: return "NOT_FOUND";
    case Expect::kHiddenFromList: return "OK/NOT_FOUND, hidden";
    case Expect::kAllowed: return "allowed";
  }
  return "?";
}

bool IsScoped(Role role) { return role == Role::kCustomer || role == Role::kPartner; }
// List RPCs, and RetrieveDeviceKeys, which lists the active licenses of the
// serial presented that the caller reaches (an empty list, exactly as for a
// device that has none): out of scope they answer without A's data.
bool IsList(const std::string& method) {
  return absl::StartsWith(method, "List") || method == "RetrieveDeviceKeys";
}

// Whether a scoped caller in `s` reaches account A's aggregates.
bool ReachesAccountA(Situation s) {
  return s == Situation::kOwnAccount || s == Situation::kOwnPartner ||
         s == Situation::kOtherPartner;
}

Expect Expected(const MethodPolicy& policy, Role role, Situation s) {
  if (!policy.roles.Contains(role)) return Expect::kPermissionDenied;
  if (!IsScoped(role)) return Expect::kAllowed;
  bool in_scope = true;
  if (policy.scope == ScopeKind::kAccount) in_scope = ReachesAccountA(s);
  if (policy.scope == ScopeKind::kPartner) {
    in_scope = role != Role::kPartner || s != Situation::kOtherPartner;
  }
  if (in_scope) return Expect::kAllowed;
  return IsList(policy.method) ? Expect::kHiddenFromList : Expect::kNotFound;
}

bool IsDenial(Expect e) { return e != Expect::kAllowed; }

// In-scope cells that legitimately answer NOT_FOUND (keep short).
struct AllowedException {
  std::string rpc;  // "rma/GetReturnLabel"
  std::optional<Role> role;  // nullopt: every allowed role
  Code code;
  const char* why;
};
const std::vector<AllowedException>& Exceptions() {
  static const std::vector<AllowedException> list = {};
  return list;
}

// ---------------------------------------------------------------------------
// Recorded results and the checker (pure).

struct Cell {
  std::string service;  // "inventory"
  std::string method;   // "GetUnit"
  Role role;
  Situation situation;
  std::string rpc() const { return service + "/" + method; }
};

struct Recorded {
  Cell cell;
  Code code = Code::OK;
  std::string message;
  Json body = Json::object();
  Json request = Json::object();
  bool snapshot_checked = false;
  std::string writes;  // "table: before -> after, ..." when the snapshot changed
};

using PolicyTable = std::map<std::string, MethodPolicy>;  // "inventory/GetUnit" → policy

PolicyTable RealPolicies() {
  PolicyTable table;
  for (const auto& s : policy_docs::Services()) {
    for (const auto& m : s.policy->methods()) table[s.name + "/" + m.method] = m;
  }
  return table;
}

// Strings that must never appear in an answer to a caller out of A's scope.
using Secrets = std::vector<std::string>;

std::string CodeName(Code code) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat(i);
}

// Whether every table in `writes` ("svc.table: 1 -> 2 ...") is an idempotency_keys table.
bool OnlyIdempotencyKeys(const std::string& writes) {
  for (absl::string_view w : absl::StrSplit(writes, ' ', absl::SkipEmpty())) {
    if (absl::EndsWith(w, ":") && !absl::EndsWith(w, ".idempotency_keys:")) return false;
  }
  return true;
}

// One line per failing cell; empty when every cell holds.
std::vector<std::string> CheckResults(const std::vector<Recorded>& results,
                                      const PolicyTable& policies, const Secrets& secrets) {
  std::vector<std::string> failures;
  auto fail = [&](const Recorded& r, Expect e, const std::string& why) {
    failures.push_back(absl::StrFormat(
        "%-42s %-10s %-14s %-22s %-20s %s", r.cell.rpc(), RoleName(r.cell.role),
        SituationName(r.cell.situation), ExpectName(e), CodeName(r.code),
        absl::StrCat(why, why.empty() ? "" : " | ", r.message.substr(0, 120))));
  };
  auto leaked = [&](const Recorded& r) -> std::string {
    // The body only: a NOT_FOUND message names what was asked for ("unit <serial>
    // not found"), exactly as for an aggregate that does not exist.
    // Ids the caller sent itself may be echoed ("deviceSerial").
    const std::string text = r.body.dump();
    const std::string sent = r.request.dump();
    for (const auto& s : secrets) {
      if (!s.empty() && absl::StrContains(text, s) && !absl::StrContains(sent, s)) return s;
    }
    return "";
  };
  for (const auto& r : results) {
    auto p = policies.find(r.cell.rpc());
    if (p == policies.end()) {
      failures.push_back(r.cell.rpc() + ": no policy");
      continue;
    }
    const Expect e = Expected(p->second, r.cell.role, r.cell.situation);
    switch (e) {
      case Expect::kPermissionDenied:
        if (r.code != Code::PERMISSION_DENIED) fail(r, e, "");
        break;
      case Expect::kNotFound:
        if (r.code != Code::NOT_FOUND) {
          fail(r, e, "");
        } else if (!r.body.empty()) {
          fail(r, e, "body not empty");
        } else if (auto s = leaked(r); !s.empty()) {
          fail(r, e, "leaks " + s);
        }
        break;
      case Expect::kHiddenFromList:
        if (r.code != Code::OK && r.code != Code::NOT_FOUND) {
          fail(r, e, "");
        } else if (auto s = leaked(r); !s.empty()) {
          fail(r, e, "leaks " + s);
        }
        break;
      case Expect::kAllowed: {
        if (r.code != Code::PERMISSION_DENIED && r.code != Code::UNAUTHENTICATED &&
            r.code != Code::NOT_FOUND) {
          break;
        }
        bool excused = false;
        for (const auto& x : Exceptions()) {
          excused |= x.rpc == r.cell.rpc() && (!x.role || *x.role == r.cell.role) &&
                     x.code == r.code;
        }
        if (!excused) fail(r, e, "");
        break;
      }
    }
    if (IsDenial(e)) {
      // A list-like writer answering OK (nothing of A) may record its own
      // answer under the caller's idempotency key, as for an unknown device.
      const bool own_answer_only = e == Expect::kHiddenFromList && r.code == Code::OK &&
                                   OnlyIdempotencyKeys(r.writes);
      if (!r.snapshot_checked) {
        fail(r, e, "not checked for writes");
      } else if (!r.writes.empty() && !own_answer_only) {
        fail(r, e, "wrote " + r.writes);
      }
    }
  }
  return failures;
}

std::string Table(const std::vector<std::string>& failures) {
  return absl::StrCat(
      absl::StrFormat("%-42s %-10s %-14s %-22s %-20s %s\n", "RPC", "role", "situation",
                      "expected", "actual", "detail"),
      absl::StrJoin(failures, "\n"));
}

// ---------------------------------------------------------------------------
// Fixtures and request templates.

struct Fixtures {
  std::string a, b, p1, p2;  // accounts A, B; partners P1, P2
  std::string creator;       // subject of the customer of A who created A's aggregates
  std::string sku, sku2;
  std::string unit;          // sold to A (IN_SERVICE), shared by the read RPCs
  std::string unit_transfer, unit_flag, unit_swap, unit_contract;  // sold to A, one per writer
  std::string reserved_release;                                    // reserved by P1
  std::string spare;                                               // depot stock
  // Consumed by the allowed cells of ReserveUnit and SellUnit (one unit each).
  std::vector<std::string> certified_pool, reserved_pool;  // CERTIFIED; reserved by P1
  std::string rma_etag;
  std::string received_step, received_certify, received_quarantine, received_scrap,
      received_spare, received_intake;
  std::string fresh_serial;  // genuine, not yet in inventory
  std::string case_id, trade_in_id, attachment_id;
  std::string rma;                       // pending RMA of A (validation number)
  std::string rma_number, rma_unit;      // approved, shipped, licenses transferred
  std::string entitlement_id, activation_code, license_id, license_key;
  std::string technical_case_id, technical_note_id;  // a note of A's technical case
  int counter = 0;
  std::string Rid(const std::string& cell) { return absl::StrCat("az-", ++counter, "-", cell); }
  // Set while the template of an allowed cell is built: Fresh() then hands
  // out a unit no other cell used. Denied cells write nothing and share the first.
  bool allowed_cell = false;
  // A well-formed RMA number no RMA has (inventory-svc does not look RMAs up).
  std::string FakeRmaNumber() { return absl::StrFormat("R9%07d", counter); }
  std::map<const std::vector<std::string>*, size_t> taken;
  std::string Fresh(const std::vector<std::string>& pool) {
    if (pool.empty()) return "";
    if (!allowed_cell) return pool[0];
    size_t& n = taken[&pool];
    return pool[std::min(++n, pool.size() - 1)];
  }
};

using Template = std::function<Json(Fixtures&, const std::string& rid)>;

Json Money(int64_t minor) { return {{"currencyCode", "USD"}, {"amountMinor", std::to_string(minor)}}; }
Json Site() { return {{"regionCode", "US"}, {"locality", "Austin"}, {"addressLines", {"1 Main"}}}; }
std::string Days(int d) {
  return absl::FormatTime("%Y-%m-%dT00:00:00Z", absl::Now() + absl::Hours(24 * d),
                          absl::UTCTimeZone());
}
Json CaseBody(const Fixtures& f) {
  return {{"requestType", "REQUEST_TYPE_OTHER"}, {"priority", "PRIORITY_P3"},
          {"followUpMethod", "FOLLOW_UP_METHOD_EMAIL"}, {"summary", "authz"},
          {"serialNumber", f.unit}, {"accountId", f.a}};
}
Json TradeInBody(const Fixtures& f, const std::string& serial) {
  return {{"accountId", f.a}, {"orderNumber", "SO-" + serial}, {"orderTime", Days(-2)},
          {"phase", "TMIP_PHASE_PHASE1"}, {"disposition", "DISPOSITION_RETURN"},
          {"credit", Money(100000)},
          {"lines", {{{"sku", f.sku2}, {"quantity", 1}, {"serialNumbers", {serial}}}}}};
}
Json LicenseProduct() {
  return {{"sku", "S-EX-A-C2-P"}, {"feature", "advanced-routing"}, {"capacity", "48"},
          {"termType", "TERM_TYPE_SUBSCRIPTION"}, {"termMonths", 12},
          {"licensingSystem", "LICENSING_SYSTEM_JUNOS"}, {"unlockKeyRequired", true}};
}
Json Nbd() {
  return {{"level", "SUPPORT_LEVEL_NEXT_BUSINESS_DAY"}, {"termMonths", 12},
          {"preApprovalReference", "PA-AUTHZ"}};
}

// RPC → request aimed at account A's (or partner P1's) fixtures.
const std::map<std::string, Template>& Templates() {
  using F = Fixtures;
  using S = const std::string&;
  static const std::map<std::string, Template> t = {
      // inventory
      {"inventory/CreateProduct", [](F& f, S r) {
         return Json{{"requestId", r}, {"product", {{"sku", "SKU-" + r}, {"displayName", "x"},
             {"family", "PRODUCT_FAMILY_SWITCHING"}, {"series", "EX Series"}, {"platform", "EX4300"},
             {"listPrice", Money(100)}, {"lifecycle", "LIFECYCLE_CURRENT"}, {"latestSoftwareRelease", "22.2R3"},
             {"standardWarrantyMonths", 12}}}}; }},
      {"inventory/GetProduct", [](F& f, S) { return Json{{"sku", f.sku}}; }},
      {"inventory/ListProducts", [](F&, S) { return Json::object(); }},
      {"inventory/UpdateProduct", [](F& f, S r) {
         return Json{{"requestId", r}, {"product", {{"sku", f.sku2}, {"displayName", "renamed"}}},
                     {"updateMask", "displayName"}}; }},
      {"inventory/LoadGenuineSerials", [](F& f, S r) {
         return Json{{"requestId", r}, {"entries", {{{"serialNumber", "JN1G" + r}, {"sku", f.sku}}}}}; }},
      {"inventory/GetGenuineSerial", [](F& f, S) { return Json{{"serialNumber", f.unit}}; }},
      {"inventory/ReceiveUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.fresh_serial}, {"sku", f.sku},
                     {"source", "UNIT_SOURCE_STOCK_ROTATION"}}; }},
      {"inventory/GetUnit", [](F& f, S) { return Json{{"serialNumber", f.unit}}; }},
      {"inventory/ListUnits", [](F& f, S) { return Json{{"sku", f.sku}}; }},
      {"inventory/ListUnitEvents", [](F& f, S) { return Json{{"serialNumber", f.unit}}; }},
      {"inventory/RecordCertificationStep", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_step},
                     {"step", "CERTIFICATION_STEP_SERIAL_VERIFICATION"}}; }},
      {"inventory/CertifyUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_certify}}; }},
      {"inventory/QuarantineUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_quarantine}, {"reason", "authz"}}; }},
      {"inventory/ScrapUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_scrap}, {"reason", "authz"}}; }},
      {"inventory/MoveToSparePool", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_spare}}; }},
      {"inventory/ListCpoOffers", [](F&, S) { return Json::object(); }},
      {"inventory/ReserveUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.Fresh(f.certified_pool)},
                     {"shipToRegionCode", "US"}}; }},
      {"inventory/ReleaseReservation", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.reserved_release}}; }},
      {"inventory/SellUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.Fresh(f.reserved_pool)}, {"buyerAccountId", f.a},
                     {"supportOptions", {Nbd()}}}; }},
      {"inventory/RegisterProduct", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit}, {"accountId", f.a},
                     {"site", Site()}}; }},
      {"inventory/UpdateInstalledBase", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit}, {"site", Site()}}; }},
      {"inventory/TransferOwnership", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit_transfer}, {"newAccountId", f.b}}; }},
      {"inventory/FlagGreyMarket", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit_flag}, {"reason", "authz"}}; }},
      {"inventory/ReinstateUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit_flag}, {"caseId", f.case_id},
                     {"inspectionReference", "INSP-1"}}; }},
      {"inventory/CreateSupportContract", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit_contract}, {"option", Nbd()}}; }},
      {"inventory/GetEntitlement", [](F& f, S) { return Json{{"serialNumber", f.unit}}; }},
      {"inventory/ListInstalledBase", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"inventory/AllocateSpare", [](F& f, S r) {
         return Json{{"requestId", r}, {"sku", f.sku2}, {"rmaNumber", f.FakeRmaNumber()}}; }},
      {"inventory/ReleaseSpare", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.spare}, {"rmaNumber", f.FakeRmaNumber()}}; }},
      {"inventory/IntakeReturnedUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.received_intake}, {"sku", f.sku},
                     {"source", "UNIT_SOURCE_RMA_RETURN"}, {"reference", f.FakeRmaNumber()}}; }},
      {"inventory/SwapInstalledBase", [](F& f, S r) {
         return Json{{"requestId", r}, {"defectiveSerialNumber", f.unit_swap},
                     {"replacementSerialNumber", f.spare}, {"rmaNumber", f.FakeRmaNumber()}}; }},
      // case
      {"case/CreateCase", [](F& f, S r) { return Json{{"requestId", r}, {"case", CaseBody(f)}}; }},
      {"case/GetCase", [](F& f, S) { return Json{{"caseId", f.case_id}}; }},
      {"case/ListCases", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"case/TakeCaseOwnership", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"owner", "e2e-care"}}; }},
      {"case/UpdateCaseStatus", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"status", "CASE_STATUS_IN_PROGRESS"}}; }},
      {"case/AddCaseNote", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"body", "note"}}; }},
      {"case/EscalateCase", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id},
                     {"kind", "ESCALATION_KIND_FASTER_PROGRESS"}, {"reason", "authz"}}; }},
      {"case/ResolveCase", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"resolution", "done"}}; }},
      {"case/CloseCase", [](F& f, S r) { return Json{{"requestId", r}, {"caseId", f.case_id}}; }},
      {"case/ReopenCase", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"reason", "again"}}; }},
      {"case/ApproveReinstatement", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.case_id}, {"inspectionReference", "INSP-1"}}; }},
      {"case/ListCaseEvents", [](F& f, S) { return Json{{"caseId", f.case_id}}; }},
      {"case/CreateTradeInCase", [](F& f, S r) {
         return Json{{"requestId", r}, {"tradeInCase", TradeInBody(f, f.fresh_serial)}}; }},
      {"case/GetTradeInCase", [](F& f, S) { return Json{{"caseId", f.trade_in_id}}; }},
      {"case/ListTradeInCases", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"case/UpdateTradeInLines", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id},
                     {"lines", {{{"sku", f.sku2}, {"quantity", 1}, {"serialNumbers", {f.fresh_serial}}}}}}; }},
      {"case/RequestDeadlineExtension", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id}, {"requestedDueTime", Days(200)},
                     {"reason", "authz"}}; }},
      {"case/ReviewDeadlineExtension", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id}, {"approve", true}}; }},
      {"case/IssueShippingInstructions", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id}, {"prepaidLabelReference", "UPS-1"}}; }},
      {"case/RecordReceivedUnits", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id},
                     {"units", {{{"serialNumber", f.fresh_serial}, {"sku", f.sku2}}}}}; }},
      {"case/UploadAttachment", [](F& f, S r) {
         return Json{{"requestId", r}, {"caseId", f.trade_in_id},
                     {"kind", "ATTACHMENT_KIND_TRADE_IN_FORM"}, {"fileName", "form.pdf"},
                     {"chunk", "JVBERi0xLjQKJSB0cmFkZS1pbiBmb3JtCjEgMCBvYmogPDwgPj4gZW5kb2JqCnRyYWlsZXIgPDwgPj4KJSVFT0YK"}}; }},
      {"case/ListAttachments", [](F& f, S) { return Json{{"caseId", f.trade_in_id}}; }},
      {"case/DownloadAttachment", [](F& f, S) { return Json{{"attachmentId", f.attachment_id}}; }},
      {"case/AddTechnicalCaseNote", [](F& f, S r) {
         return Json{{"requestId", r}, {"technicalCaseId", f.technical_case_id}, {"accountId", f.a},
                     {"noteId", "az-" + r}, {"subject", "authz"}, {"body", "note"}}; }},
      {"case/ListTechnicalCaseNotes", [](F& f, S) {
         return Json{{"technicalCaseId", f.technical_case_id}}; }},
      // rma
      {"rma/CreateRma", [](F& f, S r) {
         return Json{{"requestId", r}, {"serialNumber", f.unit}, {"accountId", f.a},
                     {"technicalCaseId", "2026-1121-00042"}, {"type", "RMA_TYPE_ADVANCE_REPLACEMENT"},
                     {"failureDescription", "PSU"}, {"damageCause", "DAMAGE_CAUSE_HARDWARE_FAILURE"},
                     {"shipTo", Site()}, {"contactEmail", "noc@a.example"}}; }},
      {"rma/GetRma", [](F& f, S) { return Json{{"name", f.rma}}; }},
      {"rma/ListRmas", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"rma/ListOverdueReturns", [](F&, S) { return Json::object(); }},
      {"rma/UpdateRma", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"rma", {{"contactEmail", "new@a.example"}}},
                     {"updateMask", "contactEmail"}, {"etag", f.rma_etag}}; }},
      {"rma/CancelRma", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"reason", "authz"}}; }},
      {"rma/ApproveRma", [](F& f, S r) { return Json{{"requestId", r}, {"name", f.rma}}; }},
      {"rma/RejectRma", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"reason", "authz"}}; }},
      {"rma/ShipReplacement", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"carrier", "UPS"}, {"trackingNumber", "1Z"}}; }},
      {"rma/ReceiveReturn", [](F& f, S r) {
         return Json{{"requestId", r}, {"rmaNumber", f.rma_number}, {"serialNumber", f.rma_unit}}; }},
      {"rma/RecordRepair", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"repairSummary", "x"},
                     {"softwareVersion", "22.2R3"}}; }},
      {"rma/ShipRepairedUnit", [](F& f, S r) {
         return Json{{"requestId", r}, {"name", f.rma}, {"carrier", "UPS"}, {"trackingNumber", "1Z"}}; }},
      {"rma/CloseRma", [](F& f, S r) { return Json{{"requestId", r}, {"name", f.rma}}; }},
      {"rma/ListNotifications", [](F& f, S) { return Json{{"name", f.rma}}; }},
      {"rma/GetReturnLabel", [](F& f, S) { return Json{{"name", f.rma_number}}; }},
      {"rma/ListReturnLocations", [](F&, S) { return Json::object(); }},
      // licensing
      {"licensing/CreateEntitlement", [](F& f, S r) {
         return Json{{"requestId", r}, {"accountId", f.a}, {"orderReference", "SO-" + r},
                     {"product", LicenseProduct()}}; }},
      {"licensing/GetEntitlement", [](F& f, S) { return Json{{"entitlementId", f.entitlement_id}}; }},
      {"licensing/ListEntitlements", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"licensing/ActivateLicense", [](F& f, S r) {
         return Json{{"requestId", r}, {"activationCode", f.activation_code},
                     {"deviceSerial", f.unit}}; }},
      {"licensing/RenewSubscription", [](F& f, S r) {
         return Json{{"requestId", r}, {"entitlementId", f.entitlement_id}, {"termMonths", 12},
                     {"orderReference", "SO-R-" + r}}; }},
      {"licensing/RetrieveDeviceKeys", [](F& f, S r) {
         return Json{{"requestId", r}, {"deviceSerial", f.unit}}; }},
      {"licensing/TransferLicenses", [](F& f, S r) {
         return Json{{"requestId", r}, {"rmaNumber", f.rma_number}}; }},
      {"licensing/GetRmaTransfer", [](F& f, S) { return Json{{"rmaNumber", f.rma_number}}; }},
      {"licensing/ListRmaTransfers", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"licensing/GetLicense", [](F& f, S) { return Json{{"licenseId", f.license_id}}; }},
      {"licensing/ListLicenses", [](F& f, S) { return Json{{"accountId", f.a}}; }},
      {"licensing/RevokeLicense", [](F& f, S r) {
         return Json{{"requestId", r}, {"licenseId", f.license_id},
                     {"reason", "REVOCATION_REASON_OTHER"}, {"note", "authz"}}; }},
      {"licensing/VerifyLicenseKey", [](F& f, S) {
         return Json{{"licenseKey", f.license_key}, {"deviceSerial", f.unit}}; }},
      {"licensing/ListSigningKeys", [](F&, S) { return Json::object(); }},
      {"licensing/ListNotifications", [](F& f, S) { return Json{{"accountId", f.a}}; }},
  };
  return t;
}

// ---------------------------------------------------------------------------
// The run (real services), once per process; the tests below share it.

struct MatrixRun {
  std::vector<Recorded> results;
  std::vector<std::string> setup_problems;  // RPCs without a policy or template
  Secrets secrets;
  absl::Duration elapsed;
};

class AuthzMatrixTest : public E2eTest {
 protected:
  static MatrixRun* run_;

  std::string TokenFor(const Fixtures& f, Role role, Situation s) {
    std::vector<std::string> accounts;
    std::string partner = role == Role::kPartner ? f.p1 : "";
    std::string subject = absl::StrCat("authz-", std::string(RoleName(role)), "-", static_cast<int>(s));
    switch (s) {
      case Situation::kOwnAccount: accounts = {f.a}; break;
      case Situation::kOtherAccount: accounts = {f.b}; break;
      case Situation::kNoAccount: break;
      case Situation::kOwnPartner: accounts = {f.a}; break;
      case Situation::kOtherPartner:
        accounts = {f.a};
        if (role == Role::kPartner) partner = f.p2;
        break;
      case Situation::kLostAccount: subject = f.creator; break;
    }
    return Env::Token(role, subject, accounts, partner, role == Role::kPartner);
  }

  bool Settled() {
    for (const char* name : {"inventory", "case", "rma", "licensing"}) {
      if (env().Count(name, "outbox_events", "delivered_at_us IS NULL") != 0) return false;
    }
    return true;
  }

  // Received, the six steps and the certificate, each call sent once.
  void QuickCertified(const std::string& s) {
    Received(s);
    const Json steps[] = {
        {{"step", "CERTIFICATION_STEP_SERIAL_VERIFICATION"}},
        {{"step", "CERTIFICATION_STEP_COMPONENT_REPAIR"}, {"noRepairNeeded", true}},
        {{"step", "CERTIFICATION_STEP_SOFTWARE_UPDATE"}, {"softwareVersion", "22.2R3"}},
        {{"step", "CERTIFICATION_STEP_CONFIGURATION_RESET"}, {"passed", true}},
        {{"step", "CERTIFICATION_STEP_PACKAGING_AND_LABELING"}, {"passed", true}},
        {{"step", "CERTIFICATION_STEP_QUALIFICATION_TEST"}, {"passed", true},
         {"testReportReference", "QT-" + s}}};
    int n = 0;
    for (Json step : steps) {
      step["requestId"] = absl::StrCat("s", ++n, "-", s);
      step["serialNumber"] = s;
      E2E_OK(env().Call("inventory", "RecordCertificationStep", tok().logistics, step));
    }
    E2E_OK(env().Call("inventory", "CertifyUnit", tok().logistics,
                      {{"requestId", "c-" + s}, {"serialNumber", s}}));
  }

  void Sold(const std::string& serial, const std::string& account) {
    QuickCertified(serial);
    ReserveAndSell(serial, account);
  }

  void ReserveByP1(const std::string& serial) {
    E2E_OK(env().Call("inventory", "ReserveUnit", Env::Token(Role::kPartner, "p1", {}, fx_.p1, true),
                      {{"requestId", "rsv-" + serial}, {"serialNumber", serial},
                       {"shipToRegionCode", "US"}}));
  }

  void Reserved(const std::string& serial) {
    QuickCertified(serial);
    ReserveByP1(serial);
  }

  void Received(const std::string& serial) {
    E2E_OK(env().Call("inventory", "ReceiveUnit", tok().logistics,
                      {{"requestId", "r-" + serial}, {"serialNumber", serial}, {"sku", fx_.sku},
                       {"source", "UNIT_SOURCE_STOCK_ROTATION"}}));
  }

  void BuildFixtures() {
    Fixtures& f = fx_;
    f.a = Unique("AZ-A-");
    f.b = Unique("AZ-B-");
    f.p1 = Unique("AZ-P1-");
    f.p2 = Unique("AZ-P2-");
    f.creator = "cust-" + f.a;  // tok().Customer(a)'s subject
    f.sku = Unique("SKU-AZ-");
    f.sku2 = Unique("SKU-AZ2-");
    CreateProduct(f.sku);
    CreateProduct(f.sku2, "MX Series", "MX480", 9999900, /*end_of_production=*/true);  // trade-ins
    std::vector<std::string*> serials = {
        &f.unit, &f.unit_transfer, &f.unit_flag, &f.unit_swap, &f.unit_contract,
        &f.reserved_release, &f.spare, &f.received_step,
        &f.received_certify, &f.received_quarantine, &f.received_scrap, &f.received_spare,
        &f.received_intake, &f.fresh_serial};
    std::vector<std::string> all;
    for (auto* s : serials) all.push_back(*s = Unique("JN1AZ"));
    const std::string& rma_unit = f.rma_unit = Unique("JN1AZ");
    const std::string rma_spare = Unique("JN1AZ");
    all.push_back(rma_unit);
    all.push_back(rma_spare);
    LoadGenuine(all, f.sku);
    for (auto* s : {&f.unit, &f.unit_transfer, &f.unit_flag, &f.unit_swap, &f.unit_contract}) {
      Sold(*s, f.a);
    }
    Sold(rma_unit, f.a);
    Reserved(f.reserved_release);
    f.certified_pool.resize(19);
    f.reserved_pool.resize(18);
    for (auto* pool : {&f.certified_pool, &f.reserved_pool}) {
      for (auto& serial : *pool) {
        serial = Unique("JN1AZP");
        LoadGenuine({serial}, f.sku);
        QuickCertified(serial);
        if (pool == &f.reserved_pool) ReserveByP1(serial);
      }
    }
    MakeSpare(f.spare, f.sku);
    MakeSpare(rma_spare, f.sku);
    for (auto* s : {&f.received_step, &f.received_certify, &f.received_quarantine,
                    &f.received_scrap, &f.received_spare, &f.received_intake}) {
      Received(*s);
    }
    const std::string customer = tok().Customer(f.a);
    auto c = E2E_OK(env().Call("case", "CreateCase", customer,
                               {{"requestId", "azc-" + f.a}, {"case", CaseBody(f)}}));
    f.case_id = c.body.value("caseId", "");
    auto ti = E2E_OK(env().Call("case", "CreateTradeInCase", customer,
                                {{"requestId", "azt-" + f.a},
                                 {"tradeInCase", TradeInBody(f, f.fresh_serial)}}));
    f.trade_in_id = ti.body.value("caseId", "");
    auto att = E2E_OK(env().Call("case", "UploadAttachment", customer,
                                 {{"requestId", "aza-" + f.a}, {"caseId", f.trade_in_id},
                                  {"kind", "ATTACHMENT_KIND_TRADE_IN_FORM"},
                                  {"fileName", "form.pdf"},
                                  {"chunk", "JVBERi0xLjQKJSB0cmFkZS1pbiBmb3JtCjEgMCBvYmogPDwgPj4gZW5kb2JqCnRyYWlsZXIgPDwgPj4KJSVFT0YK"}}));
    f.attachment_id = att.body.value("attachmentId", "");
    // A note of A's technical case (as rma-svc adds them).
    f.technical_case_id = Unique("TC-AZ-");
    auto note = E2E_OK(env().Call("case", "AddTechnicalCaseNote", tok().admin,
                                  {{"requestId", "azn-" + f.a},
                                   {"technicalCaseId", f.technical_case_id}, {"accountId", f.a},
                                   {"noteId", Unique("azn-")}, {"subject", "RMA approved"},
                                   {"body", "authz"}}));
    f.technical_note_id = note.body.value("noteId", "");
    // Licensing: an entitlement of A, a license activated on A's unit.
    auto ent = E2E_OK(env().Call("licensing", "CreateEntitlement", tok().admin,
                                 {{"requestId", "aze-" + f.a}, {"accountId", f.a},
                                  {"orderReference", "SO-AZ"}, {"product", LicenseProduct()}}));
    f.entitlement_id = ent.body["entitlement"].value("entitlementId", "");
    f.activation_code = ent.body.value("activationCode", "");
    auto act = E2E_OK(env().Call("licensing", "ActivateLicense", customer,
                                 {{"requestId", "azl-" + f.a},
                                  {"activationCode", f.activation_code},
                                  {"deviceSerial", f.unit}}));
    f.license_id = act.body["license"].value("licenseId", "");
    f.license_key = act.body["license"].value("licenseKey", "");
    // A pending RMA of A; another approved, shipped and transferred (R number),
    // with a license on the unit to transfer.
    auto ent2 = E2E_OK(env().Call("licensing", "CreateEntitlement", tok().admin,
                                  {{"requestId", "aze2-" + f.a}, {"accountId", f.a},
                                   {"orderReference", "SO-AZ2"}, {"product", LicenseProduct()}}));
    E2E_OK(env().Call("licensing", "ActivateLicense", customer,
                      {{"requestId", "azl2-" + f.a},
                       {"activationCode", ent2.body.value("activationCode", "")},
                       {"deviceSerial", rma_unit}}));
    auto rma = E2E_OK(CreateRma("azr-" + f.a, f.unit, f.a));
    f.rma = rma.body.value("validationNumber", "");
    f.rma_etag = rma.body.value("etag", "");
    auto rma2 = E2E_OK(CreateRma("azr2-" + f.a, rma_unit, f.a));
    auto approved = E2E_OK(env().Call("rma", "ApproveRma", tok().tse,
                                      {{"requestId", "aza2-" + f.a},
                                       {"name", rma2.body.value("validationNumber", "")}}));
    f.rma_number = approved.body.value("rmaNumber", "");
    EXPECT_TRUE(Eventually([&] {
      auto g = env().Call("rma", "GetRma", tok().tse, {{"name", f.rma_number}});
      return !g.body.value("replacementSerialNumber", "").empty();
    })) << "no spare allocated";
    E2E_OK(env().Call("rma", "ShipReplacement", tok().logistics,
                      {{"requestId", "azs-" + f.a}, {"name", f.rma_number}, {"carrier", "UPS"},
                       {"trackingNumber", "1Z999AA10123456784"}}));
    E2E_OK(RetryWhileUnavailable([&] {
      return env().Call("licensing", "TransferLicenses", customer,
                        {{"requestId", "azx-" + f.a}, {"rmaNumber", f.rma_number}});
    }));
    for (const std::string* id : {&f.case_id, &f.trade_in_id, &f.attachment_id,
                                  &f.entitlement_id, &f.activation_code, &f.license_id,
                                  &f.license_key, &f.rma, &f.rma_number,
                                  &f.technical_note_id}) {
      EXPECT_FALSE(id->empty());
    }
  }

  // Runs every cell: first every cell expected to be denied (each with a
  // snapshot before and after), then the allowed cells of read-only RPCs,
  // then the allowed cells of the RPCs that write.
  MatrixRun Run() {
    MatrixRun run;
    BuildFixtures();
    if (HasFailure()) return run;
    const Fixtures& f = fx_;
    run.secrets = {f.a,           f.unit,           f.unit_transfer, f.unit_flag,
                   f.unit_swap,   f.unit_contract,  f.rma_unit,      f.case_id,
                   f.trade_in_id, f.attachment_id,  f.entitlement_id, f.activation_code,
                   f.license_id,  f.license_key,    f.rma,           f.rma_number,
                   f.technical_note_id};
    const PolicyTable policies = RealPolicies();
    struct Planned { Cell cell; const Template* tmpl; std::string rid; bool denial; bool writes; };
    std::vector<Planned> plan;
    for (const auto& svc : policy_docs::Services()) {
      const pb::ServiceDescriptor* sd =
          pb::DescriptorPool::generated_pool()->FindServiceByName(env().svc(svc.name).full_name);
      if (sd == nullptr) {
        run.setup_problems.push_back("no descriptor for " + svc.name);
        continue;
      }
      for (int i = 0; i < sd->method_count(); ++i) {
        const pb::MethodDescriptor* m = sd->method(i);
        const std::string rpc = svc.name + "/" + m->name();
        auto p = policies.find(rpc);
        auto tmpl = Templates().find(rpc);
        if (p == policies.end()) run.setup_problems.push_back(rpc + ": no policy");
        if (tmpl == Templates().end()) run.setup_problems.push_back(rpc + ": no request template");
        if (p == policies.end() || tmpl == Templates().end()) continue;
        const bool writes = m->input_type()->FindFieldByName("request_id") != nullptr;
        for (Role role : kRoles) {
          for (Situation s : kSituations) {
            Cell cell{svc.name, m->name(), role, s};
            const std::string rid =
                fx_.Rid(absl::StrCat(m->name(), "-", std::string(RoleName(role)), "-", static_cast<int>(s)));
            plan.push_back({cell, &tmpl->second, rid,
                            IsDenial(Expected(p->second, role, s)), writes});
          }
        }
      }
    }
    EXPECT_TRUE(Eventually([&] { return Settled(); }, absl::Seconds(30)));
    const absl::Time start = absl::Now();
    auto call = [&](const Planned& p) {
      Recorded r;
      r.cell = p.cell;
      fx_.allowed_cell = !p.denial;
      r.request = (*p.tmpl)(fx_, p.rid);
      CallResult res = env().Call(p.cell.service, p.cell.method,
                                  TokenFor(f, p.cell.role, p.cell.situation), r.request);
      r.code = res.status.error_code();
      r.message = res.status.error_message();
      r.body = res.body;
      return r;
    };
    // 1. Denials, each compared with the snapshot before it.
    auto before = env().Snapshot();
    for (const auto& p : plan) {
      if (!p.denial) continue;
      Recorded r = call(p);
      auto after = env().Snapshot();
      r.snapshot_checked = true;
      for (const auto& [table, n] : after) {
        if (before[table] != n) absl::StrAppend(&r.writes, table, ": ", before[table], " -> ", n, " ");
      }
      before = std::move(after);
      run.results.push_back(std::move(r));
    }
    // 2. Allowed cells: readers, then writers.
    for (bool writers : {false, true}) {
      for (const auto& p : plan) {
        if (!p.denial && p.writes == writers) run.results.push_back(call(p));
      }
    }
    run.elapsed = absl::Now() - start;
    return run;
  }

  const MatrixRun& Results() {
    if (run_ == nullptr) run_ = new MatrixRun(Run());
    return *run_;
  }

  Fixtures fx_;
};

MatrixRun* AuthzMatrixTest::run_ = nullptr;

TEST_F(AuthzMatrixTest, EveryRpcRoleAndScopeAnswersAsItsPolicySays) {
  const MatrixRun& run = Results();
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(run.setup_problems.empty()) << absl::StrJoin(run.setup_problems, "\n");
  size_t rpcs = 0;
  for (const auto& s : policy_docs::Services()) rpcs += s.policy->methods().size();
  EXPECT_EQ(run.results.size(), rpcs * std::size(kRoles) * std::size(kSituations));
  const auto failures = CheckResults(run.results, RealPolicies(), run.secrets);
  std::cerr << run.results.size() << " cells in " << absl::FormatDuration(run.elapsed) << "\n";
  // For the reader: RPCs whose allowed cells never answered OK (business
  // refusals such as FAILED_PRECONDITION), with the codes they gave.
  std::map<std::string, std::set<std::string>> refused;
  std::set<std::string> answered_ok;
  const PolicyTable policies = RealPolicies();
  for (const auto& r : run.results) {
    if (Expected(policies.at(r.cell.rpc()), r.cell.role, r.cell.situation) != Expect::kAllowed) continue;
    if (r.code == Code::OK) answered_ok.insert(r.cell.rpc());
    else refused[r.cell.rpc()].insert(CodeName(r.code) + " " + r.message.substr(0, 80));
  }
  for (const auto& [rpc, codes] : refused) {
    if (!answered_ok.count(rpc)) std::cerr << "never OK: " << rpc << ": " << absl::StrJoin(codes, "; ") << "\n";
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " failing cells of " << run.results.size()
                                << ":\n" << Table(failures);
}

// `roles` plus `extra` (RoleSet is built from an initializer list only).
RoleSet With(const RoleSet& roles, Role extra) {
  std::vector<Role> r = {extra};
  for (Role role : kRoles) {
    if (roles.Contains(role) && role != extra) r.push_back(role);
  }
  switch (r.size()) {
    case 1: return {r[0]};
    case 2: return {r[0], r[1]};
    case 3: return {r[0], r[1], r[2]};
    case 4: return {r[0], r[1], r[2], r[3]};
    case 5: return {r[0], r[1], r[2], r[3], r[4]};
    case 6: return {r[0], r[1], r[2], r[3], r[4], r[5]};
    default: return RoleSet::All();
  }
}

// (a) A loosened policy table (customer added to CertifyUnit) must be caught
// by the checker from the same recorded answers.
TEST_F(AuthzMatrixTest, SelfTestCheckerCatchesALoosenedPolicy) {
  const MatrixRun& run = Results();
  ASSERT_FALSE(run.results.empty());
  PolicyTable loosened = RealPolicies();
  MethodPolicy& certify = loosened.at("inventory/CertifyUnit");
  ASSERT_FALSE(certify.roles.Contains(Role::kCustomer));
  certify.roles = With(certify.roles, Role::kCustomer);
  ASSERT_TRUE(certify.roles.Contains(Role::kCustomer));
  const auto failures = CheckResults(run.results, loosened, run.secrets);
  bool reported = false;
  for (const auto& line : failures) {
    reported |= absl::StartsWith(line, "inventory/CertifyUnit") &&
                absl::StrContains(line, " customer ") && absl::StrContains(line, "PERMISSION_DENIED");
  }
  EXPECT_TRUE(reported) << Table(failures);
}

// (b) A missing scope check (GetUnit answering the other account's customer
// as it answers the owner) must be caught.
TEST_F(AuthzMatrixTest, SelfTestCheckerCatchesAMissingScopeCheck) {
  const MatrixRun& run = Results();
  ASSERT_FALSE(run.results.empty());
  std::vector<Recorded> tampered = run.results;
  const Recorded* in_scope = nullptr;
  for (const auto& r : run.results) {
    if (r.cell.rpc() == "inventory/GetUnit" && r.cell.role == Role::kCustomer &&
        r.cell.situation == Situation::kOwnAccount) {
      in_scope = &r;
    }
  }
  ASSERT_NE(in_scope, nullptr);
  ASSERT_EQ(in_scope->code, Code::OK) << in_scope->message;
  bool replaced = false;
  for (auto& r : tampered) {
    if (r.cell.rpc() == "inventory/GetUnit" && r.cell.role == Role::kCustomer &&
        r.cell.situation == Situation::kOtherAccount) {
      r.code = in_scope->code;
      r.message = in_scope->message;
      r.body = in_scope->body;
      replaced = true;
    }
  }
  ASSERT_TRUE(replaced);
  const auto failures = CheckResults(tampered, RealPolicies(), run.secrets);
  bool reported = false;
  for (const auto& line : failures) {
    reported |= absl::StartsWith(line, "inventory/GetUnit") && absl::StrContains(line, "customer") &&
                absl::StrContains(line, "other account");
  }
  EXPECT_TRUE(reported) << Table(failures);
}

}  // namespace
}  // namespace aftercare::e2e
