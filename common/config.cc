#include "common/config.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

extern char** environ;

namespace aftercare {

void Config::Define(std::string name, std::string default_value, std::string help) {
  if (settings_.find(name) == settings_.end()) order_.push_back(name);
  settings_[name] = Setting{default_value, default_value, std::move(help)};
}

std::string Config::EnvName(absl::string_view name) {
  return absl::StrCat("AFTERCARE_", absl::AsciiStrToUpper(name));
}

absl::Status Config::Parse(int argc, const char* const* argv) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == absl::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return ParseWithEnv(argc, argv, env);
}

absl::Status Config::ParseWithEnv(int argc, const char* const* argv,
                                  const std::map<std::string, std::string>& env) {
  for (auto& [name, setting] : settings_) {
    auto it = env.find(EnvName(name));
    if (it != env.end()) setting.value = it->second;
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg,
                                                     "': settings are given as --name=value"));
    }
    std::string name;
    std::optional<std::string> value;
    auto eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
    }
    auto it = settings_.find(name);
    if (it == settings_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!value.has_value()) {
      // `--flag value` for non-booleans, `--flag` alone for booleans.
      bool is_bool = it->second.default_value == "true" || it->second.default_value == "false";
      if (is_bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
    }
    it->second.value = *value;
  }
  return absl::OkStatus();
}

std::string Config::HelpText(absl::string_view program) const {
  std::ostringstream out;
  out << "Usage: " << program << " [--name=value ...]\n"
      << "Every flag can also be set through the environment variable shown.\n\n";
  for (const auto& name : order_) {
    const Setting& s = settings_.at(name);
    out << "  --" << name << "  (" << EnvName(name) << ", default \"" << s.default_value
        << "\")\n      " << s.help << "\n";
  }
  return out.str();
}

void Config::Set(const std::string& name, std::string value) {
  auto it = settings_.find(name);
  if (it == settings_.end()) {
    Define(name, value, "");
  } else {
    it->second.value = std::move(value);
  }
}

const Config::Setting* Config::Find(const std::string& name) const {
  auto it = settings_.find(name);
  return it == settings_.end() ? nullptr : &it->second;
}

std::string Config::GetString(const std::string& name) const {
  const Setting* s = Find(name);
  return s == nullptr ? std::string() : s->value;
}

absl::StatusOr<int64_t> Config::GetInt(const std::string& name) const {
  int64_t v = 0;
  if (!absl::SimpleAtoi(GetString(name), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an integer, got '", GetString(name), "'"));
  }
  return v;
}

absl::StatusOr<bool> Config::GetBool(const std::string& name) const {
  bool v = false;
  if (!absl::SimpleAtob(GetString(name), &v)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be true or false, got '", GetString(name), "'"));
  }
  return v;
}

absl::StatusOr<absl::Duration> Config::GetDuration(const std::string& name) const {
  absl::Duration d;
  if (!absl::ParseDuration(GetString(name), &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " must be a duration such as 30s or 72h, got '", GetString(name), "'"));
  }
  return d;
}

absl::StatusOr<std::string> Config::GetSecret(const std::string& name) const {
  std::string file = GetString(name + "_file");
  if (file.empty()) return GetString(name);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("--", name, "_file: cannot read '", file, "'"));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

}  // namespace aftercare
