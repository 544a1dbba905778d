#include "common/health_service.h"

#include <optional>

namespace aftercare {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch stream: sends the current status, then each change. At most one
// write is in flight; a change that arrives meanwhile replaces the pending one.
class HealthService::WatchReactor : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  WatchReactor(HealthService* service, std::string name) : service_(service), name_(std::move(name)) {}

  // Called with service_->mu_ held.
  void Push(ServingStatus status) {
    MutexLock lock(&mu_);
    if (finished_) return;
    if (writing_) {
      pending_ = status;
      return;
    }
    if (sent_once_ && status == last_sent_) return;
    WriteLocked(status);
  }

  void OnWriteDone(bool ok) override {
    MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
      return;
    }
    if (pending_.has_value() && *pending_ != last_sent_) {
      ServingStatus next = *pending_;
      pending_.reset();
      WriteLocked(next);
    }
  }

  void OnCancel() override {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    service_->Unregister(this);
    delete this;
  }

 private:
  void WriteLocked(ServingStatus status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    response_.set_status(status);
    last_sent_ = status;
    sent_once_ = true;
    writing_ = true;
    StartWrite(&response_);
  }
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  HealthService* service_;
  const std::string name_;
  Mutex mu_;
  HealthCheckResponse response_ ABSL_GUARDED_BY(mu_);
  ServingStatus last_sent_ ABSL_GUARDED_BY(mu_) = HealthCheckResponse::UNKNOWN;
  std::optional<ServingStatus> pending_ ABSL_GUARDED_BY(mu_);
  bool sent_once_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;

  friend class HealthService;
};

HealthService::HealthService() {
  statuses_[""] = HealthCheckResponse::NOT_SERVING;
  statuses_["readiness"] = HealthCheckResponse::NOT_SERVING;
  statuses_["liveness"] = HealthCheckResponse::SERVING;
}

HealthService::~HealthService() = default;

void HealthService::Mirror(HealthService* other) {
  mirror_ = other;
  MutexLock lock(&mu_);
  for (const auto& [name, status] : statuses_) other->SetStatus(name, status);
}

void HealthService::SetStatus(const std::string& service, ServingStatus status) {
  if (mirror_ != nullptr) mirror_->SetStatus(service, status);
  MutexLock lock(&mu_);
  if (shutting_down_) status = HealthCheckResponse::NOT_SERVING;
  statuses_[service] = status;
  for (WatchReactor* w : watchers_) {
    if (w->name_ == service) w->Push(status);
  }
}

void HealthService::SetReadiness(bool serving) {
  if (mirror_ != nullptr) mirror_->SetReadiness(serving);
  MutexLock lock(&mu_);
  ServingStatus status = (serving && !shutting_down_) ? HealthCheckResponse::SERVING
                                                      : HealthCheckResponse::NOT_SERVING;
  for (auto& [name, s] : statuses_) {
    if (name != "liveness") s = status;
  }
  for (WatchReactor* w : watchers_) {
    if (w->name_ != "liveness" && statuses_.count(w->name_)) w->Push(statuses_[w->name_]);
  }
}

void HealthService::BeginShutdown() {
  if (mirror_ != nullptr) mirror_->BeginShutdown();
  MutexLock lock(&mu_);
  shutting_down_ = true;
  for (auto& [name, s] : statuses_) s = HealthCheckResponse::NOT_SERVING;
  for (WatchReactor* w : watchers_) w->Push(HealthCheckResponse::NOT_SERVING);
}

HealthService::ServingStatus HealthService::GetStatus(const std::string& service) const {
  MutexLock lock(&mu_);
  auto it = statuses_.find(service);
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  auto* reactor = context->DefaultReactor();
  {
    MutexLock lock(&mu_);
    auto it = statuses_.find(request->service());
    if (it == statuses_.end()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   "unknown service name '" + request->service() + "'"));
      return reactor;
    }
    response->set_status(it->second);
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  auto* reactor = new WatchReactor(this, request->service());
  MutexLock lock(&mu_);
  watchers_.insert(reactor);
  auto it = statuses_.find(request->service());
  reactor->Push(it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second);
  return reactor;
}

void HealthService::Unregister(WatchReactor* reactor) {
  MutexLock lock(&mu_);
  watchers_.erase(reactor);
}

}  // namespace aftercare
