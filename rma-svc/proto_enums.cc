// The domain enums of rma-svc/rma_types.h mirror the API's enums number for number (the
// gRPC layer converts them with static_cast and the repository stores their
// names). These assertions make a renumbered, reordered or added value a
// compile error here instead of a silently wrong conversion; each enum's last
// line says the API has no value the domain lacks.
#include "rma-svc/rma_types.h"
#include "aftercare/rma/v1/resources.pb.h"

namespace aftercare::rma {
namespace {
namespace pb = ::aftercare::rma::v1;

static_assert(static_cast<int>(RmaType::kUnspecified) == pb::RMA_TYPE_UNSPECIFIED);
static_assert(static_cast<int>(RmaType::kAdvanceReplacement) == pb::RMA_TYPE_ADVANCE_REPLACEMENT);
static_assert(static_cast<int>(RmaType::kReturnToFactory) == pb::RMA_TYPE_RETURN_TO_FACTORY);
static_assert(static_cast<int>(RmaType::kDoa) == pb::RMA_TYPE_DOA);
static_assert(static_cast<int>(RmaType::kStandardWarranty) == pb::RMA_TYPE_STANDARD_WARRANTY);
static_assert(pb::RmaType_ARRAYSIZE == 5, "RmaType has a value RmaType lacks");

static_assert(static_cast<int>(Status::kUnspecified) == pb::RMA_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(Status::kPending) == pb::RMA_STATUS_PENDING);
static_assert(static_cast<int>(Status::kApproved) == pb::RMA_STATUS_APPROVED);
static_assert(static_cast<int>(Status::kRejected) == pb::RMA_STATUS_REJECTED);
static_assert(static_cast<int>(Status::kCancelled) == pb::RMA_STATUS_CANCELLED);
static_assert(static_cast<int>(Status::kReplacementShipped) == pb::RMA_STATUS_REPLACEMENT_SHIPPED);
static_assert(static_cast<int>(Status::kReceived) == pb::RMA_STATUS_RECEIVED);
static_assert(static_cast<int>(Status::kRepaired) == pb::RMA_STATUS_REPAIRED);
static_assert(static_cast<int>(Status::kRepairShipped) == pb::RMA_STATUS_REPAIR_SHIPPED);
static_assert(static_cast<int>(Status::kClosed) == pb::RMA_STATUS_CLOSED);
static_assert(pb::RmaStatus_ARRAYSIZE == 10, "RmaStatus has a value Status lacks");

static_assert(static_cast<int>(DamageCause::kUnspecified) == pb::DAMAGE_CAUSE_UNSPECIFIED);
static_assert(static_cast<int>(DamageCause::kHardwareFailure) == pb::DAMAGE_CAUSE_HARDWARE_FAILURE);
static_assert(static_cast<int>(DamageCause::kFire) == pb::DAMAGE_CAUSE_FIRE);
static_assert(static_cast<int>(DamageCause::kFlood) == pb::DAMAGE_CAUSE_FLOOD);
static_assert(static_cast<int>(DamageCause::kHurricane) == pb::DAMAGE_CAUSE_HURRICANE);
static_assert(static_cast<int>(DamageCause::kEarthquake) == pb::DAMAGE_CAUSE_EARTHQUAKE);
static_assert(static_cast<int>(DamageCause::kLightning) == pb::DAMAGE_CAUSE_LIGHTNING);
static_assert(static_cast<int>(DamageCause::kOtherActOfGod) == pb::DAMAGE_CAUSE_OTHER_ACT_OF_GOD);
static_assert(pb::DamageCause_ARRAYSIZE == 8, "DamageCause has a value DamageCause lacks");

}  // namespace
}  // namespace aftercare::rma
