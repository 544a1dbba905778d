#include "tests/harness/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, 1);
  posix_spawn_file_actions_adddup2(&actions, fd, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary_.c_str()));
  for (auto& a : args_) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  if (rc != 0) return absl::InternalError(absl::StrCat("spawn ", binary_, ": ", strerror(rc)));
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
