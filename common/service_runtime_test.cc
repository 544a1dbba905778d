// Start-up settings of ServiceRuntime that need no database: the database
// TLS flags reach the pool, and a bad one stops start-up naming the flag.
#include "common/service_runtime.h"

#include <map>
#include <memory>
#include <string>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_certificates.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestCertificates;
using ::testing::HasSubstr;

class RuntimeDbTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.name = "tlstest";
    DefineCommonFlags(config_, spec_);
    config_.Set("jwt_hs256_secret", "0123456789abcdef0123456789abcdef");
    ASSERT_OK_AND_ASSIGN(pki_, TestCertificates::Create());
    ASSERT_OK(pki_->AddCa("ca"));
    ASSERT_OK(pki_->AddCertificate("client", "ca", "aftercare-client", "DNS:aftercare-client"));
  }

  ServiceSpec spec_;
  Config config_;
  std::unique_ptr<TestCertificates> pki_;
};

TEST_F(RuntimeDbTlsTest, FlagsReachThePool) {
  const char* argv[] = {"svc", "--mysql_tls_mode=verify_identity"};
  ASSERT_OK(config_.ParseWithEnv(2, argv,
                                 {{"AFTERCARE_MYSQL_TLS_CA_FILE", pki_->Crt("ca")},
                                  {"AFTERCARE_MYSQL_TLS_CERT_FILE", pki_->Crt("client")},
                                  {"AFTERCARE_MYSQL_TLS_KEY_FILE", pki_->Key("client")}}));
  ASSERT_OK_AND_ASSIGN(auto rt, ServiceRuntime::Create(spec_, config_));
  const db::DbTlsOptions& tls = rt->pool().options().tls;
  EXPECT_EQ(tls.mode, db::TlsMode::kVerifyIdentity);
  EXPECT_EQ(tls.ca_file, pki_->Crt("ca"));
  EXPECT_EQ(tls.cert_file, pki_->Crt("client"));
  EXPECT_EQ(tls.key_file, pki_->Key("client"));
}

TEST_F(RuntimeDbTlsTest, TlsIsOffByDefault) {
  ASSERT_OK_AND_ASSIGN(auto rt, ServiceRuntime::Create(spec_, config_));
  EXPECT_EQ(rt->pool().options().tls.mode, db::TlsMode::kDisabled);
}

TEST_F(RuntimeDbTlsTest, BadSettingsStopStartUpNamingTheFlag) {
  Config bad_mode = config_;
  bad_mode.Set("mysql_tls_mode", "preferred");
  EXPECT_THAT(ServiceRuntime::Create(spec_, bad_mode),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--mysql_tls_mode must be")));

  Config missing_file = config_;
  missing_file.Set("mysql_tls_mode", "verify_identity");
  missing_file.Set("mysql_tls_ca_file", pki_->dir() + "/nope.crt");
  EXPECT_THAT(ServiceRuntime::Create(spec_, missing_file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--mysql_tls_ca_file: cannot read " + pki_->dir() + "/nope.crt")));

  Config cert_only = config_;
  cert_only.Set("mysql_tls_mode", "required");
  cert_only.Set("mysql_tls_cert_file", pki_->Crt("client"));
  EXPECT_THAT(ServiceRuntime::Create(spec_, cert_only),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--mysql_tls_cert_file needs --mysql_tls_key_file")));

  Config mode_off = config_;
  mode_off.Set("mysql_tls_ca_file", pki_->Crt("ca"));
  EXPECT_THAT(ServiceRuntime::Create(spec_, mode_off),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--mysql_tls_ca_file is set but --mysql_tls_mode is disabled")));
}

class RuntimeNotificationSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.name = "notifytest";
    spec_.sends_notifications = true;
    DefineCommonFlags(config_, spec_);
    config_.Set("jwt_hs256_secret", "0123456789abcdef0123456789abcdef");
  }
  absl::Status CreateWith(std::map<std::string, std::string> settings) {
    Config c = config_;
    for (const auto& [k, v] : settings) c.Set(k, v);
    return ServiceRuntime::Create(spec_, c).status();
  }
  ServiceSpec spec_;
  Config config_;
};

TEST_F(RuntimeNotificationSettingsTest, SettingsThatCannotWorkStopStartUpNamingTheFlag) {
  EXPECT_OK(CreateWith({}));  // no SMTP server: e-mails wait
  EXPECT_OK(CreateWith({{"smtp_url", "smtp://127.0.0.1:2525"}, {"smtp_tls", "none"}}));
  EXPECT_THAT(CreateWith({{"smtp_url", "http://relay:25"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--smtp_url")));
  EXPECT_THAT(CreateWith({{"smtp_url", "smtp://relay:25"}, {"smtp_tls", "maybe"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("smtp_tls")));
  EXPECT_THAT(CreateWith({{"smtp_url", "smtp://relay:25"}, {"smtp_tls", "none"},
                          {"smtp_username", "aftercare"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("smtp_username")));
  EXPECT_THAT(CreateWith({{"smtp_url", "smtp://relay:25"}, {"smtp_from", "no address"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--smtp_from")));
  EXPECT_THAT(CreateWith({{"notify_claim_timeout", "10s"}, {"smtp_timeout", "30s"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--notify_claim_timeout")));
  EXPECT_THAT(CreateWith({{"notify_max_attempts", "0"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--notify_max_attempts")));
}

TEST(ServiceNameTest, TheSpecNameWithSvcUnlessTheSpecNamesItself) {
  ServiceSpec spec;
  spec.name = "inventory";
  EXPECT_EQ(ServiceName(spec), "inventory-svc");
  spec.name = "cases";
  spec.service_name = "case-svc";
  EXPECT_EQ(ServiceName(spec), "case-svc");
}

}  // namespace
}  // namespace aftercare
