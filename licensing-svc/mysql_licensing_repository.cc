#include "licensing-svc/mysql_licensing_repository.h"

#include <google/protobuf/wrappers.pb.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/db/columns.h"
#include "common/status.h"

namespace aftercare::licensing {
namespace {

using db::FromMicros;
using db::ToMicros;

using db::Binder;
using db::GetOptTime;
using db::GetStr;

using db::GetEnum;

// "AND (created_at_us < ? OR (created_at_us = ? AND <id> < ?))": newest
// first, continuing after the cursor, as a range on the index.
std::string AfterClause(const std::optional<ListCursor>& after, const std::string& id_column) {
  if (!after) return "";
  return absl::StrCat(" AND (created_at_us < ? OR (created_at_us = ? AND ", id_column, " < ?))");
}
void BindAfter(Binder& b, const std::optional<ListCursor>& after) {
  if (!after) return;
  b.Int(after->create_us).Int(after->create_us).Str(after->id);
}

// --- entitlements --------------------------------------------------------------

// Every column of entitlements (common/db/columns.h: name, binding and
// reading on one line, so INSERT and SELECT cannot disagree on an order).
const db::Columns<Entitlement>& EntitlementColumns() {
  using E = Entitlement;
  static const auto* const kColumns = new db::Columns<Entitlement>({
      db::StrColumn<&E::id>("id"),
      db::StrColumn<&E::account_id>("account_id"),
      db::EnumColumn<&E::kind>("kind"),
      {"sku", [](Binder& b, const E& e) { b.Str(e.product.sku); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.sku = GetStr(rs, c); }},
      {"feature", [](Binder& b, const E& e) { b.Str(e.product.feature); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.feature = GetStr(rs, c); }},
      {"capacity", [](Binder& b, const E& e) { b.Int(e.product.capacity); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.capacity = rs.getInt64(c); }},
      {"term_type", [](Binder& b, const E& e) { b.Str(Name(e.product.term_type)); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.term_type = GetEnum<TermType>(rs, c); }},
      {"term_months", [](Binder& b, const E& e) { b.Int(e.product.term_months); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.term_months = rs.getInt(c); }},
      {"licensing_system", [](Binder& b, const E& e) { b.Str(Name(e.product.system)); },
       [](sql::ResultSet& rs, int c, E& e) {
         e.product.system = GetEnum<LicensingSystem>(rs, c);
       }},
      {"unlock_key_required", [](Binder& b, const E& e) { b.Bool(e.product.unlock_key_required); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.unlock_key_required = rs.getInt(c) != 0; }},
      {"max_devices", [](Binder& b, const E& e) { b.Int(e.product.max_devices); },
       [](sql::ResultSet& rs, int c, E& e) { e.product.max_devices = rs.getInt(c); }},
      db::StrColumn<&E::order_reference>("order_reference"),
      db::OptStrColumn<&E::code_hash>("code_hash"),  // BINARY(32), NULL for right-to-use
      db::TimeColumn<&E::start_time>("start_us"),
      db::OptTimeColumn<&E::term_end>("term_end_us"),
      db::IntColumn<&E::renewal_count>("renewal_count"),
      db::IntColumn<&E::version>("version"),
      db::TimeColumn<&E::create_time>("created_at_us"),
      db::TimeColumn<&E::update_time>("updated_at_us"),
  });
  return *kColumns;
}

// An entitlement's columns (alias e) and its active devices, derived.
const std::string& EntitlementSelectColumns() {
  static const auto* const kSql = new std::string(absl::StrCat(
      EntitlementColumns().List("e"),
      ", (SELECT COUNT(*) FROM licenses l WHERE l.entitlement_id = e.id AND l.state = 'ACTIVE')"));
  return *kSql;
}

Entitlement ReadEntitlement(sql::ResultSet& rs) {
  Entitlement e;
  const int next = EntitlementColumns().Read(rs, 1, &e);
  e.active_devices = rs.getInt(next);
  return e;
}

// --- licenses --------------------------------------------------------------------

// The columns of licenses, its key id first (INSERT sets it, UPDATE keys on it).
const db::Columns<License>& LicenseColumns() {
  using L = License;
  static const auto* const kColumns = new db::Columns<License>(db::StrColumn<&L::id>("id"), {
      db::StrColumn<&L::entitlement_id>("entitlement_id"),
      db::StrColumn<&L::account_id>("account_id"),
      db::StrColumn<&L::sku>("sku"),
      db::StrColumn<&L::feature>("feature"),
      db::IntColumn<&L::capacity>("capacity"),
      db::EnumColumn<&L::system>("licensing_system"),
      db::EnumColumn<&L::term_type>("term_type"),
      db::StrColumn<&L::device_serial>("device_serial"),
      db::EnumColumn<&L::state>("state"),
      db::TimeColumn<&L::not_before>("not_before_us"),
      db::OptTimeColumn<&L::not_after>("not_after_us"),
      db::StrColumn<&L::key_id>("key_id"),
      db::StrColumn<&L::license_key>("license_key"),
      db::IntColumn<&L::key_generation>("key_generation"),
      db::OptEnumColumn<&L::revocation_reason>("revocation_reason"),
      db::OptStrColumn<&L::revocation_note>("revocation_note"),
      db::OptTimeColumn<&L::revoke_time>("revoked_at_us"),
      db::OptStrColumn<&L::replaces_license_id>("replaces_license_id"),
      db::OptStrColumn<&L::rma_number>("rma_number"),
      db::IntColumn<&L::version>("version"),
      db::TimeColumn<&L::create_time>("created_at_us"),
      db::TimeColumn<&L::update_time>("updated_at_us"),
  });
  return *kColumns;
}

std::vector<License> ReadLicenses(sql::PreparedStatement& s) {
  std::vector<License> out;
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) out.push_back(LicenseColumns().ReadRow(*rs));
  return out;
}

}  // namespace

absl::StatusOr<std::optional<Entitlement>> MysqlLicensingRepository::FindEntitlementWhere(
    const std::string& column, const std::string& value, bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", EntitlementSelectColumns(), " FROM entitlements e WHERE e.",
                                       column, " = ?", for_update ? " FOR UPDATE" : ""));
  s.setString(1, value);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::optional<Entitlement>();
  return std::optional<Entitlement>(ReadEntitlement(*rs));
}

absl::StatusOr<std::optional<Entitlement>> MysqlLicensingRepository::FindEntitlement(
    const std::string& id, bool for_update) {
  return FindEntitlementWhere("id", id, for_update);
}

absl::StatusOr<std::optional<Entitlement>> MysqlLicensingRepository::FindEntitlementByCodeHash(
    const std::string& code_hash, bool for_update) {
  return FindEntitlementWhere("code_hash", code_hash, for_update);
}

absl::Status MysqlLicensingRepository::InsertEntitlement(const Entitlement& e) {
  static const auto* const kSql =
      new std::string(db::InsertSql("entitlements", EntitlementColumns().names()));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  EntitlementColumns().Bind(b, e);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::Status MysqlLicensingRepository::UpdateEntitlement(const Entitlement& e) {
  auto& s = conn_.Prepare(
      "UPDATE entitlements SET term_end_us = ?, renewal_count = ?, version = ?, updated_at_us = ?"
      " WHERE id = ? AND version = ?");
  Binder b(s);
  b.OptTime(e.term_end).Int(e.renewal_count).Int(e.version).Time(e.update_time).Str(e.id).Int(
      e.version - 1);
  if (s.executeUpdate() != 1) {
    return absl::AbortedError(absl::StrCat("entitlement ", e.id, " changed meanwhile; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Entitlement>> MysqlLicensingRepository::ListEntitlements(
    const std::string& account_id, const std::optional<ListCursor>& after, int limit) {
  const std::string where = account_id.empty() ? " WHERE 1 = 1" : " WHERE e.account_id = ?";
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", EntitlementSelectColumns(), " FROM entitlements e", where,
      after ? " AND (e.created_at_us < ? OR (e.created_at_us = ? AND e.id < ?))" : "",
      " ORDER BY e.created_at_us DESC, e.id DESC LIMIT ?"));
  Binder b(s);
  if (!account_id.empty()) b.Str(account_id);
  BindAfter(b, after);
  b.Int(limit);
  std::vector<Entitlement> out;
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) out.push_back(ReadEntitlement(*rs));
  return out;
}

absl::Status MysqlLicensingRepository::InsertRenewal(const Renewal& r) {
  auto& s = conn_.Prepare(
      "INSERT INTO subscription_renewals (entitlement_id, term_months, previous_end_us,"
      " new_end_us, order_reference, created_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(r.entitlement_id).Int(r.term_months).Time(r.previous_end).Time(r.new_end).Str(
      r.order_reference).Time(r.create_time);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Renewal>> MysqlLicensingRepository::RenewalsOf(
    const std::string& entitlement_id) {
  auto& s = conn_.Prepare(
      "SELECT entitlement_id, term_months, previous_end_us, new_end_us, order_reference,"
      " created_at_us FROM subscription_renewals WHERE entitlement_id = ?"
      " ORDER BY created_at_us, id");
  s.setString(1, entitlement_id);
  std::vector<Renewal> out;
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) {
    Renewal r;
    r.entitlement_id = GetStr(*rs, 1);
    r.term_months = rs->getInt(2);
    r.previous_end = FromMicros(rs->getInt64(3));
    r.new_end = FromMicros(rs->getInt64(4));
    r.order_reference = GetStr(*rs, 5);
    r.create_time = FromMicros(rs->getInt64(6));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::optional<License>> MysqlLicensingRepository::FindLicense(const std::string& id,
                                                                             bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", LicenseColumns().SelectList(), " FROM licenses WHERE id = ?",
                                       for_update ? " FOR UPDATE" : ""));
  s.setString(1, id);
  std::vector<License> rows = ReadLicenses(s);
  if (rows.empty()) return std::optional<License>();
  return std::optional<License>(std::move(rows.front()));
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::LicensesOfEntitlementOnDevice(
    const std::string& entitlement_id, const std::string& serial) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", LicenseColumns().SelectList(),
      " FROM licenses WHERE entitlement_id = ? AND device_serial = ?"
      " ORDER BY created_at_us, id FOR UPDATE"));
  s.setString(1, entitlement_id);
  s.setString(2, serial);
  return ReadLicenses(s);
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::ActiveLicensesOnDevice(
    const std::string& account_id, const std::string& serial, bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", LicenseColumns().SelectList(), " FROM licenses WHERE device_serial = ? AND state = 'ACTIVE'",
      account_id.empty() ? "" : " AND account_id = ?", " ORDER BY created_at_us, id",
      for_update ? " FOR UPDATE" : ""));
  s.setString(1, serial);
  if (!account_id.empty()) s.setString(2, account_id);
  return ReadLicenses(s);
}

absl::Status MysqlLicensingRepository::InsertLicense(const License& l) {
  static const auto* const kSql =
      new std::string(db::InsertSql("licenses", LicenseColumns().NamesWithKey()));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  LicenseColumns().BindWithKey(b, l);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::Status MysqlLicensingRepository::UpdateLicense(const License& l) {
  static const auto* const kUpdate =
      new db::VersionedUpdate<License>("licenses", LicenseColumns(), "id");
  if (!kUpdate->Apply(conn_, l, l.id, l.version - 1)) {
    return absl::AbortedError(absl::StrCat("license ", l.id, " changed meanwhile; retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::ListLicenses(
    const LicenseFilter& f, const std::optional<ListCursor>& after, int limit) {
  // The most selective key leads (its index serves the order); the others filter.
  std::string where;
  std::vector<std::string> args;
  std::string index;
  if (!f.device_serial.empty()) {
    where = "device_serial = ?";
    args.push_back(f.device_serial);
    index = "idx_licenses_device";
  } else if (!f.entitlement_id.empty()) {
    where = "entitlement_id = ?";
    args.push_back(f.entitlement_id);
    index = "idx_licenses_entitlement";
  } else if (!f.account_id.empty()) {
    where = "account_id = ?";
    args.push_back(f.account_id);
    index = "idx_licenses_account";
  } else {
    where = "1 = 1";
    index = "idx_licenses_created";
  }
  if (!f.account_id.empty() && where != "account_id = ?") {
    where += " AND account_id = ?";
    args.push_back(f.account_id);
  }
  if (!f.entitlement_id.empty() && where.rfind("entitlement_id", 0) != 0) {
    where += " AND entitlement_id = ?";
    args.push_back(f.entitlement_id);
  }
  if (f.state != LicenseState::kUnspecified) {
    where += " AND state = ?";
    args.push_back(Name(f.state));
  }
  const std::string sql = absl::StrCat(
      "SELECT ", LicenseColumns().SelectList(), " FROM licenses",
      index.empty() ? "" : absl::StrCat(" FORCE INDEX (", index, ")"), " WHERE ", where,
      AfterClause(after, "id"), " ORDER BY created_at_us DESC, id DESC LIMIT ?");
  return QueryLicenses(sql, args, after, limit);
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::QueryLicenses(
    const std::string& sql, const std::vector<std::string>& args,
    const std::optional<ListCursor>& after, int limit) {
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  for (const std::string& a : args) b.Str(a);
  BindAfter(b, after);
  b.Int(limit);
  return ReadLicenses(s);
}

absl::Status MysqlLicensingRepository::InsertTransfer(const RmaTransfer& t) {
  auto& s = conn_.Prepare(
      "INSERT INTO rma_transfers (rma_number, account_id, from_serial, to_serial, requested_by,"
      " created_at_us) VALUES (?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(t.rma_number).Str(t.account_id).Str(t.from_serial).Str(t.to_serial).Str(t.requested_by).Time(
      t.create_time);
  if (!db::InsertUnlessDuplicate(s)) {
    return absl::AlreadyExistsError(absl::StrCat("RMA ", t.rma_number, " was already transferred"));
  }
  return absl::OkStatus();
}

absl::Status MysqlLicensingRepository::AddTransferItem(const std::string& rma_number,
                                                       const TransferredLicense& item) {
  auto& s = conn_.Prepare(
      "INSERT INTO rma_transfer_items (rma_number, old_license_id, new_license_id)"
      " VALUES (?, ?, ?)");
  Binder b(s);
  b.Str(rma_number).Str(item.old_license_id).Str(item.new_license_id);
  s.executeUpdate();
  return absl::OkStatus();
}

namespace {

constexpr char kTransferColumns[] =
    "rma_number, account_id, from_serial, to_serial, requested_by, created_at_us";

RmaTransfer ReadTransfer(sql::ResultSet& rs) {
  RmaTransfer t;
  t.rma_number = GetStr(rs, 1);
  t.account_id = GetStr(rs, 2);
  t.from_serial = GetStr(rs, 3);
  t.to_serial = GetStr(rs, 4);
  t.requested_by = GetStr(rs, 5);
  t.create_time = FromMicros(rs.getInt64(6));
  return t;
}

void LoadItems(db::Connection& conn, RmaTransfer& t, bool locking) {
  auto& s = conn.Prepare(absl::StrCat(
      "SELECT old_license_id, new_license_id FROM rma_transfer_items WHERE rma_number = ?"
      " ORDER BY old_license_id",
      locking ? " LOCK IN SHARE MODE" : ""));
  s.setString(1, t.rma_number);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) t.licenses.push_back({GetStr(*rs, 1), GetStr(*rs, 2)});
}

}  // namespace

absl::StatusOr<std::optional<RmaTransfer>> MysqlLicensingRepository::FindTransfer(
    const std::string& rma_number) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kTransferColumns,
                                       " FROM rma_transfers WHERE rma_number = ? LOCK IN SHARE MODE"));
  s.setString(1, rma_number);
  std::optional<RmaTransfer> t;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) t = ReadTransfer(*rs);
  }
  if (t) LoadItems(conn_, *t, true);
  return t;
}

absl::StatusOr<std::vector<RmaTransfer>> MysqlLicensingRepository::ListTransfers(
    const std::string& account_id, const std::string& serial,
    const std::optional<ListCursor>& after, int limit) {
  std::vector<std::string> args;
  std::string where;
  if (!account_id.empty()) {
    where = " WHERE account_id = ?";
    args.push_back(account_id);
  } else {
    where = " WHERE 1 = 1";
  }
  if (!serial.empty()) {
    where += " AND (from_serial = ? OR to_serial = ?)";
    args.push_back(serial);
    args.push_back(serial);
  }
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kTransferColumns, " FROM rma_transfers", where,
                                       AfterClause(after, "rma_number"),
                                       " ORDER BY created_at_us DESC, rma_number DESC LIMIT ?"));
  Binder b(s);
  for (const std::string& a : args) b.Str(a);
  BindAfter(b, after);
  b.Int(limit);
  std::vector<RmaTransfer> out;
  {
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) out.push_back(ReadTransfer(*rs));
  }
  for (RmaTransfer& t : out) LoadItems(conn_, t, false);
  return out;
}

absl::Status MysqlLicensingRepository::InsertNotification(const Notification& n) {
  auto& s = conn_.Prepare(
      "INSERT INTO notifications (id, account_id, entitlement_id, kind, subject, body,"
      " created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(n.id).Str(n.account_id).Str(n.entitlement_id).Str(n.kind).Str(n.subject).Str(n.body).Time(
      n.create_time);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::Status MysqlLicensingRepository::PublishNotification(const NotificationEvent& event) {
  // Published at the instant of the change that caused it (the domain's clock).
  aftercare::PublishNotification(conn_, event, event.occurred_at);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Notification>> MysqlLicensingRepository::ListNotifications(
    const std::string& account_id, const std::string& entitlement_id,
    const std::optional<ListCursor>& after, int limit) {
  std::vector<std::string> args;
  std::string where = " WHERE 1 = 1";
  if (!entitlement_id.empty()) {
    where = " WHERE entitlement_id = ?";
    args.push_back(entitlement_id);
    if (!account_id.empty()) {
      where += " AND account_id = ?";
      args.push_back(account_id);
    }
  } else if (!account_id.empty()) {
    where = " WHERE account_id = ?";
    args.push_back(account_id);
  }
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT id, account_id, entitlement_id, kind, subject, body, created_at_us FROM notifications",
      where, AfterClause(after, "id"), " ORDER BY created_at_us DESC, id DESC LIMIT ?"));
  Binder b(s);
  for (const std::string& a : args) b.Str(a);
  BindAfter(b, after);
  b.Int(limit);
  std::vector<Notification> out;
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) {
    Notification n;
    n.id = GetStr(*rs, 1);
    n.account_id = GetStr(*rs, 2);
    n.entitlement_id = GetStr(*rs, 3);
    n.kind = GetStr(*rs, 4);
    n.subject = GetStr(*rs, 5);
    n.body = GetStr(*rs, 6);
    n.create_time = FromMicros(rs->getInt64(7));
    out.push_back(std::move(n));
  }
  return out;
}

// --- store -------------------------------------------------------------------------

}  // namespace aftercare::licensing
