// TLS between the pool and MariaDB (--mysql_tls_mode and the
// --mysql_tls_*_file settings): certificates made at test time (a CA, server
// certificates for 127.0.0.1/localhost and for another host, a client
// certificate, and a second, untrusted CA), a private MariaDB with TLS on
// presenting one of them, and the ordinary test server, which has no TLS.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/db/connection_pool.h"
#include "common/db/transaction.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_certificates.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::PrivateMariaDb;
using ::aftercare::testing::ServerAddress;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCertificates;
using ::aftercare::testing::TestDatabase;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kDatabase[] = "tls_test";

class ConnectionPoolTlsTest : public ::testing::Test {
 protected:
  // "ca" signs "server" (localhost, 127.0.0.1), "elsewhere" (only
  // db.example.com) and "client"; "rogue-ca", which no pool trusts, signs
  // "rogue" (localhost, 127.0.0.1).
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(pki_, TestCertificates::Create());
    ASSERT_OK(pki_->AddCa("ca"));
    ASSERT_OK(pki_->AddCa("rogue-ca"));
    ASSERT_OK(pki_->AddCertificate("server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1"));
    ASSERT_OK(pki_->AddCertificate("elsewhere", "ca", "db.example.com", "DNS:db.example.com"));
    ASSERT_OK(pki_->AddCertificate("client", "ca", "aftercare-client", "DNS:aftercare-client"));
    ASSERT_OK(pki_->AddCertificate("rogue", "rogue-ca", "localhost", "DNS:localhost,IP:127.0.0.1"));
  }

  // Starts a MariaDB with TLS on that presents `server_cert` and trusts
  // client certificates signed by "ca", with an empty database kDatabase.
  void StartServer(const std::string& server_cert, std::vector<std::string> more_options = {}) {
    std::vector<std::string> options = {"--ssl-ca=" + pki_->Crt("ca"),
                                        "--ssl-cert=" + pki_->Crt(server_cert),
                                        "--ssl-key=" + pki_->Key(server_cert)};
    options.insert(options.end(), more_options.begin(), more_options.end());
    ASSERT_OK_AND_ASSIGN(server_, PrivateMariaDb::Start(options));
    ASSERT_OK(server_->SocketExecute(absl::StrCat("CREATE DATABASE ", kDatabase)));
    ASSERT_OK(server_->SocketExecute("SELECT 1 FROM DUAL WHERE @@have_ssl = 'YES'"));
  }

  // Pool options for `server` (root, kDatabase) in `mode`, trusting "ca"
  // unless `ca` is empty.
  DbOptions Options(const ServerAddress& server, TlsMode mode, const std::string& ca = "ca") const {
    DbOptions o;
    o.host = server.host;
    o.port = server.port;
    o.user = server.user;
    o.password = server.password;
    o.database = kDatabase;
    o.pool_size = 1;
    o.connect_timeout = absl::Seconds(2);
    o.read_timeout = absl::Seconds(10);
    o.tls.mode = mode;
    if (!ca.empty()) o.tls.ca_file = pki_->Crt(ca);
    return o;
  }

  std::unique_ptr<TestCertificates> pki_;
  std::unique_ptr<PrivateMariaDb> server_;
};

// The value of a session status variable, seen through the pool.
absl::StatusOr<std::string> SessionStatus(ConnectionPool& pool, const std::string& name) {
  return RunRead<std::string>(pool, "session status", [&](Connection& c) -> absl::StatusOr<std::string> {
    std::unique_ptr<sql::Statement> stmt(c.raw().createStatement());
    std::unique_ptr<sql::ResultSet> rs(
        stmt->executeQuery(absl::StrCat("SHOW SESSION STATUS LIKE '", name, "'")));
    if (!rs->next()) return absl::NotFoundError(name);
    return std::string(rs->getString(2));
  });
}

absl::StatusOr<std::string> Query(ConnectionPool& pool, const std::string& sql) {
  return RunRead<std::string>(pool, "query", [&](Connection& c) -> absl::StatusOr<std::string> {
    std::unique_ptr<sql::ResultSet> rs(c.Prepare(sql).executeQuery());
    if (!rs->next()) return absl::NotFoundError(sql);
    return std::string(rs->getString(1));
  });
}

// How a pool in `options` fares: the session's cipher, or why it could not connect.
absl::StatusOr<std::string> Cipher(const DbOptions& options) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options, nullptr);
  if (!pool.ok()) return pool.status();
  return SessionStatus(**pool, "Ssl_cipher");
}

TEST_F(ConnectionPoolTlsTest, EveryTlsModeEncryptsTheSession) {
  ASSERT_NO_FATAL_FAILURE(StartServer("server"));
  const ServerAddress& server = server_->address();
  struct Case {
    const char* what;
    DbOptions options;
  };
  const std::vector<Case> cases = {
      {"required, no CA", Options(server, TlsMode::kRequired, "")},
      {"required with the CA", Options(server, TlsMode::kRequired)},
      {"verify_ca", Options(server, TlsMode::kVerifyCa)},
      {"verify_identity", Options(server, TlsMode::kVerifyIdentity)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(c.options, nullptr));
    ASSERT_OK_AND_ASSIGN(std::string cipher, SessionStatus(*pool, "Ssl_cipher"));
    EXPECT_NE(cipher, "");
    ASSERT_OK_AND_ASSIGN(std::string version, SessionStatus(*pool, "Ssl_version"));
    EXPECT_THAT(version, StartsWith("TLSv1."));
  }
  // The same query sees a plaintext session as one.
  ASSERT_OK_AND_ASSIGN(std::string plaintext, Cipher(Options(server, TlsMode::kDisabled, "")));
  EXPECT_EQ(plaintext, "");
}

TEST_F(ConnectionPoolTlsTest, RequiredModesRefuseAServerWithoutTls) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());  // the ordinary test server
  ASSERT_OK_AND_ASSIGN(std::string have_ssl, db->QueryValue("SELECT @@have_ssl"));
  ASSERT_NE(have_ssl, "YES") << "the shared test server has TLS on: this test needs one without";
  ServerAddress plain = db->server();
  DbOptions options = Options(plain, TlsMode::kDisabled, "");
  options.database = db->name();
  ASSERT_OK_AND_ASSIGN(std::string plaintext, Cipher(options));
  EXPECT_EQ(plaintext, "");

  for (TlsMode mode : {TlsMode::kRequired, TlsMode::kVerifyCa, TlsMode::kVerifyIdentity}) {
    SCOPED_TRACE(TlsModeName(mode));
    DbOptions tls = Options(plain, mode);
    tls.database = db->name();
    ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(tls, nullptr));
    absl::Status s = pool->Ping();
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(std::string(s.message()), HasSubstr(absl::StrCat("--mysql_tls_mode=", TlsModeName(mode))));
    EXPECT_THAT(std::string(s.message()), HasSubstr("TLS"));
    EXPECT_EQ(pool->in_use(), 0);
  }
  // Without a CA too: encryption alone is what `required` promises.
  DbOptions no_ca = Options(plain, TlsMode::kRequired, "");
  no_ca.database = db->name();
  EXPECT_THAT(Cipher(no_ca), StatusIs(absl::StatusCode::kUnavailable,
                                      HasSubstr("the server did not negotiate TLS")));
}

TEST_F(ConnectionPoolTlsTest, ACertificateFromAnotherCaIsRefused) {
  ASSERT_NO_FATAL_FAILURE(StartServer("rogue"));
  const ServerAddress& server = server_->address();
  for (TlsMode mode : {TlsMode::kRequired, TlsMode::kVerifyCa, TlsMode::kVerifyIdentity}) {
    SCOPED_TRACE(TlsModeName(mode));
    EXPECT_THAT(Cipher(Options(server, mode)),
                StatusIs(absl::StatusCode::kUnavailable, HasSubstr("TLS with the server failed")));
  }
  // verify_identity without a CA file trusts the system's CAs, not this one.
  EXPECT_THAT(Cipher(Options(server, TlsMode::kVerifyIdentity, "")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("TLS with the server failed")));
  // Only the check refuses it: `required` without a CA encrypts without one.
  ASSERT_OK_AND_ASSIGN(std::string cipher, Cipher(Options(server, TlsMode::kRequired, "")));
  EXPECT_NE(cipher, "");
}

TEST_F(ConnectionPoolTlsTest, VerifyIdentityRefusesACertificateForAnotherHost) {
  ASSERT_NO_FATAL_FAILURE(StartServer("elsewhere"));  // signed by "ca", names db.example.com
  const ServerAddress& server = server_->address();
  EXPECT_THAT(Cipher(Options(server, TlsMode::kVerifyIdentity)),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("TLS with the server failed (--mysql_tls_mode=verify_identity)")));
  // The chain is good: verify_ca, which does not check the name, connects.
  ASSERT_OK_AND_ASSIGN(std::string cipher, Cipher(Options(server, TlsMode::kVerifyCa)));
  EXPECT_NE(cipher, "");
}

TEST_F(ConnectionPoolTlsTest, PresentsTheClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartServer("server"));
  ASSERT_OK(server_->SocketExecute(
      "CREATE USER 'device'@'%' IDENTIFIED BY 'device-pw' REQUIRE X509"));
  ASSERT_OK(server_->SocketExecute(absl::StrCat("GRANT ALL ON ", kDatabase, ".* TO 'device'@'%'")));
  DbOptions options = Options(server_->address(), TlsMode::kVerifyIdentity);
  options.user = "device";
  options.password = "device-pw";

  // Without a client certificate the server refuses the user.
  EXPECT_THAT(Cipher(options), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("error 1045")));

  options.tls.cert_file = pki_->Crt("client");
  options.tls.key_file = pki_->Key("client");
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, nullptr));
  ASSERT_OK_AND_ASSIGN(std::string user, Query(*pool, "SELECT CURRENT_USER()"));
  EXPECT_EQ(user, "device@%");
  ASSERT_OK_AND_ASSIGN(std::string cipher, SessionStatus(*pool, "Ssl_cipher"));
  EXPECT_NE(cipher, "");
}

TEST_F(ConnectionPoolTlsTest, AServerRequiringSecureTransportTakesOnlyTheTlsPool) {
  ASSERT_NO_FATAL_FAILURE(StartServer("server", {"--require-secure-transport=ON"}));
  const ServerAddress& server = server_->address();
  EXPECT_THAT(Cipher(Options(server, TlsMode::kDisabled, "")),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(std::string cipher, Cipher(Options(server, TlsMode::kVerifyIdentity)));
  EXPECT_NE(cipher, "");
}

}  // namespace
}  // namespace aftercare::db
