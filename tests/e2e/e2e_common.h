// Shared steps of the end-to-end tests (catalog, certification, sale, RMA).
#ifndef AFTERCARE_TESTS_E2E_E2E_COMMON_H_
#define AFTERCARE_TESTS_E2E_E2E_COMMON_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/e2e/e2e_env.h"

namespace aftercare::e2e {

// Expects `result` to be OK (reporting the call at the caller's line) and returns it.
inline CallResult ExpectOk(CallResult result, const char* expr, const char* file, int line) {
  if (!result.ok()) ADD_FAILURE_AT(file, line) << expr << " -> " << result.str();
  return result;
}
#define E2E_OK(expr) ::aftercare::e2e::ExpectOk((expr), #expr, __FILE__, __LINE__)

// Repeats `call` (a retry with the same request_id) while it answers
// UNAVAILABLE, e.g. while a caller's channel reconnects to a restarted
// dependency (gRPC reconnect backoff, at most 5 s in common/clients.cc).
CallResult RetryWhileUnavailable(const std::function<CallResult()>& call,
                                 absl::Duration timeout = absl::Seconds(20));

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env().status().ok()) << env().status();
    WaitCallersReconnected();
  }
  // After a test that restarted a service, its callers' channels may still
  // be in reconnect backoff (UNAVAILABLE for up to 5 s): waits until
  // rma-svc and case-svc reach inventory-svc and licensing-svc reaches rma-svc again,
  // with calls that are refused before anything is written.
  void WaitCallersReconnected();
  void TearDown() override {
    if (HasFailure()) std::cerr << env().Logs();
  }
  static Env& env() { return Env::Get(); }
  static const Tokens& tok() { return Tokens::Get(); }

  // A mutating step the way a client on a bad network sends it: a first try
  // cut by a 1 ms deadline, the call, then a retry with the same request_id,
  // which must give the same answer (code and body). Returns the call's result.
  CallResult Mutate(const std::string& service, const std::string& method,
                    const std::string& token, const Json& request);

  // A product of the catalog (current line or end of production, 12 months of warranty).
  void CreateProduct(const std::string& sku, const std::string& series = "EX Series",
                     const std::string& platform = "EX4300", int64_t list_minor = 1234567,
                     bool end_of_production = false);
  void LoadGenuine(const std::vector<std::string>& serials, const std::string& sku);
  // Six certification steps and the certificate, from RECEIVED.
  void Certify(const std::string& serial, const std::string& round = "1");
  // Receive (stock rotation), certify.
  void ReceiveAndCertify(const std::string& serial, const std::string& sku);
  // Reserve by the CPO partner and sell to `account` with a Next Business Day contract.
  void ReserveAndSell(const std::string& serial, const std::string& account);
  // A spare of `sku` in the depot pool.
  void MakeSpare(const std::string& serial, const std::string& sku);
  std::string UnitState(const std::string& serial);
  Json GetUnit(const std::string& serial);
  // Opens an advance replacement RMA; returns the response.
  CallResult CreateRma(const std::string& request_id, const std::string& serial,
                       const std::string& account);
  // Its request (technical case 2026-1121-00042, ship to Austin).
  static Json CreateRmaRequest(const std::string& request_id, const std::string& serial,
                               const std::string& account);
};

}  // namespace aftercare::e2e

#endif  // AFTERCARE_TESTS_E2E_E2E_COMMON_H_
