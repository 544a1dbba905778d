// The API view of licensing-svc's domain values: each one as its
// aftercare.licensing.v1 message, and a product message back. Used by the
// use cases (create_entitlement.h, ..., licensing_queries.h), which answer
// the handlers (licensing_grpc.cc) with messages.
#ifndef AFTERCARE_LICENSING_SVC_LICENSING_VIEW_H_
#define AFTERCARE_LICENSING_SVC_LICENSING_VIEW_H_

#include "absl/status/statusor.h"
#include "aftercare/licensing/v1/licensing_service.pb.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_types.h"

namespace aftercare::licensing {

namespace pb = ::aftercare::licensing::v1;

// A product of a purchase; INVALID_ARGUMENT naming product.term_type or
// product.licensing_system for a value outside its enum.
absl::StatusOr<LicenseProduct> FromProto(const pb::LicenseProduct& p);

void ToProto(const LicenseProduct& p, pb::LicenseProduct* out);
void ToProto(const Entitlement& e, pb::Entitlement* out);
void ToProto(const License& l, pb::License* out);
void ToProto(const RmaTransfer& t, pb::RmaTransfer* out);
void ToProto(const Notification& n, pb::Notification* out);

// A purchase's answer as it is stored: the activation code still sealed,
// and a right-to-use purchase's certificate.
pb::CreateEntitlementResponse ToProto(const PurchaseResult& r);

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_LICENSING_VIEW_H_
