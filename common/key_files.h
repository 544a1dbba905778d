// Keys and certificates read from files that are replaced while the service
// runs (cert-manager renewals, issuer key rotation): nothing here needs a
// restart.
//
//   - gRPC server and channel credentials built on gRPC's file-watcher
//     certificate provider: the certificate, key and CA files are read again
//     every `refresh` and new handshakes use what they hold; connections
//     already open keep theirs.
//   - JwtKeyFileWatcher: the PEM bundle of token verification keys, read
//     again on each Check() and swapped into the JwtVerifier when it changed.
//
// Replace files atomically (a Kubernetes Secret volume does: it swaps a
// symlink). A file caught half-written is refused and the previous keys or
// certificates stay in use until the next read.
#ifndef AFTERCARE_COMMON_KEY_FILES_H_
#define AFTERCARE_COMMON_KEY_FILES_H_

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/sync.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace aftercare {

// The whole content of `path`; FAILED_PRECONDITION "cannot read file '<path>'".
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Splits a PEM bundle into its blocks ("-----BEGIN ...-----" to the end of
// the "-----END ...-----" line), each ending with a newline.
std::vector<std::string> SplitPemBundle(const std::string& bundle);

// Files of a gRPC server's TLS identity.
struct TlsFiles {
  std::string cert_file;       // server certificate chain (PEM)
  std::string key_file;        // its private key (PEM)
  std::string client_ca_file;  // when set, clients must present a certificate signed by it (mTLS)
  // How often the files are read again (whole seconds, at least 1 s).
  absl::Duration refresh = absl::Seconds(60);
  bool enabled() const { return !cert_file.empty(); }
};

// TLS server credentials that follow `files`. The files are read once here
// so that a missing or malformed one stops start-up with its name
// (FAILED_PRECONDITION / INVALID_ARGUMENT).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> WatchedServerCredentials(
    const TlsFiles& files);

// TLS channel credentials that trust the CAs of `ca_file` and, when
// `cert_file` is set, present that certificate (mTLS); all re-read every
// `refresh`. The server's certificate must name the target host.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> WatchedChannelCredentials(
    const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
    absl::Duration refresh);

// Keeps a JwtVerifier's public keys equal to the PEM bundle in a file.
// Check() reads the file and, when its content changed since the last
// Check (or since `initial_content`), replaces the verifier's keys. A bundle
// that does not parse, or that is empty while the verifier has no HS256
// secret, is refused: the keys in use stay, Check answers the error once
// (until the content changes again) and
// aftercare_jwt_key_reloads_total{result="error"} counts it.
//
//   JwtKeyFileWatcher watcher(path, content_read_at_start, verifier.get(), registry.get());
//   PeriodicTask task("jwt keys", absl::Minutes(1), [&] { return watcher.Check(); });
class JwtKeyFileWatcher {
 public:
  // aftercare_jwt_key_reloads_total{result="ok"|"error"}, registered once
  // per registry by every service (at 0 without a key file).
  struct Counters {
    prometheus::Counter* reloaded = nullptr;
    prometheus::Counter* rejected = nullptr;
  };
  static Counters RegisterCounters(prometheus::Registry& registry);

  // `verifier` must outlive the watcher; `counters` may be empty.
  JwtKeyFileWatcher(std::string path, std::string initial_content, JwtVerifier* verifier,
                    Counters counters);

  absl::Status Check();

 private:
  const std::string path_;
  JwtVerifier* const verifier_;
  Mutex mu_;
  std::string last_content_ ABSL_GUARDED_BY(mu_);
  const Counters counters_;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_KEY_FILES_H_
