#include "inventory-svc/mysql_inventory_repository.h"

#include <google/protobuf/wrappers.pb.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/status.h"

namespace aftercare::inventory {
namespace {

using db::FromMicros;
using db::ToMicros;

using db::Binder;
using db::GetOptTime;
using db::GetStr;

using db::GetEnum;
template <typename E>
std::string EnumOrEmpty(E v) {
  return static_cast<int>(v) == 0 ? std::string() : std::string(Name(v));
}

// --- products ----------------------------------------------------------------

constexpr char kProductColumns[] =
    "sku, display_name, family, series, platform, list_price_minor, currency_code, lifecycle,"
    " end_of_production_us, latest_software_release, standard_warranty_months, version,"
    " created_at_us, updated_at_us";

// The number of names in a column list: derived, so that a column added to
// the list moves the columns read after it.
constexpr int ColumnCount(const char* columns) {
  int n = 1;
  for (; *columns != '\0'; ++columns) n += *columns == ',' ? 1 : 0;
  return n;
}
constexpr int kProductColumnCount = ColumnCount(kProductColumns);
static_assert(kProductColumnCount == 14, "ReadProduct reads 14 columns");

// Reads the product whose columns (kProductColumns) start at column `first`.
Product ReadProduct(sql::ResultSet& rs, int first = 1) {
  Product p;
  p.sku = GetStr(rs, first);
  p.display_name = GetStr(rs, first + 1);
  p.family = GetEnum<Family>(rs, first + 2);
  p.series = GetStr(rs, first + 3);
  p.platform = GetStr(rs, first + 4);
  p.list_price.amount_minor = rs.getInt64(first + 5);
  p.list_price.currency_code = GetStr(rs, first + 6);
  p.lifecycle = GetEnum<Lifecycle>(rs, first + 7);
  p.end_of_production_time = GetOptTime(rs, first + 8);
  p.latest_software_release = GetStr(rs, first + 9);
  p.standard_warranty_months = rs.getInt(first + 10);
  p.version = rs.getInt64(first + 11);
  p.create_time = FromMicros(rs.getInt64(first + 12));
  p.update_time = FromMicros(rs.getInt64(first + 13));
  return p;
}

void BindProductFields(Binder& b, const Product& p) {
  b.Str(p.display_name)
      .Str(Name(p.family))
      .Str(p.series)
      .Str(p.platform)
      .Int(p.list_price.amount_minor)
      .Str(p.list_price.currency_code)
      .Str(Name(p.lifecycle))
      .OptTime(p.end_of_production_time)
      .Str(p.latest_software_release)
      .Int(p.standard_warranty_months)
      .Int(p.version)
      .Time(p.create_time)
      .Time(p.update_time);
}

// --- units -------------------------------------------------------------------

// Every column but id, in the order BindUnit binds them.
const std::vector<std::string>& UnitWriteColumns() {
  static const auto* const kColumns = new std::vector<std::string>{
      "sku", "state", "source", "unit_condition", "cert_round", "certificate_id", "certified_by",
      "certified_at_us", "reservation_id", "reserved_partner_id", "reserved_at_us",
      "reserved_until_us", "reserved_price_minor", "reserved_discount_bps", "owner_account_id",
      "original_purchaser_account_id", "site_region_code", "site_postal_code",
      "site_administrative_area", "site_locality", "site_address_lines", "site_recipient",
      "site_organization", "ssrn", "ship_at_us", "sale_price_minor", "currency_code",
      "sold_by_partner_id", "warranty_kind", "warranty_end_us", "grey_market", "allocated_rma",
      "quarantine_reason", "received_at_us", "updated_at_us", "version"};
  return *kColumns;
}

const std::string& UnitSelectColumns() {
  static const auto* const kSql =
      new std::string(absl::StrCat("id, serial, ", absl::StrJoin(UnitWriteColumns(), ", ")));
  return *kSql;
}

void BindUnitFields(Binder& b, const Unit& u) {
  b.Str(u.sku)
      .Str(Name(u.state))
      .Str(Name(u.source))
      .Str(Name(u.condition))
      .Int(u.round)
      .OptStr(u.certificate_id)
      .OptStr(u.certified_by)
      .OptTime(u.certify_time)
      .OptStr(u.reservation_id)
      .OptStr(u.reserved_partner_id)
      .OptTime(u.reserved_at)
      .OptTime(u.reserved_until)
      .Int(u.reserved_price_minor)
      .Int(u.reserved_discount_bps)
      .OptStr(u.owner_account_id)
      .OptStr(u.original_purchaser_account_id)
      .OptStr(u.site.region_code)
      .OptStr(u.site.postal_code)
      .OptStr(u.site.administrative_area)
      .OptStr(u.site.locality)
      .OptStr(absl::StrJoin(u.site.address_lines, "\n"))
      .OptStr(u.site.recipient)
      .OptStr(u.site.organization)
      .OptStr(u.ssrn)
      .OptTime(u.ship_time)
      .Int(u.sale_price_minor)
      .OptStr(u.currency_code)
      .OptStr(u.sold_by_partner_id)
      .OptStr(EnumOrEmpty(u.warranty_kind))
      .OptTime(u.warranty_end)
      .Int(u.grey_market ? 1 : 0)
      .OptStr(u.allocated_rma)
      .OptStr(u.quarantine_reason)
      .Time(u.receive_time)
      .Time(u.update_time)
      .Int(u.version);
}

// Reads the unit whose columns (UnitSelectColumns) start at column `first`;
// returns the column after the unit's last.
Unit ReadUnit(sql::ResultSet& rs, int first = 1, int* next = nullptr) {
  Unit u;
  int c = first;
  u.id = rs.getInt64(c++);
  u.serial = GetStr(rs, c++);
  u.sku = GetStr(rs, c++);
  u.state = GetEnum<UnitState>(rs, c++);
  u.source = GetEnum<Source>(rs, c++);
  u.condition = GetEnum<Condition>(rs, c++);
  u.round = rs.getInt(c++);
  u.certificate_id = GetStr(rs, c++);
  u.certified_by = GetStr(rs, c++);
  u.certify_time = GetOptTime(rs, c++);
  u.reservation_id = GetStr(rs, c++);
  u.reserved_partner_id = GetStr(rs, c++);
  u.reserved_at = GetOptTime(rs, c++);
  u.reserved_until = GetOptTime(rs, c++);
  u.reserved_price_minor = rs.getInt64(c++);
  u.reserved_discount_bps = rs.getInt(c++);
  u.owner_account_id = GetStr(rs, c++);
  u.original_purchaser_account_id = GetStr(rs, c++);
  u.site.region_code = GetStr(rs, c++);
  u.site.postal_code = GetStr(rs, c++);
  u.site.administrative_area = GetStr(rs, c++);
  u.site.locality = GetStr(rs, c++);
  std::string lines = GetStr(rs, c++);
  if (!lines.empty()) u.site.address_lines = absl::StrSplit(lines, '\n');
  u.site.recipient = GetStr(rs, c++);
  u.site.organization = GetStr(rs, c++);
  u.ssrn = GetStr(rs, c++);
  u.ship_time = GetOptTime(rs, c++);
  u.sale_price_minor = rs.getInt64(c++);
  u.currency_code = GetStr(rs, c++);
  u.sold_by_partner_id = GetStr(rs, c++);
  u.warranty_kind = GetEnum<WarrantyKind>(rs, c++);
  u.warranty_end = GetOptTime(rs, c++);
  u.grey_market = rs.getInt(c++) != 0;
  u.allocated_rma = GetStr(rs, c++);
  u.quarantine_reason = GetStr(rs, c++);
  u.receive_time = FromMicros(rs.getInt64(c++));
  u.update_time = FromMicros(rs.getInt64(c++));
  u.version = rs.getInt64(c++);
  if (next != nullptr) *next = c;
  return u;
}

// "a.x, a.y" from "x, y": a column list of one table in a join.
std::string Qualified(absl::string_view alias, absl::string_view columns) {
  std::vector<std::string> out;
  for (absl::string_view c : absl::StrSplit(columns, ',')) {
    out.push_back(absl::StrCat(alias, ".", absl::StripAsciiWhitespace(c)));
  }
  return absl::StrJoin(out, ", ");
}

// An expired reservation is available: the SQL form of EffectiveState.
constexpr char kAvailable[] =
    "(u.state = 'CERTIFIED' OR (u.state = 'RESERVED' AND u.reserved_until_us <= ?))";

// --- events and contracts ------------------------------------------------------

constexpr char kEventColumns[] =
    "id, serial, cert_round, at_us, actor, actor_role, kind, from_state, to_state, step, passed,"
    " detail";

UnitEvent ReadEvent(sql::ResultSet& rs) {
  UnitEvent e;
  e.id = rs.getInt64(1);
  e.serial = GetStr(rs, 2);
  e.round = rs.getInt(3);
  e.time = FromMicros(rs.getInt64(4));
  e.actor = GetStr(rs, 5);
  e.actor_role = GetStr(rs, 6);
  e.kind = GetStr(rs, 7);
  e.from_state = GetEnum<UnitState>(rs, 8);
  e.to_state = GetEnum<UnitState>(rs, 9);
  e.step = GetEnum<Step>(rs, 10);
  e.passed = rs.getInt(11) != 0;
  e.detail = GetStr(rs, 12);
  return e;
}

constexpr char kContractColumns[] =
    "id, serial, account_id, level, start_us, end_us, purchased_at_sale, pre_approval_reference";

// Reads the contract whose columns (kContractColumns) start at column `first`.
Contract ReadContract(sql::ResultSet& rs, int first = 1) {
  Contract c;
  c.id = rs.getInt64(first);
  c.serial = GetStr(rs, first + 1);
  c.account_id = GetStr(rs, first + 2);
  c.level = GetEnum<SupportLevel>(rs, first + 3);
  c.start = FromMicros(rs.getInt64(first + 4));
  c.end = FromMicros(rs.getInt64(first + 5));
  c.purchased_at_sale = rs.getInt(first + 6) != 0;
  c.pre_approval_reference = GetStr(rs, first + 7);
  return c;
}

}  // namespace

// --- products ----------------------------------------------------------------

absl::StatusOr<std::optional<Product>> MysqlInventoryRepository::FindProduct(
    const std::string& sku) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kProductColumns, " FROM products WHERE sku = ?"));
  s.setString(1, sku);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadProduct(*rs);
}

absl::Status MysqlInventoryRepository::InsertProduct(const Product& p) {
  auto& s = conn_.Prepare(absl::StrCat("INSERT INTO products (", kProductColumns,
                                       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  Binder b(s);
  b.Str(p.sku);
  BindProductFields(b, p);
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
    return absl::AlreadyExistsError(absl::StrCat("product ", p.sku, " already exists"));
  }
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::UpdateProduct(const Product& p, int64_t expected_version) {
  auto& s = conn_.Prepare(
      "UPDATE products SET display_name = ?, family = ?, series = ?, platform = ?,"
      " list_price_minor = ?, currency_code = ?, lifecycle = ?, end_of_production_us = ?,"
      " latest_software_release = ?, standard_warranty_months = ?, version = ?,"
      " created_at_us = ?, updated_at_us = ? WHERE sku = ? AND version = ?");
  Binder b(s);
  BindProductFields(b, p);
  b.Str(p.sku).Int(expected_version);
  if (s.executeUpdate() != 1) {
    return absl::AbortedError(absl::StrCat("product ", p.sku, " was changed concurrently"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Product>> MysqlInventoryRepository::ListProducts(
    const ProductFilter& filter, const std::string& after_sku, int limit, bool in_stock_only,
    absl::Time now) {
  std::string sql = absl::StrCat("SELECT ", kProductColumns, " FROM products p WHERE p.sku > ?");
  if (filter.family != Family::kUnspecified) sql += " AND p.family = ?";
  if (filter.lifecycle != Lifecycle::kUnspecified) sql += " AND p.lifecycle = ?";
  if (in_stock_only) {
    absl::StrAppend(&sql, " AND EXISTS (SELECT 1 FROM units u WHERE u.sku = p.sku AND ",
                    kAvailable, ")");
  }
  sql += " ORDER BY p.sku LIMIT ?";
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  b.Str(after_sku);
  if (filter.family != Family::kUnspecified) b.Str(Name(filter.family));
  if (filter.lifecycle != Lifecycle::kUnspecified) b.Str(Name(filter.lifecycle));
  if (in_stock_only) b.Time(now);
  b.Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Product> out;
  while (rs->next()) out.push_back(ReadProduct(*rs));
  return out;
}

// --- genuine serials ---------------------------------------------------------

absl::StatusOr<std::optional<GenuineSerial>> MysqlInventoryRepository::FindGenuineSerial(
    const std::string& serial) {
  auto& s = conn_.Prepare("SELECT serial, sku, loaded_at_us FROM genuine_serials WHERE serial = ?");
  s.setString(1, serial);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return GenuineSerial{GetStr(*rs, 1), GetStr(*rs, 2), FromMicros(rs->getInt64(3))};
}

absl::StatusOr<int64_t> MysqlInventoryRepository::UpsertGenuineSerials(
    const std::vector<GenuineSerial>& rows) {
  // Multi-row statements of 512 rows, then the rest in power-of-two chunks,
  // so that a connection caches at most ten statement shapes.
  int64_t inserted = 0;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t n = 512;
    while (n > rows.size() - pos) n /= 2;
    std::vector<std::string> marks(n, "?");
    auto& count = conn_.Prepare(absl::StrCat(
        "SELECT COUNT(*) FROM genuine_serials WHERE serial IN (", absl::StrJoin(marks, ","), ")"));
    for (size_t i = 0; i < n; ++i) count.setString(static_cast<int>(i + 1), rows[pos + i].serial);
    int64_t existing = 0;
    {
      std::unique_ptr<sql::ResultSet> rs(count.executeQuery());
      if (rs->next()) existing = rs->getInt64(1);
    }
    std::vector<std::string> tuples(n, "(?, ?, ?)");
    auto& insert = conn_.Prepare(absl::StrCat(
        "INSERT INTO genuine_serials (serial, sku, loaded_at_us) VALUES ",
        absl::StrJoin(tuples, ", "),
        " ON DUPLICATE KEY UPDATE sku = VALUES(sku), loaded_at_us = VALUES(loaded_at_us)"));
    Binder b(insert);
    for (size_t i = 0; i < n; ++i) {
      b.Str(rows[pos + i].serial).Str(rows[pos + i].sku).Time(rows[pos + i].load_time);
    }
    insert.executeUpdate();
    inserted += static_cast<int64_t>(n) - existing;
    pos += n;
  }
  return inserted;
}

// --- units ---------------------------------------------------------------------

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::QueryOneUnit(
    const std::string& sql, const std::vector<std::string>& args) {
  auto& s = conn_.Prepare(sql);
  for (size_t i = 0; i < args.size(); ++i) s.setString(static_cast<int>(i + 1), args[i]);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadUnit(*rs);
}

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::FindUnit(const std::string& serial,
                                                                       bool for_update) {
  return QueryOneUnit(absl::StrCat("SELECT ", UnitSelectColumns(), " FROM units WHERE serial = ?",
                                   for_update ? " FOR UPDATE" : ""),
                      {serial});
}

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::FindUnitBySsrn(
    const std::string& ssrn) {
  return QueryOneUnit(absl::StrCat("SELECT ", UnitSelectColumns(), " FROM units WHERE ssrn = ?"),
                      {ssrn});
}

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::FindUnitByRma(
    const std::string& rma_number) {
  return QueryOneUnit(absl::StrCat("SELECT ", UnitSelectColumns(),
                                   " FROM units WHERE allocated_rma = ? AND state = 'ALLOCATED' LIMIT 1"),
                      {rma_number});
}

absl::StatusOr<std::optional<EntitlementFacts>> MysqlInventoryRepository::FindEntitlementFacts(
    const std::string& serial) {
  // One round trip instead of three: the unit, its product and its
  // contracts (one row per contract, or one row of NULLs without any).
  static const auto* const kSql = new std::string(absl::StrCat(
      "SELECT ", Qualified("u", UnitSelectColumns()), ", ", Qualified("p", kProductColumns), ", ",
      Qualified("c", kContractColumns),
      " FROM units u LEFT JOIN products p ON p.sku = u.sku"
      " LEFT JOIN support_contracts c ON c.serial = u.serial"
      " WHERE u.serial = ? ORDER BY c.id"));
  auto& s = conn_.Prepare(*kSql);
  s.setString(1, serial);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  EntitlementFacts facts;
  int product_first = 0;
  facts.unit = ReadUnit(*rs, 1, &product_first);
  if (!rs->isNull(product_first)) facts.product = ReadProduct(*rs, product_first);
  const int contract_first = product_first + kProductColumnCount;
  do {
    if (!rs->isNull(contract_first)) facts.contracts.push_back(ReadContract(*rs, contract_first));
  } while (rs->next());
  return facts;
}

absl::Status MysqlInventoryRepository::InsertUnit(Unit* unit) {
  static const auto* const kSql = new std::string([] {
    std::vector<std::string> columns = {"serial"};
    columns.insert(columns.end(), UnitWriteColumns().begin(), UnitWriteColumns().end());
    return db::InsertSql("units", columns);
  }());
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  b.Str(unit->serial);
  BindUnitFields(b, *unit);
  try {
    s.executeUpdate();
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() != db::kErrDuplicateKey) throw;
    return absl::AlreadyExistsError(absl::StrCat("unit ", unit->serial, " already exists"));
  }
  unit->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::SaveUnit(const Unit& unit) {
  static const auto* const kSql =
      new std::string(db::UpdateSql("units", UnitWriteColumns(), "serial = ? AND version = ?"));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  BindUnitFields(b, unit);
  b.Str(unit.serial).Int(unit.version - 1);
  if (s.executeUpdate() != 1) {
    return db::MarkRetryable(
        absl::AbortedError(absl::StrCat("unit ", unit.serial, " was changed concurrently")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::ClaimAvailableUnit(
    const std::string& sku, Condition condition, absl::Time now) {
  // Two ordered index lookups, never a sort: a CERTIFIED unit first, then a
  // reservation past its expiry. SKIP LOCKED passes over rows that a
  // concurrent reservation holds, so concurrent callers get distinct units.
  const bool by_condition = condition != Condition::kUnspecified;
  std::string certified = absl::StrCat(
      "SELECT ", UnitSelectColumns(), " FROM units u FORCE INDEX (",
      by_condition ? "idx_units_sku_state_condition" : "idx_units_sku_state",
      ") WHERE u.sku = ? AND u.state = 'CERTIFIED'", by_condition ? " AND u.unit_condition = ?" : "",
      " ORDER BY u.serial LIMIT 1 FOR UPDATE SKIP LOCKED");
  {
    auto& s = conn_.Prepare(certified);
    Binder b(s);
    b.Str(sku);
    if (by_condition) b.Str(Name(condition));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) return ReadUnit(*rs);
  }
  std::string expired = absl::StrCat(
      "SELECT ", UnitSelectColumns(), " FROM units u FORCE INDEX (idx_units_sku_expiry)"
      " WHERE u.sku = ? AND u.state = 'RESERVED' AND u.reserved_until_us <= ?",
      by_condition ? " AND u.unit_condition = ?" : "",
      " ORDER BY u.reserved_until_us LIMIT 1 FOR UPDATE SKIP LOCKED");
  auto& s = conn_.Prepare(expired);
  Binder b(s);
  b.Str(sku).Time(now);
  if (by_condition) b.Str(Name(condition));
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadUnit(*rs);
}

absl::StatusOr<std::optional<Unit>> MysqlInventoryRepository::ClaimSpare(const std::string& sku) {
  return QueryOneUnit(
      absl::StrCat("SELECT ", UnitSelectColumns(),
                   " FROM units FORCE INDEX (idx_units_sku_state) WHERE sku = ? AND state = 'SPARE'"
                   " ORDER BY serial LIMIT 1 FOR UPDATE SKIP LOCKED"),
      {sku});
}

absl::StatusOr<std::vector<Unit>> MysqlInventoryRepository::ListUnits(
    const UnitFilter& f, const std::string& after_serial, int limit, absl::Time now) {
  std::string sql = absl::StrCat("SELECT ", UnitSelectColumns(), " FROM units u");
  const bool join = f.family != Family::kUnspecified || f.lifecycle != Lifecycle::kUnspecified;
  // STRAIGHT_JOIN: walk units in serial order and look each product up by
  // its key, so a page costs the rows up to its 50th match, not a sort of
  // every unit of the family.
  if (join) sql += " STRAIGHT_JOIN products p ON p.sku = u.sku";
  sql += " WHERE u.serial > ?";
  if (!f.sku.empty()) sql += " AND u.sku = ?";
  if (f.state == UnitState::kCertified) {
    absl::StrAppend(&sql, " AND ", kAvailable);
  } else if (f.state == UnitState::kReserved) {
    sql += " AND u.state = 'RESERVED' AND u.reserved_until_us > ?";
  } else if (f.state != UnitState::kUnspecified) {
    sql += " AND u.state = ?";
  }
  if (f.source != Source::kUnspecified) sql += " AND u.source = ?";
  if (f.family != Family::kUnspecified) sql += " AND p.family = ?";
  if (f.lifecycle != Lifecycle::kUnspecified) sql += " AND p.lifecycle = ?";
  if (!f.owner_account_id.empty()) {
    sql += " AND u.owner_account_id = ? AND u.state IN ('SOLD', 'IN_SERVICE')";
  }
  sql += " ORDER BY u.serial LIMIT ?";
  // Column names in the select list are unqualified; qualify them for the join.
  if (join) {
    std::string qualified = absl::StrCat("u.", absl::StrJoin(absl::StrSplit(UnitSelectColumns(), ", "), ", u."));
    sql.replace(sql.find(UnitSelectColumns()), UnitSelectColumns().size(), qualified);
  }
  auto& s = conn_.Prepare(sql);
  Binder b(s);
  b.Str(after_serial);
  if (!f.sku.empty()) b.Str(f.sku);
  if (f.state == UnitState::kCertified || f.state == UnitState::kReserved) {
    b.Time(now);
  } else if (f.state != UnitState::kUnspecified) {
    b.Str(Name(f.state));
  }
  if (f.source != Source::kUnspecified) b.Str(Name(f.source));
  if (f.family != Family::kUnspecified) b.Str(Name(f.family));
  if (f.lifecycle != Lifecycle::kUnspecified) b.Str(Name(f.lifecycle));
  if (!f.owner_account_id.empty()) b.Str(f.owner_account_id);
  b.Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Unit> out;
  while (rs->next()) out.push_back(ReadUnit(*rs));
  return out;
}

absl::StatusOr<std::vector<StockCount>> MysqlInventoryRepository::CountAvailable(
    const std::string& sku, absl::Time now) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT u.unit_condition, COUNT(*) FROM units u WHERE u.sku = ? AND ",
                                       kAvailable, " GROUP BY u.unit_condition ORDER BY u.unit_condition"));
  Binder b(s);
  b.Str(sku).Time(now);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<StockCount> out;
  while (rs->next()) out.push_back(StockCount{GetEnum<Condition>(*rs, 1), rs->getInt64(2)});
  return out;
}

// --- events ----------------------------------------------------------------------

absl::Status MysqlInventoryRepository::AppendEvent(UnitEvent* e) {
  RETURN_IF_ERROR(AppendEventWithoutId(*e));
  e->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::AppendEventWithoutId(const UnitEvent& e) {
  auto& s = conn_.Prepare(
      "INSERT INTO unit_events (serial, cert_round, at_us, actor, actor_role, kind, from_state,"
      " to_state, step, passed, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(e.serial)
      .Int(e.round)
      .Time(e.time)
      .Str(e.actor)
      .Str(e.actor_role)
      .Str(e.kind)
      .Str(Name(e.from_state))
      .Str(Name(e.to_state))
      .OptStr(EnumOrEmpty(e.step))
      .Int(e.passed ? 1 : 0)
      .Str(e.detail.substr(0, 2048));
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UnitEvent>> MysqlInventoryRepository::ListEvents(
    const std::string& serial, int64_t after_id, int limit) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kEventColumns,
                                       " FROM unit_events FORCE INDEX (idx_unit_events_serial) WHERE serial = ? AND id > ?"
                                       " ORDER BY id LIMIT ?"));
  Binder b(s);
  b.Str(serial).Int(after_id).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<UnitEvent> out;
  while (rs->next()) out.push_back(ReadEvent(*rs));
  return out;
}

absl::StatusOr<std::vector<UnitEvent>> MysqlInventoryRepository::StepEvents(
    const std::string& serial, int32_t round) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", kEventColumns,
      " FROM unit_events WHERE serial = ? AND cert_round = ? AND kind = 'CERTIFICATION_STEP'"
      " ORDER BY id"));
  Binder b(s);
  b.Str(serial).Int(round);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<UnitEvent> out;
  while (rs->next()) out.push_back(ReadEvent(*rs));
  return out;
}

// --- contracts -------------------------------------------------------------------

absl::Status MysqlInventoryRepository::InsertContract(Contract* c) {
  auto& s = conn_.Prepare(
      "INSERT INTO support_contracts (serial, account_id, level, start_us, end_us,"
      " purchased_at_sale, pre_approval_reference) VALUES (?, ?, ?, ?, ?, ?, ?)");
  Binder b(s);
  b.Str(c->serial)
      .Str(c->account_id)
      .Str(Name(c->level))
      .Time(c->start)
      .Time(c->end)
      .Int(c->purchased_at_sale ? 1 : 0)
      .Str(c->pre_approval_reference);
  s.executeUpdate();
  c->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::UpdateContract(const Contract& c) {
  auto& s = conn_.Prepare(
      "UPDATE support_contracts SET serial = ?, account_id = ?, level = ?, start_us = ?,"
      " end_us = ? WHERE id = ?");
  Binder b(s);
  b.Str(c.serial).Str(c.account_id).Str(Name(c.level)).Time(c.start).Time(c.end).Int(c.id);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Contract>> MysqlInventoryRepository::ContractsOf(
    const std::string& serial) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kContractColumns,
                                       " FROM support_contracts WHERE serial = ? ORDER BY id"));
  s.setString(1, serial);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Contract> out;
  while (rs->next()) out.push_back(ReadContract(*rs));
  return out;
}

absl::StatusOr<std::optional<Contract>> MysqlInventoryRepository::FindContract(int64_t id) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", kContractColumns,
                                       " FROM support_contracts WHERE id = ?"));
  s.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadContract(*rs);
}

// --- store -------------------------------------------------------------------------

absl::StatusOr<int> MysqlInventoryStore::SweepExpiredReservations(absl::Time now, int limit) {
  // Read the candidates without locks, then release each one in its own
  // transaction (one aggregate per transaction, docs/SCALING.md rule 3);
  // the conditional UPDATE skips a unit that was reserved again meanwhile.
  struct Row {
    std::string serial, reservation;
    int round;
  };
  ASSIGN_OR_RETURN(
      std::vector<Row> rows,
      db::RunRead<std::vector<Row>>(
          *pool_, "find expired reservations",
          [&](db::Connection& conn) -> absl::StatusOr<std::vector<Row>> {
            auto& find = conn.Prepare(
                "SELECT serial, reservation_id, cert_round FROM units FORCE INDEX (idx_units_expiry)"
                " WHERE state = 'RESERVED' AND reserved_until_us <= ? ORDER BY reserved_until_us"
                " LIMIT ?");
            find.setInt64(1, ToMicros(now));
            find.setInt(2, limit);
            std::vector<Row> out;
            std::unique_ptr<sql::ResultSet> rs(find.executeQuery());
            while (rs->next()) out.push_back({GetStr(*rs, 1), GetStr(*rs, 2), rs->getInt(3)});
            return out;
          }));
  int released = 0;
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(
        bool done,
        db::RunTransaction<bool>(
            *pool_, "release expired reservation", [&](db::Connection& conn) -> absl::StatusOr<bool> {
              auto& upd = conn.Prepare(
                  "UPDATE units SET state = 'CERTIFIED', reservation_id = NULL,"
                  " reserved_partner_id = NULL, reserved_at_us = NULL, reserved_until_us = NULL,"
                  " reserved_price_minor = 0, reserved_discount_bps = 0, version = version + 1,"
                  " updated_at_us = ? WHERE serial = ? AND state = 'RESERVED'"
                  " AND reservation_id = ? AND reserved_until_us <= ?");
              upd.setInt64(1, ToMicros(now));
              upd.setString(2, r.serial);
              upd.setString(3, r.reservation);
              upd.setInt64(4, ToMicros(now));
              if (upd.executeUpdate() != 1) return false;
              UnitEvent e;
              e.serial = r.serial;
              e.round = r.round;
              e.time = now;
              e.actor = "inventory-svc";
              e.actor_role = "service";
              e.kind = kEventStateChange;
              e.from_state = UnitState::kReserved;
              e.to_state = UnitState::kCertified;
              e.detail = absl::StrCat("reservation ", r.reservation, " expired");
              MysqlInventoryRepository repo(conn);
              RETURN_IF_ERROR(repo.AppendEvent(&e));
              return true;
            }));
    released += done ? 1 : 0;
  }
  return released;
}

absl::StatusOr<std::map<UnitState, int64_t>> MysqlInventoryStore::CountByState(absl::Time now) {
  return db::RunRead<std::map<UnitState, int64_t>>(
      *pool_, "count units by state",
      [&](db::Connection& conn) -> absl::StatusOr<std::map<UnitState, int64_t>> {
        // A covering scan of idx_units_expiry (state, reserved_until_us).
        auto& s = conn.Prepare(
            "SELECT IF(state = 'RESERVED' AND reserved_until_us <= ?, 'CERTIFIED', state),"
            " COUNT(*) FROM units FORCE INDEX (idx_units_expiry) GROUP BY 1");
        s.setInt64(1, ToMicros(now));
        std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
        std::map<UnitState, int64_t> out;
        while (rs->next()) out[GetEnum<UnitState>(*rs, 1)] += rs->getInt64(2);
        return out;
      });
}

}  // namespace aftercare::inventory
