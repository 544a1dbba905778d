#include "licensing-svc/licensing_spec.h"

#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/status.h"
#include "licensing-svc/licensing_policy.h"
#include "licensing-svc/grpc_rma_directory.h"
#include "licensing-svc/license_signer.h"
#include "licensing-svc/licensing.h"
#include "licensing-svc/licensing_grpc.h"
#include "licensing-svc/mysql_licensing_repository.h"

namespace aftercare::licensing {
namespace {

// The objects of a running licensing-svc.
class LicensingInstance : public ServiceInstance {
 public:
  LicensingInstance(ServiceContext& ctx, std::unique_ptr<LicenseSigner> signer,
                    std::unique_ptr<RmaDirectory> owned_rmas, RmaDirectory* rmas)
      : signer_(std::move(signer)),
        owned_rmas_(std::move(owned_rmas)),
        domain_(ctx.clock, signer_.get(), &ctx.page_tokens),
        store_(&ctx.pool, &ctx.clock),
        metrics_(ctx.metrics.get()),
        grpc_(&domain_, &store_, rmas != nullptr ? rmas : owned_rmas_.get(), &ctx.executor,
              &metrics_) {}

  std::vector<grpc::Service*> services() override { return {&grpc_}; }

 private:
  std::unique_ptr<LicenseSigner> signer_;
  std::unique_ptr<RmaDirectory> owned_rmas_;
  Licensing domain_;
  MysqlLicensingStore store_;
  LicensingMetrics metrics_;
  LicensingGrpc grpc_;
};

absl::StatusOr<std::unique_ptr<LicenseSigner>> LoadSigner(const Config& c) {
  std::vector<std::string> files =
      absl::StrSplit(c.GetString("license_signing_key_files"), ',', absl::SkipWhitespace());
  for (std::string& f : files) f = std::string(absl::StripAsciiWhitespace(f));
  ASSIGN_OR_RETURN(bool ephemeral, c.GetBool("license_dev_ephemeral_key"));
  if (!files.empty()) {
    ASSIGN_OR_RETURN(auto signer, LicenseSigner::FromPemFiles(files));
    LogInfo("license signing keys loaded",
            {{"primary_key_id", signer->primary_key_id()},
             {"verify_only_keys", static_cast<int>(signer->public_keys().size()) - 1}});
    return signer;
  }
  if (!ephemeral) {
    return absl::InvalidArgumentError(
        "--license_signing_key_files is required (comma-separated Ed25519 private key PEM files;"
        " the first signs); for development only, --license_dev_ephemeral_key generates a"
        " throwaway key");
  }
  ASSIGN_OR_RETURN(auto signer, LicenseSigner::Ephemeral());
  LogWarning(
      "DEVELOPMENT ONLY: no --license_signing_key_files; signing license keys with an EPHEMERAL"
      " key generated at start-up. Keys issued now become unverifiable after a restart, and"
      " activation codes of earlier retries cannot be replayed. Never run this in production.",
      {{"primary_key_id", signer->primary_key_id()}});
  return signer;
}

absl::StatusOr<std::unique_ptr<ServiceInstance>> Build(ServiceContext& ctx, RmaDirectory* rmas) {
  ASSIGN_OR_RETURN(auto signer, LoadSigner(ctx.config));
  std::unique_ptr<RmaDirectory> owned;
  if (rmas == nullptr) {
    const std::string target = ctx.config.GetString("rma_target");
    if (target.empty()) return absl::InvalidArgumentError("--rma_target must not be empty");
    owned = std::make_unique<GrpcRmaDirectory>(&ctx.clients, target);
  }
  return std::make_unique<LicensingInstance>(ctx, std::move(signer), std::move(owned), rmas);
}

void DefineFlags(Config& c) {
  c.Define("rma_target", "127.0.0.1:50053",
           "gRPC target of rma-svc (GetRma is checked before a license transfer).");
  c.Define("license_signing_key_files", "",
           "Comma-separated files of Ed25519 private keys (PKCS#8 PEM) that sign license keys:"
           " the first signs new keys, all of them stay verifiable (rotation).");
  c.Define("license_dev_ephemeral_key", "false",
           "Development only: when no signing key file is set, generate a throwaway signing key"
           " at start-up (logged as a warning). Refused otherwise.");
}

ServiceSpec MakeSpec(RmaDirectory* rmas) {
  ServiceSpec spec;
  spec.name = "licensing";
  spec.default_grpc_port = 50054;
  spec.default_metrics_port = 9104;
  spec.migrations = &Migrations;
  spec.health_names = {"aftercare.licensing.v1.LicensingService"};
  spec.policies = {&LicensingPolicy()};
  spec.define_flags = &DefineFlags;
  spec.sends_notifications = true;
  spec.build = [rmas](ServiceContext& ctx) { return Build(ctx, rmas); };
  return spec;
}

}  // namespace

ServiceSpec Spec() { return MakeSpec(nullptr); }

ServiceSpec SpecWithRmaDirectory(RmaDirectory* rmas) { return MakeSpec(rmas); }

}  // namespace aftercare::licensing
