#include "inventory-svc/inventory_spec.h"

#include <thread>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/logging.h"
#include "common/periodic.h"
#include "common/status.h"
#include "inventory-svc/inventory_policy.h"
#include "inventory-svc/inventory.h"
#include "inventory-svc/inventory_grpc.h"
#include "inventory-svc/mysql_inventory_repository.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

namespace aftercare::inventory {
namespace {

// The objects of a running inventory-svc, its reservation sweeper and the
// domain gauges:
//   aftercare_inventory_units{state}                  units by (effective) state
//   aftercare_inventory_reservations_expired_total    reservations the sweeper released
class InventoryInstance : public ServiceInstance {
 public:
  InventoryInstance(ServiceContext& ctx, InventoryOptions options, absl::Duration sweep_interval)
      : clock_(ctx.clock),
        domain_(ctx.clock, std::move(options), &ctx.page_tokens),
        store_(&ctx.pool, &ctx.clock),
        grpc_(&domain_, &store_, &ctx.executor, &ctx.clock),
        sweep_interval_(sweep_interval) {
    if (ctx.metrics) {
      units_ = &prometheus::BuildGauge()
                    .Name("aftercare_inventory_units")
                    .Help("Units by state (an expired reservation counts as CERTIFIED)")
                    .Register(*ctx.metrics);
      expired_ = &prometheus::BuildCounter()
                      .Name("aftercare_inventory_reservations_expired_total")
                      .Help("Reservations released by the sweeper after their TTL")
                      .Register(*ctx.metrics)
                      .Add({});
    }
  }

  std::vector<grpc::Service*> services() override { return {&grpc_}; }

  // Reservations expire by themselves (every read treats them as available);
  // the sweeper only records the expiry in the units' history.
  void Start() override {
    if (sweep_interval_ <= absl::ZeroDuration()) return;
    RefreshGauges();
    sweeper_.Start();
  }

  absl::Status SweepOnce() {
    auto swept = store_.SweepExpiredReservations(clock_.Now(), 500);
    RefreshGauges();
    if (!swept.ok()) return swept.status();
    if (*swept > 0) {
      LogInfo("expired reservations released", {{"count", *swept}});
      if (expired_) expired_->Increment(*swept);
    }
    return absl::OkStatus();
  }

  // Sets aftercare_inventory_units from the database.
  void RefreshGauges() {
    if (!units_) return;
    auto counts = store_.CountByState(clock_.Now());
    if (!counts.ok()) return;
    for (int i = 1; i <= static_cast<int>(UnitState::kAwaitingReturn); ++i) {
      const UnitState state = static_cast<UnitState>(i);
      auto it = counts->find(state);
      units_->Add({{"state", Name(state)}}).Set(it == counts->end() ? 0.0 : static_cast<double>(it->second));
    }
  }

  void Stop() override {
    sweeper_.Stop();
  }

  ~InventoryInstance() override { Stop(); }

 private:
  const Clock& clock_;
  Inventory domain_;
  MysqlInventoryStore store_;
  InventoryGrpc grpc_;
  absl::Duration sweep_interval_;
  prometheus::Family<prometheus::Gauge>* units_ = nullptr;
  prometheus::Counter* expired_ = nullptr;
  PeriodicTask sweeper_{"reservation sweep", sweep_interval_, [this] { return SweepOnce(); }};
};

absl::StatusOr<int32_t> GetBps(const Config& c, const std::string& name) {
  ASSIGN_OR_RETURN(int64_t v, c.GetInt(name));
  return static_cast<int32_t>(v);
}

std::vector<std::string> Regions(const std::string& list) {
  return absl::StrSplit(list, ',', absl::SkipWhitespace());
}

absl::StatusOr<std::unique_ptr<ServiceInstance>> Build(ServiceContext& ctx) {
  const Config& c = ctx.config;
  InventoryOptions options;
  ASSIGN_OR_RETURN(options.reservation_ttl, c.GetDuration("reservation_ttl"));
  if (options.reservation_ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--reservation_ttl must be positive");
  }
  ASSIGN_OR_RETURN(options.discounts.current_new, GetBps(c, "cpo_discount_current_new_bps"));
  ASSIGN_OR_RETURN(options.discounts.current_refurbished,
                   GetBps(c, "cpo_discount_current_refurbished_bps"));
  ASSIGN_OR_RETURN(options.discounts.eop_new, GetBps(c, "cpo_discount_eop_new_bps"));
  ASSIGN_OR_RETURN(options.discounts.eop_refurbished, GetBps(c, "cpo_discount_eop_refurbished_bps"));
  RETURN_IF_ERROR(options.discounts.Validate());
  options.same_day_regions = Regions(c.GetString("same_day_regions"));
  options.next_business_day_regions = Regions(c.GetString("next_business_day_regions"));
  ASSIGN_OR_RETURN(absl::Duration sweep, c.GetDuration("reservation_sweep_interval"));
  return std::make_unique<InventoryInstance>(ctx, std::move(options), sweep);
}

void DefineFlags(Config& c) {
  const InventoryOptions defaults;
  c.Define("reservation_ttl", "72h",
           "How long a reservation holds a CPO unit; afterwards the unit is available again.");
  c.Define("reservation_sweep_interval", "1m",
           "How often expired reservations are recorded in the units' history (0 disables).");
  c.Define("cpo_discount_current_new_bps", std::to_string(defaults.discounts.current_new),
           "CPO discount (basis points, 2000-2500) for current-line units in new condition.");
  c.Define("cpo_discount_current_refurbished_bps",
           std::to_string(defaults.discounts.current_refurbished),
           "CPO discount (basis points, 2000-2500) for refurbished current-line units.");
  c.Define("cpo_discount_eop_new_bps", std::to_string(defaults.discounts.eop_new),
           "CPO discount (basis points, 2000-2500) for end-of-production units in new condition.");
  c.Define("cpo_discount_eop_refurbished_bps", std::to_string(defaults.discounts.eop_refurbished),
           "CPO discount (basis points, 2000-2500) for refurbished end-of-production units.");
  c.Define("same_day_regions", absl::StrJoin(defaults.same_day_regions, ","),
           "Countries where SAME_DAY (4 h) advance replacement can be served.");
  c.Define("next_business_day_regions", absl::StrJoin(defaults.next_business_day_regions, ","),
           "Countries where NEXT_BUSINESS_DAY advance replacement can be served.");
}

}  // namespace

ServiceSpec Spec() {
  ServiceSpec spec;
  spec.name = "inventory";
  spec.default_grpc_port = 50051;
  spec.default_metrics_port = 9101;
  spec.migrations = &Migrations;
  spec.health_names = {"aftercare.inventory.v1.InventoryService"};
  spec.policies = {&InventoryPolicy()};
  spec.define_flags = &DefineFlags;
  spec.build = &Build;
  return spec;
}

}  // namespace aftercare::inventory
