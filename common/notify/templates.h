// Versioned notification templates, one per event, filled from a map of
// values. The delivery engine renders a notification's subject and body here
// and records template_id and version with it.
//
// Syntax: "{{key}}" is replaced by data[key]; "{{#key}}...{{/key}}" is kept
// only when data[key] is "true"-ish (not "", "0" or "false"), and
// "{{^key}}...{{/key}}" only when it is not. Every key a template names
// (TemplateKeys) must be in `data`, in either branch, so a missing field
// fails every render, not only some. Values are inserted as they are, except
// that in the subject line breaks and other control characters become spaces.
// Every body ends with TemplateFooter().
//
// Templates (all version 1) and their keys; "rma_type" is the RMA type in
// words ("advance replacement", "return-to-factory repair", ...), "amount"
// the formatted money ("USD 1234.00"), "replacement" the flag of replacement
// RMA types (advance replacement, DOA):
//   rma_request_opened    validation_number serial_number rma_type
//   rma_request_amended   validation_number actor changed_fields
//   rma_cancelled         validation_number actor reason (may be empty)
//   rma_approved          rma_number validation_number rma_type serial_number replacement
//                         sku return_business_days amount
//   rma_rejected          validation_number serial_number reason
//   replacement_shipped   rma_number replacement_serial_number carrier tracking_number
//                         serial_number return_due_date return_business_days amount
//   receipt_exception     rma_number received_serial_number serial_number rma_status
//   return_received       rma_number serial_number replacement
//   unit_repaired         rma_number serial_number repair_summary software_version
//   repaired_unit_shipped rma_number serial_number carrier tracking_number
//   rma_closed            rma_number serial_number note (may be empty)
//   non_return_charged    rma_number serial_number return_due_date amount
//   return_overdue        rma_number serial_number return_due_date
//   license_transferred   rma_number from_serial to_serial license_count
//   renewal_welcome       entitlement_id sku feature term_end order_line (the order
//                         reference; may be empty)
//   contract_welcome      entitlement_id sku feature term_end
//   case_created          case_number subject
//   case_awaiting_customer case_number question
//   case_resolved         case_number resolution
// The RMA and renewal texts are those rma-svc (requests.cc, decisions.cc,
// logistics.cc) and licensing-svc/activation.cc build today.
//
//   ASSIGN_OR_RETURN(Rendered r, RenderTemplate("rma_closed",
//       {{"rma_number", "R10000042"}, {"serial_number", "JN11A2B3C"}, {"note", ""}}));
#ifndef AFTERCARE_COMMON_NOTIFY_TEMPLATES_H_
#define AFTERCARE_COMMON_NOTIFY_TEMPLATES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace aftercare::notify {

struct Rendered {
  std::string subject;
  std::string body;         // '\n' line ends, ends with TemplateFooter()
  std::string template_id;  // e.g. "rma_approved"
  int version = 0;
};

// Renders `template_id` with `data`. NOT_FOUND for an unknown template;
// INTERNAL naming the key when a key of the template has no value in `data`
// (so a missing field is caught by tests, never sent half-filled). Keys of
// `data` the template does not use are ignored.
absl::StatusOr<Rendered> RenderTemplate(absl::string_view template_id,
                                        const std::map<std::string, std::string>& data);

// The ids of all templates, sorted.
std::vector<std::string> TemplateIds();

// The version of `template_id` (0 when unknown).
int TemplateVersion(absl::string_view template_id);

// The keys `template_id` needs, sorted (empty when unknown).
std::vector<std::string> TemplateKeys(absl::string_view template_id);

// The fixed text every body ends with (who sent it; replies go to Customer Care).
absl::string_view TemplateFooter();

}  // namespace aftercare::notify

#endif  // AFTERCARE_COMMON_NOTIFY_TEMPLATES_H_
