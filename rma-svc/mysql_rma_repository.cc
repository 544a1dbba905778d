#include "rma-svc/mysql_rma_repository.h"

#include <google/protobuf/wrappers.pb.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "aftercare/rma/v1/resources.pb.h"
#include "common/proto_convert.h"
#include "common/row_key_sql.h"
#include "common/db/address_columns.h"
#include "common/db/columns.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/transaction.h"
#include "common/db/statement.h"
#include "common/outbox.h"
#include "common/status.h"

namespace aftercare::rma {

// The SQL of Rma::Overdue (rma_types.h): a shipped replacement whose return
// was due at or before `now`, the one parameter, as Overdue decides it.
// RmaIntegrationTest.OverdueIsOneRuleInSqlAndInTheDomain checks the two at
// the boundary (due == now).
constexpr char kOverdue[] = "(status = 'REPLACEMENT_SHIPPED' AND return_due_us <= ?)";
namespace {

using db::FromMicros;
using db::ToMicros;

// Runs an `INSERT … RETURNING id` (MariaDB): the new row's id.
absl::StatusOr<int64_t> InsertReturningId(sql::PreparedStatement& insert) {
  std::unique_ptr<sql::ResultSet> rs(insert.executeQuery());
  if (!rs->next()) return absl::InternalError("INSERT … RETURNING gave no id");
  return rs->getInt64(1);
}

using db::Binder;
using db::GetOptTime;
using db::GetStr;

using db::GetEnum;

// The columns of rmas, its key id first: each column's name, how it is
// bound and how it is read, on one line (common/db/columns.h), so INSERT,
// UPDATE and SELECT cannot disagree on an order.
const db::Columns<Rma>& RmaColumns() {
  using R = Rma;
  static const auto* const kColumns = new db::Columns<Rma>(db::IntColumn<&R::id>("id"), db::Concat<Rma>({{
      db::StrColumn<&R::validation_number>("validation_number"),
      db::OptStrColumn<&R::rma_number>("rma_number"),
      db::EnumColumn<&R::status>("status"),
      db::EnumColumn<&R::type>("rma_type"),
      db::StrColumn<&R::account_id>("account_id"),
      db::StrColumn<&R::serial>("serial"),
      db::OptStrColumn<&R::replacement_serial>("replacement_serial"),
      db::StrColumn<&R::sku>("sku"),
      db::StrColumn<&R::technical_case_id>("technical_case_id"),
      db::StrColumn<&R::failure_description>("failure_description"),
      db::EnumColumn<&R::damage_cause>("damage_cause"),
  }, db::PostalAddressColumns<&R::ship_to, db::Blank::kEmptyString>("ship"), {
      db::StrColumn<&R::contact_email>("contact_email"),
      {"entitlement_summary",  // VARCHAR(512)
       [](Binder& b, const R& r) { b.Str(r.entitlement_summary.substr(0, 512)); },
       [](sql::ResultSet& rs, int c, R& r) { r.entitlement_summary = GetStr(rs, c); }},
      db::StrColumn<&R::rejection_reason>("rejection_reason"),
      db::StrColumn<&R::cancellation_reason>("cancellation_reason"),
      {"list_price_minor", [](Binder& b, const R& r) { b.Int(r.list_price.amount_minor); },
       [](sql::ResultSet& rs, int c, R& r) { r.list_price.amount_minor = rs.getInt64(c); }},
      {"currency_code",
       [](Binder& b, const R& r) {
         b.Str(r.list_price.currency_code.empty() ? "USD" : r.list_price.currency_code);
       },
       [](sql::ResultSet& rs, int c, R& r) { r.list_price.currency_code = GetStr(rs, c); }},
      {"repl_carrier", [](Binder& b, const R& r) { b.OptStr(r.replacement_shipment.carrier); },
       [](sql::ResultSet& rs, int c, R& r) { r.replacement_shipment.carrier = GetStr(rs, c); }},
      {"repl_tracking",
       [](Binder& b, const R& r) { b.OptStr(r.replacement_shipment.tracking_number); },
       [](sql::ResultSet& rs, int c, R& r) {
         r.replacement_shipment.tracking_number = GetStr(rs, c);
       }},
      {"repl_shipped_at_us",
       [](Binder& b, const R& r) { b.OptTime(r.replacement_shipment.ship_time); },
       [](sql::ResultSet& rs, int c, R& r) { r.replacement_shipment.ship_time = GetOptTime(rs, c); }},
      db::OptStrColumn<&R::return_due_date>("return_due_date"),
      db::OptTimeColumn<&R::return_due_time>("return_due_us"),
      {"charge_minor", [](Binder& b, const R& r) { b.OptInt(r.charge_minor); },
       [](sql::ResultSet& rs, int c, R& r) {
         r.charge_minor = rs.isNull(c) ? std::nullopt : std::optional<int64_t>(rs.getInt64(c));
       }},
      db::OptTimeColumn<&R::charge_time>("charged_at_us"),
      db::OptTimeColumn<&R::receive_time>("received_at_us"),
      db::OptStrColumn<&R::received_by>("received_by"),
      db::OptStrColumn<&R::repair_summary>("repair_summary"),
      db::OptStrColumn<&R::software_version>("software_version"),
      db::OptTimeColumn<&R::repair_time>("repaired_at_us"),
      {"back_carrier", [](Binder& b, const R& r) { b.OptStr(r.return_shipment.carrier); },
       [](sql::ResultSet& rs, int c, R& r) { r.return_shipment.carrier = GetStr(rs, c); }},
      {"back_tracking", [](Binder& b, const R& r) { b.OptStr(r.return_shipment.tracking_number); },
       [](sql::ResultSet& rs, int c, R& r) { r.return_shipment.tracking_number = GetStr(rs, c); }},
      {"back_shipped_at_us", [](Binder& b, const R& r) { b.OptTime(r.return_shipment.ship_time); },
       [](sql::ResultSet& rs, int c, R& r) { r.return_shipment.ship_time = GetOptTime(rs, c); }},
      db::StrColumn<&R::created_by>("created_by"),
      db::OptStrColumn<&R::approved_by>("approved_by"),
      db::TimeColumn<&R::create_time>("created_at_us"),
      db::OptTimeColumn<&R::approve_time>("approved_at_us"),
      db::OptTimeColumn<&R::close_time>("closed_at_us"),
      db::TimeColumn<&R::update_time>("updated_at_us"),
      db::IntColumn<&R::version>("version"),
  }}));
  return *kColumns;
}

}  // namespace

// --- RMAs ----------------------------------------------------------------------

absl::StatusOr<std::optional<Rma>> MysqlRmaRepository::FindOne(const std::string& where,
                                                               const std::string& arg,
                                                               int64_t id_arg, bool for_update) {
  const std::string sql = absl::StrCat("SELECT ", RmaColumns().SelectList(), " FROM rmas WHERE ", where,
                                       for_update ? " FOR UPDATE" : "");
  auto& s = conn_.Prepare(sql);
  if (arg.empty()) {
    s.setInt64(1, id_arg);
  } else {
    s.setString(1, arg);
  }
  std::optional<Rma> rma;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) rma = RmaColumns().ReadRow(*rs);
  }
  if (rma) RETURN_IF_ERROR(LoadExceptions(*rma));
  return rma;
}

absl::Status MysqlRmaRepository::LoadExceptions(Rma& rma) {
  auto& s = conn_.Prepare(
      "SELECT id, received_serial, expected_serial, note, recorded_by, recorded_at_us"
      " FROM rma_receipt_exceptions WHERE rma_id = ? ORDER BY id");
  s.setInt64(1, rma.id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  rma.receipt_exceptions.clear();
  while (rs->next()) {
    ReceiptException e;
    e.id = rs->getInt64(1);
    e.received_serial = GetStr(*rs, 2);
    e.expected_serial = GetStr(*rs, 3);
    e.note = GetStr(*rs, 4);
    e.recorded_by = GetStr(*rs, 5);
    e.record_time = FromMicros(rs->getInt64(6));
    rma.receipt_exceptions.push_back(std::move(e));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Rma>> MysqlRmaRepository::FindByValidationNumber(
    const std::string& number, bool for_update) {
  return FindOne("validation_number = ?", number, 0, for_update);
}

absl::StatusOr<std::optional<Rma>> MysqlRmaRepository::FindByRmaNumber(const std::string& number,
                                                                       bool for_update) {
  return FindOne("rma_number = ?", number, 0, for_update);
}

absl::StatusOr<std::optional<Rma>> MysqlRmaRepository::FindById(int64_t id, bool for_update) {
  return FindOne("id = ?", "", id, for_update);
}

absl::StatusOr<std::optional<Rma>> MysqlRmaRepository::InsertRma(Rma* rma,
                                                                  const RmaCreateKey* create) {
  // One statement: MariaDB's RETURNING gives the new id (no SELECT
  // LAST_INSERT_ID()), the unique index on open_serial (migration 0004)
  // refuses a second open RMA of the unit in place of a lock and a read, and
  // a CreateRma key goes on the row with its answer (migration 0005,
  // common/row_key_sql.h) instead of a row of idempotency_keys.
  const RowKey* key = create != nullptr ? create->key : nullptr;
  static const auto* const kSql = new std::string(
      absl::StrCat(db::InsertSql("rmas", RmaColumns().names()), " RETURNING id"));
  static const auto* const kKeyedSql = new std::string(
      absl::StrCat(RowKeyInsertSql("rmas", RmaColumns().names()), " RETURNING id"));
  auto& s = conn_.Prepare(key == nullptr ? *kSql : *kKeyedSql);
  Binder b(s);
  RmaColumns().Bind(b, *rma);
  try {
    if (key == nullptr) {
      ASSIGN_OR_RETURN(rma->id, InsertReturningId(s));
    } else {
      BindRowKey(b, *key, create->answer(*rma));
      ASSIGN_OR_RETURN(rma->id, RowKeyInsertedReturningId(s, "rmas"));
    }
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
    if (!absl::StrContains(std::string(e.what()), "uq_rmas_open_serial")) {
      return absl::AlreadyExistsError(
          absl::StrCat("RMA ", rma->validation_number, " already exists"));
    }
    // The unit's open RMA, committed (the unique check waited for it).
    ASSIGN_OR_RETURN(std::optional<Rma> open, FindOne("open_serial = ?", rma->serial, 0, false));
    if (!open) {
      return absl::AbortedError(absl::StrCat("the open RMA of unit ", rma->serial,
                                             " changed concurrently; retry"));
    }
    return open;
  }
  return std::optional<Rma>();
}

absl::StatusOr<std::optional<StoredAnswer>> MysqlRmaRepository::FindCreateAnswer(
    const RowKey& key) {
  // A key kept in idempotency_keys for CreateRma (before migration 0005)
  // answers too; another method's is INVALID_ARGUMENT.
  return FindRowKeyAnswer(conn_, "rmas", key, "CreateRma");
}

absl::Status MysqlRmaRepository::SaveRma(const Rma& rma) {
  static const auto* const kUpdate = new db::VersionedUpdate<Rma>("rmas", RmaColumns(), "id");
  if (!kUpdate->Apply(conn_, rma, rma.id, rma.version - 1)) {
    return absl::AbortedError(absl::StrCat("RMA ", rma.Label(), " changed concurrently; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Rma>> MysqlRmaRepository::ListRmas(const RmaFilter& filter,
                                                              int64_t after_id, int limit,
                                                              absl::Time now) {
  // The filters are fixed SQL fragments; only their values are bound.
  std::vector<std::string> where = {"id > ?"};
  if (filter.status != Status::kUnspecified) where.push_back("status = ?");
  if (!filter.account_id.empty()) where.push_back("account_id = ?");
  if (!filter.serial.empty()) where.push_back("serial = ?");
  if (filter.type != RmaType::kUnspecified) where.push_back("rma_type = ?");
  if (filter.overdue) {
    where.push_back(kOverdue);
  }
  // Keyset pages walk an index that ends in id, so a page costs the same at
  // any depth: the most selective filter's (a, id) index, else the primary key.
  const char* index = "PRIMARY";
  if (!filter.serial.empty()) {
    index = "idx_rmas_serial";
  } else if (!filter.account_id.empty()) {
    index = "idx_rmas_account";
  } else if (filter.status != Status::kUnspecified || filter.overdue) {
    index = "idx_rmas_status";
  } else if (filter.type != RmaType::kUnspecified) {
    index = "idx_rmas_type";
  }
  const std::string sql =
      absl::StrCat("SELECT ", RmaColumns().SelectList(), " FROM rmas FORCE INDEX (", index, ") WHERE ",
                   absl::StrJoin(where, " AND "), " ORDER BY id LIMIT ?");
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  b.Int(after_id);
  if (filter.status != Status::kUnspecified) b.Str(Name(filter.status));
  if (!filter.account_id.empty()) b.Str(filter.account_id);
  if (!filter.serial.empty()) b.Str(filter.serial);
  if (filter.type != RmaType::kUnspecified) b.Str(Name(filter.type));
  if (filter.overdue) b.Time(now);
  b.Int(limit);
  std::vector<Rma> out;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) out.push_back(RmaColumns().ReadRow(*rs));
  }
  for (Rma& r : out) RETURN_IF_ERROR(LoadExceptions(r));
  return out;
}

absl::Status MysqlRmaRepository::InsertReceiptException(int64_t rma_id, ReceiptException* e) {
  auto& s = conn_.Prepare(
      "INSERT INTO rma_receipt_exceptions (rma_id, received_serial, expected_serial, note,"
      " recorded_by, recorded_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  Binder(s).Int(rma_id).Str(e->received_serial).Str(e->expected_serial).Str(e->note)
      .Str(e->recorded_by).Time(e->record_time);
  s.executeUpdate();
  e->id = conn_.LastInsertId();
  return absl::OkStatus();
}

// --- Notifications ---------------------------------------------------------------

absl::Status MysqlRmaRepository::InsertNotification(Notification* n) {
  auto& s = conn_.Prepare(
      "INSERT INTO rma_notifications (rma_id, rma_number, template, recipient, copy_to_case_id,"
      " subject, body, status, created_at_us, delivered_at_us)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  Binder(s).Int(n->rma_id).OptStr(n->rma_number).Str(n->template_name).Str(n->recipient)
      .Str(n->copy_to_case_id).Str(n->subject.substr(0, 300)).Str(n->body).Str(Name(n->status))
      .Time(n->create_time).OptTime(n->deliver_time);
  ASSIGN_OR_RETURN(n->id, InsertReturningId(s));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Notification>> MysqlRmaRepository::ListNotifications(int64_t rma_id,
                                                                                int64_t after_id,
                                                                                int limit) {
  auto& s = conn_.Prepare(
      "SELECT id, rma_id, rma_number, template, recipient, copy_to_case_id, subject, body, status,"
      " created_at_us, delivered_at_us FROM rma_notifications WHERE rma_id = ? AND id > ?"
      " ORDER BY id LIMIT ?");
  Binder(s).Int(rma_id).Int(after_id).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Notification> out;
  while (rs->next()) {
    Notification n;
    n.id = rs->getInt64(1);
    n.rma_id = rs->getInt64(2);
    n.rma_number = GetStr(*rs, 3);
    n.template_name = GetStr(*rs, 4);
    n.recipient = GetStr(*rs, 5);
    n.copy_to_case_id = GetStr(*rs, 6);
    n.subject = GetStr(*rs, 7);
    n.body = GetStr(*rs, 8);
    n.status = GetEnum<Status>(*rs, 9);
    n.create_time = FromMicros(rs->getInt64(10));
    n.deliver_time = GetOptTime(*rs, 11);
    out.push_back(std::move(n));
  }
  return out;
}

absl::StatusOr<bool> MysqlRmaRepository::MarkNotificationDelivered(int64_t id, absl::Time now) {
  auto& s = conn_.Prepare(
      "UPDATE rma_notifications SET delivered_at_us = ? WHERE id = ? AND delivered_at_us IS NULL");
  Binder(s).Time(now).Int(id);
  return s.executeUpdate() == 1;
}

// --- Effects of other services and the sweeper ------------------------------------

absl::StatusOr<bool> MysqlRmaRepository::SetReplacementSerial(const std::string& validation_number,
                                                              const std::string& serial,
                                                              absl::Time now) {
  auto& s = conn_.Prepare(
      "UPDATE rmas SET replacement_serial = ?, updated_at_us = ?, version = version + 1"
      " WHERE validation_number = ? AND replacement_serial IS NULL");
  Binder(s).Str(serial).Time(now).Str(validation_number);
  return s.executeUpdate() == 1;
}

absl::StatusOr<std::vector<int64_t>> MysqlRmaRepository::OverdueUncharged(absl::Time now,
                                                                          int limit) {
  static const std::string* sql = new std::string(absl::StrCat(
      "SELECT id FROM rmas FORCE INDEX (idx_rmas_due) WHERE ", kOverdue,
      " AND charged_at_us IS NULL ORDER BY return_due_us LIMIT ?"));
  auto& s = conn_.Prepare(*sql);
  Binder(s).Time(now).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<int64_t> out;
  while (rs->next()) out.push_back(rs->getInt64(1));
  return out;
}

absl::StatusOr<bool> MysqlRmaRepository::ChargeIfDue(int64_t id, absl::Time now) {
  static const std::string* sql = new std::string(absl::StrCat(
      "UPDATE rmas SET charge_minor = list_price_minor, charged_at_us = ?, updated_at_us = ?,"
      " version = version + 1 WHERE id = ? AND charged_at_us IS NULL AND ", kOverdue));
  auto& s = conn_.Prepare(*sql);
  Binder(s).Time(now).Time(now).Int(id).Time(now);
  return s.executeUpdate() == 1;
}

// --- Return locations -----------------------------------------------------------------

absl::StatusOr<std::vector<std::string>> MysqlRmaRepository::ServedCountries(
    const std::string& code) {
  auto& s = conn_.Prepare(
      "SELECT region_code FROM return_location_countries WHERE location_code = ?"
      " ORDER BY region_code");
  s.setString(1, code);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<std::string> out;
  while (rs->next()) out.push_back(GetStr(*rs, 1));
  return out;
}

namespace {
constexpr char kLocationColumns[] =
    "l.location_code, l.name, l.theater, l.region_code, l.postal_code, l.administrative_area,"
    " l.locality, l.address_lines, l.recipient";

ReturnLocation ReadLocation(sql::ResultSet& rs) {
  ReturnLocation l;
  l.code = GetStr(rs, 1);
  l.name = GetStr(rs, 2);
  l.theater = GetStr(rs, 3);
  l.address.region_code = GetStr(rs, 4);
  l.address.postal_code = GetStr(rs, 5);
  l.address.administrative_area = GetStr(rs, 6);
  l.address.locality = GetStr(rs, 7);
  l.address.address_lines = db::SplitAddressLines(GetStr(rs, 8));
  l.address.recipient = GetStr(rs, 9);
  return l;
}
}  // namespace

absl::StatusOr<std::vector<ReturnLocation>> MysqlRmaRepository::ListReturnLocations(
    const std::string& region_code, const std::string& theater, const std::string& after_code,
    int limit) {
  std::string sql = absl::StrCat("SELECT ", kLocationColumns, " FROM return_locations l");
  if (!region_code.empty()) {
    absl::StrAppend(&sql, " JOIN return_location_countries c ON c.location_code = l.location_code"
                          " AND c.region_code = ?");
  }
  absl::StrAppend(&sql, " WHERE l.location_code > ?");
  if (!theater.empty()) absl::StrAppend(&sql, " AND l.theater = ?");
  absl::StrAppend(&sql, " ORDER BY l.location_code LIMIT ?");
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  if (!region_code.empty()) b.Str(region_code);
  b.Str(after_code);
  if (!theater.empty()) b.Str(theater);
  b.Int(limit);
  std::vector<ReturnLocation> out;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) out.push_back(ReadLocation(*rs));
  }
  for (ReturnLocation& l : out) {
    ASSIGN_OR_RETURN(l.served_region_codes, ServedCountries(l.code));
  }
  return out;
}

absl::StatusOr<std::optional<ReturnLocation>> MysqlRmaRepository::ReturnLocationFor(
    const std::string& region_code) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kLocationColumns,
      " FROM return_location_countries c JOIN return_locations l"
      " ON l.location_code = c.location_code WHERE c.region_code = ?"));
  s.setString(1, region_code);
  std::optional<ReturnLocation> loc;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) loc = ReadLocation(*rs);
  }
  if (loc) {
    ASSIGN_OR_RETURN(loc->served_region_codes, ServedCountries(loc->code));
  }
  return loc;
}

// --- Outbox ---------------------------------------------------------------------

absl::Status MysqlRmaRepository::EnqueueAllocateSpare(const Rma& rma) {
  inventory::v1::AllocateSpareRequest req;
  req.set_sku(rma.sku);
  req.set_rma_number(rma.rma_number);
  EnqueueEvent(conn_, clock_, "rma", rma.validation_number, kEventAllocateSpare, req);
  return absl::OkStatus();
}

absl::Status MysqlRmaRepository::EnqueueSwapInstalledBase(const Rma& rma) {
  inventory::v1::SwapInstalledBaseRequest req;
  req.set_defective_serial_number(rma.serial);
  req.set_replacement_serial_number(rma.replacement_serial);
  req.set_rma_number(rma.rma_number);
  if (rma.replacement_shipment.ship_time) {
    SetTime(*rma.replacement_shipment.ship_time, req.mutable_ship_time());
  }
  EnqueueEvent(conn_, clock_, "rma", rma.validation_number, kEventSwapInstalledBase, req);
  return absl::OkStatus();
}

absl::Status MysqlRmaRepository::EnqueueIntake(const Rma& rma) {
  inventory::v1::IntakeReturnedUnitRequest req;
  req.set_serial_number(rma.serial);
  req.set_source(inventory::v1::UNIT_SOURCE_RMA_RETURN);
  req.set_sku(rma.sku);
  req.set_reference(rma.rma_number);
  EnqueueEvent(conn_, clock_, "rma", rma.validation_number, kEventIntake, req);
  return absl::OkStatus();
}

v1::Notification NotificationMessage(const Notification& n) {
  v1::Notification msg;
  msg.set_notification_id(n.id);
  msg.set_validation_number(n.validation_number);
  msg.set_rma_number(n.rma_number);
  msg.set_template_(n.template_name);
  msg.set_recipient(n.recipient);
  msg.set_copy_to_case_id(n.copy_to_case_id);
  msg.set_subject(n.subject);
  msg.set_body(n.body);
  msg.set_status(static_cast<v1::RmaStatus>(n.status));
  msg.set_account_id(n.account_id);
  SetTime(n.create_time, msg.mutable_create_time());
  return msg;
}

NotificationEvent ToNotificationEvent(const v1::Notification& n) {
  NotificationEvent event;
  event.event_key = absl::StrCat("rma-", n.validation_number(), "-n", n.notification_id());
  event.event_type = n.template_();
  event.account_id = n.account_id();
  if (!n.recipient().empty()) event.email_to = {n.recipient()};
  event.technical_case_id = n.copy_to_case_id();
  event.subject = n.subject();
  event.body = n.body();
  event.data = {{"validation_number", n.validation_number()},
                {"rma_number", n.rma_number()},
                {"status", v1::RmaStatus_Name(n.status())},
                {"technical_case_id", n.copy_to_case_id()}};
  event.occurred_at = absl::FromUnixSeconds(n.create_time().seconds()) +
                      absl::Nanoseconds(n.create_time().nanos());
  return event;
}

absl::Status MysqlRmaRepository::EnqueueNotification(const Notification& n) {
  EnqueueEvent(conn_, clock_, "rma", n.validation_number, kEventNotification,
               NotificationMessage(n));
  return absl::OkStatus();
}

absl::Status MysqlRmaRepository::PublishNotificationNow(const Notification& n) {
  aftercare::PublishNotification(conn_, ToNotificationEvent(NotificationMessage(n)), clock_.Now());
  return absl::OkStatus();
}

absl::Status MysqlRmaRepository::PublishNotification(const NotificationEvent& event) {
  aftercare::PublishNotification(conn_, event, clock_.Now());
  return absl::OkStatus();
}

// --- Store ------------------------------------------------------------------------

}  // namespace aftercare::rma
