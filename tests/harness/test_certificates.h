// Throwaway X.509 certificates for TLS tests, made at test time with the
// openssl command line in a fresh temporary folder (removed at the end):
// CAs, server certificates for chosen names and client certificates.
//
//   ASSERT_OK_AND_ASSIGN(auto pki, TestCertificates::Create());
//   ASSERT_OK(pki->AddCa("ca"));
//   ASSERT_OK(pki->AddCertificate("server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1"));
//   pki->Crt("server"), pki->Key("server"), pki->Crt("ca")
#ifndef AFTERCARE_TESTS_HARNESS_TEST_CERTIFICATES_H_
#define AFTERCARE_TESTS_HARNESS_TEST_CERTIFICATES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace aftercare::testing {

class TestCertificates {
 public:
  static absl::StatusOr<std::unique_ptr<TestCertificates>> Create();
  ~TestCertificates();

  // Makes a self-signed CA: <name>.crt and <name>.key (EC P-256).
  absl::Status AddCa(const std::string& name);
  // Makes <name>.crt and <name>.key, signed by the CA `ca`, with common name
  // `cn` and the subjectAltName `san` ("DNS:localhost,IP:127.0.0.1").
  absl::Status AddCertificate(const std::string& name, const std::string& ca,
                              const std::string& cn, const std::string& san);

  std::string Crt(const std::string& name) const { return dir_ + "/" + name + ".crt"; }
  std::string Key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  const std::string& dir() const { return dir_; }

 private:
  explicit TestCertificates(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_TEST_CERTIFICATES_H_
