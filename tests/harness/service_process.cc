#include "tests/harness/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace aftercare::testing {

ServiceProcess::ServiceProcess(std::string binary, std::vector<std::string> args,
                               std::string log_path)
    : binary_(std::move(binary)), args_(std::move(args)), log_path_(std::move(log_path)) {}

ServiceProcess::~ServiceProcess() { Kill(); }

absl::Status ServiceProcess::Start() {
  if (Alive()) return absl::FailedPreconditionError("already running");
  int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", log_path_, ": ", strerror(errno)));
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary_.c_str()));
  for (auto& a : args_) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // fork + exec rather than posix_spawn: the child asks to be killed when the
  // test process dies (PR_SET_PDEATHSIG), so a crashed test leaves no service
  // running. Only async-signal-safe calls between fork and exec.
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execve(binary_.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  ::close(fd);
  if (null_fd >= 0) ::close(null_fd);
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  pid_ = pid;
  return absl::OkStatus();
}

bool ServiceProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    last_status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

void ServiceProcess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (Alive() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
}

int ServiceProcess::Terminate(absl::Duration timeout) {
  if (!Alive()) return -1;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  Wait(timeout);
  if (Alive()) Kill();
  return last_status_;
}

void ServiceProcess::Kill() {
  if (!Alive()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) last_status_ = status;
  pid_ = -1;
}

void ServiceProcess::Pause() {
  if (Alive()) ::kill(pid_, SIGSTOP);
}

void ServiceProcess::Resume() {
  if (Alive()) ::kill(pid_, SIGCONT);
}

std::string ServiceProcess::LogTail(size_t max_bytes) const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > max_bytes ? all.substr(all.size() - max_bytes) : all;
}

}  // namespace aftercare::testing
