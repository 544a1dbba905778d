// Fuzz target: case-svc's rules (cases.h) driven with arbitrary requests the
// way case_grpc.cc hands them over (new cases and trade-in lines converted by
// case_proto.h, enum numbers checked by FromEnum, any strings), on the
// in-memory repository of the unit tests, behind the service's policy table.
// The bytes choose callers (any role, any accounts) and a sequence of
// operations on admin cases, trade-in cases and attachments, with the clock
// moving and the background work (product lookups, reinstatements, defaults)
// in between. The target aborts when
//  - an answer is not OK or a client error (INVALID_ARGUMENT, NOT_FOUND,
//    FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED);
//  - a customer or partner gets a case, trade-in case, timeline entry or
//    attachment of an account outside its token, or lists with a filter
//    that is not scoped to its accounts;
//  - a customer or partner changes anything of another account, or writes
//    an internal timeline entry;
//  - a rejected request changed the repository;
//  - a customer or partner is shown an internal timeline entry;
//  - an internal note counts as the first response;
//  - a case moves along an edge its lifecycle does not have
//    (NEW -> IN_PROGRESS <-> AWAITING_CUSTOMER -> RESOLVED -> CLOSED, a
//    RESOLVED case reopened), or a trade-in case leaves COMPLETED/DEFAULTED;
//  - a received or destroyed serial is not a registered serial of its line
//    (or is recorded twice), a COMPLETED trade-in case is not covered, or a
//    stored document's content is not of a type its kind accepts.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "case-svc/case_policy.h"
#include "case-svc/case_proto.h"
#include "case-svc/cases.h"
#include "case-svc/fake_case_repository.h"
#include "case-svc/file_types.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/page_token.h"
#include "common/proto_convert.h"
#include "common/status.h"

namespace {
using namespace aftercare;
using namespace aftercare::cases;

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

void Setup(const absl::Status& s) {
  if (!s.ok()) Fail("fixture: " + s.ToString());
}

// The fake repository, remembering the filter of the last list. Trade-in
// lists are also filtered by account and scope, as MysqlCaseRepository does
// (the fake filters them by status only).
class Repository : public FakeCaseRepository {
 public:
  std::optional<CaseFilter> case_filter;
  std::optional<TradeInFilter> trade_in_filter;

  absl::StatusOr<std::vector<Case>> ListCases(const CaseFilter& f,
                                              const std::optional<PageCursor>& after,
                                              int limit) override {
    case_filter = f;
    return FakeCaseRepository::ListCases(f, after, limit);
  }
  absl::StatusOr<std::vector<TradeIn>> ListTradeIns(const TradeInFilter& f,
                                                    const std::optional<PageCursor>& after,
                                                    int limit) override {
    trade_in_filter = f;
    ASSIGN_OR_RETURN(std::vector<TradeIn> all,
                     FakeCaseRepository::ListTradeIns(f, after, std::numeric_limits<int>::max()));
    std::vector<TradeIn> out;
    for (TradeIn& t : all) {
      if (!f.account_id.empty() && t.account_id != f.account_id) continue;
      if (f.scoped &&
          std::find(f.accounts.begin(), f.accounts.end(), t.account_id) == f.accounts.end()) {
        continue;
      }
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(std::move(t));
    }
    return out;
  }

  // The account of an admin or trade-in case ("" when there is none).
  std::string AccountOf(const std::string& id) const {
    if (auto c = cases.find(id); c != cases.end()) return c->second.account_id;
    if (auto t = trade_ins.find(id); t != trade_ins.end()) return t->second.account_id;
    return "";
  }
};

// What the invariants compare before and after an operation.
struct Row {
  int64_t version;
  int status;
  bool first_response;
  bool operator==(const Row& o) const {
    return version == o.version && status == o.status && first_response == o.first_response;
  }
};
struct Snapshot {
  std::map<std::string, Row> cases, trade_ins;
  size_t events, outbox, attachments;
  bool operator==(const Snapshot& o) const {
    return cases == o.cases && trade_ins == o.trade_ins && events == o.events &&
           outbox == o.outbox && attachments == o.attachments;
  }
};

Snapshot Take(const Repository& repo) {
  Snapshot s{{}, {}, repo.events.size(), repo.outbox.size(), repo.attachments.size()};
  for (const auto& [id, c] : repo.cases) {
    s.cases[id] = {c.version, static_cast<int>(c.status), c.first_response_time.has_value()};
  }
  for (const auto& [id, t] : repo.trade_ins) {
    s.trade_ins[id] = {t.version, static_cast<int>(t.status), false};
  }
  return s;
}

bool CaseEdge(CaseStatus from, CaseStatus to) {
  using S = CaseStatus;
  if (from == to) return true;
  switch (from) {
    case S::kNew:
      return to == S::kInProgress;
    case S::kInProgress:
      return to == S::kAwaitingCustomer || to == S::kResolved;
    case S::kAwaitingCustomer:
      return to == S::kInProgress || to == S::kResolved;
    case S::kResolved:
      return to == S::kClosed || to == S::kNew || to == S::kInProgress;
    default:
      return false;
  }
}

// Rules that hold after every operation, whoever made it.
void CheckStored(const Repository& repo, const Snapshot& before) {
  for (const auto& [id, c] : repo.cases) {
    auto was = before.cases.find(id);
    if (was != before.cases.end() &&
        !CaseEdge(static_cast<CaseStatus>(was->second.status), c.status)) {
      Fail(absl::StrCat("case ", id, " moved ", was->second.status, " -> ",
                        static_cast<int>(c.status)));
    }
  }
  for (const auto& [id, t] : repo.trade_ins) {
    auto was = before.trade_ins.find(id);
    if (was != before.trade_ins.end() &&
        was->second.status != static_cast<int>(TradeInStatus::kOpen) &&
        was->second.status != static_cast<int>(t.status)) {
      Fail("trade-in case " + id + " left a final state");
    }
    bool covered = true;
    for (const TradeInLine& l : t.lines) {
      for (const auto* done : {&l.received_serials, &l.destroyed_serials}) {
        for (size_t i = 0; i < done->size(); ++i) {
          const std::string& s = (*done)[i];
          if (std::find(l.serials.begin(), l.serials.end(), s) == l.serials.end()) {
            Fail("trade-in case " + id + ": " + s + " is not registered on its line");
          }
          if (std::find(done->begin(), done->begin() + i, s) != done->begin() + i) {
            Fail("trade-in case " + id + ": " + s + " recorded twice");
          }
        }
      }
      const size_t done = t.disposition == Disposition::kReturn ? l.received_serials.size()
                                                                : l.destroyed_serials.size();
      if (static_cast<int64_t>(done) < l.quantity) covered = false;
    }
    if (t.disposition == Disposition::kReturn && t.form_version == 0) covered = false;
    if (t.status == TradeInStatus::kCompleted && !covered) {
      Fail("trade-in case " + id + " is COMPLETED but not covered");
    }
  }
  for (auto it = repo.attachments.upper_bound(static_cast<int64_t>(before.attachments));
       it != repo.attachments.end(); ++it) {
    const FileType type = DetectFileType(it->second.second);
    const bool ok = it->second.first.kind == AttachmentKind::kTradeInForm
                        ? type == FileType::kPdf || type == FileType::kXlsx ||
                              type == FileType::kXls || type == FileType::kOds
                        : type == FileType::kPdf || type == FileType::kJpeg;
    if (!ok) Fail("attachment stored with content of a type its kind refuses");
  }
}

// What a customer or partner may reach: only its accounts; nothing internal.
void CheckScopedCall(const Principal& caller, const Repository& repo, const Snapshot& before) {
  const auto mine = [&](const std::string& id) {
    return caller.CanAccessAccount(repo.AccountOf(id));
  };
  for (const auto& [id, c] : repo.cases) {
    auto was = before.cases.find(id);
    const bool changed = was == before.cases.end() || was->second.version != c.version;
    if (changed && !caller.CanAccessAccount(c.account_id)) Fail("changed another account's case");
  }
  for (const auto& [id, t] : repo.trade_ins) {
    auto was = before.trade_ins.find(id);
    const bool changed = was == before.trade_ins.end() || was->second.version != t.version;
    if (changed && !caller.CanAccessAccount(t.account_id)) {
      Fail("changed another account's trade-in case");
    }
  }
  for (size_t i = before.events; i < repo.events.size(); ++i) {
    if (!mine(repo.events[i].case_id)) Fail("wrote on another account's timeline");
    if (repo.events[i].internal) Fail("a scoped caller wrote an internal entry");
  }
  for (size_t i = before.outbox; i < repo.outbox.size(); ++i) {
    if (!mine(repo.outbox[i].case_id)) Fail("sent an effect for another account's case");
  }
  for (auto it = repo.attachments.upper_bound(static_cast<int64_t>(before.attachments));
       it != repo.attachments.end(); ++it) {
    if (!mine(it->second.first.case_id)) Fail("attached a file to another account's case");
  }
}

void Sees(const Principal& caller, const std::string& account, const char* what) {
  if (IsScoped(caller) && !caller.CanAccessAccount(account)) {
    Fail(absl::StrCat("a scoped caller got another account's ", what));
  }
}

template <typename Filter>
void ScopedFilter(const Principal& caller, const std::optional<Filter>& f) {
  if (!IsScoped(caller) || !f) return;  // no filter: the domain answered without listing
  if (!f->scoped) Fail("a scoped caller listed without scope");
  for (const std::string& a : f->accounts) {
    if (!caller.CanAccessAccount(a)) Fail("a scoped caller listed another account");
  }
}

std::string Text(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

template <size_t N>
std::string Pick(FuzzedDataProvider& in, const char* const (&pool)[N]) {
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, N);
  return i < N ? pool[i] : Text(in);
}

const char* const kAccounts[] = {"ACME-001", "GLOBEX-7", ""};
const char* const kSerials[] = {"JN11AAA0001",  "JN11TRADE101", "JN11TRADE102",
                                "jn11trade103", "JN11TRADE104", "JN11-"};
const char* const kSkus[] = {"MX480", "mx10008", "EX4300-48T", "QFX5120-48Y"};

// An enum number as a request carries it: mostly valid, sometimes not.
int EnumNumber(FuzzedDataProvider& in, int max) {
  return in.ConsumeIntegralInRange<int>(-1, max + 1);
}

void SetSeconds(FuzzedDataProvider& in, absl::Time now, google::protobuf::Timestamp* out) {
  if (in.ConsumeBool()) {
    out->set_seconds(in.ConsumeIntegral<int64_t>());
  } else {
    SetTime(now - absl::Hours(in.ConsumeIntegralInRange<int>(-72, 24 * 400)), out);
  }
}

void AddLines(FuzzedDataProvider& in, google::protobuf::RepeatedPtrField<pb::TradeInLine>* lines) {
  const int n = in.ConsumeIntegralInRange<int>(0, 3);
  for (int i = 0; i < n; ++i) {
    pb::TradeInLine* l = lines->Add();
    l->set_sku(Pick(in, kSkus));
    l->set_quantity(in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(-1, 4)
                                     : in.ConsumeIntegral<int32_t>());
    const int serials = in.ConsumeIntegralInRange<int>(0, 3);
    for (int j = 0; j < serials; ++j) l->add_serial_numbers(Pick(in, kSerials));
    if (in.ConsumeBool()) l->add_received_serial_numbers(Pick(in, kSerials));  // ignored on input
  }
}

std::string Content(FuzzedDataProvider& in) {
  using namespace std::string_literals;  // the contents hold NUL bytes
  static const std::string kContents[] = {
      "%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF"s,
      "\xFF\xD8\xFF\xE0\x00\x10JFIF"s,
      "\x89PNG\r\n\x1A\n\x00\x00"s,
      "PK\x03\x04\x14\x00[Content_Types].xml xl/workbook.xml"s,
      "PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet"s,
      "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"s,
      ""s,
  };
  const size_t i = in.ConsumeIntegralInRange<size_t>(0, std::size(kContents));
  return i < std::size(kContents) ? kContents[i] : Text(in);
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
      Who(Role::kCustomer, "alice", {"ACME-001"}),
      Who(Role::kCustomer, "bob", {"GLOBEX-7"}),
      Who(Role::kPartner, "reseller", {"ACME-001", "GLOBEX-7"}),
      Who(Role::kCareAgent, "agent-1", {}),
      Who(Role::kLogistics, "depot-1", {}),
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
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 16, 9, 0, 0), absl::UTCTimeZone()));
  CaseOptions options;
  options.tmip_return_address.region_code = "US";
  options.tmip_return_address.locality = "Sunnyvale";
  options.tmip_return_address.address_lines = {"1133 Innovation Way"};
  Cases cases(clock, options, codec);
  Repository repo;
  std::vector<std::string> ids;  // every case number, admin and trade-in (one sequence)
  int64_t seq = 0;
  const auto next_id = [&] {
    ids.push_back(FormatCaseId(absl::ToCivilDay(clock.Now(), absl::UTCTimeZone()), ++seq));
    return ids.back();
  };

  // Fixture: a case of each account (one with an internal note), a return
  // trade-in case of ACME-001 and a destroy trade-in case of GLOBEX-7.
  const Principal alice = Who(Role::kCustomer, "alice", {"ACME-001"});
  const Principal bob = Who(Role::kCustomer, "bob", {"GLOBEX-7"});
  const Principal agent = Who(Role::kCareAgent, "agent-1", {});
  {
    Case d;
    d.request_type = RequestType::kLicenseKeyManagement;
    d.priority = Priority::kP2;
    d.follow_up = FollowUp::kEmail;
    d.summary = "License key not accepted";
    d.serial = "JN11AAA0001";
    absl::StatusOr<Case> p = cases.PrepareCase(alice, d);
    Setup(p.status());
    Setup(
        cases.CreateCase(alice, *p, next_id(), {LookupState::kFilled, "EX Series", "EX4300"}, repo)
            .status());
    Setup(cases.TakeOwnership(agent, ids.back(), "", "", repo).status());
    Setup(cases.AddNote(agent, ids.back(), "customer on an old release", true, repo).status());
    d.request_type = RequestType::kGreyMarketReinstatement;
    d.serial = "JN11GREY0001";
    p = cases.PrepareCase(bob, d);
    Setup(p.status());
    Setup(cases.CreateCase(bob, *p, next_id(), {}, repo).status());
    for (const auto& [who, disposition] :
         {std::pair{&alice, Disposition::kReturn}, std::pair{&bob, Disposition::kDestroy}}) {
      TradeIn t;
      t.order_number = "SO-8001";
      t.order_time = clock.Now() - absl::Hours(48);
      t.phase = TmipPhase::kPhase1;
      t.disposition = disposition;
      t.lines.push_back({0, "MX480", 2, {who == &alice ? "JN11TRADE101" : "JN11TRADE104"}, {}, {}});
      absl::StatusOr<TradeIn> prepared = cases.PrepareTradeIn(*who, t);
      Setup(prepared.status());
      Setup(cases.CreateTradeIn(*who, *prepared, next_id(), repo).status());
    }
  }

  std::string last_token;  // a next_page_token some list returned
  const auto pick_id = [&]() -> std::string {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        return Text(in);
      case 1:
        return absl::StrReplaceAll(ids[in.ConsumeIntegralInRange<size_t>(0, ids.size() - 1)],
                                   {{"-", ""}});  // the phone form
      default:
        return ids[in.ConsumeIntegralInRange<size_t>(0, ids.size() - 1)];
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

  static const char* const kMethods[] = {"CreateCase",
                                         "GetCase",
                                         "ListCases",
                                         "TakeCaseOwnership",
                                         "UpdateCaseStatus",
                                         "AddCaseNote",
                                         "EscalateCase",
                                         "ResolveCase",
                                         "CloseCase",
                                         "ReopenCase",
                                         "ApproveReinstatement",
                                         "ListCaseEvents",
                                         "CreateTradeInCase",
                                         "GetTradeInCase",
                                         "ListTradeInCases",
                                         "UpdateTradeInLines",
                                         "RequestDeadlineExtension",
                                         "ReviewDeadlineExtension",
                                         "IssueShippingInstructions",
                                         "RecordReceivedUnits",
                                         "UploadAttachment",
                                         "ListAttachments",
                                         "DownloadAttachment",
                                         nullptr /* background work */};
  constexpr int kOps = static_cast<int>(std::size(kMethods));

  while (in.remaining_bytes() > 0) {
    const Principal caller = Caller(in);
    const int op = in.ConsumeIntegralInRange<int>(0, kOps - 1);
    if (kMethods[op] != nullptr && !CasePolicy().Allows(kMethods[op], caller.role)) continue;
    const Snapshot before = Take(repo);
    repo.case_filter.reset();
    repo.trade_in_filter.reset();
    absl::Status status;
    switch (op) {
      case 0: {  // CreateCase
        pb::Case c;
        c.set_request_type(static_cast<pb::RequestType>(EnumNumber(in, 10)));
        c.set_priority(static_cast<pb::Priority>(EnumNumber(in, 4)));
        c.set_follow_up_method(static_cast<pb::FollowUpMethod>(EnumNumber(in, 3)));
        if (in.ConsumeBool())
          c.set_callback_phone(in.ConsumeBool() ? "+1 (415) 555-0100" : Text(in));
        c.set_summary(in.ConsumeBool() ? "help" : Text(in));
        c.set_description(Text(in));
        if (in.ConsumeBool()) c.set_serial_number(Pick(in, kSerials));
        if (in.ConsumeBool()) c.set_ssrn(in.ConsumeBool() ? "SSRN12345" : Text(in));
        c.set_account_id(Pick(in, kAccounts));
        c.set_sub_type(Text(in));
        if (in.ConsumeBool()) {
          pb::MisShipment* m = c.mutable_mis_shipment();
          m->set_order_number(in.ConsumeBool() ? "SO-1" : Text(in));
          if (in.ConsumeBool()) SetSeconds(in, clock.Now(), m->mutable_ship_time());
          m->set_ordered_directly(in.ConsumeBool());
          m->set_category(static_cast<pb::MisShipmentCategory>(EnumNumber(in, 4)));
          const int n = in.ConsumeIntegralInRange<int>(0, 2);
          for (int i = 0; i < n; ++i) {
            pb::MisShipmentLine* l = m->add_lines();
            l->set_sku(Pick(in, kSkus));
            l->set_quantity(in.ConsumeIntegralInRange<int32_t>(-1, 3));
            l->set_note(Text(in));
          }
          if (in.ConsumeBool()) m->set_corrected_tracking_number(Text(in));
        }
        absl::StatusOr<Case> draft = CaseFromProto(c);
        absl::StatusOr<Case> prepared =
            draft.ok() ? cases.PrepareCase(caller, *std::move(draft)) : draft.status();
        if (!prepared.ok()) {
          status = prepared.status();
          break;
        }
        ProductLookup lookup;  // what inventory-svc answered (or pending)
        lookup.state = static_cast<LookupState>(in.ConsumeIntegralInRange<int>(1, 4));
        lookup.series = Text(in);
        absl::StatusOr<Case> created = cases.CreateCase(caller, *prepared, next_id(), lookup, repo);
        status = created.status();
        if (created.ok()) Sees(caller, created->account_id, "new case");
        break;
      }
      case 1: {  // GetCase
        absl::StatusOr<Case> c = cases.GetCase(caller, pick_id(), repo);
        status = c.status();
        if (c.ok()) Sees(caller, c->account_id, "case");
        break;
      }
      case 2: {  // ListCases
        CaseFilter f;
        absl::StatusOr<CaseStatus> s =
            FromEnum<CaseStatus>(EnumNumber(in, 5), pb::CaseStatus_IsValid, "status");
        absl::StatusOr<Priority> p =
            FromEnum<Priority>(EnumNumber(in, 4), pb::Priority_IsValid, "priority");
        if (!s.ok() || !p.ok()) {
          status = s.ok() ? p.status() : s.status();
          break;
        }
        f.status = *s;
        f.priority = *p;
        f.account_id = Pick(in, kAccounts);
        f.owner = in.ConsumeBool() ? "" : Text(in);
        f.breaching_only = in.ConsumeBool();
        const int32_t size = page_size();
        absl::StatusOr<Page<Case>> page = cases.ListCases(caller, f, size, pick_token(), repo);
        status = page.status();
        if (!page.ok()) break;
        ScopedFilter(caller, repo.case_filter);
        for (const Case& c : page->items) Sees(caller, c.account_id, "case in a list");
        if (!page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 3: {  // TakeCaseOwnership
        const std::string id = pick_id(), etag = pick_etag();
        const std::string owner = in.ConsumeBool() ? "" : Text(in);
        status = cases.TakeOwnership(caller, id, owner, etag, repo).status();
        break;
      }
      case 4: {  // UpdateCaseStatus
        absl::StatusOr<CaseStatus> s =
            FromEnum<CaseStatus>(EnumNumber(in, 5), pb::CaseStatus_IsValid, "status");
        const std::string id = pick_id(), etag = pick_etag();
        status = s.ok() ? cases.UpdateStatus(caller, id, *s, etag, repo).status() : s.status();
        break;
      }
      case 5: {  // AddCaseNote
        const std::string body = in.ConsumeBool() ? "a note" : Text(in);
        const bool internal = in.ConsumeBool();
        absl::StatusOr<Case> c = cases.AddNote(caller, pick_id(), body, internal, repo);
        status = c.status();
        if (c.ok() && internal) {
          auto was = before.cases.find(c->id);
          if (was != before.cases.end() &&
              was->second.first_response != c->first_response_time.has_value()) {
            Fail("an internal note counted as the first response");
          }
        }
        break;
      }
      case 6: {  // EscalateCase
        absl::StatusOr<EscalationKind> k =
            FromEnum<EscalationKind>(EnumNumber(in, 2), pb::EscalationKind_IsValid, "kind");
        const std::string reason = in.ConsumeBool() ? "too slow" : Text(in);
        status = k.ok() ? cases.Escalate(caller, pick_id(), *k, reason, repo).status() : k.status();
        break;
      }
      case 7: {  // ResolveCase
        const std::string resolution = in.ConsumeBool() ? "fixed" : Text(in);
        const std::string tracking = in.ConsumeBool() ? "" : Text(in);
        const std::string id = pick_id(), etag = pick_etag();
        status = cases.Resolve(caller, id, resolution, tracking, etag, repo).status();
        break;
      }
      case 8:  // CloseCase
        status = cases.Close(caller, pick_id(), repo).status();
        break;
      case 9: {  // ReopenCase
        const std::string reason = in.ConsumeBool() ? "still broken" : Text(in);
        status = cases.Reopen(caller, pick_id(), reason, repo).status();
        break;
      }
      case 10: {  // ApproveReinstatement
        const std::string reference = Text(in);
        status = cases.ApproveReinstatement(caller, pick_id(), reference, repo).status();
        break;
      }
      case 11: {  // ListCaseEvents
        const std::string id = pick_id();
        const int32_t size = page_size();
        absl::StatusOr<Page<CaseEvent>> page =
            cases.ListEvents(caller, id, size, pick_token(), repo);
        status = page.status();
        if (!page.ok()) break;
        for (const CaseEvent& e : page->items) {
          Sees(caller, repo.AccountOf(e.case_id), "timeline entry");
          if (e.internal && IsScoped(caller)) Fail("an internal entry reached a scoped caller");
        }
        if (!page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 12: {  // CreateTradeInCase
        pb::TradeInCase t;
        t.set_account_id(Pick(in, kAccounts));
        t.set_order_number(in.ConsumeBool() ? "SO-9" : Text(in));
        if (in.ConsumeBool()) SetSeconds(in, clock.Now(), t.mutable_order_time());
        t.set_phase(static_cast<pb::TmipPhase>(EnumNumber(in, 2)));
        const int skus = in.ConsumeIntegralInRange<int>(0, 2);
        for (int i = 0; i < skus; ++i) t.add_new_order_skus(Pick(in, kSkus));
        AddLines(in, t.mutable_lines());
        t.set_disposition(static_cast<pb::Disposition>(EnumNumber(in, 2)));
        if (in.ConsumeBool()) {
          t.mutable_credit()->set_currency_code(in.ConsumeBool() ? "USD" : Text(in));
          t.mutable_credit()->set_amount_minor(in.ConsumeIntegral<int64_t>());
        }
        absl::StatusOr<TradeIn> draft = TradeInFromProto(t, false);
        absl::StatusOr<TradeIn> prepared =
            draft.ok() ? cases.PrepareTradeIn(caller, *std::move(draft)) : draft.status();
        if (!prepared.ok()) {
          status = prepared.status();
          break;
        }
        std::map<std::string, CatalogEntry> catalog;  // what inventory-svc's catalog said
        for (const std::string& sku : cases.SkusToLookUp(*prepared)) {
          catalog[sku] = {in.ConsumeBool(), in.ConsumeBool(), Pick(in, kSkus)};
        }
        status = cases.CheckEligibility(*prepared, catalog);
        if (!status.ok()) break;
        absl::StatusOr<TradeIn> created = cases.CreateTradeIn(caller, *prepared, next_id(), repo);
        status = created.status();
        if (created.ok()) Sees(caller, created->account_id, "new trade-in case");
        break;
      }
      case 13: {  // GetTradeInCase
        absl::StatusOr<TradeIn> t = cases.GetTradeIn(caller, pick_id(), repo);
        status = t.status();
        if (t.ok()) Sees(caller, t->account_id, "trade-in case");
        break;
      }
      case 14: {  // ListTradeInCases
        TradeInFilter f;
        absl::StatusOr<TradeInStatus> s =
            FromEnum<TradeInStatus>(EnumNumber(in, 3), pb::TradeInStatus_IsValid, "status");
        if (!s.ok()) {
          status = s.status();
          break;
        }
        f.status = *s;
        f.account_id = Pick(in, kAccounts);
        const int32_t size = page_size();
        absl::StatusOr<Page<TradeIn>> page =
            cases.ListTradeIns(caller, f, size, pick_token(), repo);
        status = page.status();
        if (!page.ok()) break;
        ScopedFilter(caller, repo.trade_in_filter);
        for (const TradeIn& t : page->items) Sees(caller, t.account_id, "trade-in case in a list");
        if (!page->next_page_token.empty()) last_token = page->next_page_token;
        break;
      }
      case 15: {  // UpdateTradeInLines
        pb::UpdateTradeInLinesRequest req;
        AddLines(in, req.mutable_lines());
        absl::StatusOr<std::vector<TradeInLine>> lines = LinesFromProto(req.lines(), "lines");
        const std::string id = pick_id(), etag = pick_etag();
        status = lines.ok() ? cases.UpdateLines(caller, id, *lines, etag, repo).status()
                            : lines.status();
        break;
      }
      case 16: {  // RequestDeadlineExtension
        google::protobuf::Timestamp due;
        SetSeconds(in, clock.Now() + absl::Hours(24 * 200), &due);
        absl::StatusOr<absl::Time> t = FromTimestamp(due, "requested_due_time");
        const std::string reason = in.ConsumeBool() ? "removal delayed" : Text(in);
        status = t.ok() ? cases.RequestExtension(caller, pick_id(), *t, reason, repo).status()
                        : t.status();
        break;
      }
      case 17: {  // ReviewDeadlineExtension
        const bool approve = in.ConsumeBool();
        const std::string id = pick_id(), note = Text(in);
        status = cases.ReviewExtension(caller, id, approve, note, repo).status();
        break;
      }
      case 18: {  // IssueShippingInstructions
        const std::string label = in.ConsumeBool() ? "UPS-1Z-DEMO" : Text(in);
        status = cases.IssueShippingInstructions(caller, pick_id(), label, repo).status();
        break;
      }
      case 19: {  // RecordReceivedUnits
        std::vector<ReceivedUnit> units;
        const int n = in.ConsumeIntegralInRange<int>(0, 3);
        for (int i = 0; i < n; ++i) {
          units.push_back({Pick(in, kSerials), in.ConsumeBool() ? "" : Pick(in, kSkus)});
        }
        status = cases.RecordReceived(caller, pick_id(), units, repo).status();
        break;
      }
      case 20: {  // UploadAttachment: the header first, then the bytes
        const std::string id = pick_id();
        absl::StatusOr<AttachmentKind> kind =
            FromEnum<AttachmentKind>(EnumNumber(in, 2), pb::AttachmentKind_IsValid, "kind");
        if (!kind.ok()) {
          status = kind.status();
          break;
        }
        static const char* const kNames[] = {"form.xlsx", "cod.pdf", "cod.jpg", "a/b.pdf", "form"};
        const std::string name = Pick(in, kNames);
        std::optional<CodDetails> cod;
        if (in.ConsumeBool()) {
          cod.emplace();
          const int n = in.ConsumeIntegralInRange<int>(0, 2);
          for (int i = 0; i < n; ++i) cod->serials.push_back(Pick(in, kSerials));
          cod->signer_name = in.ConsumeBool() ? "Jane Roe" : Text(in);
          cod->signer_title = in.ConsumeBool() ? "VP Operations" : Text(in);
          static const char* const kDates[] = {"2026-11-10", "2031-01-01", "2026-02-30"};
          cod->sign_date = Pick(in, kDates);
        }
        const std::string content = Content(in);
        status = cases.CheckUploadHeader(caller, id, *kind, name, cod);
        if (!status.ok()) break;
        absl::StatusOr<Attachment> a = cases.Upload(caller, id, *kind, name, cod, content, repo);
        status = a.status();
        if (a.ok()) Sees(caller, repo.AccountOf(a->case_id), "attachment");
        break;
      }
      case 21: {  // ListAttachments
        absl::StatusOr<std::vector<Attachment>> list =
            cases.ListAttachments(caller, pick_id(), repo);
        status = list.status();
        if (list.ok()) {
          for (const Attachment& a : *list) Sees(caller, repo.AccountOf(a.case_id), "attachment");
        }
        break;
      }
      case 22: {  // DownloadAttachment
        const int64_t stored = static_cast<int64_t>(repo.attachments.size());
        const std::string name =
            in.ConsumeBool() ? AttachmentName(in.ConsumeIntegralInRange<int64_t>(0, stored + 1))
                             : Text(in);
        absl::StatusOr<Attachment> a = cases.GetAttachment(caller, name, repo);
        status = a.status();
        if (a.ok()) Sees(caller, repo.AccountOf(a->case_id), "attachment");
        break;
      }
      default: {  // the clock moves; the background work of case_spec.cc runs
        clock.Advance(absl::Hours(in.ConsumeIntegralInRange<int>(0, 24 * 120)));
        for (const std::string& id : ids) {
          auto c = repo.cases.find(id);
          if (c != repo.cases.end() && c->second.lookup == LookupState::kPending) {
            const ProductLookup found{
                in.ConsumeBool() ? LookupState::kFilled : LookupState::kNotFound, "EX Series",
                "EX4300"};
            Check(cases.ApplyProductLookup(id, found, repo));
          }
          c = repo.cases.find(id);
          if (c != repo.cases.end() && c->second.reinstatement == Reinstatement::kApproved) {
            const bool reinstated = in.ConsumeBool();
            Check(cases.RecordReinstatement(id, reinstated, Text(in), repo));
          }
        }
        absl::StatusOr<std::vector<std::string>> overdue = repo.OverdueTradeIns(clock.Now(), 100);
        Setup(overdue.status());
        for (const std::string& id : *overdue) Check(cases.DefaultIfOverdue(id, repo).status());
        if (in.ConsumeBool()) {
          const std::string id = ids[in.ConsumeIntegralInRange<size_t>(0, ids.size() - 1)];
          Check(cases.RecordServiceEvent(id, "intake", Text(in), repo));
        }
        CheckStored(repo, before);
        continue;
      }
    }
    Check(status);
    if (!status.ok() && !(Take(repo) == before)) {
      Fail(std::string(kMethods[op]) + " was refused (" + status.ToString() +
           ") but changed the repository");
    }
    if (IsScoped(caller)) CheckScopedCall(caller, repo, before);
    CheckStored(repo, before);
  }
  return 0;
}
