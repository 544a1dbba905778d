// Conversions between aftercare.cases.v1 messages and the domain values of
// case_types.h. Used by the gRPC layer (requests and responses) and by the
// repository (trade-in cases and mis-shipment details are stored as
// serialized messages). FromProto functions check enum numbers and
// timestamps and return INVALID_ARGUMENT naming the field.
#ifndef AFTERCARE_CASE_SVC_CASE_PROTO_H_
#define AFTERCARE_CASE_SVC_CASE_PROTO_H_

#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "absl/status/statusor.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_types.h"
#include "common/proto_convert.h"

namespace aftercare::cases {

namespace pb = ::aftercare::cases::v1;

// FromEnum, FromTimestamp and SetTime: common/proto_convert.h.

absl::StatusOr<MisShipment> FromProto(const pb::MisShipment& m, const std::string& field);
void ToProto(const MisShipment& m, pb::MisShipment* out);

// The fields a caller sets on a new case.
absl::StatusOr<Case> CaseFromProto(const pb::Case& c);

absl::StatusOr<std::vector<TradeInLine>> LinesFromProto(
    const google::protobuf::RepeatedPtrField<pb::TradeInLine>& lines, const std::string& field);
// A trade-in case: the fields a caller sets when `full` is false, every
// field (as stored) when true.
absl::StatusOr<TradeIn> TradeInFromProto(const pb::TradeInCase& t, bool full);
void ToProto(const TradeIn& t, pb::TradeInCase* out);

absl::StatusOr<CodDetails> FromProto(const pb::CodDetails& c);
void ToProto(const CodDetails& c, pb::CodDetails* out);
void ToProto(const Attachment& a, pb::Attachment* out);
void ToProto(const CaseEvent& e, pb::CaseEvent* out);
void ToProto(const TechnicalCaseNote& n, pb::TechnicalCaseNote* out);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_PROTO_H_
