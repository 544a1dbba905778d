// rma-svc's calls to case-svc: a note on the RMA's technical (JTAC) case
// (AddTechnicalCaseNote), e.g. one per RMA notification, delivered from the
// outbox. Every call has a deadline (--case_timeout) and the service token;
// the caller passes a request_id derived from the outbox event and a stable
// note_id, so a repeated delivery adds nothing and gets the first answer.
#ifndef AFTERCARE_RMA_SVC_CASE_CLIENT_H_
#define AFTERCARE_RMA_SVC_CASE_CLIENT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clients.h"

namespace aftercare::rma {

class GrpcCaseNotesClient {
 public:
  GrpcCaseNotesClient(ClientFactory* clients, std::string target, absl::Duration timeout)
      : clients_(*clients), target_(std::move(target)), timeout_(timeout) {}

  // Adds a public note to `technical_case_id`. OK also when case-svc already
  // has the note. UNAVAILABLE (retryable, with a retry delay) when case-svc
  // cannot answer in time; FAILED_PRECONDITION (permanent: retrying the same
  // note cannot succeed) when it refuses the note (INVALID_ARGUMENT,
  // PERMISSION_DENIED, NOT_FOUND, ALREADY_EXISTS with other content, or
  // FAILED_PRECONDITION); any other code as case-svc answered it.
  absl::Status AddNote(const std::string& request_id, const std::string& technical_case_id,
                       const std::string& account_id, const std::string& note_id,
                       const std::string& subject, const std::string& body);

 private:
  ClientFactory& clients_;
  const std::string target_;
  const absl::Duration timeout_;
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_CASE_CLIENT_H_
