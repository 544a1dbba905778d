#include "case-svc/case_spec.h"

#include <thread>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aftercare/inventory/v1/inventory_service.pb.h"
#include "case-svc/case_policy.h"
#include "case-svc/case_grpc.h"
#include "case-svc/cases.h"
#include "case-svc/inventory_client.h"
#include "case-svc/mysql_case_repository.h"
#include "common/logging.h"
#include "common/outbox.h"
#include "common/periodic.h"
#include "common/status.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace aftercare::cases {
namespace {

namespace inv = ::aftercare::inventory::v1;

// True for answers of inventory-svc that a retry cannot change.
bool IsPermanent(const absl::Status& s) {
  return s.code() == absl::StatusCode::kFailedPrecondition ||
         s.code() == absl::StatusCode::kNotFound ||
         s.code() == absl::StatusCode::kInvalidArgument ||
         s.code() == absl::StatusCode::kPermissionDenied ||
         s.code() == absl::StatusCode::kAlreadyExists;
}

// The objects of a running case-svc, its outbox handlers and its sweeper
// (breaching-case gauge, defaulted trade-in cases).
class CasesInstance : public ServiceInstance {
 public:
  CasesInstance(ServiceContext& ctx, CaseOptions options, std::string inventory_target,
                absl::Duration inventory_timeout, absl::Duration sweep_interval)
      : clock_(ctx.clock),
        domain_(ctx.clock, std::move(options), &ctx.page_tokens),
        technical_notes_(ctx.clock, &ctx.page_tokens),
        store_(&ctx.pool, &ctx.clock),
        inventory_(&ctx.clients, std::move(inventory_target), inventory_timeout),
        grpc_(&domain_, &technical_notes_, &store_, &inventory_, &ctx.executor, &ctx.clock),
        sweep_interval_(sweep_interval) {
    breaching_ = &prometheus::BuildGauge()
                      .Name("aftercare_cases_breaching")
                      .Help("Open admin cases past their response target without a first response")
                      .Register(*ctx.metrics)
                      .Add({});
    defaulted_ = &prometheus::BuildCounter()
                      .Name("aftercare_cases_trade_in_defaulted_total")
                      .Help("Trade-in cases defaulted by the service past their documentation deadline")
                      .Register(*ctx.metrics)
                      .Add({});
    ctx.outbox.RegisterHandler(kEventProductLookup,
                               [this](const OutboxEvent& e) { return FillProduct(e); });
    ctx.outbox.RegisterHandler(kEventReinstate, [this](const OutboxEvent& e) { return Reinstate(e); });
    ctx.outbox.RegisterHandler(kEventTradeInIntake,
                               [this](const OutboxEvent& e) { return Intake(e); });
  }

  std::vector<grpc::Service*> services() override { return {&grpc_}; }

  void Start() override {
    if (sweep_interval_ <= absl::ZeroDuration()) return;
    sweeper_.Start();
  }

  void Stop() override {
    sweeper_.Stop();
  }

  ~CasesInstance() override { Stop(); }

 private:
  // Fails when the database cannot be read (the task backs off); a case
  // that cannot be defaulted is logged and retried on the next sweep.
  absl::Status Sweep() {
    const absl::Time now = clock_.Now();
    ASSIGN_OR_RETURN(int64_t breaching, store_.CountBreaching(now));
    breaching_->Set(static_cast<double>(breaching));
    std::vector<std::string> overdue;
    RETURN_IF_ERROR(store_.Read("find overdue trade-ins", [&](CaseRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(overdue, repo.OverdueTradeIns(now, 200));
      return absl::OkStatus();
    }));
    for (const std::string& id : overdue) {
      bool defaulted = false;
      absl::Status s = store_.Transact("default trade-in case", [&](CaseRepository& repo) -> absl::Status {
        ASSIGN_OR_RETURN(defaulted, domain_.DefaultIfOverdue(id, repo));
        return absl::OkStatus();
      });
      if (!s.ok()) {
        LogWarning("defaulting a trade-in case failed", {{"case_id", id}, {"error", s.ToString()}});
      } else if (defaulted) {
        defaulted_->Increment();
        LogInfo("trade-in case defaulted", {{"case_id", id}});
      }
    }
    return absl::OkStatus();
  }

  absl::Status FillProduct(const OutboxEvent& e) {
    ASSIGN_OR_RETURN(const pb::GetCaseRequest payload, ParseEventPayload<pb::GetCaseRequest>(e));
    std::optional<Case> c;
    RETURN_IF_ERROR(store_.Read("read case", [&](CaseRepository& repo) -> absl::Status {
      ASSIGN_OR_RETURN(c, repo.FindCase(payload.case_id(), false));
      return absl::OkStatus();
    }));
    if (!c || c->lookup != LookupState::kPending) return absl::OkStatus();
    ASSIGN_OR_RETURN(ProductLookup lookup, inventory_.LookUpProduct(nullptr, c->serial, c->ssrn,
                                                                    c->account_id));
    return store_.Transact("fill product fields", [&](CaseRepository& repo) {
      return domain_.ApplyProductLookup(c->id, lookup, repo);
    });
  }

  absl::Status Reinstate(const OutboxEvent& e) {
    ASSIGN_OR_RETURN(const inv::ReinstateUnitRequest req,
                     ParseEventPayload<inv::ReinstateUnitRequest>(e));
    absl::Status s = inventory_.Reinstate(DeliveryRequestId("cases", e), req);
    if (!s.ok() && !IsPermanent(s)) return s;
    return store_.Transact("record reinstatement", [&](CaseRepository& repo) {
      return domain_.RecordReinstatement(req.case_id(), s.ok(), std::string(s.message()), repo);
    });
  }

  absl::Status Intake(const OutboxEvent& e) {
    ASSIGN_OR_RETURN(const inv::IntakeReturnedUnitRequest req,
                     ParseEventPayload<inv::IntakeReturnedUnitRequest>(e));
    absl::Status s = inventory_.IntakeReturnedUnit(DeliveryRequestId("cases", e), req);
    if (!s.ok() && !IsPermanent(s)) return s;
    return store_.Transact("record trade-in intake", [&](CaseRepository& repo) {
      return domain_.RecordServiceEvent(
          req.reference(), s.ok() ? "intake" : "intake_refused",
          s.ok() ? absl::StrCat("inventory took in ", req.serial_number(), " as a trade-in unit")
                 : absl::StrCat("inventory refused ", req.serial_number(), ": ", s.message()),
          repo);
    });
  }

  const Clock& clock_;
  Cases domain_;
  TechnicalCaseNotes technical_notes_;
  MysqlCaseStore store_;
  GrpcInventory inventory_;
  CaseGrpc grpc_;
  absl::Duration sweep_interval_;
  prometheus::Gauge* breaching_ = nullptr;
  prometheus::Counter* defaulted_ = nullptr;
  PeriodicTask sweeper_{"case sweep", sweep_interval_, [this] { return Sweep(); },
                       /*run_first=*/true};
};

constexpr char kDefaultReturnAddress[] =
    "Juniper TMIP|C/O PureWrx, Inc.|6231 E. Stassney Ln, Building 13, Suite 100|Austin|TX|78744|US";

absl::StatusOr<PostalAddress> ParseAddress(const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, '|');
  if (parts.size() != 7) {
    return absl::InvalidArgumentError(
        "--tmip_return_address must be recipient|organization|street|locality|area|postal code|region");
  }
  PostalAddress a;
  a.recipient = parts[0];
  a.organization = parts[1];
  a.address_lines = {parts[2]};
  a.locality = parts[3];
  a.administrative_area = parts[4];
  a.postal_code = parts[5];
  a.region_code = parts[6];
  return a;
}

absl::StatusOr<std::unique_ptr<ServiceInstance>> Build(ServiceContext& ctx) {
  const Config& c = ctx.config;
  CaseOptions options;
  options.tmip_phase2_platforms =
      absl::StrSplit(c.GetString("tmip_phase2_platforms"), ',', absl::SkipWhitespace());
  if (options.tmip_phase2_platforms.empty()) {
    return absl::InvalidArgumentError("--tmip_phase2_platforms must name at least one platform");
  }
  ASSIGN_OR_RETURN(options.max_attachment_bytes, c.GetInt("max_attachment_bytes"));
  if (options.max_attachment_bytes < 1024 || options.max_attachment_bytes > 64 * 1024 * 1024) {
    return absl::InvalidArgumentError("--max_attachment_bytes must be 1 KiB to 64 MiB");
  }
  ASSIGN_OR_RETURN(options.tmip_return_address, ParseAddress(c.GetString("tmip_return_address")));
  const std::string target = c.GetString("inventory_target");
  if (target.empty()) return absl::InvalidArgumentError("--inventory_target is required");
  ASSIGN_OR_RETURN(absl::Duration timeout, c.GetDuration("inventory_timeout"));
  if (timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--inventory_timeout must be positive");
  }
  ASSIGN_OR_RETURN(absl::Duration sweep, c.GetDuration("case_sweep_interval"));
  return std::make_unique<CasesInstance>(ctx, std::move(options), target, timeout, sweep);
}

void DefineFlags(Config& c) {
  c.Define("inventory_target", "127.0.0.1:50051",
           "Address of inventory-svc (serial lookups, TMIP catalog checks, reinstatement, "
           "trade-in intake).");
  c.Define("inventory_timeout", "2s", "Deadline of each call to inventory-svc.");
  c.Define("tmip_phase2_platforms", "MX10008,MX10016",
           "TMIP phase 2: the new order must include one of these platforms (comma-separated).");
  c.Define("max_attachment_bytes", std::to_string(10 * 1024 * 1024),
           "Largest trade-in form or Certificate of Destruction accepted, in bytes.");
  c.Define("tmip_return_address", kDefaultReturnAddress,
           "Where trade-in equipment is shipped: "
           "recipient|organization|street|locality|area|postal code|region.");
  c.Define("case_sweep_interval", "30s",
           "How often the breaching-case gauge is refreshed and overdue trade-in cases are "
           "defaulted (0 disables).");
}

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "cases";  // database aftercare_cases, migration set, token subject svc:cases
  spec.service_name = "case-svc";
  spec.default_grpc_port = 50052;
  spec.default_metrics_port = 9102;
  spec.migrations = &Migrations;
  spec.health_names = {"aftercare.cases.v1.CaseService"};
  spec.policies = {&CasePolicy()};
  spec.define_flags = &DefineFlags;
  spec.sends_notifications = true;
  spec.build = &Build;
  return spec;
}

}  // namespace aftercare::cases
