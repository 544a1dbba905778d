#include "rma-svc/rma_spec.h"

#include <thread>

#include "prometheus/counter.h"
#include "aftercare/rma/v1/resources.pb.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/outbox.h"
#include "common/periodic.h"
#include "common/status.h"
#include "rma-svc/rma_policy.h"
#include "rma-svc/case_client.h"
#include "rma-svc/inventory_client.h"
#include "rma-svc/mysql_rma_repository.h"
#include "rma-svc/rma.h"
#include "rma-svc/rma_grpc.h"
#include "rma-svc/rma_sweeper.h"

namespace aftercare::rma {
namespace {

struct Settings {
  RmaOptions options;
  std::string inventory_target;
  absl::Duration inventory_timeout;
  std::string case_target;
  absl::Duration case_timeout;
  absl::Duration sweep_interval;
};

// The objects of a running rma-svc, its outbox handlers and its
// non-return sweeper.
class RmaInstance : public ServiceInstance {
 public:
  RmaInstance(ServiceContext& ctx, Settings settings)
      : ctx_(ctx),
        domain_(ctx.clock, &ctx.page_tokens, settings.options),
        store_(&ctx.pool, &ctx.clock),
        inventory_(&ctx.clients, settings.inventory_target, settings.inventory_timeout),
        case_notes_(&ctx.clients, settings.case_target, settings.case_timeout),
        validation_numbers_(&ctx.pool, "rma_validation_number", 20),
        rma_numbers_(&ctx.pool, "rma_number", 20),
        grpc_(RmaGrpc::Deps{&domain_, &store_, &inventory_, &validation_numbers_, &rma_numbers_,
                            &ctx.executor, &ctx.outbox, &ctx.clock, ctx.notifications}),
        sweeper_(&domain_, &store_, &ctx.clock, &ctx.outbox),
        sweep_interval_(settings.sweep_interval) {
    charges_ = &prometheus::BuildCounter()
                    .Name("aftercare_rma_non_return_charges_total")
                    .Help("Non-return charges recorded by this replica's sweeper (full list price)")
                    .Register(*ctx.metrics)
                    .Add({});
    RegisterHandlers(ctx.outbox);
    if (ctx.notifications != nullptr) {
      // Each RMA notification is also a public note on its technical case:
      // the note id is the notification's key, so a repeated delivery (a
      // lapsed claim after a crash) adds nothing in case-svc.
      ctx.notifications->RegisterChannel(DeliveryChannel::kCaseNote, [this](const Delivery& d) {
        return case_notes_.AddNote(absl::StrCat("notify-rma-", d.id), d.target, d.account_id,
                                   d.event_key, d.subject, d.body);
      });
    }
  }

  std::vector<grpc::Service*> services() override { return {&grpc_}; }

  void Start() override {
    if (sweep_interval_ <= absl::ZeroDuration()) return;
    sweep_task_.Start();
  }

  absl::Status SweepTick() {
    ASSIGN_OR_RETURN(int charged, sweeper_.SweepOnce());
    if (charged > 0) {
      charges_->Increment(charged);
      LogInfo("non-return charges recorded", {{"count", charged}});
    }
    return absl::OkStatus();
  }

  void Stop() override {
    sweep_task_.Stop();
  }

  ~RmaInstance() override { Stop(); }

 private:
  // The receivers of the outbox events: inventory-svc for the RMA's effects
  // (idempotent by DeliveryRequestId), the notification channel for the
  // notifications (the delivery is logged and its time recorded once).
  void RegisterHandlers(OutboxDispatcher& outbox) {
    outbox.RegisterHandler(kEventAllocateSpare, [this](const OutboxEvent& e) -> absl::Status {
      ASSIGN_OR_RETURN(std::string serial, inventory_.DeliverAllocateSpare(e));
      return store_.Transact("record allocated spare", [&](RmaRepository& repo) {
        return domain_.RecordSpare(e.aggregate_id, serial, repo);
      });
    });
    outbox.RegisterHandler(kEventSwapInstalledBase, [this](const OutboxEvent& e) {
      return inventory_.DeliverSwapInstalledBase(e);
    });
    outbox.RegisterHandler(kEventIntake,
                           [this](const OutboxEvent& e) { return inventory_.DeliverIntake(e); });
    outbox.RegisterHandler(kEventNotification, [this](const OutboxEvent& e) -> absl::Status {
      // A payload that does not parse never will: dead-lettered (kept,
      // counted and logged), rather than dropped or retried for ever.
      ASSIGN_OR_RETURN(const v1::Notification n, ParseEventPayload<v1::Notification>(e));
      const NotificationEvent event = ToNotificationEvent(n);
      bool first = false;
      RETURN_IF_ERROR(store_.Transact("deliver notification", [&](RmaRepository& repo) -> absl::Status {
        ASSIGN_OR_RETURN(first, repo.MarkNotificationDelivered(n.notification_id(), ctx_.clock.Now()));
        return repo.PublishNotification(event);
      }));
      if (ctx_.notifications != nullptr) ctx_.notifications->Notify();
      if (first) {
        LogInfo("notification handed to delivery",
                {{"notification_id", n.notification_id()}, {"event_key", event.event_key},
                 {"template", n.template_()}, {"to", n.recipient()},
                 {"cc_case", n.copy_to_case_id()}, {"validation_number", n.validation_number()},
                 {"rma_number", n.rma_number()}});
      }
      return absl::OkStatus();
    });
  }

  ServiceContext& ctx_;
  Rmas domain_;
  MysqlRmaStore store_;
  GrpcInventoryClient inventory_;
  GrpcCaseNotesClient case_notes_;
  db::IdAllocator validation_numbers_;
  db::IdAllocator rma_numbers_;
  RmaGrpc grpc_;
  ReturnSweeper sweeper_;
  absl::Duration sweep_interval_;
  prometheus::Counter* charges_ = nullptr;
  PeriodicTask sweep_task_{"non-return sweep", sweep_interval_, [this] { return SweepTick(); }};
};

absl::StatusOr<std::unique_ptr<ServiceInstance>> Build(ServiceContext& ctx) {
  const Config& c = ctx.config;
  Settings s;
  s.inventory_target = c.GetString("inventory_target");
  if (s.inventory_target.empty()) return absl::InvalidArgumentError("--inventory_target is required");
  ASSIGN_OR_RETURN(s.inventory_timeout, c.GetDuration("inventory_timeout"));
  if (s.inventory_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--inventory_timeout must be positive");
  }
  s.case_target = c.GetString("case_target");
  if (s.case_target.empty()) return absl::InvalidArgumentError("--case_target is required");
  ASSIGN_OR_RETURN(s.case_timeout, c.GetDuration("case_timeout"));
  if (s.case_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--case_timeout must be positive");
  }
  ASSIGN_OR_RETURN(s.sweep_interval, c.GetDuration("return_sweep_interval"));
  ASSIGN_OR_RETURN(int64_t days, c.GetInt("return_business_days"));
  if (days < 1 || days > 60) {
    return absl::InvalidArgumentError("--return_business_days must be 1-60");
  }
  s.options.return_business_days = static_cast<int>(days);
  const std::string zone = c.GetString("return_calendar_time_zone");
  if (!absl::LoadTimeZone(zone, &s.options.calendar_zone)) {
    return absl::InvalidArgumentError("--return_calendar_time_zone is not a known time zone");
  }
  return std::make_unique<RmaInstance>(ctx, std::move(s));
}

void DefineFlags(Config& c) {
  c.Define("inventory_target", "127.0.0.1:50051",
           "Address of inventory-svc (entitlement, spares, installed-base swap, intake).");
  c.Define("inventory_timeout", "2s", "Deadline of each call to inventory-svc.");
  c.Define("case_target", "127.0.0.1:50052",
           "Address of case-svc (notes on an RMA's technical case).");
  c.Define("case_timeout", "2s", "Deadline of each call to case-svc.");
  c.Define("return_sweep_interval", "1m",
           "How often overdue replacement returns are charged (0 disables the sweeper).");
  c.Define("return_business_days", "10",
           "Business days after the replacement shipped by which the defective unit is due.");
  c.Define("return_calendar_time_zone", "UTC",
           "Time zone whose civil days the return clock's business calendar counts.");
}

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "rma";
  spec.default_grpc_port = 50053;
  spec.default_metrics_port = 9103;
  spec.migrations = &Migrations;
  spec.health_names = {"aftercare.rma.v1.RmaService"};
  spec.policies = {&RmaPolicy()};
  spec.define_flags = &DefineFlags;
  spec.sends_notifications = true;
  spec.build = &Build;
  return spec;
}

}  // namespace aftercare::rma
