#include "common/postal_address.h"

#include <string>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::absl::StatusCode;
using ::aftercare::testing::IsOk;
using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

PostalAddress Street() {
  PostalAddress a;
  a.region_code = "US";
  a.postal_code = "94089";
  a.administrative_area = "CA";
  a.locality = "Sunnyvale";
  a.address_lines = {"1133 Innovation Way", "Building A"};
  a.recipient = "Receiving dock";
  a.organization = "ACME";
  return a;
}

TEST(PostalAddressTest, ProtoRoundTrip) {
  common::v1::PostalAddress pb;
  ToProto(Street(), &pb);
  EXPECT_EQ(pb.address_lines_size(), 2);
  EXPECT_EQ(PostalAddressFromProto(pb), Street());
}

TEST(PostalAddressTest, AnEmptyAddressLeavesTheFieldUnset) {
  common::v1::PostalAddress pb;
  ToProto(PostalAddress{}, &pb);
  EXPECT_EQ(pb.ByteSizeLong(), 0u);
  EXPECT_TRUE(PostalAddressFromProto(pb).empty());
}

TEST(PostalAddressTest, AnyFieldMakesItNonEmpty) {
  PostalAddress a;
  a.locality = "Sunnyvale";
  EXPECT_FALSE(a.empty());
  // ...and then it needs its region code.
  EXPECT_THAT(CheckPostalAddress(a, "site", AddressNeeds::kNothing),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site.region_code")));
}

TEST(PostalAddressTest, OptionalAddresses) {
  EXPECT_THAT(CheckPostalAddress(PostalAddress{}, "site", AddressNeeds::kNothing), IsOk());
  PostalAddress region_only;
  region_only.region_code = "DE";
  EXPECT_THAT(CheckPostalAddress(region_only, "site", AddressNeeds::kNothing), IsOk());
}

TEST(PostalAddressTest, ARequiredRegionNeedsNoStreet) {
  EXPECT_THAT(CheckPostalAddress(PostalAddress{}, "site", AddressNeeds::kRegion),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site is required")));
  PostalAddress region_only;
  region_only.region_code = "ZA";
  EXPECT_THAT(CheckPostalAddress(region_only, "site", AddressNeeds::kRegion), IsOk());
  EXPECT_THAT(CheckPostalAddress(region_only, "site", AddressNeeds::kStreet),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site.address_lines")));
}

TEST(PostalAddressTest, StreetAddressesNeedALineAndALocality) {
  EXPECT_THAT(CheckPostalAddress(PostalAddress{}, "ship_to", AddressNeeds::kStreet),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("ship_to is required")));
  EXPECT_THAT(CheckPostalAddress(Street(), "ship_to", AddressNeeds::kStreet), IsOk());
  PostalAddress no_lines = Street();
  no_lines.address_lines.clear();
  EXPECT_THAT(CheckPostalAddress(no_lines, "ship_to", AddressNeeds::kStreet),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("ship_to.address_lines")));
  PostalAddress no_locality = Street();
  no_locality.locality.clear();
  EXPECT_THAT(CheckPostalAddress(no_locality, "ship_to", AddressNeeds::kStreet),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("ship_to.locality")));
}

TEST(PostalAddressTest, EachFieldHasItsLimit) {
  PostalAddress six = Street();
  six.address_lines.assign(6, "line");
  EXPECT_THAT(CheckPostalAddress(six, "site", AddressNeeds::kNothing),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at most 5 lines")));
  PostalAddress long_line = Street();
  long_line.address_lines[1] = std::string(201, 'x');
  EXPECT_THAT(CheckPostalAddress(long_line, "site", AddressNeeds::kNothing),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site.address_lines[1]")));
  PostalAddress bad_region = Street();
  bad_region.region_code = "usa";
  EXPECT_THAT(CheckPostalAddress(bad_region, "site", AddressNeeds::kNothing),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site.region_code")));
  PostalAddress long_postal = Street();
  long_postal.postal_code = std::string(21, '9');
  EXPECT_THAT(CheckPostalAddress(long_postal, "site", AddressNeeds::kNothing),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("site.postal_code")));
}

}  // namespace
}  // namespace aftercare
