#include "common/testing/test_webhook_server.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/notify/webhook.h"

namespace aftercare::testing {
namespace {

constexpr size_t kMaxBody = 1 << 20;

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

TestWebhookServer::TestWebhookServer() : thread_([this] { Run(); }) {}

TestWebhookServer::~TestWebhookServer() {
  stop_ = true;
  thread_.join();
}

std::string TestWebhookServer::url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port(), path);
}

void TestWebhookServer::SetDefaultStatus(int status) {
  absl::MutexLock lock(&mu_);
  default_status_ = status;
}

void TestWebhookServer::RespondNext(std::vector<int> statuses) {
  absl::MutexLock lock(&mu_);
  for (int s : statuses) next_statuses_.push_back(s);
}

void TestWebhookServer::RequireSignature(std::string secret, absl::Duration tolerance) {
  absl::MutexLock lock(&mu_);
  secret_ = std::move(secret);
  tolerance_ = tolerance;
}

std::vector<TestWebhookServer::Request> TestWebhookServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

int TestWebhookServer::verified() const {
  absl::MutexLock lock(&mu_);
  return verified_;
}

int TestWebhookServer::refused() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

int TestWebhookServer::replays() const {
  absl::MutexLock lock(&mu_);
  return replays_;
}

bool TestWebhookServer::WaitForRequests(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return requests_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

void TestWebhookServer::Run() {
  while (!stop_) {
    const int fd = listener_.Accept();
    if (fd < 0) continue;
    LoopbackConnection c(fd, &stop_);
    Serve(c);
  }
}

void TestWebhookServer::Serve(LoopbackConnection& c) {
  Request req;
  std::string line;
  if (!c.ReadLine(&line)) return;
  std::vector<std::string> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3) {
    c.Write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  req.method = parts[0];
  req.path = parts[1];
  while (c.ReadLine(&line) && !line.empty()) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    req.headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(absl::string_view(line).substr(colon + 1)));
  }
  size_t length = 0;
  if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
    if (!absl::SimpleAtoi(it->second, &length) || length > kMaxBody) {
      c.Write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
  }
  if (!c.ReadBytes(length, &req.body)) return;

  int status;
  {
    absl::MutexLock lock(&mu_);
    if (!next_statuses_.empty()) {
      status = next_statuses_.front();
      next_statuses_.pop_front();
    } else {
      status = default_status_;
    }
    if (req.method != "POST") {
      status = 405;
    } else if (secret_.has_value()) {
      auto it = req.headers.find(absl::AsciiStrToLower(notify::kSignatureHeader));
      const std::string header = it == req.headers.end() ? "" : it->second;
      const absl::Status v =
          notify::VerifyWebhookSignature(*secret_, header, req.body, absl::Now(), tolerance_);
      req.signature_verified = v.ok();
      if (!v.ok()) {
        req.signature_problem = std::string(v.message());
        ++refused_;
        status = 401;
      } else if (!seen_signatures_.insert(header).second) {
        req.signature_problem = "replay: signature header seen before";
        ++replays_;
        status = 409;
      } else {
        ++verified_;
      }
    }
    req.answered = status;
    requests_.push_back(req);
  }
  std::string response = absl::StrCat("HTTP/1.1 ", status, " ", Reason(status), "\r\n");
  if (status >= 300 && status < 400) absl::StrAppend(&response, "Location: /moved\r\n");
  absl::StrAppend(&response, "Content-Length: 0\r\nConnection: close\r\n\r\n");
  c.Write(response);
}

}  // namespace aftercare::testing
