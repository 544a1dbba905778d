#include "licensing-svc/mysql_licensing_repository.h"

#include <google/protobuf/wrappers.pb.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
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

constexpr char kEntitlementColumns[] =
    "e.id, e.account_id, e.kind, e.sku, e.feature, e.capacity, e.term_type, e.term_months,"
    " e.licensing_system, e.unlock_key_required, e.max_devices, e.order_reference, e.start_us,"
    " e.term_end_us, e.renewal_count, e.version, e.created_at_us, e.updated_at_us,"
    " (SELECT COUNT(*) FROM licenses l WHERE l.entitlement_id = e.id AND l.state = 'ACTIVE')";

Entitlement ReadEntitlement(sql::ResultSet& rs) {
  Entitlement e;
  e.id = GetStr(rs, 1);
  e.account_id = GetStr(rs, 2);
  e.kind = GetEnum<EntitlementKind>(rs, 3);
  e.product.sku = GetStr(rs, 4);
  e.product.feature = GetStr(rs, 5);
  e.product.capacity = rs.getInt64(6);
  e.product.term_type = GetEnum<TermType>(rs, 7);
  e.product.term_months = rs.getInt(8);
  e.product.system = GetEnum<LicensingSystem>(rs, 9);
  e.product.unlock_key_required = rs.getInt(10) != 0;
  e.product.max_devices = rs.getInt(11);
  e.order_reference = GetStr(rs, 12);
  e.start_time = FromMicros(rs.getInt64(13));
  e.term_end = GetOptTime(rs, 14);
  e.renewal_count = rs.getInt(15);
  e.version = rs.getInt64(16);
  e.create_time = FromMicros(rs.getInt64(17));
  e.update_time = FromMicros(rs.getInt64(18));
  e.active_devices = rs.getInt(19);
  return e;
}

// --- licenses --------------------------------------------------------------------

constexpr char kLicenseColumns[] =
    "id, entitlement_id, account_id, sku, feature, capacity, licensing_system, term_type,"
    " device_serial, state, not_before_us, not_after_us, key_id, license_key, key_generation,"
    " revocation_reason, revocation_note, revoked_at_us, replaces_license_id, rma_number, version,"
    " created_at_us, updated_at_us";

License ReadLicense(sql::ResultSet& rs) {
  License l;
  l.id = GetStr(rs, 1);
  l.entitlement_id = GetStr(rs, 2);
  l.account_id = GetStr(rs, 3);
  l.sku = GetStr(rs, 4);
  l.feature = GetStr(rs, 5);
  l.capacity = rs.getInt64(6);
  l.system = GetEnum<LicensingSystem>(rs, 7);
  l.term_type = GetEnum<TermType>(rs, 8);
  l.device_serial = GetStr(rs, 9);
  l.state = GetEnum<LicenseState>(rs, 10);
  l.not_before = FromMicros(rs.getInt64(11));
  l.not_after = GetOptTime(rs, 12);
  l.key_id = GetStr(rs, 13);
  l.license_key = GetStr(rs, 14);
  l.key_generation = rs.getInt(15);
  l.revocation_reason = GetEnum<RevocationReason>(rs, 16);
  l.revocation_note = GetStr(rs, 17);
  l.revoke_time = GetOptTime(rs, 18);
  l.replaces_license_id = GetStr(rs, 19);
  l.rma_number = GetStr(rs, 20);
  l.version = rs.getInt64(21);
  l.create_time = FromMicros(rs.getInt64(22));
  l.update_time = FromMicros(rs.getInt64(23));
  return l;
}

std::string ReasonOrEmpty(RevocationReason r) {
  return r == RevocationReason::kUnspecified ? std::string() : std::string(Name(r));
}

std::vector<License> ReadLicenses(sql::PreparedStatement& s) {
  std::vector<License> out;
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  while (rs->next()) out.push_back(ReadLicense(*rs));
  return out;
}

}  // namespace

absl::StatusOr<std::optional<Entitlement>> MysqlLicensingRepository::FindEntitlementWhere(
    const std::string& column, const std::string& value, bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kEntitlementColumns, " FROM entitlements e WHERE e.",
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
  auto& s = conn_.Prepare(
      "INSERT INTO entitlements (id, account_id, kind, sku, feature, capacity, term_type,"
      " term_months, licensing_system, unlock_key_required, max_devices, order_reference,"
      " code_hash, start_us, term_end_us, renewal_count, version, created_at_us, updated_at_us)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(e.id)
      .Str(e.account_id)
      .Str(Name(e.kind))
      .Str(e.product.sku)
      .Str(e.product.feature)
      .Int(e.product.capacity)
      .Str(Name(e.product.term_type))
      .Int(e.product.term_months)
      .Str(Name(e.product.system))
      .Int(e.product.unlock_key_required ? 1 : 0)
      .Int(e.product.max_devices)
      .Str(e.order_reference)
      .OptStr(e.code_hash)
      .Time(e.start_time)
      .OptTime(e.term_end)
      .Int(e.renewal_count)
      .Int(e.version)
      .Time(e.create_time)
      .Time(e.update_time);
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
      "SELECT ", kEntitlementColumns, " FROM entitlements e", where,
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
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kLicenseColumns, " FROM licenses WHERE id = ?",
                                       for_update ? " FOR UPDATE" : ""));
  s.setString(1, id);
  std::vector<License> rows = ReadLicenses(s);
  if (rows.empty()) return std::optional<License>();
  return std::optional<License>(std::move(rows.front()));
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::LicensesOfEntitlementOnDevice(
    const std::string& entitlement_id, const std::string& serial) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kLicenseColumns,
      " FROM licenses WHERE entitlement_id = ? AND device_serial = ?"
      " ORDER BY created_at_us, id FOR UPDATE"));
  s.setString(1, entitlement_id);
  s.setString(2, serial);
  return ReadLicenses(s);
}

absl::StatusOr<std::vector<License>> MysqlLicensingRepository::ActiveLicensesOnDevice(
    const std::string& account_id, const std::string& serial, bool for_update) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kLicenseColumns, " FROM licenses WHERE device_serial = ? AND state = 'ACTIVE'",
      account_id.empty() ? "" : " AND account_id = ?", " ORDER BY created_at_us, id",
      for_update ? " FOR UPDATE" : ""));
  s.setString(1, serial);
  if (!account_id.empty()) s.setString(2, account_id);
  return ReadLicenses(s);
}

absl::Status MysqlLicensingRepository::InsertLicense(const License& l) {
  auto& s = conn_.Prepare(absl::StrCat(
      "INSERT INTO licenses (", kLicenseColumns,
      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  Binder b(s);
  b.Str(l.id)
      .Str(l.entitlement_id)
      .Str(l.account_id)
      .Str(l.sku)
      .Str(l.feature)
      .Int(l.capacity)
      .Str(Name(l.system))
      .Str(Name(l.term_type))
      .Str(l.device_serial)
      .Str(Name(l.state))
      .Time(l.not_before)
      .OptTime(l.not_after)
      .Str(l.key_id)
      .Str(l.license_key)
      .Int(l.key_generation)
      .OptStr(ReasonOrEmpty(l.revocation_reason))
      .OptStr(l.revocation_note)
      .OptTime(l.revoke_time)
      .OptStr(l.replaces_license_id)
      .OptStr(l.rma_number)
      .Int(l.version)
      .Time(l.create_time)
      .Time(l.update_time);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::Status MysqlLicensingRepository::UpdateLicense(const License& l) {
  auto& s = conn_.Prepare(
      "UPDATE licenses SET state = ?, not_before_us = ?, not_after_us = ?, key_id = ?,"
      " license_key = ?, key_generation = ?, revocation_reason = ?, revocation_note = ?,"
      " revoked_at_us = ?, version = ?, updated_at_us = ? WHERE id = ? AND version = ?");
  Binder b(s);
  b.Str(Name(l.state))
      .Time(l.not_before)
      .OptTime(l.not_after)
      .Str(l.key_id)
      .Str(l.license_key)
      .Int(l.key_generation)
      .OptStr(ReasonOrEmpty(l.revocation_reason))
      .OptStr(l.revocation_note)
      .OptTime(l.revoke_time)
      .Int(l.version)
      .Time(l.update_time)
      .Str(l.id)
      .Int(l.version - 1);
  if (s.executeUpdate() != 1) {
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
      "SELECT ", kLicenseColumns, " FROM licenses",
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
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
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
