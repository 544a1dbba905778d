// Configuration from command-line flags with environment-variable
// equivalents. Every setting has a name (`grpc_port`), a flag (`--grpc_port=`),
// an environment variable (`AFTERCARE_GRPC_PORT`), a default and a help text;
// `--help` prints them all. Flags win over the environment.
//
//   Config config = CommonSettings("inventory", {.grpc_port = 50051, ...});
//   config.Define("reservation_ttl", "72h", "How long a reservation holds a unit.");
//   RETURN_IF_ERROR(config.Parse(argc, argv));
//   ASSIGN_OR_RETURN(absl::Duration ttl, config.GetDuration("reservation_ttl"));
#ifndef AFTERCARE_COMMON_CONFIG_H_
#define AFTERCARE_COMMON_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace aftercare {

class Config {
 public:
  // Declares a setting. Names are lower_snake_case.
  void Define(std::string name, std::string default_value, std::string help);

  // Reads `environ`-style variables then `--name=value` / `--name value` /
  // `--flag` (boolean true) arguments. Unknown flags are INVALID_ARGUMENT.
  // Sets help_requested() on `--help`.
  absl::Status Parse(int argc, const char* const* argv);
  absl::Status ParseWithEnv(int argc, const char* const* argv,
                            const std::map<std::string, std::string>& env);

  bool help_requested() const { return help_requested_; }
  // The `--help` text: one block per setting with flag, variable and default.
  std::string HelpText(absl::string_view program) const;

  // Overrides a value (tests).
  void Set(const std::string& name, std::string value);

  std::string GetString(const std::string& name) const;
  absl::StatusOr<int64_t> GetInt(const std::string& name) const;
  absl::StatusOr<bool> GetBool(const std::string& name) const;
  // Accepts absl duration syntax ("72h", "1.5s", "250ms").
  absl::StatusOr<absl::Duration> GetDuration(const std::string& name) const;
  // Value of `name`, or the content of the file named by `name_file` when that
  // is set (secrets mounted by Kubernetes), trailing newline removed.
  absl::StatusOr<std::string> GetSecret(const std::string& name) const;

  static std::string EnvName(absl::string_view name);

 private:
  struct Setting {
    std::string value;
    std::string default_value;
    std::string help;
  };
  const Setting* Find(const std::string& name) const;

  std::map<std::string, Setting> settings_;
  std::vector<std::string> order_;
  bool help_requested_ = false;
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_CONFIG_H_
