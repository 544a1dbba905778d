#include "tests/harness/test_certificates.h"

#include <stdlib.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/harness/test_database.h"

namespace aftercare::testing {
namespace {

// Runs `command` with /bin/sh in `dir`; its output goes to dir/openssl.log.
absl::Status Run(const std::string& dir, const std::string& command) {
  std::string line = absl::StrCat("cd ", ShellQuote(dir), " && { ", command, "; } >>openssl.log 2>&1");
  int rc = std::system(line.c_str());
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("openssl failed (", rc, "): ", command, "; see ", dir,
                                            "/openssl.log"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestCertificates>> TestCertificates::Create() {
  char tmpl[] = "/tmp/aftercare-pki-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  return std::unique_ptr<TestCertificates>(new TestCertificates(tmpl));
}

TestCertificates::~TestCertificates() {
  std::string cmd = absl::StrCat("rm -rf ", ShellQuote(dir_));
  (void)std::system(cmd.c_str());
}

absl::Status TestCertificates::AddCa(const std::string& name) {
  return Run(dir_, absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2",
      " -subj ", ShellQuote("/CN=" + name), " -keyout ", ShellQuote(name + ".key"),
      " -out ", ShellQuote(name + ".crt"),
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"));
}

absl::Status TestCertificates::AddCertificate(const std::string& name, const std::string& ca,
                                              const std::string& cn, const std::string& san) {
  const std::string ext = name + ".ext";
  return Run(dir_, absl::StrCat(
      "printf '%s\\n' ", ShellQuote("subjectAltName=" + san), " 'basicConstraints=CA:FALSE'",
      " 'extendedKeyUsage=serverAuth,clientAuth' >", ShellQuote(ext),
      " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes",
      " -subj ", ShellQuote("/CN=" + cn), " -keyout ", ShellQuote(name + ".key"),
      " -out ", ShellQuote(name + ".csr"),
      " && openssl x509 -req -days 2 -in ", ShellQuote(name + ".csr"),
      " -CA ", ShellQuote(ca + ".crt"), " -CAkey ", ShellQuote(ca + ".key"), " -CAcreateserial",
      " -extfile ", ShellQuote(ext), " -out ", ShellQuote(name + ".crt")));
}

}  // namespace aftercare::testing
