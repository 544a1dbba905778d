#include "common/testing/loopback_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace aftercare::testing {
namespace {

constexpr int kPollMs = 100;
constexpr int kIdleMs = 10000;

int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

LoopbackListener::LoopbackListener() {
  const int fd = Listen(&port_);
  if (fd < 0) {
    std::perror("LoopbackListener");
    std::abort();
  }
  fd_ = fd;
}

LoopbackListener::~LoopbackListener() { Close(); }

void LoopbackListener::Close() {
  const int fd = fd_.exchange(-1);
  if (fd >= 0) ::close(fd);
}

int LoopbackListener::Accept() {
  const int fd = fd_.load();
  if (fd < 0) {
    ::usleep(kPollMs * 1000);
    return -1;
  }
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, kPollMs) <= 0) return -1;
  return ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
}

int UnusedLoopbackPort() {
  int port = 0;
  const int fd = Listen(&port);
  if (fd < 0) {
    std::perror("UnusedLoopbackPort");
    std::abort();
  }
  ::close(fd);
  return port;
}

LoopbackConnection::~LoopbackConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool LoopbackConnection::Fill() {
  int idle = 0;
  while (!stop_->load()) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r < 0 && errno != EINTR) return false;
    if (r <= 0) {
      idle += kPollMs;
      if (idle >= kIdleMs) return false;
      continue;
    }
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  return false;
}

bool LoopbackConnection::ReadLine(std::string* line) {
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      size_t end = nl;
      if (end > 0 && buffer_[end - 1] == '\r') --end;
      line->assign(buffer_, 0, end);
      buffer_.erase(0, nl + 1);
      return true;
    }
    if (!Fill()) return false;
  }
}

bool LoopbackConnection::ReadBytes(size_t n, std::string* out) {
  while (buffer_.size() < n) {
    if (!Fill()) return false;
  }
  out->assign(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

bool LoopbackConnection::Write(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace aftercare::testing
