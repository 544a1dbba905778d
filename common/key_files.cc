#include "common/key_files.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status.h"

namespace aftercare {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

BioPtr MemBio(const std::string& data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// The first certificate of a PEM file; INVALID_ARGUMENT naming the file.
absl::StatusOr<X509Ptr> FirstCertificate(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path));
  BioPtr bio = MemBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' holds no PEM certificate"));
  }
  return cert;
}

// Checks what gRPC's file watcher would otherwise only log later: the
// certificate and key parse and belong together, and the CA bundle holds a
// certificate.
absl::Status CheckIdentity(const std::string& cert_file, const std::string& key_file) {
  ASSIGN_OR_RETURN(X509Ptr cert, FirstCertificate(cert_file));
  ASSIGN_OR_RETURN(std::string key_pem, ReadFileToString(key_file));
  BioPtr bio = MemBio(key_pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", key_file, "' holds no unencrypted PEM private key"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("the private key '", key_file,
                                                   "' does not match the certificate '",
                                                   cert_file, "'"));
  }
  return absl::OkStatus();
}

unsigned int RefreshSeconds(absl::Duration refresh) {
  return static_cast<unsigned int>(
      std::clamp<int64_t>(absl::ToInt64Seconds(refresh), 1, 24 * 3600));
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read file '", path, "'"));
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<std::string> SplitPemBundle(const std::string& bundle) {
  std::vector<std::string> blocks;
  const std::string end_marker = "-----END";
  size_t pos = 0;
  while (true) {
    size_t begin = bundle.find("-----BEGIN", pos);
    if (begin == std::string::npos) break;
    size_t end = bundle.find(end_marker, begin);
    if (end == std::string::npos) break;
    size_t line_end = bundle.find('\n', end);
    if (line_end == std::string::npos) line_end = bundle.size();
    blocks.push_back(bundle.substr(begin, line_end - begin) + "\n");
    pos = line_end;
  }
  return blocks;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> WatchedServerCredentials(
    const TlsFiles& files) {
  RETURN_IF_ERROR(CheckIdentity(files.cert_file, files.key_file));
  if (!files.client_ca_file.empty()) RETURN_IF_ERROR(FirstCertificate(files.client_ca_file).status());
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.key_file, files.cert_file, files.client_ca_file, RefreshSeconds(files.refresh));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (files.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> WatchedChannelCredentials(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
    absl::Duration refresh) {
  RETURN_IF_ERROR(FirstCertificate(ca_file).status());
  if (!cert_file.empty()) RETURN_IF_ERROR(CheckIdentity(cert_file, key_file));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      cert_file.empty() ? std::string() : key_file, cert_file, ca_file, RefreshSeconds(refresh));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!cert_file.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  return grpc::experimental::TlsCredentials(options);
}

JwtKeyFileWatcher::Counters JwtKeyFileWatcher::RegisterCounters(prometheus::Registry& registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("aftercare_jwt_key_reloads_total")
                     .Help("Changes of --jwt_public_keys_file seen, by result (ok: keys "
                           "replaced; error: refused, the previous keys stay)")
                     .Register(registry);
  return Counters{&family.Add({{"result", "ok"}}), &family.Add({{"result", "error"}})};
}

JwtKeyFileWatcher::JwtKeyFileWatcher(std::string path, std::string initial_content,
                                     JwtVerifier* verifier, Counters counters)
    : path_(std::move(path)),
      verifier_(verifier),
      last_content_(std::move(initial_content)),
      counters_(counters) {}

absl::Status JwtKeyFileWatcher::Check() {
  ASSIGN_OR_RETURN(std::string content, ReadFileToString(path_));
  {
    MutexLock lock(&mu_);
    if (content == last_content_) return absl::OkStatus();
    last_content_ = content;
  }
  const std::vector<std::string> pems = SplitPemBundle(content);
  absl::Status replaced = verifier_->ReplacePublicKeys(pems);
  if (!replaced.ok()) {
    if (counters_.rejected != nullptr) counters_.rejected->Increment();
    return absl::InvalidArgumentError(absl::StrCat(
        "--jwt_public_keys_file '", path_, "' refused, the previous keys stay: ", replaced.message()));
  }
  if (counters_.reloaded != nullptr) counters_.reloaded->Increment();
  LogInfo("jwt public keys reloaded", {{"file", path_}, {"keys", static_cast<int64_t>(pems.size())}});
  return absl::OkStatus();
}

}  // namespace aftercare
