// Small helpers for repositories: bind parameters in order and read nullable
// columns, so that SQL code reads as the statement it runs.
//
//   auto& s = conn.Prepare("INSERT INTO units (serial, sku, note, at_us) VALUES (?, ?, ?, ?)");
//   db::Binder(s).Str(serial).Str(sku).OptStr(note).Time(now);
//   s.executeUpdate();
//   ...
//   std::string note = db::GetStr(*rs, 3);   // "" when NULL
#ifndef AFTERCARE_COMMON_DB_STATEMENT_H_
#define AFTERCARE_COMMON_DB_STATEMENT_H_

#include <cppconn/datatype.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <istream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/sql_time.h"

namespace aftercare::db {

// "INSERT INTO table (a, b) VALUES (?, ?)" for `columns`, bound in that order.
inline std::string InsertSql(absl::string_view table, const std::vector<std::string>& columns) {
  std::vector<absl::string_view> marks(columns.size(), "?");
  return absl::StrCat("INSERT INTO ", table, " (", absl::StrJoin(columns, ", "), ") VALUES (",
                      absl::StrJoin(marks, ", "), ")");
}

// "UPDATE table SET a = ?, b = ? WHERE <where>": the columns' values are
// bound first, then the WHERE clause's.
inline std::string UpdateSql(absl::string_view table, const std::vector<std::string>& columns,
                             absl::string_view where) {
  return absl::StrCat("UPDATE ", table, " SET ",
                      absl::StrJoin(columns, ", ",
                                    [](std::string* out, const std::string& c) {
                                      absl::StrAppend(out, c, " = ?");
                                    }),
                      " WHERE ", where);
}

// Binds the parameters of a prepared statement from the first `?` on.
class Binder {
 public:
  explicit Binder(sql::PreparedStatement& s) : s_(s) {}
  Binder& Str(const std::string& v) {
    s_.setString(i_++, v);
    return *this;
  }
  // Empty strings are stored as NULL.
  Binder& OptStr(const std::string& v) {
    if (v.empty()) {
      s_.setNull(i_++, sql::DataType::VARCHAR);
    } else {
      s_.setString(i_++, v);
    }
    return *this;
  }
  Binder& Int(int64_t v) {
    s_.setInt64(i_++, v);
    return *this;
  }
  Binder& OptInt(const std::optional<int64_t>& v) {
    if (!v) {
      s_.setNull(i_++, sql::DataType::BIGINT);
    } else {
      s_.setInt64(i_++, *v);
    }
    return *this;
  }
  Binder& Bool(bool v) {
    s_.setInt(i_++, v ? 1 : 0);
    return *this;
  }
  Binder& Time(absl::Time t) { return Int(ToMicros(t)); }
  Binder& OptTime(const std::optional<absl::Time>& t) {
    if (!t) {
      s_.setNull(i_++, sql::DataType::BIGINT);
    } else {
      s_.setInt64(i_++, ToMicros(*t));
    }
    return *this;
  }
  // Binary data from a stream that must live until the statement has run.
  Binder& Blob(std::istream* in) {
    s_.setBlob(i_++, in);
    return *this;
  }
  // Binary data copied into the binder, which keeps it until it is
  // destroyed (keep the Binder in scope until the statement has run); NULL
  // when `bytes` is nullopt.
  Binder& OptBytes(std::optional<std::string> bytes) {
    if (!bytes) return Null();
    owned_.push_back(std::make_unique<std::istringstream>(std::move(*bytes)));
    return Blob(owned_.back().get());
  }
  Binder& Null() {
    s_.setNull(i_++, sql::DataType::VARBINARY);
    return *this;
  }
  // The index the next parameter binds to.
  int next() const { return i_; }

 private:
  sql::PreparedStatement& s_;
  int i_ = 1;
  std::vector<std::unique_ptr<std::istringstream>> owned_;
};

// A string column; "" when NULL.
inline std::string GetStr(sql::ResultSet& rs, int col) {
  return rs.isNull(col) ? std::string() : std::string(rs.getString(col));
}

// Reads an enum stored by its name: ParseName(name, &value) is found next to
// the enum (argument-dependent lookup); an unknown or NULL name reads as the
// enum's zero value.
template <typename E>
E GetEnum(sql::ResultSet& rs, int col) {
  E v{};
  ParseName(GetStr(rs, col), &v);
  return v;
}
// A time column (BIGINT microseconds); nullopt when NULL.
inline std::optional<absl::Time> GetOptTime(sql::ResultSet& rs, int col) {
  if (rs.isNull(col)) return std::nullopt;
  return FromMicros(rs.getInt64(col));
}
// A binary column read whole; "" when NULL.
inline std::string GetBlob(sql::ResultSet& rs, int col) {
  if (rs.isNull(col)) return std::string();
  std::unique_ptr<std::istream> in(rs.getBlob(col));
  std::ostringstream out;
  out << in->rdbuf();
  return out.str();
}
inline absl::Time GetTime(sql::ResultSet& rs, int col) { return FromMicros(rs.getInt64(col)); }

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_STATEMENT_H_
