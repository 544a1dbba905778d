// Plumbing of the loopback test servers (test_smtp_server.h,
// test_webhook_server.h): a listening socket on 127.0.0.1, port 0, and a
// buffered connection that reads lines and byte counts with a stop check.
// Tests only.
#ifndef AFTERCARE_COMMON_TESTING_LOOPBACK_SOCKET_H_
#define AFTERCARE_COMMON_TESTING_LOOPBACK_SOCKET_H_

#include <atomic>
#include <string>

#include "absl/strings/string_view.h"

namespace aftercare::testing {

// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
class LoopbackListener {
 public:
  LoopbackListener();  // aborts the test process when it cannot listen
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  // A connected socket, or -1 after ~100 ms without one or once closed.
  int Accept();
  // Closes the socket: further connections are refused.
  void Close();

 private:
  std::atomic<int> fd_{-1};
  int port_ = 0;
};

// A port on 127.0.0.1 where nothing listens (bound once, then closed).
int UnusedLoopbackPort();

// One accepted connection; closed on destruction. Reads give up when `stop`
// becomes true or the peer is silent for 10 s.
class LoopbackConnection {
 public:
  LoopbackConnection(int fd, const std::atomic<bool>* stop) : fd_(fd), stop_(stop) {}
  ~LoopbackConnection();
  LoopbackConnection(const LoopbackConnection&) = delete;
  LoopbackConnection& operator=(const LoopbackConnection&) = delete;

  // The next line without its CRLF (or LF); false on EOF, error or stop.
  bool ReadLine(std::string* line);
  // Exactly `n` bytes; false on EOF, error or stop.
  bool ReadBytes(size_t n, std::string* out);
  bool Write(absl::string_view data);

 private:
  bool Fill();
  int fd_;
  const std::atomic<bool>* stop_;
  std::string buffer_;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_COMMON_TESTING_LOOPBACK_SOCKET_H_
