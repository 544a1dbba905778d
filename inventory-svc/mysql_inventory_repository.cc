#include "inventory-svc/mysql_inventory_repository.h"

#include <google/protobuf/wrappers.pb.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/db/address_columns.h"
#include "common/db/columns.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"
#include "common/db/transaction.h"
#include "common/ids.h"
#include "common/status.h"

namespace aftercare::inventory {
namespace {

using db::FromMicros;
using db::ToMicros;

using db::Binder;
using db::GetOptTime;
using db::GetStr;

using db::GetEnum;

// --- products ----------------------------------------------------------------

// Every column of a product but sku (the key, bound and read apart).
const db::Columns<Product>& ProductColumns() {
  using db::EnumColumn;
  using db::IntColumn;
  using db::OptTimeColumn;
  using db::StrColumn;
  using db::TimeColumn;
  static const auto* const kColumns = new db::Columns<Product>({
      StrColumn<&Product::display_name>("display_name"),
      EnumColumn<&Product::family>("family"),
      StrColumn<&Product::series>("series"),
      StrColumn<&Product::platform>("platform"),
      {"list_price_minor", [](Binder& b, const Product& p) { b.Int(p.list_price.amount_minor); },
       [](sql::ResultSet& rs, int c, Product& p) { p.list_price.amount_minor = rs.getInt64(c); }},
      {"currency_code", [](Binder& b, const Product& p) { b.Str(p.list_price.currency_code); },
       [](sql::ResultSet& rs, int c, Product& p) { p.list_price.currency_code = GetStr(rs, c); }},
      EnumColumn<&Product::lifecycle>("lifecycle"),
      OptTimeColumn<&Product::end_of_production_time>("end_of_production_us"),
      StrColumn<&Product::latest_software_release>("latest_software_release"),
      IntColumn<&Product::standard_warranty_months>("standard_warranty_months"),
      IntColumn<&Product::version>("version"),
      TimeColumn<&Product::create_time>("created_at_us"),
      TimeColumn<&Product::update_time>("updated_at_us"),
  });
  return *kColumns;
}

// "sku, display_name, ...": every column of a product.
const std::string& ProductSelectColumns() {
  static const auto* const kSql = new std::string(absl::StrCat("sku, ", ProductColumns().List()));
  return *kSql;
}

// Reads the product whose columns (ProductSelectColumns) start at column
// `first`; returns the column after the product's last.
Product ReadProduct(sql::ResultSet& rs, int first = 1, int* next = nullptr) {
  Product p;
  p.sku = GetStr(rs, first);
  const int after = ProductColumns().Read(rs, first + 1, &p);
  if (next != nullptr) *next = after;
  return p;
}

// --- units -------------------------------------------------------------------

// Every column of a unit but id and serial (the key, bound and read apart):
// name, bind and read of each on one line (common/db/columns.h).
const db::Columns<Unit>& UnitColumns() {
  using db::BoolColumn;
  using db::EnumColumn;
  using db::IntColumn;
  using db::OptEnumColumn;
  using db::OptStrColumn;
  using db::OptTimeColumn;
  using db::StrColumn;
  using db::TimeColumn;
  static const auto* const kColumns = new db::Columns<Unit>(db::Concat<Unit>({{
      StrColumn<&Unit::sku>("sku"),
      EnumColumn<&Unit::state>("state"),
      EnumColumn<&Unit::source>("source"),
      EnumColumn<&Unit::condition>("unit_condition"),
      IntColumn<&Unit::round>("cert_round"),
      OptStrColumn<&Unit::certificate_id>("certificate_id"),
      OptStrColumn<&Unit::certified_by>("certified_by"),
      OptTimeColumn<&Unit::certify_time>("certified_at_us"),
      OptStrColumn<&Unit::reservation_id>("reservation_id"),
      OptStrColumn<&Unit::reserved_partner_id>("reserved_partner_id"),
      OptTimeColumn<&Unit::reserved_at>("reserved_at_us"),
      OptTimeColumn<&Unit::reserved_until>("reserved_until_us"),
      IntColumn<&Unit::reserved_price_minor>("reserved_price_minor"),
      IntColumn<&Unit::reserved_discount_bps>("reserved_discount_bps"),
      OptStrColumn<&Unit::owner_account_id>("owner_account_id"),
      OptStrColumn<&Unit::original_purchaser_account_id>("original_purchaser_account_id"),
  }, db::PostalAddressColumns<&Unit::site, db::Blank::kNull>("site"), {
      OptStrColumn<&Unit::ssrn>("ssrn"),
      OptTimeColumn<&Unit::ship_time>("ship_at_us"),
      IntColumn<&Unit::sale_price_minor>("sale_price_minor"),
      OptStrColumn<&Unit::currency_code>("currency_code"),
      OptStrColumn<&Unit::sold_by_partner_id>("sold_by_partner_id"),
      OptEnumColumn<&Unit::warranty_kind>("warranty_kind"),
      OptTimeColumn<&Unit::warranty_end>("warranty_end_us"),
      BoolColumn<&Unit::grey_market>("grey_market"),
      OptStrColumn<&Unit::allocated_rma>("allocated_rma"),
      OptStrColumn<&Unit::quarantine_reason>("quarantine_reason"),
      TimeColumn<&Unit::receive_time>("received_at_us"),
      TimeColumn<&Unit::update_time>("updated_at_us"),
      IntColumn<&Unit::version>("version"),
  }}));
  return *kColumns;
}

const std::string& UnitSelectColumns() {
  static const auto* const kSql = new std::string(absl::StrCat("id, serial, ", UnitColumns().List()));
  return *kSql;
}

// Reads the unit whose columns (UnitSelectColumns) start at column `first`;
// returns the column after the unit's last.
Unit ReadUnit(sql::ResultSet& rs, int first = 1, int* next = nullptr) {
  Unit u;
  u.id = rs.getInt64(first);
  u.serial = GetStr(rs, first + 1);
  const int after = UnitColumns().Read(rs, first + 2, &u);
  if (next != nullptr) *next = after;
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

// The SQL of EffectiveState (inventory.h): a reservation has expired when
// its end is at or before `now`, the one parameter each of these takes, as
// ReservationExpired decides it. `t` is the units table's alias with its dot
// ("u.") or empty. Every statement that asks "reserved or not" uses them;
// InventoryIntegrationTest.ReservationExpiryIsOneRuleInSqlAndInTheDomain
// checks them against the domain at the boundary (end == now).
std::string ExpiredReservation(absl::string_view t) {
  return absl::StrCat("(", t, "state = 'RESERVED' AND ", t, "reserved_until_us <= ?)");
}
std::string LiveReservation(absl::string_view t) {
  return absl::StrCat("(", t, "state = 'RESERVED' AND ", t, "reserved_until_us > ?)");
}
// CERTIFIED, or RESERVED with an expired reservation.
const std::string& Available() {
  static const std::string* sql =
      new std::string(absl::StrCat("(u.state = 'CERTIFIED' OR ", ExpiredReservation("u."), ")"));
  return *sql;
}

// --- events and contracts ------------------------------------------------------

// The columns of unit_events, its key id first (common/db/columns.h).
const db::Columns<UnitEvent>& EventColumns() {
  using E = UnitEvent;
  static const auto* const kColumns = new db::Columns<UnitEvent>(db::IntColumn<&E::id>("id"), {
      db::StrColumn<&E::serial>("serial"),
      db::IntColumn<&E::round>("cert_round"),
      db::TimeColumn<&E::time>("at_us"),
      db::StrColumn<&E::actor>("actor"),
      db::StrColumn<&E::actor_role>("actor_role"),
      db::StrColumn<&E::kind>("kind"),
      db::EnumColumn<&E::from_state>("from_state"),
      db::EnumColumn<&E::to_state>("to_state"),
      db::OptEnumColumn<&E::step>("step"),
      db::BoolColumn<&E::passed>("passed"),
      {"detail",  // VARCHAR(2048), cut at a character boundary
       [](Binder& b, const E& e) { b.Str(TruncateUtf8(e.detail, 2048)); },
       [](sql::ResultSet& rs, int c, E& e) { e.detail = GetStr(rs, c); }},
  });
  return *kColumns;
}

// The columns of support_contracts, its key id first.
const db::Columns<Contract>& ContractColumns() {
  using C = Contract;
  static const auto* const kColumns = new db::Columns<Contract>(db::IntColumn<&C::id>("id"), {
      db::StrColumn<&C::serial>("serial"),
      db::StrColumn<&C::account_id>("account_id"),
      db::EnumColumn<&C::level>("level"),
      db::TimeColumn<&C::start>("start_us"),
      db::TimeColumn<&C::end>("end_us"),
      db::BoolColumn<&C::purchased_at_sale>("purchased_at_sale"),
      db::StrColumn<&C::pre_approval_reference>("pre_approval_reference"),
  });
  return *kColumns;
}

}  // namespace

// --- products ----------------------------------------------------------------

absl::StatusOr<std::optional<Product>> MysqlInventoryRepository::FindProduct(
    const std::string& sku) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", ProductSelectColumns(), " FROM products WHERE sku = ?"));
  s.setString(1, sku);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadProduct(*rs);
}

absl::Status MysqlInventoryRepository::InsertProduct(const Product& p) {
  static const auto* const kSql = new std::string([] {
    std::vector<std::string> columns = {"sku"};
    columns.insert(columns.end(), ProductColumns().names().begin(), ProductColumns().names().end());
    return db::InsertSql("products", columns);
  }());
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  b.Str(p.sku);
  ProductColumns().Bind(b, p);
  if (!db::InsertUnlessDuplicate(s)) {
    return absl::AlreadyExistsError(absl::StrCat("product ", p.sku, " already exists"));
  }
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::UpdateProduct(const Product& p, int64_t expected_version) {
  static const auto* const kUpdate =
      new db::VersionedUpdate<Product>("products", ProductColumns(), "sku");
  if (!kUpdate->Apply(conn_, p, p.sku, expected_version)) {
    return absl::AbortedError(absl::StrCat("product ", p.sku, " was changed concurrently"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Product>> MysqlInventoryRepository::ListProducts(
    const ProductFilter& filter, const std::string& after_sku, int limit, bool in_stock_only,
    absl::Time now) {
  std::string sql = absl::StrCat("SELECT ", ProductSelectColumns(), " FROM products p WHERE p.sku > ?");
  if (filter.family != Family::kUnspecified) sql += " AND p.family = ?";
  if (filter.lifecycle != Lifecycle::kUnspecified) sql += " AND p.lifecycle = ?";
  if (in_stock_only) {
    absl::StrAppend(&sql, " AND EXISTS (SELECT 1 FROM units u WHERE u.sku = p.sku AND ",
                    Available(), ")");
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
      "SELECT ", Qualified("u", UnitSelectColumns()), ", ", Qualified("p", ProductSelectColumns()), ", ",
      Qualified("c", ContractColumns().SelectList()),
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
  const int contract_first = product_first + 1 + ProductColumns().size();
  if (!rs->isNull(product_first)) facts.product = ReadProduct(*rs, product_first);
  do {
    if (!rs->isNull(contract_first)) facts.contracts.push_back(ContractColumns().ReadRow(*rs, contract_first));
  } while (rs->next());
  return facts;
}

absl::Status MysqlInventoryRepository::InsertUnit(Unit* unit) {
  static const auto* const kSql = new std::string([] {
    std::vector<std::string> columns = {"serial"};
    columns.insert(columns.end(), UnitColumns().names().begin(), UnitColumns().names().end());
    return db::InsertSql("units", columns);
  }());
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  b.Str(unit->serial);
  UnitColumns().Bind(b, *unit);
  if (!db::InsertUnlessDuplicate(s)) {
    return absl::AlreadyExistsError(absl::StrCat("unit ", unit->serial, " already exists"));
  }
  unit->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::SaveUnit(const Unit& unit) {
  static const auto* const kUpdate = new db::VersionedUpdate<Unit>("units", UnitColumns(), "serial");
  if (!kUpdate->Apply(conn_, unit, unit.serial, unit.version - 1)) {
    return db::MarkRetryable(
        absl::AbortedError(absl::StrCat("unit ", unit.serial, " was changed concurrently")));
  }
  return absl::OkStatus();
}

namespace {

// The claimed unit's product's price basis, in the claim's own statement.
// MariaDB reads a scalar subquery of a locking SELECT without locking it (a
// consistent read), so concurrent claims of one SKU do not queue on its
// product row, and SKIP LOCKED skips units only.
constexpr char kClaimPriceBasis[] =
    ", (SELECT p.list_price_minor FROM products p WHERE p.sku = u.sku)"
    ", (SELECT p.currency_code FROM products p WHERE p.sku = u.sku)"
    ", (SELECT p.lifecycle FROM products p WHERE p.sku = u.sku)";

ClaimedUnit ReadClaimedUnit(sql::ResultSet& rs) {
  int c = 0;
  ClaimedUnit claimed{ReadUnit(rs, 1, &c), std::nullopt};
  if (!rs.isNull(c + 2)) {  // no product: every subquery is NULL
    CpoPriceBasis basis;
    basis.list_price.amount_minor = rs.getInt64(c);
    basis.list_price.currency_code = GetStr(rs, c + 1);
    basis.lifecycle = GetEnum<Lifecycle>(rs, c + 2);
    claimed.price = std::move(basis);
  }
  return claimed;
}

}  // namespace

absl::StatusOr<std::optional<ClaimedUnit>> MysqlInventoryRepository::ClaimAvailableUnit(
    const std::string& sku, Condition condition, absl::Time now) {
  // Two ordered index lookups, never a sort: a CERTIFIED unit first, then a
  // reservation past its expiry. SKIP LOCKED passes over rows that a
  // concurrent reservation holds, so concurrent callers get distinct units.
  const bool by_condition = condition != Condition::kUnspecified;
  std::string certified = absl::StrCat(
      "SELECT ", UnitSelectColumns(), kClaimPriceBasis, " FROM units u FORCE INDEX (",
      by_condition ? "idx_units_sku_state_condition" : "idx_units_sku_state",
      ") WHERE u.sku = ? AND u.state = 'CERTIFIED'", by_condition ? " AND u.unit_condition = ?" : "",
      " ORDER BY u.serial LIMIT 1 FOR UPDATE SKIP LOCKED");
  {
    auto& s = conn_.Prepare(certified);
    Binder b(s);
    b.Str(sku);
    if (by_condition) b.Str(Name(condition));
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (rs->next()) return ReadClaimedUnit(*rs);
  }
  std::string expired = absl::StrCat(
      "SELECT ", UnitSelectColumns(), kClaimPriceBasis,
      " FROM units u FORCE INDEX (idx_units_sku_expiry)"
      " WHERE u.sku = ? AND ", ExpiredReservation("u."),
      by_condition ? " AND u.unit_condition = ?" : "",
      " ORDER BY u.reserved_until_us LIMIT 1 FOR UPDATE SKIP LOCKED");
  auto& s = conn_.Prepare(expired);
  Binder b(s);
  b.Str(sku).Time(now);
  if (by_condition) b.Str(Name(condition));
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ReadClaimedUnit(*rs);
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
    absl::StrAppend(&sql, " AND ", Available());
  } else if (f.state == UnitState::kReserved) {
    absl::StrAppend(&sql, " AND ", LiveReservation("u."));
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
    sql.replace(sql.find(UnitSelectColumns()), UnitSelectColumns().size(),
                Qualified("u", UnitSelectColumns()));
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
                                       Available(), " GROUP BY u.unit_condition ORDER BY u.unit_condition"));
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
  static const auto* const kSql =
      new std::string(db::InsertSql("unit_events", EventColumns().names()));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  EventColumns().Bind(b, e);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UnitEvent>> MysqlInventoryRepository::ListEvents(
    const std::string& serial, int64_t after_id, int limit) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", EventColumns().SelectList(),
                                       " FROM unit_events FORCE INDEX (idx_unit_events_serial) WHERE serial = ? AND id > ?"
                                       " ORDER BY id LIMIT ?"));
  Binder b(s);
  b.Str(serial).Int(after_id).Int(limit);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<UnitEvent> out;
  while (rs->next()) out.push_back(EventColumns().ReadRow(*rs));
  return out;
}

absl::StatusOr<std::vector<UnitEvent>> MysqlInventoryRepository::StepEvents(
    const std::string& serial, int32_t round) {
  auto& s = conn_.Prepare(absl::StrCat(
      "SELECT ", EventColumns().SelectList(),
      " FROM unit_events WHERE serial = ? AND cert_round = ? AND kind = 'CERTIFICATION_STEP'"
      " ORDER BY id"));
  Binder b(s);
  b.Str(serial).Int(round);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<UnitEvent> out;
  while (rs->next()) out.push_back(EventColumns().ReadRow(*rs));
  return out;
}

// --- contracts -------------------------------------------------------------------

absl::Status MysqlInventoryRepository::InsertContract(Contract* c) {
  static const auto* const kSql =
      new std::string(db::InsertSql("support_contracts", ContractColumns().names()));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  ContractColumns().Bind(b, *c);
  s.executeUpdate();
  c->id = conn_.LastInsertId();
  return absl::OkStatus();
}

absl::Status MysqlInventoryRepository::UpdateContract(const Contract& c) {
  static const auto* const kSql =
      new std::string(db::UpdateSql("support_contracts", ContractColumns().names(), "id = ?"));
  auto& s = conn_.Prepare(*kSql);
  Binder b(s);
  ContractColumns().Bind(b, c);
  b.Int(c.id);
  s.executeUpdate();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Contract>> MysqlInventoryRepository::ContractsOf(
    const std::string& serial) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", ContractColumns().SelectList(),
                                       " FROM support_contracts WHERE serial = ? ORDER BY id"));
  s.setString(1, serial);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  std::vector<Contract> out;
  while (rs->next()) out.push_back(ContractColumns().ReadRow(*rs));
  return out;
}

absl::StatusOr<std::optional<Contract>> MysqlInventoryRepository::FindContract(int64_t id) {
  auto& s = conn_.Prepare(absl::StrCat("SELECT ", ContractColumns().SelectList(),
                                       " FROM support_contracts WHERE id = ?"));
  s.setInt64(1, id);
  std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
  if (!rs->next()) return std::nullopt;
  return ContractColumns().ReadRow(*rs);
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
            auto& find = conn.Prepare(absl::StrCat(
                "SELECT serial, reservation_id, cert_round FROM units FORCE INDEX (idx_units_expiry)"
                " WHERE ", ExpiredReservation(""), " ORDER BY reserved_until_us LIMIT ?"));
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
              auto& upd = conn.Prepare(absl::StrCat(
                  "UPDATE units SET state = 'CERTIFIED', reservation_id = NULL,"
                  " reserved_partner_id = NULL, reserved_at_us = NULL, reserved_until_us = NULL,"
                  " reserved_price_minor = 0, reserved_discount_bps = 0, version = version + 1,"
                  " updated_at_us = ? WHERE serial = ? AND reservation_id = ? AND ",
                  ExpiredReservation("")));
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
        auto& s = conn.Prepare(absl::StrCat(
            "SELECT IF(", ExpiredReservation(""), ", 'CERTIFIED', state),"
            " COUNT(*) FROM units FORCE INDEX (idx_units_expiry) GROUP BY 1"));
        s.setInt64(1, ToMicros(now));
        std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
        std::map<UnitState, int64_t> out;
        while (rs->next()) out[GetEnum<UnitState>(*rs, 1)] += rs->getInt64(2);
        return out;
      });
}

}  // namespace aftercare::inventory
