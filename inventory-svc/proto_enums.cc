// The domain enums of inventory-svc/inventory_types.h mirror the API's enums number for number (the
// gRPC layer converts them with static_cast and the repository stores their
// names). These assertions make a renumbered, reordered or added value a
// compile error here instead of a silently wrong conversion; each enum's last
// line says the API has no value the domain lacks.
#include "inventory-svc/inventory_types.h"
#include "aftercare/inventory/v1/resources.pb.h"

namespace aftercare::inventory {
namespace {
namespace pb = ::aftercare::inventory::v1;

static_assert(static_cast<int>(Family::kUnspecified) == pb::PRODUCT_FAMILY_UNSPECIFIED);
static_assert(static_cast<int>(Family::kSwitching) == pb::PRODUCT_FAMILY_SWITCHING);
static_assert(static_cast<int>(Family::kRouting) == pb::PRODUCT_FAMILY_ROUTING);
static_assert(static_cast<int>(Family::kSecurity) == pb::PRODUCT_FAMILY_SECURITY);
static_assert(static_cast<int>(Family::kWireless) == pb::PRODUCT_FAMILY_WIRELESS);
static_assert(static_cast<int>(Family::kAccessory) == pb::PRODUCT_FAMILY_ACCESSORY);
static_assert(pb::ProductFamily_ARRAYSIZE == 6, "ProductFamily has a value Family lacks");

static_assert(static_cast<int>(Lifecycle::kUnspecified) == pb::LIFECYCLE_UNSPECIFIED);
static_assert(static_cast<int>(Lifecycle::kCurrent) == pb::LIFECYCLE_CURRENT);
static_assert(static_cast<int>(Lifecycle::kEndOfProduction) == pb::LIFECYCLE_END_OF_PRODUCTION);
static_assert(pb::Lifecycle_ARRAYSIZE == 3, "Lifecycle has a value Lifecycle lacks");

static_assert(static_cast<int>(Source::kUnspecified) == pb::UNIT_SOURCE_UNSPECIFIED);
static_assert(static_cast<int>(Source::kDemoReturn) == pb::UNIT_SOURCE_DEMO_RETURN);
static_assert(static_cast<int>(Source::kRmaReturn) == pb::UNIT_SOURCE_RMA_RETURN);
static_assert(static_cast<int>(Source::kStockRotation) == pb::UNIT_SOURCE_STOCK_ROTATION);
static_assert(static_cast<int>(Source::kFactoryOverstock) == pb::UNIT_SOURCE_FACTORY_OVERSTOCK);
static_assert(static_cast<int>(Source::kOpenMarket) == pb::UNIT_SOURCE_OPEN_MARKET);
static_assert(static_cast<int>(Source::kTradeIn) == pb::UNIT_SOURCE_TRADE_IN);
static_assert(static_cast<int>(Source::kNewSale) == pb::UNIT_SOURCE_NEW_SALE);
static_assert(pb::UnitSource_ARRAYSIZE == 8, "UnitSource has a value Source lacks");

static_assert(static_cast<int>(Condition::kUnspecified) == pb::UNIT_CONDITION_UNSPECIFIED);
static_assert(static_cast<int>(Condition::kNew) == pb::UNIT_CONDITION_NEW);
static_assert(static_cast<int>(Condition::kRefurbished) == pb::UNIT_CONDITION_REFURBISHED);
static_assert(pb::UnitCondition_ARRAYSIZE == 3, "UnitCondition has a value Condition lacks");

static_assert(static_cast<int>(UnitState::kUnspecified) == pb::UNIT_STATE_UNSPECIFIED);
static_assert(static_cast<int>(UnitState::kReceived) == pb::UNIT_STATE_RECEIVED);
static_assert(static_cast<int>(UnitState::kInCertification) == pb::UNIT_STATE_IN_CERTIFICATION);
static_assert(static_cast<int>(UnitState::kCertified) == pb::UNIT_STATE_CERTIFIED);
static_assert(static_cast<int>(UnitState::kReserved) == pb::UNIT_STATE_RESERVED);
static_assert(static_cast<int>(UnitState::kSold) == pb::UNIT_STATE_SOLD);
static_assert(static_cast<int>(UnitState::kQuarantined) == pb::UNIT_STATE_QUARANTINED);
static_assert(static_cast<int>(UnitState::kScrapped) == pb::UNIT_STATE_SCRAPPED);
static_assert(static_cast<int>(UnitState::kSpare) == pb::UNIT_STATE_SPARE);
static_assert(static_cast<int>(UnitState::kAllocated) == pb::UNIT_STATE_ALLOCATED);
static_assert(static_cast<int>(UnitState::kInService) == pb::UNIT_STATE_IN_SERVICE);
static_assert(static_cast<int>(UnitState::kAwaitingReturn) == pb::UNIT_STATE_AWAITING_RETURN);
static_assert(pb::UnitState_ARRAYSIZE == 12, "UnitState has a value UnitState lacks");

static_assert(static_cast<int>(Step::kUnspecified) == pb::CERTIFICATION_STEP_UNSPECIFIED);
static_assert(static_cast<int>(Step::kSerialVerification) == pb::CERTIFICATION_STEP_SERIAL_VERIFICATION);
static_assert(static_cast<int>(Step::kComponentRepair) == pb::CERTIFICATION_STEP_COMPONENT_REPAIR);
static_assert(static_cast<int>(Step::kSoftwareUpdate) == pb::CERTIFICATION_STEP_SOFTWARE_UPDATE);
static_assert(static_cast<int>(Step::kConfigurationReset) == pb::CERTIFICATION_STEP_CONFIGURATION_RESET);
static_assert(static_cast<int>(Step::kPackagingAndLabeling) == pb::CERTIFICATION_STEP_PACKAGING_AND_LABELING);
static_assert(static_cast<int>(Step::kQualificationTest) == pb::CERTIFICATION_STEP_QUALIFICATION_TEST);
static_assert(pb::CertificationStep_ARRAYSIZE == 7, "CertificationStep has a value Step lacks");

static_assert(static_cast<int>(SupportLevel::kUnspecified) == pb::SUPPORT_LEVEL_UNSPECIFIED);
static_assert(static_cast<int>(SupportLevel::kCareCore) == pb::SUPPORT_LEVEL_CARE_CORE);
static_assert(static_cast<int>(SupportLevel::kCareCorePlus) == pb::SUPPORT_LEVEL_CARE_CORE_PLUS);
static_assert(static_cast<int>(SupportLevel::kNextBusinessDay) == pb::SUPPORT_LEVEL_NEXT_BUSINESS_DAY);
static_assert(static_cast<int>(SupportLevel::kSameDay) == pb::SUPPORT_LEVEL_SAME_DAY);
static_assert(pb::SupportLevel_ARRAYSIZE == 5, "SupportLevel has a value SupportLevel lacks");

static_assert(static_cast<int>(WarrantyKind::kUnspecified) == pb::WARRANTY_KIND_UNSPECIFIED);
static_assert(static_cast<int>(WarrantyKind::kStandard) == pb::WARRANTY_KIND_STANDARD);
static_assert(static_cast<int>(WarrantyKind::kCpoEndOfProduction) == pb::WARRANTY_KIND_CPO_END_OF_PRODUCTION);
static_assert(pb::WarrantyKind_ARRAYSIZE == 3, "WarrantyKind has a value WarrantyKind lacks");

static_assert(static_cast<int>(WarrantyStatus::kUnspecified) == pb::WARRANTY_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(WarrantyStatus::kActive) == pb::WARRANTY_STATUS_ACTIVE);
static_assert(static_cast<int>(WarrantyStatus::kExpired) == pb::WARRANTY_STATUS_EXPIRED);
static_assert(static_cast<int>(WarrantyStatus::kNone) == pb::WARRANTY_STATUS_NONE);
static_assert(pb::WarrantyStatus_ARRAYSIZE == 4, "WarrantyStatus has a value WarrantyStatus lacks");

}  // namespace
}  // namespace aftercare::inventory
