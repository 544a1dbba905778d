#include "common/config.h"

#include <fstream>

#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

using ::aftercare::testing::StatusIs;
using ::testing::HasSubstr;

Config Sample() {
  Config c;
  c.Define("grpc_port", "50051", "port");
  c.Define("reservation_ttl", "72h", "ttl");
  c.Define("migrate", "true", "migrate");
  c.Define("secret", "", "secret");
  c.Define("secret_file", "", "secret file");
  return c;
}

TEST(ConfigTest, DefaultsEnvironmentAndFlagsInThatOrder) {
  Config c = Sample();
  const char* argv[] = {"svc", "--grpc_port=6000"};
  ASSERT_OK(c.ParseWithEnv(2, argv, {{"AFTERCARE_GRPC_PORT", "5000"},
                                     {"AFTERCARE_RESERVATION_TTL", "24h"}}));
  EXPECT_EQ(*c.GetInt("grpc_port"), 6000);                     // flag wins over env
  EXPECT_EQ(*c.GetDuration("reservation_ttl"), absl::Hours(24));  // env over default
  EXPECT_TRUE(*c.GetBool("migrate"));                           // default
}

TEST(ConfigTest, SpaceSeparatedValuesAndBareBooleans) {
  Config c = Sample();
  const char* argv[] = {"svc", "--grpc_port", "7000", "--migrate"};
  ASSERT_OK(c.ParseWithEnv(4, argv, {}));
  EXPECT_EQ(*c.GetInt("grpc_port"), 7000);
  EXPECT_TRUE(*c.GetBool("migrate"));
}

TEST(ConfigTest, UnknownFlagsAndBadValuesAreErrorsNamingTheFlag) {
  Config c = Sample();
  const char* argv[] = {"svc", "--grpc_prot=1"};
  EXPECT_THAT(c.ParseWithEnv(2, argv, {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--grpc_prot")));
  Config d = Sample();
  const char* argv2[] = {"svc", "--grpc_port=abc", "--reservation_ttl=soon"};
  ASSERT_OK(d.ParseWithEnv(3, argv2, {}));
  EXPECT_THAT(d.GetInt("grpc_port"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--grpc_port")));
  EXPECT_THAT(d.GetDuration("reservation_ttl"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--reservation_ttl")));
}

TEST(ConfigTest, SecretsComeFromTheirFileWhenSet) {
  const std::string path = ::testing::TempDir() + "/secret.txt";
  std::ofstream(path) << "s3cr3t\n";
  Config c = Sample();
  c.Set("secret", "inline");
  EXPECT_EQ(*c.GetSecret("secret"), "inline");
  c.Set("secret_file", path);
  EXPECT_EQ(*c.GetSecret("secret"), "s3cr3t");
  c.Set("secret_file", path + ".missing");
  EXPECT_THAT(c.GetSecret("secret"), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(ConfigTest, HelpListsFlagVariableAndDefault) {
  Config c = Sample();
  const char* argv[] = {"svc", "--help"};
  ASSERT_OK(c.ParseWithEnv(2, argv, {}));
  EXPECT_TRUE(c.help_requested());
  std::string help = c.HelpText("svc");
  EXPECT_THAT(help, HasSubstr("--reservation_ttl"));
  EXPECT_THAT(help, HasSubstr("AFTERCARE_RESERVATION_TTL"));
  EXPECT_THAT(help, HasSubstr("\"72h\""));
}

}  // namespace
}  // namespace aftercare
