// An admin case as the API shows it: the stored case with what is derived
// at read time (the response due time, breaching) as of `now`. Used by the
// gRPC layer and the use cases (create_case.h).
#ifndef AFTERCARE_CASE_SVC_CASE_VIEW_H_
#define AFTERCARE_CASE_SVC_CASE_VIEW_H_

#include "absl/time/time.h"
#include "aftercare/cases/v1/case_service.pb.h"
#include "case-svc/case_types.h"
#include "case-svc/cases.h"

namespace aftercare::cases {

::aftercare::cases::v1::Case CaseToProto(const Case& c, const Cases& domain, absl::Time now);

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_CASE_VIEW_H_
