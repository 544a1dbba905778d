// How licensing-svc learns about an RMA before moving licenses: an interface
// with a gRPC implementation (rma-svc's GetRma, called with the service
// token) and a fake for tests.
#ifndef AFTERCARE_LICENSING_SVC_RMA_DIRECTORY_H_
#define AFTERCARE_LICENSING_SVC_RMA_DIRECTORY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "common/call_context.h"
#include "common/sync.h"

namespace aftercare::licensing {

// The RMA states that matter here (rma-svc's RmaStatus, by name).
struct RmaInfo {
  std::string rma_number;         // empty while the RMA is pending
  std::string validation_number;  // "V" + digits
  std::string account_id;
  // rma-svc's status without the prefix: "PENDING", "APPROVED",
  // "REPLACEMENT_SHIPPED", "CANCELLED", ...
  std::string status;
  std::string serial_number;              // the defective unit
  std::string replacement_serial_number;  // empty until a spare is allocated
  std::string contact_email;              // who receives the RMA's notifications
};

class RmaDirectory {
 public:
  virtual ~RmaDirectory() = default;
  // Returns the RMA named `rma_number` (an RMA or validation number). NOT_FOUND when rma-svc does not know it;
  // UNAVAILABLE / DEADLINE_EXCEEDED when rma-svc cannot be reached. `parent`
  // (may be null) is the call being handled, for the request id and trace.
  virtual absl::StatusOr<RmaInfo> GetRma(const CallInfo* parent, const std::string& rma_number) = 0;
};

// An in-memory directory for tests.
class FakeRmaDirectory : public RmaDirectory {
 public:
  // Adds or replaces an RMA, found by its RMA and its validation number.
  void Put(RmaInfo rma) {
    aftercare::MutexLock lock(&mu_);
    if (!rma.validation_number.empty()) rmas_[rma.validation_number] = rma;
    if (!rma.rma_number.empty()) rmas_[rma.rma_number] = std::move(rma);
  }
  // Every later GetRma answers `status` (OK again to stop).
  void FailWith(absl::Status status) {
    aftercare::MutexLock lock(&mu_);
    failure_ = std::move(status);
  }
  absl::StatusOr<RmaInfo> GetRma(const CallInfo*, const std::string& rma_number) override {
    aftercare::MutexLock lock(&mu_);
    ++calls_;
    if (!failure_.ok()) return failure_;
    auto it = rmas_.find(rma_number);
    if (it == rmas_.end()) return absl::NotFoundError("RMA " + rma_number + " not found");
    return it->second;
  }
  int calls() const {
    aftercare::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  mutable aftercare::Mutex mu_;
  std::map<std::string, RmaInfo> rmas_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_RMA_DIRECTORY_H_
