// The domain enums of licensing-svc/licensing_types.h mirror the API's enums number for number (the
// gRPC layer converts them with static_cast and the repository stores their
// names). These assertions make a renumbered, reordered or added value a
// compile error here instead of a silently wrong conversion; each enum's last
// line says the API has no value the domain lacks.
#include "licensing-svc/licensing_types.h"
#include "aftercare/licensing/v1/resources.pb.h"

namespace aftercare::licensing {
namespace {
namespace pb = ::aftercare::licensing::v1;

static_assert(static_cast<int>(LicensingSystem::kUnspecified) == pb::LICENSING_SYSTEM_UNSPECIFIED);
static_assert(static_cast<int>(LicensingSystem::kJunos) == pb::LICENSING_SYSTEM_JUNOS);
static_assert(static_cast<int>(LicensingSystem::kNonJunos) == pb::LICENSING_SYSTEM_NON_JUNOS);
static_assert(pb::LicensingSystem_ARRAYSIZE == 3, "LicensingSystem has a value LicensingSystem lacks");

static_assert(static_cast<int>(TermType::kUnspecified) == pb::TERM_TYPE_UNSPECIFIED);
static_assert(static_cast<int>(TermType::kPerpetual) == pb::TERM_TYPE_PERPETUAL);
static_assert(static_cast<int>(TermType::kSubscription) == pb::TERM_TYPE_SUBSCRIPTION);
static_assert(pb::TermType_ARRAYSIZE == 3, "TermType has a value TermType lacks");

static_assert(static_cast<int>(EntitlementKind::kUnspecified) == pb::ENTITLEMENT_KIND_UNSPECIFIED);
static_assert(static_cast<int>(EntitlementKind::kActivationCode) == pb::ENTITLEMENT_KIND_ACTIVATION_CODE);
static_assert(static_cast<int>(EntitlementKind::kRightToUse) == pb::ENTITLEMENT_KIND_RIGHT_TO_USE);
static_assert(pb::EntitlementKind_ARRAYSIZE == 3, "EntitlementKind has a value EntitlementKind lacks");

static_assert(static_cast<int>(LicenseState::kUnspecified) == pb::LICENSE_STATE_UNSPECIFIED);
static_assert(static_cast<int>(LicenseState::kActive) == pb::LICENSE_STATE_ACTIVE);
static_assert(static_cast<int>(LicenseState::kRevoked) == pb::LICENSE_STATE_REVOKED);
static_assert(pb::LicenseState_ARRAYSIZE == 3, "LicenseState has a value LicenseState lacks");

static_assert(static_cast<int>(RevocationReason::kUnspecified) == pb::REVOCATION_REASON_UNSPECIFIED);
static_assert(static_cast<int>(RevocationReason::kRmaTransfer) == pb::REVOCATION_REASON_RMA_TRANSFER);
static_assert(static_cast<int>(RevocationReason::kCustomerRequest) == pb::REVOCATION_REASON_CUSTOMER_REQUEST);
static_assert(static_cast<int>(RevocationReason::kRefund) == pb::REVOCATION_REASON_REFUND);
static_assert(static_cast<int>(RevocationReason::kFraud) == pb::REVOCATION_REASON_FRAUD);
static_assert(static_cast<int>(RevocationReason::kOther) == pb::REVOCATION_REASON_OTHER);
static_assert(pb::RevocationReason_ARRAYSIZE == 6, "RevocationReason has a value RevocationReason lacks");

}  // namespace
}  // namespace aftercare::licensing
