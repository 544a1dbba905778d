#include "common/postal_address.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/status.h"

namespace aftercare {

bool PostalAddress::empty() const {
  return region_code.empty() && postal_code.empty() && administrative_area.empty() &&
         locality.empty() && address_lines.empty() && recipient.empty() && organization.empty();
}

bool operator==(const PostalAddress& a, const PostalAddress& b) {
  return a.region_code == b.region_code && a.postal_code == b.postal_code &&
         a.administrative_area == b.administrative_area && a.locality == b.locality &&
         a.address_lines == b.address_lines && a.recipient == b.recipient &&
         a.organization == b.organization;
}

PostalAddress PostalAddressFromProto(const common::v1::PostalAddress& in) {
  PostalAddress out;
  out.region_code = in.region_code();
  out.postal_code = in.postal_code();
  out.administrative_area = in.administrative_area();
  out.locality = in.locality();
  out.address_lines.assign(in.address_lines().begin(), in.address_lines().end());
  out.recipient = in.recipient();
  out.organization = in.organization();
  return out;
}

void ToProto(const PostalAddress& in, common::v1::PostalAddress* out) {
  if (in.empty()) return;
  out->set_region_code(in.region_code);
  out->set_postal_code(in.postal_code);
  out->set_administrative_area(in.administrative_area);
  out->set_locality(in.locality);
  for (const std::string& line : in.address_lines) out->add_address_lines(line);
  out->set_recipient(in.recipient);
  out->set_organization(in.organization);
}

absl::Status CheckPostalAddress(const PostalAddress& a, absl::string_view field,
                                AddressNeeds needs) {
  if (a.empty()) {
    if (needs != AddressNeeds::kNothing) return InvalidField(field, "is required");
    return absl::OkStatus();
  }
  const bool street_required = needs == AddressNeeds::kStreet;
  const auto name = [&](absl::string_view sub) { return absl::StrCat(field, ".", sub); };
  RETURN_IF_ERROR(CheckRegionCode(a.region_code, name("region_code")));
  if (street_required && a.address_lines.empty()) {
    return InvalidField(name("address_lines"), "needs at least one line");
  }
  if (a.address_lines.size() > 5) {
    return InvalidField(name("address_lines"), "may have at most 5 lines");
  }
  for (size_t i = 0; i < a.address_lines.size(); ++i) {
    RETURN_IF_ERROR(
        CheckText(a.address_lines[i], absl::StrCat(field, ".address_lines[", i, "]"), 200, true));
  }
  RETURN_IF_ERROR(CheckText(a.locality, name("locality"), 100, street_required));
  RETURN_IF_ERROR(CheckText(a.postal_code, name("postal_code"), 20, false));
  RETURN_IF_ERROR(CheckText(a.administrative_area, name("administrative_area"), 100, false));
  RETURN_IF_ERROR(CheckText(a.recipient, name("recipient"), 200, false));
  RETURN_IF_ERROR(CheckText(a.organization, name("organization"), 200, false));
  return absl::OkStatus();
}

}  // namespace aftercare
