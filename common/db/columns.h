// A table's columns written once: each column's name, how a value is bound
// for INSERT/UPDATE and how it is read back, on one line. The column list of
// a statement, the binding of its placeholders and the reading of its rows
// all come from the same table, so a column cannot be bound in one position
// and read in another.
//
//   const db::Columns<Unit>& UnitColumns() {
//     static const auto* const kColumns = new db::Columns<Unit>({
//         db::StrColumn<&Unit::sku>("sku"),
//         db::EnumColumn<&Unit::state>("state"),
//         db::OptTimeColumn<&Unit::certify_time>("certified_at_us"),
//         {"site_region_code",  // a nested field: bind and read written out
//          [](db::Binder& b, const Unit& u) { b.OptStr(u.site.region_code); },
//          [](sql::ResultSet& rs, int c, Unit& u) { u.site.region_code = db::GetStr(rs, c); }},
//     });
//     return *kColumns;
//   }
//   db::UpdateSql("units", UnitColumns().names(), "serial = ?");
//   UnitColumns().Bind(binder, unit);
//   UnitColumns().Read(*rs, /*first=*/1, &unit);
// A table read with its key first gives the key to the constructor
// (SelectList, ReadRow, NamesWithKey, BindWithKey below).
#ifndef AFTERCARE_COMMON_DB_COLUMNS_H_
#define AFTERCARE_COMMON_DB_COLUMNS_H_

#include <cppconn/resultset.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/sql_time.h"
#include "common/db/statement.h"

namespace aftercare::db {

template <typename T>
struct Column {
  std::string name;
  void (*bind)(Binder& b, const T& value);
  void (*read)(sql::ResultSet& rs, int col, T& value);
};

template <typename T>
class Columns {
 public:
  Columns(std::initializer_list<Column<T>> columns)
      : Columns(std::vector<Column<T>>(columns)) {}
  // Groups of columns in order, e.g. a postal address's seven between
  // others (common/db/address_columns.h).
  explicit Columns(std::vector<Column<T>> columns) : columns_(std::move(columns)) {
    for (const Column<T>& c : columns_) names_.emplace_back(c.name);
    select_list_ = List();
  }
  // A table whose rows are read with their key first ("id, a, b, c"): the
  // key is read by ReadRow and bound only by BindWithKey (an INSERT that sets
  // it); names(), List(), Bind() and Read() are the other columns, those an
  // UPDATE keyed on it writes.
  //   db::Columns<Rma>(db::IntColumn<&Rma::id>("id"), {...});
  Columns(Column<T> key, std::initializer_list<Column<T>> columns)
      : Columns(std::move(key), std::vector<Column<T>>(columns)) {}
  Columns(Column<T> key, std::vector<Column<T>> columns) : Columns(std::move(columns)) {
    select_list_ = absl::StrCat(key.name, ", ", select_list_);
    key_ = std::move(key);
  }

  int size() const { return static_cast<int>(columns_.size()); }
  const std::vector<std::string>& names() const { return names_; }

  // "a, b, c", or with an alias "u.a, u.b, u.c" (one table of a join).
  std::string List(absl::string_view alias = {}) const {
    std::string out;
    for (const std::string& n : names_) {
      if (!out.empty()) out += ", ";
      if (!alias.empty()) absl::StrAppend(&out, alias, ".");
      out += n;
    }
    return out;
  }

  // What a SELECT of whole rows lists: the key (when there is one), then
  // the columns.
  const std::string& SelectList() const { return select_list_; }
  // The key's name, then the columns': what an INSERT that sets the key names.
  std::vector<std::string> NamesWithKey() const {
    std::vector<std::string> out;
    if (key_) out.emplace_back(key_->name);
    out.insert(out.end(), names_.begin(), names_.end());
    return out;
  }

  // Binds every column of `value`, in order, at the binder's next placeholders.
  void Bind(Binder& b, const T& value) const {
    for (const Column<T>& c : columns_) c.bind(b, value);
  }
  // The key, then every column (NamesWithKey's order).
  void BindWithKey(Binder& b, const T& value) const {
    if (key_) key_->bind(b, value);
    Bind(b, value);
  }

  // Reads the columns starting at result column `first` into `*value`;
  // returns the result column after the last one read.
  int Read(sql::ResultSet& rs, int first, T* value) const {
    for (const Column<T>& c : columns_) c.read(rs, first++, *value);
    return first;
  }
  // Reads a whole row of SelectList whose first column is `first`.
  T ReadRow(sql::ResultSet& rs, int first = 1) const {
    T value;
    if (key_) key_->read(rs, first++, value);
    Read(rs, first, &value);
    return value;
  }

 private:
  std::vector<Column<T>> columns_;
  std::vector<std::string> names_;
  std::optional<Column<T>> key_;
  std::string select_list_;
};

// Column groups joined in order: Columns<Unit>(Concat<Unit>({{...}, group, {...}})).
template <typename T>
std::vector<Column<T>> Concat(std::initializer_list<std::vector<Column<T>>> groups) {
  std::vector<Column<T>> out;
  for (const std::vector<Column<T>>& g : groups) out.insert(out.end(), g.begin(), g.end());
  return out;
}

namespace columns_internal {
template <typename C, typename F>
C ClassOf(F C::*);
}  // namespace columns_internal

// The struct a member pointer `M` belongs to.
template <auto M>
using OwnerOf = decltype(columns_internal::ClassOf(M));

// A NOT NULL string.
template <auto M>
Column<OwnerOf<M>> StrColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.Str(v.*M); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = GetStr(rs, c); }};
}

// A string stored as NULL when empty (and read as "" when NULL).
template <auto M>
Column<OwnerOf<M>> OptStrColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.OptStr(v.*M); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = GetStr(rs, c); }};
}

// An integer (any integral member, stored as BIGINT or INT).
template <auto M>
Column<OwnerOf<M>> IntColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.Int(static_cast<int64_t>(v.*M)); },
          [](sql::ResultSet& rs, int c, T& v) {
            v.*M = static_cast<std::remove_reference_t<decltype(v.*M)>>(rs.getInt64(c));
          }};
}

// A bool stored as 0/1.
template <auto M>
Column<OwnerOf<M>> BoolColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.Bool(v.*M); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = rs.getInt(c) != 0; }};
}

// A NOT NULL time, BIGINT microseconds.
template <auto M>
Column<OwnerOf<M>> TimeColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.Time(v.*M); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = FromMicros(rs.getInt64(c)); }};
}

// An optional time, NULL when absent.
template <auto M>
Column<OwnerOf<M>> OptTimeColumn(const char* name) {
  using T = OwnerOf<M>;
  return {name, [](Binder& b, const T& v) { b.OptTime(v.*M); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = GetOptTime(rs, c); }};
}

// An enum stored by its name: Name(value) and ParseName(text, &value) are
// found next to the enum (common/enum_names.h). The zero value is stored as
// its name ("UNSPECIFIED").
template <auto M>
Column<OwnerOf<M>> EnumColumn(const char* name) {
  using T = OwnerOf<M>;
  using E = std::remove_reference_t<decltype(std::declval<T&>().*M)>;
  return {name, [](Binder& b, const T& v) { b.Str(Name(v.*M)); },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = GetEnum<E>(rs, c); }};
}

// An enum stored by its name, NULL for the zero value.
template <auto M>
Column<OwnerOf<M>> OptEnumColumn(const char* name) {
  using T = OwnerOf<M>;
  using E = std::remove_reference_t<decltype(std::declval<T&>().*M)>;
  return {name,
          [](Binder& b, const T& v) {
            b.OptStr(static_cast<int>(v.*M) == 0 ? std::string() : std::string(Name(v.*M)));
          },
          [](sql::ResultSet& rs, int c, T& v) { v.*M = GetEnum<E>(rs, c); }};
}

// The UPDATE of every column of a row read at some version, made only if
// the row is still at that version (optimistic concurrency):
//   UPDATE <table> SET <every column> = ? WHERE <key> = ? AND version = ?
//
//   static const auto* const kUpdate = new db::VersionedUpdate<Rma>("rmas", RmaColumns(), "id");
//   if (!kUpdate->Apply(conn_, rma, rma.id, rma.version - 1)) return absl::AbortedError(...);
template <typename T>
class VersionedUpdate {
 public:
  VersionedUpdate(absl::string_view table, const Columns<T>& columns, absl::string_view key)
      : columns_(columns),
        sql_(UpdateSql(table, columns.names(), absl::StrCat(key, " = ? AND version = ?"))) {}

  const std::string& sql() const { return sql_; }

  // Writes `value` over the row `key` names if that row's version is
  // `read_version`; false, and nothing written, when it is not (another
  // transaction changed the row, or there is no such row).
  template <typename Connection, typename Key>
  bool Apply(Connection& conn, const T& value, const Key& key, int64_t read_version) const {
    auto& s = conn.Prepare(sql_);
    Binder b(s);
    columns_.Bind(b, value);
    if constexpr (std::is_integral_v<Key>) {
      b.Int(static_cast<int64_t>(key));
    } else {
      b.Str(key);
    }
    b.Int(read_version);
    return s.executeUpdate() == 1;
  }

 private:
  const Columns<T>& columns_;
  std::string sql_;
};

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_COLUMNS_H_
