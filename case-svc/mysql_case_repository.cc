#include "case-svc/mysql_case_repository.h"

#include <google/protobuf/wrappers.pb.h>
#include <openssl/sha.h>

#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "case-svc/case_proto.h"
#include "common/db/columns.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/idempotency.h"
#include "common/row_key_sql.h"
#include "common/notifications.h"
#include "common/ids.h"
#include "common/outbox.h"
#include "common/status.h"

namespace aftercare::cases {
namespace {

using db::FromMicros;
using db::GetOptTime;
using db::GetStr;
using db::ToMicros;
namespace inv = ::aftercare::inventory::v1;

using db::Binder;
using db::GetBlob;

absl::Status DuplicateOr(const sql::SQLException& e, const std::string& what) {
  if (e.getErrorCode() == db::kErrDuplicateKey) return absl::AlreadyExistsError(what + " already exists");
  throw e;
}

// --- cases ---------------------------------------------------------------------

// notification_emails is stored as the addresses joined by ',' (an address
// has no comma: notify::IsValidEmailAddress); "" for none.
std::string JoinEmails(const std::vector<std::string>& emails) {
  return absl::StrJoin(emails, ",");
}
std::vector<std::string> SplitEmails(const std::string& joined) {
  if (joined.empty()) return {};
  return absl::StrSplit(joined, ',');
}

// The SQL of IsBreaching (case_types.h) over the column BreachAt fills: the
// one parameter is `now`. CaseIntegrationTest.BreachingIsOneRuleInSqlAndInTheDomain
// checks the two at the boundary (due == now).
constexpr char kBreaching[] = "(breach_at_us IS NOT NULL AND breach_at_us < ?)";

std::optional<std::string> MisBytes(const Case& c) {
  if (!c.mis_shipment) return std::nullopt;
  pb::MisShipment m;
  ToProto(*c.mis_shipment, &m);
  return m.SerializeAsString();
}

// The columns of a case, its key id first: name, bind and read of each on
// one line (common/db/columns.h). Enums are stored by their number
// (proto_enums.cc ties the numbers to the API's).
const db::Columns<Case>& CaseColumns() {
  using db::BoolColumn;
  using db::IntColumn;
  using db::OptTimeColumn;
  using db::StrColumn;
  using db::TimeColumn;
  static const auto* const kColumns = new db::Columns<Case>(StrColumn<&Case::id>("id"), {
      IntColumn<&Case::request_type>("request_type"),
      StrColumn<&Case::sub_type>("sub_type"),
      IntColumn<&Case::priority>("priority"),
      IntColumn<&Case::status>("status"),
      IntColumn<&Case::follow_up>("follow_up"),
      StrColumn<&Case::callback_phone>("callback_phone"),
      StrColumn<&Case::summary>("summary"),
      StrColumn<&Case::description>("description"),
      StrColumn<&Case::serial>("serial"),
      StrColumn<&Case::ssrn>("ssrn"),
      StrColumn<&Case::product_series>("product_series"),
      StrColumn<&Case::product_platform>("product_platform"),
      IntColumn<&Case::lookup>("lookup_state"),
      StrColumn<&Case::account_id>("account_id"),
      StrColumn<&Case::opened_by>("opened_by"),
      StrColumn<&Case::opened_by_role>("opened_by_role"),
      StrColumn<&Case::owner>("owner"),
      IntColumn<&Case::escalation_level>("escalation_level"),
      BoolColumn<&Case::team_lead_attention>("team_lead_attention"),
      TimeColumn<&Case::create_time>("created_at_us"),
      TimeColumn<&Case::update_time>("updated_at_us"),
      {"sla_due_us", [](Binder& b, const Case& c) { b.OptTime(c.sla.due); },
       [](sql::ResultSet& rs, int i, Case& c) { c.sla.due = GetOptTime(rs, i); }},
      {"sla_paused_at_us", [](Binder& b, const Case& c) { b.OptTime(c.sla.paused_at); },
       [](sql::ResultSet& rs, int i, Case& c) { c.sla.paused_at = GetOptTime(rs, i); }},
      {"sla_remaining_us",
       [](Binder& b, const Case& c) { b.Int(absl::ToInt64Microseconds(c.sla.remaining)); },
       [](sql::ResultSet& rs, int i, Case& c) { c.sla.remaining = absl::Microseconds(rs.getInt64(i)); }},
      OptTimeColumn<&Case::first_response_time>("first_response_us"),
      {"breach_at_us",  // derived from the case, written for the breach index, never read
       [](Binder& b, const Case& c) { b.OptTime(BreachAt(c)); },
       [](sql::ResultSet&, int, Case&) {}},
      {"mis_shipment",  // a serialized MisShipment, NULL when none
       [](Binder& b, const Case& c) { b.OptBytes(MisBytes(c)); },
       [](sql::ResultSet& rs, int i, Case& c) {
         c.mis_shipment.reset();
         if (rs.isNull(i)) return;
         pb::MisShipment m;
         m.ParseFromString(GetBlob(rs, i));
         absl::StatusOr<MisShipment> parsed = FromProto(m, "mis_shipment");
         if (parsed.ok()) c.mis_shipment = *std::move(parsed);
       }},
      IntColumn<&Case::reinstatement>("reinstatement"),
      StrColumn<&Case::resolution>("resolution"),
      OptTimeColumn<&Case::resolve_time>("resolved_at_us"),
      OptTimeColumn<&Case::close_time>("closed_at_us"),
      {"notification_emails",
       [](Binder& b, const Case& c) { b.Str(JoinEmails(c.notification_emails)); },
       [](sql::ResultSet& rs, int i, Case& c) { c.notification_emails = SplitEmails(GetStr(rs, i)); }},
      IntColumn<&Case::version>("version"),
  });
  return *kColumns;
}

// " AND account_id IN (?, ...)" for scoped callers (" AND 1 = 0" when they
// have no account): a scoped caller sees its accounts' cases, nothing else.
std::string ScopeClause(bool scoped, const std::vector<std::string>& accounts) {
  if (!scoped) return "";
  if (accounts.empty()) return " AND 1 = 0";
  std::string sql = " AND account_id IN (";
  for (size_t i = 0; i < accounts.size(); ++i) absl::StrAppend(&sql, i ? ", ?" : "?");
  absl::StrAppend(&sql, ")");
  return sql;
}

absl::StatusOr<std::pair<int64_t, std::string>> CursorKeys(const PageCursor& c) {
  int64_t us = 0;
  if (c.keys.size() != 2 || !absl::SimpleAtoi(c.keys[0], &us)) {
    return absl::InvalidArgumentError("page_token is malformed");
  }
  return std::make_pair(us, c.keys[1]);
}

}  // namespace

absl::Status MysqlCaseRepository::InsertCase(const Case& c, const CaseCreateKey* create) {
  const RowKey* key = create != nullptr ? create->key : nullptr;
  if (key == nullptr) {
    static const auto* const kSql =
        new std::string(db::InsertSql("cases", CaseColumns().NamesWithKey()));
    auto& s = conn_.Prepare(*kSql);
    Binder b(s);
    CaseColumns().BindWithKey(b, c);
    try {
      s.executeUpdate();
    } catch (const sql::SQLException& e) {
      return DuplicateOr(e, "case " + c.id);
    }
    return absl::OkStatus();
  }
  // With its key and answer, in one statement (common/row_key_sql.h).
  static const auto* const kKeyedSql =
      new std::string(RowKeyInsertSql("cases", CaseColumns().NamesWithKey()));
  auto& s = conn_.Prepare(*kKeyedSql);
  Binder b(s);
  CaseColumns().BindWithKey(b, c);
  BindRowKey(b, *key, create->answer(c));
  try {
    return RowKeyInserted(s, "cases");
  } catch (const sql::SQLException& e) {
    return DuplicateOr(e, "case " + c.id);
  }
}

absl::StatusOr<std::optional<StoredAnswer>> MysqlCaseRepository::FindCreateAnswer(
    const RowKey& key) {
  // A key kept in idempotency_keys for CreateCase (before migration 0005)
  // answers too; another method's is INVALID_ARGUMENT.
  return FindRowKeyAnswer(conn_, "cases", key, "CreateCase");
}

absl::StatusOr<std::optional<Case>> MysqlCaseRepository::FindCase(const std::string& id,
                                                                  bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", CaseColumns().SelectList(), " FROM cases WHERE id = ?",
                                       for_update ? " FOR UPDATE" : ""));
  s.setString(1, id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::optional<Case>();
  return std::optional<Case>(CaseColumns().ReadRow(*rs));
}

absl::Status MysqlCaseRepository::UpdateCase(const Case& c, int64_t expected_version) {
  static const auto* const kSql =
      new std::string(db::UpdateSql("cases", CaseColumns().names(), "id = ? AND version = ?"));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  CaseColumns().Bind(b, c);
  b.Str(c.id).Int(expected_version);
  if (s.executeUpdate() != 1) {
    return absl::AbortedError(absl::StrCat("case ", c.id, " was changed concurrently; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Case>> MysqlCaseRepository::ListCases(
    const CaseFilter& f, const std::optional<PageCursor>& after, int limit) {
  std::optional<std::pair<int64_t, std::string>> cursor;
  if (after) {
    ASSIGN_OR_RETURN(auto keys, CursorKeys(*after));
    cursor = keys;
  }
  // One page: the filters, the scope (a scoped caller's accounts), the cursor,
  // newest first. Each filter has an index (filter, created_at_us, id), so the
  // page is an ordered index range.
  std::string sql = absl::StrCat("SELECT ", CaseColumns().SelectList(), " FROM cases WHERE 1 = 1");
  if (f.status != CaseStatus::kUnspecified) absl::StrAppend(&sql, " AND status = ?");
  if (f.priority != Priority::kUnspecified) absl::StrAppend(&sql, " AND priority = ?");
  if (f.request_type != RequestType::kUnspecified) absl::StrAppend(&sql, " AND request_type = ?");
  if (!f.account_id.empty()) absl::StrAppend(&sql, " AND account_id = ?");
  if (!f.owner.empty()) absl::StrAppend(&sql, " AND owner = ?");
  if (f.breaching_only) absl::StrAppend(&sql, " AND ", kBreaching);
  absl::StrAppend(&sql, ScopeClause(f.scoped, f.accounts));
  if (cursor) absl::StrAppend(&sql, " AND (created_at_us < ? OR (created_at_us = ? AND id < ?))");
  absl::StrAppend(&sql, " ORDER BY created_at_us DESC, id DESC LIMIT ?");
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  if (f.status != CaseStatus::kUnspecified) b.Int(static_cast<int>(f.status));
  if (f.priority != Priority::kUnspecified) b.Int(static_cast<int>(f.priority));
  if (f.request_type != RequestType::kUnspecified) b.Int(static_cast<int>(f.request_type));
  if (!f.account_id.empty()) b.Str(f.account_id);
  if (!f.owner.empty()) b.Str(f.owner);
  if (f.breaching_only) b.Time(f.now);
  if (f.scoped) {
    for (const auto& a : f.accounts) b.Str(a);
  }
  if (cursor) b.Int(cursor->first).Int(cursor->first).Str(cursor->second);
  b.Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Case> out;
  while (rs->next()) out.push_back(CaseColumns().ReadRow(*rs));
  return out;
}

absl::Status MysqlCaseRepository::AppendEvent(const CaseEvent& e) {
  auto& s = conn_.Prepare(
      "INSERT INTO case_events (case_id, event_at_us, actor, actor_role, kind, detail, internal)"
      " VALUES (?, ?, ?, ?, ?, ?, ?)");
  Binder(s).Str(e.case_id).Time(e.time).Str(e.actor).Str(e.actor_role).Str(e.kind)
      .Str(e.detail).Int(e.internal ? 1 : 0);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CaseEvent>> MysqlCaseRepository::ListEvents(const std::string& case_id,
                                                                       int64_t after_id,
                                                                       bool include_internal,
                                                                       int limit) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT id, case_id, event_at_us, actor, actor_role, kind, detail, internal"
      " FROM case_events WHERE case_id = ? AND id > ?",
      include_internal ? "" : " AND internal = 0", " ORDER BY id LIMIT ?"));
  Binder(s).Str(case_id).Int(after_id).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<CaseEvent> out;
  while (rs->next()) {
    out.push_back({rs->getInt64(1), GetStr(*rs, 2), FromMicros(rs->getInt64(3)), GetStr(*rs, 4),
                   GetStr(*rs, 5), GetStr(*rs, 6), GetStr(*rs, 7), rs->getInt(8) != 0});
  }
  return out;
}

absl::Status MysqlCaseRepository::EnqueueProductLookup(const std::string& case_id) {
  pb::GetCaseRequest payload;
  payload.set_case_id(case_id);
  EnqueueEvent(conn_, clock_, "case", case_id, kEventProductLookup, payload);
  return absl::OkStatus();
}

absl::Status MysqlCaseRepository::EnqueueReinstatement(const std::string& case_id,
                                                       const std::string& serial,
                                                       const std::string& inspection_reference) {
  inv::ReinstateUnitRequest payload;
  payload.set_serial_number(serial);
  payload.set_case_id(case_id);
  payload.set_inspection_reference(inspection_reference);
  EnqueueEvent(conn_, clock_, "case", case_id, kEventReinstate, payload);
  return absl::OkStatus();
}

absl::Status MysqlCaseRepository::EnqueueTradeInIntake(const std::string& case_id,
                                                       const std::string& serial,
                                                       const std::string& sku) {
  inv::IntakeReturnedUnitRequest payload;
  payload.set_serial_number(serial);
  payload.set_source(inv::UNIT_SOURCE_TRADE_IN);
  payload.set_sku(sku);
  payload.set_reference(case_id);
  EnqueueEvent(conn_, clock_, "case", case_id, kEventTradeInIntake, payload);
  return absl::OkStatus();
}

absl::Status MysqlCaseRepository::PublishNotification(const NotificationEvent& event) {
  aftercare::PublishNotification(conn_, event, clock_.Now());
  return absl::OkStatus();
}

// --- trade-in cases ------------------------------------------------------------

namespace {
std::string TradeInBytes(const TradeIn& t) {
  pb::TradeInCase p;
  ToProto(t, &p);
  return p.SerializeAsString();
}

absl::StatusOr<TradeIn> ReadTradeIn(sql::ResultSet& rs) {
  // id, version, body
  pb::TradeInCase p;
  if (!p.ParseFromString(GetBlob(rs, 3))) return absl::InternalError("stored trade-in case is corrupt");
  ASSIGN_OR_RETURN(TradeIn t, TradeInFromProto(p, true));
  t.id = GetStr(rs, 1);
  t.version = rs.getInt64(2);
  return t;
}
}  // namespace

absl::Status MysqlCaseRepository::InsertTradeIn(const TradeIn& t) {
  auto& s = conn_.Prepare(
      "INSERT INTO trade_in_cases (id, account_id, opened_by, status, due_at_us, created_at_us,"
      " updated_at_us, version, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  std::istringstream body(TradeInBytes(t));
  Binder(s).Str(t.id).Str(t.account_id).Str(t.opened_by).Int(static_cast<int>(t.status))
      .Time(t.due_time).Time(t.create_time).Time(t.update_time).Int(t.version).Blob(&body);
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    return DuplicateOr(e, "trade-in case " + t.id);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TradeIn>> MysqlCaseRepository::FindTradeIn(const std::string& id,
                                                                        bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT id, version, body FROM trade_in_cases WHERE id = ?",
                                       for_update ? " FOR UPDATE" : ""));
  s.setString(1, id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::optional<TradeIn>();
  ASSIGN_OR_RETURN(TradeIn t, ReadTradeIn(*rs));
  return std::optional<TradeIn>(std::move(t));
}

absl::Status MysqlCaseRepository::UpdateTradeIn(const TradeIn& t, int64_t expected_version) {
  auto& s = conn_.Prepare(
      "UPDATE trade_in_cases SET status = ?, due_at_us = ?, updated_at_us = ?, version = ?,"
      " body = ? WHERE id = ? AND version = ?");
  std::istringstream body(TradeInBytes(t));
  Binder(s).Int(static_cast<int>(t.status)).Time(t.due_time).Time(t.update_time).Int(t.version)
      .Blob(&body).Str(t.id).Int(expected_version);
  if (s.executeUpdate() != 1) {
    return absl::AbortedError(absl::StrCat("trade-in case ", t.id, " was changed concurrently; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TradeIn>> MysqlCaseRepository::ListTradeIns(
    const TradeInFilter& f, const std::optional<PageCursor>& after, int limit) {
  std::string sql = "SELECT id, version, body FROM trade_in_cases WHERE 1 = 1";
  if (f.status != TradeInStatus::kUnspecified) absl::StrAppend(&sql, " AND status = ?");
  if (!f.account_id.empty()) absl::StrAppend(&sql, " AND account_id = ?");
  absl::StrAppend(&sql, ScopeClause(f.scoped, f.accounts));
  if (after) absl::StrAppend(&sql, " AND (created_at_us < ? OR (created_at_us = ? AND id < ?))");
  absl::StrAppend(&sql, " ORDER BY created_at_us DESC, id DESC LIMIT ?");
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  if (f.status != TradeInStatus::kUnspecified) b.Int(static_cast<int>(f.status));
  if (!f.account_id.empty()) b.Str(f.account_id);
  if (f.scoped) {
    for (const auto& a : f.accounts) b.Str(a);
  }
  if (after) {
    ASSIGN_OR_RETURN(auto keys, CursorKeys(*after));
    b.Int(keys.first).Int(keys.first).Str(keys.second);
  }
  b.Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<TradeIn> out;
  while (rs->next()) {
    ASSIGN_OR_RETURN(TradeIn t, ReadTradeIn(*rs));
    out.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> MysqlCaseRepository::OverdueTradeIns(absl::Time now,
                                                                              int limit) {
  auto& s = conn_.Prepare(
      "SELECT id FROM trade_in_cases WHERE status = ? AND due_at_us < ? ORDER BY due_at_us LIMIT ?");
  Binder(s).Int(static_cast<int>(TradeInStatus::kOpen)).Time(now).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<std::string> out;
  while (rs->next()) out.push_back(GetStr(*rs, 1));
  return out;
}

// --- attachments ---------------------------------------------------------------

namespace {
constexpr char kAttachmentColumns[] =
    "id, case_id, kind, version, file_name, content_type, size_bytes, sha256, uploaded_by,"
    " created_at_us, cod";

Attachment ReadAttachment(sql::ResultSet& rs) {
  Attachment a;
  a.id = rs.getInt64(1);
  a.case_id = GetStr(rs, 2);
  a.kind = static_cast<AttachmentKind>(rs.getInt(3));
  a.version = rs.getInt(4);
  a.file_name = GetStr(rs, 5);
  a.content_type = GetStr(rs, 6);
  a.size = rs.getInt64(7);
  a.sha256 = GetStr(rs, 8);
  a.uploaded_by = GetStr(rs, 9);
  a.create_time = FromMicros(rs.getInt64(10));
  if (!rs.isNull(11)) {
    pb::CodDetails c;
    c.ParseFromString(GetBlob(rs, 11));
    absl::StatusOr<CodDetails> cod = FromProto(c);
    if (cod.ok()) a.cod = *std::move(cod);
  }
  return a;
}

std::string Sha256Hex(const std::string& content) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}
}  // namespace

absl::Status MysqlCaseRepository::InsertAttachment(Attachment* a, const std::string& content) {
  a->sha256 = Sha256Hex(content);
  auto& s = conn_.Prepare(
      "INSERT INTO attachments (case_id, kind, version, file_name, content_type, size_bytes,"
      " sha256, uploaded_by, created_at_us, cod) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  std::string cod_bytes;
  if (a->cod) {
    pb::CodDetails c;
    ToProto(*a->cod, &c);
    cod_bytes = c.SerializeAsString();
  }
  std::istringstream cod(cod_bytes);
  Binder b(s);
  b.Str(a->case_id).Int(static_cast<int>(a->kind)).Int(a->version).Str(a->file_name)
      .Str(a->content_type).Int(a->size).Str(a->sha256).Str(a->uploaded_by).Time(a->create_time);
  if (a->cod) {
    b.Blob(&cod);
  } else {
    b.Null();
  }
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() == db::kErrDuplicateKey) {
      return db::MarkRetryable(absl::AbortedError("another upload took this version; retry"));
    }
    throw;
  }
  a->id = conn_.LastInsertId();
  auto& chunk = conn_.Prepare("INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES (?, ?, ?)");
  int seq = 0;
  for (size_t off = 0; off < content.size(); off += kChunkBytes) {
    std::istringstream data(content.substr(off, kChunkBytes));
    Binder(chunk).Int(a->id).Int(seq++).Blob(&data);
    chunk.executeUpdate();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Attachment>> MysqlCaseRepository::ListAttachments(
    const std::string& case_id) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kAttachmentColumns,
                                       " FROM attachments WHERE case_id = ? ORDER BY id"));
  s.setString(1, case_id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Attachment> out;
  while (rs->next()) out.push_back(ReadAttachment(*rs));
  return out;
}

absl::StatusOr<std::optional<Attachment>> MysqlCaseRepository::FindAttachment(int64_t id) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kAttachmentColumns, " FROM attachments WHERE id = ?"));
  s.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::optional<Attachment>();
  return std::optional<Attachment>(ReadAttachment(*rs));
}

absl::StatusOr<int32_t> MysqlCaseRepository::LatestAttachmentVersion(const std::string& case_id,
                                                                     AttachmentKind kind) {
  auto& s = conn_.Prepare(
      "SELECT COALESCE(MAX(version), 0) FROM attachments WHERE case_id = ? AND kind = ?");
  Binder(s).Str(case_id).Int(static_cast<int>(kind));
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  return rs->next() ? rs->getInt(1) : 0;
}

// --- store -------------------------------------------------------------------------

// --- technical-case notes ------------------------------------------------------

namespace {

constexpr char kNoteColumns[] =
    "id, technical_case_id, account_id, note_id, source, subject, body, visibility,"
    " created_at_us";

TechnicalCaseNote ReadNote(sql::ResultSet& rs) {
  TechnicalCaseNote n;
  n.id = rs.getInt64(1);
  n.technical_case_id = GetStr(rs, 2);
  n.account_id = GetStr(rs, 3);
  n.note_id = GetStr(rs, 4);
  n.source = GetStr(rs, 5);
  n.subject = GetStr(rs, 6);
  n.body = GetStr(rs, 7);
  n.visibility = static_cast<NoteVisibility>(rs.getInt(8));
  n.create_time = FromMicros(rs.getInt64(9));
  return n;
}

}  // namespace

absl::Status MysqlCaseRepository::InsertTechnicalCaseNote(TechnicalCaseNote* n) {
  auto& s = conn_.Prepare(
      "INSERT INTO technical_case_notes (technical_case_id, account_id, note_id, source, subject,"
      " body, visibility, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  Binder(s).Str(n->technical_case_id).Str(n->account_id).Str(n->note_id).Str(n->source)
      .Str(n->subject).Str(n->body).Int(static_cast<int>(n->visibility)).Time(n->create_time);
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    return DuplicateOr(e, "note " + n->note_id + " of technical case " + n->technical_case_id);
  }
  n->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::StatusOr<std::optional<TechnicalCaseNote>> MysqlCaseRepository::FindTechnicalCaseNote(
    const std::string& technical_case_id, const std::string& note_id) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kNoteColumns,
      " FROM technical_case_notes WHERE technical_case_id = ? AND note_id = ? LOCK IN SHARE MODE"));
  Binder(s).Str(technical_case_id).Str(note_id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::optional<TechnicalCaseNote>();
  return std::optional<TechnicalCaseNote>(ReadNote(*rs));
}

absl::StatusOr<std::vector<TechnicalCaseNote>> MysqlCaseRepository::ListTechnicalCaseNotes(
    const TechnicalCaseNoteFilter& f, int64_t after_id, int limit) {
  // The scope is part of the query: a scoped caller's page holds only notes
  // of its accounts (none when it has none). The page is a range of
  // (technical_case_id, id), or of (account_id, technical_case_id, id) for a
  // scoped caller (the optimizer would otherwise take the unique key and sort).
  const char* index =
      f.scoped ? "idx_technical_case_notes_account" : "idx_technical_case_notes_case";
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kNoteColumns, " FROM technical_case_notes FORCE INDEX (", index,
      ") WHERE technical_case_id = ?", ScopeClause(f.scoped, f.accounts),
      " AND id > ? ORDER BY id LIMIT ?"));
  Binder b(s);
  b.Str(f.technical_case_id);
  if (f.scoped) {
    for (const auto& a : f.accounts) b.Str(a);
  }
  b.Int(after_id).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<TechnicalCaseNote> out;
  while (rs->next()) out.push_back(ReadNote(*rs));
  return out;
}

// Case numbers reserved per block: a block costs 5 statements (and holds up
// the process's creators while it is fetched), so 100 make it 0.05 per case;
// a restart leaves at most 99 of a day's 99,999 numbers unused.
constexpr int kCaseNumberBlock = 100;

MysqlCaseStore::MysqlCaseStore(db::ConnectionPool* pool, const Clock* clock)
    : MysqlStore(pool, clock), case_numbers_(pool, "case_id", kCaseNumberBlock) {}

absl::StatusOr<int64_t> MysqlCaseStore::NextCaseSequence(const std::string& day) {
  ASSIGN_OR_RETURN(int64_t seq, case_numbers_.Next(day));
  if (seq > kMaxCaseSequence) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the case numbers of ", day, " are used up (", kMaxCaseSequence, ")"));
  }
  return seq;
}

absl::StatusOr<int64_t> MysqlCaseStore::CountBreaching(absl::Time now) {
  return db::RunRead<int64_t>(*pool_, "count breaching cases",
                              [&](db::Connection& conn) -> absl::StatusOr<int64_t> {
                                auto& s = conn.Prepare(
                                    absl::StrCat("SELECT COUNT(*) FROM cases WHERE ", kBreaching));
                                s.setInt64(1, ToMicros(now));
                                std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
                                return rs->next() ? rs->getInt64(1) : 0;
                              });
}

absl::StatusOr<std::optional<std::string>> MysqlCaseStore::ReadChunk(int64_t attachment_id,
                                                                     int seq) {
  return db::RunRead<std::optional<std::string>>(
      *pool_, "read attachment chunk",
      [&](db::Connection& conn) -> absl::StatusOr<std::optional<std::string>> {
        auto& s = conn.Prepare("SELECT data FROM attachment_chunks WHERE attachment_id = ? AND seq = ?");
        s.setInt64(1, attachment_id);
        s.setInt(2, seq);
        std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
        if (!rs->next()) return std::optional<std::string>();
        return std::optional<std::string>(GetBlob(*rs, 1));
      });
}

}  // namespace aftercare::cases
