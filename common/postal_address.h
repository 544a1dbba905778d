// A postal address (google.type.PostalAddress's subset the API carries as
// aftercare.common.v1.PostalAddress): ship-to addresses of RMAs, install
// sites of units, the trade-in return address. One struct, one conversion,
// one validation for every service.
//
//   PostalAddress site = PostalAddressFromProto(req.site());
//   RETURN_IF_ERROR(CheckPostalAddress(site, "site", AddressNeeds::kRegion));
//   ToProto(site, out->mutable_site());
#ifndef AFTERCARE_COMMON_POSTAL_ADDRESS_H_
#define AFTERCARE_COMMON_POSTAL_ADDRESS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "aftercare/common/v1/common.pb.h"

namespace aftercare {

struct PostalAddress {
  std::string region_code;  // ISO 3166-1 alpha-2, "US"
  std::string postal_code;
  std::string administrative_area;
  std::string locality;
  std::vector<std::string> address_lines;
  std::string recipient;
  std::string organization;

  // True when no field is set (the address was not given).
  bool empty() const;

  friend bool operator==(const PostalAddress& a, const PostalAddress& b);
  friend bool operator!=(const PostalAddress& a, const PostalAddress& b) { return !(a == b); }
};

PostalAddress PostalAddressFromProto(const common::v1::PostalAddress& in);
// Writes nothing for an empty address (the field stays unset).
void ToProto(const PostalAddress& in, common::v1::PostalAddress* out);

// What a request needs of an address.
enum class AddressNeeds {
  kNothing,  // optional (an empty address is OK)
  kRegion,   // at least the region (an install site)
  kStreet,   // a deliverable address: region, a line and a locality (a ship-to)
};

// Checks `a`, naming fields "<field>.region_code", "<field>.address_lines[i]"…:
// an empty address is OK only for kNothing ("<field> is required"); any other
// address needs a region code (two upper-case letters) and at most 5 lines
// of at most 200 bytes; kStreet also needs a line and a locality. Free text:
// postal_code ≤ 20 bytes, administrative_area and locality ≤ 100, recipient
// and organization ≤ 200 (common/ids.h CheckText).
absl::Status CheckPostalAddress(const PostalAddress& a, absl::string_view field,
                                AddressNeeds needs);

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_POSTAL_ADDRESS_H_
