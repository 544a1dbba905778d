// The domain enums of case-svc/case_types.h mirror the API's enums number for number (the
// gRPC layer converts them with static_cast and the repository stores their
// names). These assertions make a renumbered, reordered or added value a
// compile error here instead of a silently wrong conversion; each enum's last
// line says the API has no value the domain lacks.
#include "case-svc/case_types.h"
#include "aftercare/cases/v1/case_service.pb.h"

namespace aftercare::cases {
namespace {
namespace pb = ::aftercare::cases::v1;

static_assert(static_cast<int>(RequestType::kUnspecified) == pb::REQUEST_TYPE_UNSPECIFIED);
static_assert(static_cast<int>(RequestType::kAccountRegistration) == pb::REQUEST_TYPE_ACCOUNT_REGISTRATION);
static_assert(static_cast<int>(RequestType::kLoginAssistance) == pb::REQUEST_TYPE_LOGIN_ASSISTANCE);
static_assert(static_cast<int>(RequestType::kProductRegistration) == pb::REQUEST_TYPE_PRODUCT_REGISTRATION);
static_assert(static_cast<int>(RequestType::kSoftwareDownloadEntitlement) == pb::REQUEST_TYPE_SOFTWARE_DOWNLOAD_ENTITLEMENT);
static_assert(static_cast<int>(RequestType::kLicenseKeyManagement) == pb::REQUEST_TYPE_LICENSE_KEY_MANAGEMENT);
static_assert(static_cast<int>(RequestType::kWarrantiesAndContracts) == pb::REQUEST_TYPE_WARRANTIES_AND_CONTRACTS);
static_assert(static_cast<int>(RequestType::kInstalledBaseUpdate) == pb::REQUEST_TYPE_INSTALLED_BASE_UPDATE);
static_assert(static_cast<int>(RequestType::kMisShipment) == pb::REQUEST_TYPE_MIS_SHIPMENT);
static_assert(static_cast<int>(RequestType::kGreyMarketReinstatement) == pb::REQUEST_TYPE_GREY_MARKET_REINSTATEMENT);
static_assert(static_cast<int>(RequestType::kOther) == pb::REQUEST_TYPE_OTHER);
static_assert(pb::RequestType_ARRAYSIZE == 11, "RequestType has a value RequestType lacks");

static_assert(static_cast<int>(Priority::kUnspecified) == pb::PRIORITY_UNSPECIFIED);
static_assert(static_cast<int>(Priority::kP1) == pb::PRIORITY_P1);
static_assert(static_cast<int>(Priority::kP2) == pb::PRIORITY_P2);
static_assert(static_cast<int>(Priority::kP3) == pb::PRIORITY_P3);
static_assert(static_cast<int>(Priority::kP4) == pb::PRIORITY_P4);
static_assert(pb::Priority_ARRAYSIZE == 5, "Priority has a value Priority lacks");

static_assert(static_cast<int>(FollowUp::kUnspecified) == pb::FOLLOW_UP_METHOD_UNSPECIFIED);
static_assert(static_cast<int>(FollowUp::kEmail) == pb::FOLLOW_UP_METHOD_EMAIL);
static_assert(static_cast<int>(FollowUp::kPhone) == pb::FOLLOW_UP_METHOD_PHONE);
static_assert(static_cast<int>(FollowUp::kChat) == pb::FOLLOW_UP_METHOD_CHAT);
static_assert(pb::FollowUpMethod_ARRAYSIZE == 4, "FollowUpMethod has a value FollowUp lacks");

static_assert(static_cast<int>(CaseStatus::kUnspecified) == pb::CASE_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(CaseStatus::kNew) == pb::CASE_STATUS_NEW);
static_assert(static_cast<int>(CaseStatus::kInProgress) == pb::CASE_STATUS_IN_PROGRESS);
static_assert(static_cast<int>(CaseStatus::kAwaitingCustomer) == pb::CASE_STATUS_AWAITING_CUSTOMER);
static_assert(static_cast<int>(CaseStatus::kResolved) == pb::CASE_STATUS_RESOLVED);
static_assert(static_cast<int>(CaseStatus::kClosed) == pb::CASE_STATUS_CLOSED);
static_assert(pb::CaseStatus_ARRAYSIZE == 6, "CaseStatus has a value CaseStatus lacks");

static_assert(static_cast<int>(EscalationKind::kUnspecified) == pb::ESCALATION_KIND_UNSPECIFIED);
static_assert(static_cast<int>(EscalationKind::kFasterProgress) == pb::ESCALATION_KIND_FASTER_PROGRESS);
static_assert(static_cast<int>(EscalationKind::kReassignment) == pb::ESCALATION_KIND_REASSIGNMENT);
static_assert(pb::EscalationKind_ARRAYSIZE == 3, "EscalationKind has a value EscalationKind lacks");

static_assert(static_cast<int>(MisShipmentCategory::kUnspecified) == pb::MIS_SHIPMENT_CATEGORY_UNSPECIFIED);
static_assert(static_cast<int>(MisShipmentCategory::kMissingParts) == pb::MIS_SHIPMENT_CATEGORY_MISSING_PARTS);
static_assert(static_cast<int>(MisShipmentCategory::kIncorrectParts) == pb::MIS_SHIPMENT_CATEGORY_INCORRECT_PARTS);
static_assert(static_cast<int>(MisShipmentCategory::kMissingDocumentation) == pb::MIS_SHIPMENT_CATEGORY_MISSING_DOCUMENTATION);
static_assert(static_cast<int>(MisShipmentCategory::kIncorrectDocumentation) == pb::MIS_SHIPMENT_CATEGORY_INCORRECT_DOCUMENTATION);
static_assert(pb::MisShipmentCategory_ARRAYSIZE == 5, "MisShipmentCategory has a value MisShipmentCategory lacks");

static_assert(static_cast<int>(LookupState::kUnspecified) == pb::PRODUCT_LOOKUP_STATE_UNSPECIFIED);
static_assert(static_cast<int>(LookupState::kNotRequested) == pb::PRODUCT_LOOKUP_STATE_NOT_REQUESTED);
static_assert(static_cast<int>(LookupState::kPending) == pb::PRODUCT_LOOKUP_STATE_PENDING);
static_assert(static_cast<int>(LookupState::kFilled) == pb::PRODUCT_LOOKUP_STATE_FILLED);
static_assert(static_cast<int>(LookupState::kNotFound) == pb::PRODUCT_LOOKUP_STATE_NOT_FOUND);
static_assert(pb::ProductLookupState_ARRAYSIZE == 5, "ProductLookupState has a value LookupState lacks");

static_assert(static_cast<int>(Reinstatement::kUnspecified) == pb::REINSTATEMENT_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(Reinstatement::kAwaitingApproval) == pb::REINSTATEMENT_STATUS_AWAITING_APPROVAL);
static_assert(static_cast<int>(Reinstatement::kApproved) == pb::REINSTATEMENT_STATUS_APPROVED);
static_assert(static_cast<int>(Reinstatement::kReinstated) == pb::REINSTATEMENT_STATUS_REINSTATED);
static_assert(static_cast<int>(Reinstatement::kRefused) == pb::REINSTATEMENT_STATUS_REFUSED);
static_assert(pb::ReinstatementStatus_ARRAYSIZE == 5, "ReinstatementStatus has a value Reinstatement lacks");

static_assert(static_cast<int>(TmipPhase::kUnspecified) == pb::TMIP_PHASE_UNSPECIFIED);
static_assert(static_cast<int>(TmipPhase::kPhase1) == pb::TMIP_PHASE_PHASE1);
static_assert(static_cast<int>(TmipPhase::kPhase2) == pb::TMIP_PHASE_PHASE2);
static_assert(pb::TmipPhase_ARRAYSIZE == 3, "TmipPhase has a value TmipPhase lacks");

static_assert(static_cast<int>(Disposition::kUnspecified) == pb::DISPOSITION_UNSPECIFIED);
static_assert(static_cast<int>(Disposition::kReturn) == pb::DISPOSITION_RETURN);
static_assert(static_cast<int>(Disposition::kDestroy) == pb::DISPOSITION_DESTROY);
static_assert(pb::Disposition_ARRAYSIZE == 3, "Disposition has a value Disposition lacks");

static_assert(static_cast<int>(TradeInStatus::kUnspecified) == pb::TRADE_IN_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(TradeInStatus::kOpen) == pb::TRADE_IN_STATUS_OPEN);
static_assert(static_cast<int>(TradeInStatus::kCompleted) == pb::TRADE_IN_STATUS_COMPLETED);
static_assert(static_cast<int>(TradeInStatus::kDefaulted) == pb::TRADE_IN_STATUS_DEFAULTED);
static_assert(pb::TradeInStatus_ARRAYSIZE == 4, "TradeInStatus has a value TradeInStatus lacks");

static_assert(static_cast<int>(ExtensionStatus::kUnspecified) == pb::EXTENSION_STATUS_UNSPECIFIED);
static_assert(static_cast<int>(ExtensionStatus::kNone) == pb::EXTENSION_STATUS_NONE);
static_assert(static_cast<int>(ExtensionStatus::kPending) == pb::EXTENSION_STATUS_PENDING);
static_assert(static_cast<int>(ExtensionStatus::kApproved) == pb::EXTENSION_STATUS_APPROVED);
static_assert(static_cast<int>(ExtensionStatus::kRejected) == pb::EXTENSION_STATUS_REJECTED);
static_assert(pb::ExtensionStatus_ARRAYSIZE == 5, "ExtensionStatus has a value ExtensionStatus lacks");

static_assert(static_cast<int>(AttachmentKind::kUnspecified) == pb::ATTACHMENT_KIND_UNSPECIFIED);
static_assert(static_cast<int>(AttachmentKind::kTradeInForm) == pb::ATTACHMENT_KIND_TRADE_IN_FORM);
static_assert(static_cast<int>(AttachmentKind::kCertificateOfDestruction) == pb::ATTACHMENT_KIND_CERTIFICATE_OF_DESTRUCTION);
static_assert(pb::AttachmentKind_ARRAYSIZE == 3, "AttachmentKind has a value AttachmentKind lacks");

static_assert(static_cast<int>(NoteVisibility::kUnspecified) == pb::NOTE_VISIBILITY_UNSPECIFIED);
static_assert(static_cast<int>(NoteVisibility::kPublic) == pb::NOTE_VISIBILITY_PUBLIC);
static_assert(pb::NoteVisibility_ARRAYSIZE == 2, "NoteVisibility has a value NoteVisibility lacks");

}  // namespace
}  // namespace aftercare::cases
