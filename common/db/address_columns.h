// The seven columns of a postal address (common/postal_address.h) stored
// flat in a table: <prefix>_region_code, _postal_code, _administrative_area,
// _locality, _address_lines (the lines joined with '\n'), _recipient and
// _organization. Written once here for every table that keeps an address.
//
//   db::Columns<Unit>(db::Concat<Unit>({
//       {db::StrColumn<&Unit::sku>("sku"), ...},
//       db::PostalAddressColumns<&Unit::site, db::Blank::kNull>("site"),
//       {db::OptTimeColumn<&Unit::ship_time>("ship_at_us"), ...}}));
#ifndef AFTERCARE_COMMON_DB_ADDRESS_COLUMNS_H_
#define AFTERCARE_COMMON_DB_ADDRESS_COLUMNS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/db/columns.h"
#include "common/postal_address.h"

namespace aftercare::db {

// How an empty field is stored: NULL (an address that may be absent, the
// columns NULL-able) or '' (NOT NULL columns). Both read back as "".
enum class Blank { kNull, kEmptyString };

// The address lines as one column: joined with '\n', and split back (an
// empty column is no lines).
inline std::string JoinAddressLines(const std::vector<std::string>& lines) {
  return absl::StrJoin(lines, "\n");
}
inline std::vector<std::string> SplitAddressLines(absl::string_view column) {
  if (column.empty()) return {};
  return absl::StrSplit(column, '\n');
}

namespace address_columns_internal {

template <Blank kBlank>
void BindText(Binder& b, const std::string& v) {
  if constexpr (kBlank == Blank::kNull) {
    b.OptStr(v);
  } else {
    b.Str(v);
  }
}

// One text field `F` of the address member `M`.
template <auto M, auto F, Blank kBlank>
Column<OwnerOf<M>> Field(absl::string_view prefix, absl::string_view suffix) {
  using T = OwnerOf<M>;
  return {absl::StrCat(prefix, "_", suffix),
          [](Binder& b, const T& v) { BindText<kBlank>(b, (v.*M).*F); },
          [](sql::ResultSet& rs, int c, T& v) { (v.*M).*F = GetStr(rs, c); }};
}

}  // namespace address_columns_internal

// The columns of the PostalAddress member `M`, named after `prefix`.
template <auto M, Blank kBlank>
std::vector<Column<OwnerOf<M>>> PostalAddressColumns(absl::string_view prefix) {
  using T = OwnerOf<M>;
  using address_columns_internal::Field;
  return {
      Field<M, &PostalAddress::region_code, kBlank>(prefix, "region_code"),
      Field<M, &PostalAddress::postal_code, kBlank>(prefix, "postal_code"),
      Field<M, &PostalAddress::administrative_area, kBlank>(prefix, "administrative_area"),
      Field<M, &PostalAddress::locality, kBlank>(prefix, "locality"),
      {absl::StrCat(prefix, "_address_lines"),  // one line per address line
       [](Binder& b, const T& v) {
         address_columns_internal::BindText<kBlank>(b, JoinAddressLines((v.*M).address_lines));
       },
       [](sql::ResultSet& rs, int c, T& v) { (v.*M).address_lines = SplitAddressLines(GetStr(rs, c)); }},
      Field<M, &PostalAddress::recipient, kBlank>(prefix, "recipient"),
      Field<M, &PostalAddress::organization, kBlank>(prefix, "organization"),
  };
}

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_ADDRESS_COLUMNS_H_
