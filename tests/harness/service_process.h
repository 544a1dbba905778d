// A child process for end-to-end tests: a real service binary started with
// fork + exec (killed with the test process), its stdout and stderr appended to a log file, which the test
// may SIGTERM, SIGKILL and start again with the same arguments.
//
//   ServiceProcess p("/build/inventory-svc/inventory-svc", {"--grpc_port=1234"}, "/tmp/inv.log");
//   ASSERT_OK(p.Start());
//   p.Kill();        // kill -9, waits for the exit
//   ASSERT_OK(p.Start());
#ifndef AFTERCARE_TESTS_HARNESS_SERVICE_PROCESS_H_
#define AFTERCARE_TESTS_HARNESS_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace aftercare::testing {

class ServiceProcess {
 public:
  ServiceProcess(std::string binary, std::vector<std::string> args, std::string log_path);
  ~ServiceProcess();  // SIGKILL when still running
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  absl::Status Start();
  // True while the child has not exited (reaps it when it has).
  bool Alive();
  // Sends SIGTERM and waits up to `timeout` (then SIGKILL); returns the exit
  // status as waitpid reports it, or -1 when it was not running.
  int Terminate(absl::Duration timeout = absl::Seconds(10));
  // kill -9 and wait.
  void Kill();
  // SIGSTOP / SIGCONT: a process that holds its connections but answers nothing.
  void Pause();
  void Resume();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The last `max_bytes` of the log.
  std::string LogTail(size_t max_bytes = 8000) const;
  // Exit status of the last exit seen (waitpid status), -1 if none.
  int last_status() const { return last_status_; }

 private:
  void Wait(absl::Duration timeout);
  std::string binary_;
  std::vector<std::string> args_;
  std::string log_path_;
  pid_t pid_ = -1;
  int last_status_ = -1;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_SERVICE_PROCESS_H_
