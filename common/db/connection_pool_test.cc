// The pool's settings checks, which need no database: a bad TLS setting
// stops the service at start with the flag's name.
#include <cstdlib>
#include <memory>
#include <string>

#include "common/db/connection_pool.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "tests/harness/test_certificates.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCertificates;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(DbEndpointsTest, ParsesAListOfHostsWithOrWithoutPorts) {
  ASSERT_OK_AND_ASSIGN(std::vector<DbEndpoint> one, ParseDbEndpoints("db.internal", 3306));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].host, "db.internal");
  EXPECT_EQ(one[0].port, 3306);
  ASSERT_OK_AND_ASSIGN(std::vector<DbEndpoint> three,
                       ParseDbEndpoints("n0:3307, n1 ,[::1]:3308", 3306));
  ASSERT_EQ(three.size(), 3u);
  EXPECT_EQ(three[0].host, "n0");
  EXPECT_EQ(three[0].port, 3307);
  EXPECT_EQ(three[1].host, "n1");
  EXPECT_EQ(three[1].port, 3306);
  EXPECT_EQ(three[2].host, "::1");
  EXPECT_EQ(three[2].port, 3308);
  for (const char* bad : {"", "a,,b", "a:", "a:0", "a:65536", "a:x", ":3306", "[::1", "[::1]x",
                          "a:3306,a"}) {
    EXPECT_THAT(ParseDbEndpoints(bad, 3306),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--mysql_host")))
        << bad;
  }
}

TEST(TlsModeTest, ParsesTheFourModesAndNothingElse) {
  for (TlsMode mode : {TlsMode::kDisabled, TlsMode::kRequired, TlsMode::kVerifyCa,
                       TlsMode::kVerifyIdentity}) {
    ASSERT_OK_AND_ASSIGN(TlsMode parsed, ParseTlsMode(TlsModeName(mode)));
    EXPECT_EQ(parsed, mode);
  }
  for (const char* bad : {"", "preferred", "REQUIRED", "verify-identity", "true"}) {
    EXPECT_THAT(ParseTlsMode(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(HasSubstr("--mysql_tls_mode must be disabled, required, verify_ca "
                                         "or verify_identity"),
                               HasSubstr(absl::StrCat("\"", bad, "\"")))));
  }
}

class PoolTlsSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(pki_, TestCertificates::Create());
    ASSERT_OK(pki_->AddCa("ca"));
    ASSERT_OK(pki_->AddCertificate("client", "ca", "aftercare-client", "DNS:aftercare-client"));
    ASSERT_OK(pki_->AddCertificate("other", "ca", "other", "DNS:other"));
  }

  DbOptions Options(TlsMode mode) const {
    DbOptions o;
    o.database = "aftercare_test";
    o.tls.mode = mode;
    o.tls.ca_file = pki_->Crt("ca");
    o.tls.cert_file = pki_->Crt("client");
    o.tls.key_file = pki_->Key("client");
    return o;
  }

  static absl::Status Create(const DbOptions& options) {
    return ConnectionPool::Create(options, nullptr).status();
  }

  std::unique_ptr<TestCertificates> pki_;
};

TEST_F(PoolTlsSettingsTest, AcceptsGoodSettingsInEveryMode) {
  EXPECT_OK(Create(Options(TlsMode::kRequired)));
  EXPECT_OK(Create(Options(TlsMode::kVerifyCa)));
  EXPECT_OK(Create(Options(TlsMode::kVerifyIdentity)));
  DbOptions no_client_cert = Options(TlsMode::kVerifyIdentity);
  no_client_cert.tls.cert_file.clear();
  no_client_cert.tls.key_file.clear();
  EXPECT_OK(Create(no_client_cert));
  no_client_cert.tls.ca_file.clear();  // required: no CA; verify_identity: the system's CAs
  EXPECT_OK(Create(no_client_cert));
  no_client_cert.tls.mode = TlsMode::kRequired;
  EXPECT_OK(Create(no_client_cert));
  DbOptions plain;
  plain.database = "aftercare_test";
  EXPECT_OK(Create(plain));  // disabled, nothing set
}

TEST_F(PoolTlsSettingsTest, RefusesFilesWhenTlsIsDisabled) {
  DbOptions o = Options(TlsMode::kDisabled);
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_ca_file is set but --mysql_tls_mode is "
                                            "disabled")));
  o.tls.ca_file.clear();
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_cert_file is set but --mysql_tls_mode")));
}

TEST_F(PoolTlsSettingsTest, RefusesACertificateWithoutItsKeyAndTheReverse) {
  DbOptions o = Options(TlsMode::kVerifyIdentity);
  o.tls.key_file.clear();
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_cert_file needs --mysql_tls_key_file")));
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.cert_file.clear();
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_key_file needs --mysql_tls_cert_file")));
}

TEST_F(PoolTlsSettingsTest, RefusesMissingUnreadableOrWrongFiles) {
  DbOptions o = Options(TlsMode::kVerifyIdentity);
  o.tls.ca_file = pki_->dir() + "/missing-ca.crt";
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  AllOf(HasSubstr("--mysql_tls_ca_file: cannot read"),
                                        HasSubstr("missing-ca.crt"))));
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.ca_file = pki_->Key("ca");  // a key, not a certificate
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_ca_file: " + pki_->Key("ca") +
                                            " holds no PEM certificate")));
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.cert_file = pki_->dir() + "/missing.crt";
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_cert_file: cannot read")));
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.key_file = pki_->dir() + "/missing.key";
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_key_file: cannot read")));
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.key_file = pki_->Key("other");
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("is not the private key of --mysql_tls_cert_file")));
  // Connector/C++ 1.1 cannot pass a passphrase.
  const std::string encrypted = pki_->dir() + "/encrypted.key";
  ASSERT_EQ(std::system(("openssl pkey -in " + pki_->Key("client") + " -aes256 -passout pass:x -out " +
                         encrypted + " 2>/dev/null")
                            .c_str()),
            0);
  o = Options(TlsMode::kVerifyIdentity);
  o.tls.key_file = encrypted;
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("is not an unencrypted PEM private key")));
}

TEST_F(PoolTlsSettingsTest, VerifyCaNeedsTheCa) {
  DbOptions o = Options(TlsMode::kVerifyCa);
  o.tls.ca_file.clear();
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_mode=verify_ca needs --mysql_tls_ca_file")));
}

TEST_F(PoolTlsSettingsTest, RefusesTlsOverTheUnixSocket) {
  DbOptions o = Options(TlsMode::kRequired);
  o.socket = "/run/mysqld/mysqld.sock";
  EXPECT_THAT(Create(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("--mysql_tls_mode=required needs a TCP connection: "
                                            "unset --mysql_socket")));
}

}  // namespace
}  // namespace aftercare::db
