// grpc.health.v1.Health, implemented from grpc-proto's health.proto so that
// it shows up in server reflection (the built-in C++ health service does
// not). Statuses are kept per service name:
//   ""           the server as a whole: follows the database (readiness);
//   "readiness"  the same, for Kubernetes readiness probes;
//   "liveness"   SERVING until shutdown begins: the process is not wedged;
//   "<package>.<Service>" of each registered service: follows readiness.
// Watch streams every change.
#ifndef AFTERCARE_COMMON_HEALTH_SERVICE_H_
#define AFTERCARE_COMMON_HEALTH_SERVICE_H_

#include <map>
#include <set>
#include <string>

#include "common/sync.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace aftercare {

class HealthService : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  HealthService();
  ~HealthService() override;

  // Sets the status of one name and notifies its watchers.
  void SetStatus(const std::string& service, ServingStatus status);
  // Sets every name except "liveness" (readiness follows the database).
  void SetReadiness(bool serving);
  // Everything NOT_SERVING, for good: the server is draining.
  void BeginShutdown();
  ServingStatus GetStatus(const std::string& service) const;
  // Makes `other` (served on another port) follow every change of this one.
  void Mirror(HealthService* other);

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class WatchReactor;
  void Unregister(WatchReactor* reactor);

  mutable Mutex mu_;
  std::map<std::string, ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::set<WatchReactor*> watchers_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  HealthService* mirror_ = nullptr;  // set before serving
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_HEALTH_SERVICE_H_
