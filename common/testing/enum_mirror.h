// Checks that a domain enum's name table (common/enum_names.h) gives each
// value the name the API gives it, without the enum's prefix:
// aftercare.inventory.v1.UNIT_STATE_IN_CERTIFICATION is "IN_CERTIFICATION".
// The numbers themselves are checked at compile time (<svc>/proto_enums.cc).
//
//   ExpectNamesMirrorProto<UnitState>(pb::UnitState_descriptor(), &Name);
#ifndef AFTERCARE_COMMON_TESTING_ENUM_MIRROR_H_
#define AFTERCARE_COMMON_TESTING_ENUM_MIRROR_H_

#include <google/protobuf/descriptor.h>

#include <string>

#include "gtest/gtest.h"

namespace aftercare::testing {

template <typename E>
void ExpectNamesMirrorProto(const google::protobuf::EnumDescriptor* d, const char* (*name)(E)) {
  ASSERT_GT(d->value_count(), 0);
  const std::string unspecified = d->FindValueByNumber(0)->name();
  const std::string suffix = "UNSPECIFIED";
  ASSERT_GE(unspecified.size(), suffix.size()) << d->full_name();
  ASSERT_EQ(unspecified.substr(unspecified.size() - suffix.size()), suffix) << d->full_name();
  const std::string prefix = unspecified.substr(0, unspecified.size() - suffix.size());
  for (int i = 0; i < d->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* v = d->value(i);
    ASSERT_EQ(v->name().rfind(prefix, 0), 0u) << v->full_name();
    EXPECT_EQ(std::string(name(static_cast<E>(v->number()))), v->name().substr(prefix.size()))
        << v->full_name() << " = " << v->number();
  }
}

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_ENUM_MIRROR_H_
