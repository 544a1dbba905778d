// aftercare-token: mints a bearer token for local development, tests and
// grpcurl sessions, and prints it on stdout (nothing else).
//
//   export AFTERCARE_JWT_HS256_SECRET=...   # at least 32 bytes
//   grpcurl -H "authorization: Bearer $(aftercare-token --role=care_agent)" ...
//   aftercare-token --role=partner --partner=P-1 --cpo_channel --ttl=15m
//       --private_key_file=dev/jwt-es256.pem   (one command line)
//
// Errors go to stderr with exit code 2.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/status.h"

namespace aftercare {
namespace {

constexpr int kExitError = 2;

constexpr char kUsage[] = R"(Usage: aftercare-token --role=ROLE [flags]

Mints a JWT for the Aftercare services and prints it on stdout.

Claims:
  --role=ROLE              required: customer, partner, care_agent, tse,
                           logistics, admin or service
  --sub=SUBJECT            subject (sub claim); default "dev-<role>"
  --accounts=A,B           account ids the caller is scoped to (customer,
                           partner); comma-separated
  --partner=ID             partner id; required with --role=partner
  --cpo_channel            the partner may reserve and sell CPO units
                           (also --cpo_channel=true|false)
  --ttl=DURATION           lifetime in Abseil duration syntax, e.g. 90s, 15m,
                           1h, 72h; default 1h
  --issuer=ISS             iss claim; default $AFTERCARE_JWT_ISSUER, omitted
                           when empty
  --audience=AUD           aud claim; default $AFTERCARE_JWT_AUDIENCE, omitted
                           when empty

Signing key (at most one; default HS256 with $AFTERCARE_JWT_HS256_SECRET):
  --secret=SECRET          HS256 shared secret, at least 32 bytes (visible in
                           the process list: prefer --secret_file or the
                           environment)
  --secret_file=PATH       read the HS256 secret from PATH; a trailing newline
                           is ignored
  --private_key_file=PATH  sign with an unencrypted PEM private key: RS256 for
                           RSA (>= 2048 bits), ES256 for EC P-256, ES384 for
                           EC P-384

  --help                   show this help

Exit status: 0 when the token was printed, 2 on any error.
)";

struct Flags {
  bool help = false;
  std::optional<std::string> role;
  std::optional<std::string> subject;
  std::optional<std::string> accounts;
  std::optional<std::string> partner;
  bool cpo_channel = false;
  std::optional<std::string> ttl;
  std::optional<std::string> issuer;
  std::optional<std::string> audience;
  std::optional<std::string> secret;
  std::optional<std::string> secret_file;
  std::optional<std::string> private_key_file;
};

// The flags that take a string value, by name.
struct StringFlag {
  std::string_view name;
  std::optional<std::string> Flags::*member;
};
constexpr StringFlag kStringFlags[] = {
    {"role", &Flags::role},
    {"sub", &Flags::subject},
    {"accounts", &Flags::accounts},
    {"partner", &Flags::partner},
    {"ttl", &Flags::ttl},
    {"issuer", &Flags::issuer},
    {"audience", &Flags::audience},
    {"secret", &Flags::secret},
    {"secret_file", &Flags::secret_file},
    {"private_key_file", &Flags::private_key_file},
};

absl::Status UsageError(std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(message.data(), message.size()), " (see --help)"));
}

absl::StatusOr<bool> ParseBool(const std::string& name, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return UsageError(absl::StrCat("--", name, " takes true or false, got '", value, "'"));
}

// Parses "--name=value" and "--name" (booleans and --help only).
absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      return UsageError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "cpo_channel") {
      if (!value.has_value()) {
        flags.cpo_channel = true;
      } else {
        ASSIGN_OR_RETURN(flags.cpo_channel, ParseBool(name, *value));
      }
      continue;
    }
    std::optional<std::string>* target = nullptr;
    for (const StringFlag& flag : kStringFlags) {
      if (name == flag.name) target = &(flags.*flag.member);
    }
    if (target == nullptr) return UsageError(absl::StrCat("unknown flag --", name));
    if (!value.has_value()) {
      return UsageError(absl::StrCat("--", name, " needs a value: --", name, "=..."));
    }
    *target = std::move(value);
  }
  return flags;
}

absl::StatusOr<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read --", flag, " '", path, "': ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Returns the environment variable `name`, or nullopt when unset.
std::optional<std::string> Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

absl::StatusOr<std::string> Mint(const Flags& flags) {
  if (!flags.role.has_value() || flags.role->empty()) return UsageError("--role is required");
  std::optional<Role> role = ParseRole(*flags.role);
  if (!role.has_value()) {
    return UsageError(absl::StrCat("unknown --role '", *flags.role,
                                   "'; use customer, partner, care_agent, tse, logistics, "
                                   "admin or service"));
  }

  TokenClaims claims;
  claims.role = *role;
  claims.subject = flags.subject.value_or(absl::StrCat("dev-", *flags.role));
  if (flags.accounts.has_value()) {
    for (absl::string_view id : absl::StrSplit(*flags.accounts, ',', absl::SkipWhitespace())) {
      claims.account_ids.emplace_back(absl::StripAsciiWhitespace(id));
    }
  }
  claims.partner_id = flags.partner.value_or("");
  if (claims.role == Role::kPartner && claims.partner_id.empty()) {
    return UsageError("--partner is required with --role=partner");
  }
  claims.cpo_channel = flags.cpo_channel;
  claims.issuer =
      flags.issuer.has_value() ? *flags.issuer : Env("AFTERCARE_JWT_ISSUER").value_or("");
  claims.audience =
      flags.audience.has_value() ? *flags.audience : Env("AFTERCARE_JWT_AUDIENCE").value_or("");
  if (flags.ttl.has_value() && !absl::ParseDuration(*flags.ttl, &claims.ttl)) {
    return UsageError(absl::StrCat("--ttl '", *flags.ttl, "' is not a duration such as 15m or 1h"));
  }

  int key_flags =
      flags.secret.has_value() + flags.secret_file.has_value() + flags.private_key_file.has_value();
  if (key_flags > 1) {
    return UsageError("use only one of --secret, --secret_file and --private_key_file");
  }
  const absl::Time now = absl::Now();
  if (flags.private_key_file.has_value()) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile("private_key_file", *flags.private_key_file));
    return MintWithPrivateKey(claims, pem, now);
  }
  std::string secret;
  if (flags.secret.has_value()) {
    secret = *flags.secret;
  } else if (flags.secret_file.has_value()) {
    ASSIGN_OR_RETURN(secret, ReadFile("secret_file", *flags.secret_file));
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  } else {
    secret = Env("AFTERCARE_JWT_HS256_SECRET").value_or("");
    if (secret.empty()) {
      return UsageError(
          "no signing key: pass --secret, --secret_file or --private_key_file, or set "
          "AFTERCARE_JWT_HS256_SECRET");
    }
  }
  return MintHs256(claims, secret, now);
}

int Main(int argc, char** argv) {
  absl::StatusOr<Flags> flags = ParseFlags(argc, argv);
  if (flags.ok() && flags->help) {
    std::cout << kUsage;
    return 0;
  }
  absl::StatusOr<std::string> token = flags.ok() ? Mint(*flags) : flags.status();
  if (!token.ok()) {
    std::cerr << "aftercare-token: " << token.status().message() << "\n";
    return kExitError;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace
}  // namespace aftercare

int main(int argc, char** argv) { return aftercare::Main(argc, argv); }
