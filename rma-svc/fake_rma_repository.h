// An in-memory RmaRepository for the unit tests of the domain (rma_test.cc):
// no transactions, no SQL; outbox events are recorded by type. Also the
// entitlement of a unit covered for every RMA type, which the domain tests,
// the use-case tests and the domain fuzzer start from.
#ifndef AFTERCARE_RMA_SVC_FAKE_RMA_REPOSITORY_H_
#define AFTERCARE_RMA_SVC_FAKE_RMA_REPOSITORY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rma-svc/rma_repository.h"

namespace aftercare::rma {

// inventory-svc's view of `serial`, installed at `owner`, under warranty,
// within its DOA window and entitled to advance replacement at next
// business day.
inline EntitlementView CoveredEntitlement(const std::string& serial = "JN11AAA0001",
                                          const std::string& owner = "ACME-001") {
  EntitlementView e;
  e.serial = serial;
  e.sku = "EX4300-48T";
  e.owner_account_id = owner;
  e.installed = true;
  e.unit_state = "UNIT_STATE_IN_SERVICE";
  e.warranty_active = true;
  e.within_doa_window = true;
  e.entitled = true;
  e.advance_replacement = true;
  e.best_support_level = "SUPPORT_LEVEL_NEXT_BUSINESS_DAY";
  e.list_price = {"USD", 1'234'567};
  return e;
}

class FakeRmaRepository : public RmaRepository {
 public:
  absl::StatusOr<std::optional<Rma>> FindByValidationNumber(const std::string& number,
                                                            bool) override {
    for (auto& [id, r] : rmas) {
      if (r.validation_number == number) return WithExceptions(r);
    }
    return std::nullopt;
  }
  absl::StatusOr<std::optional<Rma>> FindByRmaNumber(const std::string& number, bool) override {
    for (auto& [id, r] : rmas) {
      if (!r.rma_number.empty() && r.rma_number == number) return WithExceptions(r);
    }
    return std::nullopt;
  }
  absl::StatusOr<std::optional<Rma>> FindById(int64_t id, bool) override {
    auto it = rmas.find(id);
    if (it == rmas.end()) return std::nullopt;
    return WithExceptions(it->second);
  }
  absl::StatusOr<std::optional<Rma>> InsertRma(Rma* rma, const RmaCreateKey* create) override {
    for (auto& [id, r] : rmas) {
      if (r.validation_number == rma->validation_number) {
        return absl::AlreadyExistsError("duplicate validation number");
      }
    }
    for (auto& [id, r] : rmas) {
      if (r.serial == rma->serial && IsOpen(r.status)) return std::optional<Rma>(r);
    }
    if (create != nullptr && create->key != nullptr) {
      const auto k = std::make_pair(create->key->caller, create->key->request_id);
      if (create_keys.count(k)) return absl::AbortedError(idempotency_internal::kRowKeyTaken);
      create_keys[k] = StoredAnswer{create->key->request_hash, create->answer(*rma)};
    }
    rma->id = ++next_id;
    rmas[rma->id] = *rma;
    return std::optional<Rma>();
  }
  absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) override {
    auto it = create_keys.find(std::make_pair(key.caller, key.request_id));
    if (it == create_keys.end()) return std::optional<StoredAnswer>();
    return std::optional<StoredAnswer>(it->second);
  }
  absl::Status SaveRma(const Rma& rma) override {
    auto it = rmas.find(rma.id);
    if (it == rmas.end() || it->second.version != rma.version - 1) {
      return absl::AbortedError("changed concurrently");
    }
    it->second = rma;
    it->second.receipt_exceptions.clear();
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Rma>> ListRmas(const RmaFilter& f, int64_t after_id, int limit,
                                            absl::Time now) override {
    std::vector<Rma> out;
    for (auto& [id, r] : rmas) {
      if (id <= after_id) continue;
      if (f.status != Status::kUnspecified && r.status != f.status) continue;
      if (!f.account_id.empty() && r.account_id != f.account_id) continue;
      if (!f.serial.empty() && r.serial != f.serial) continue;
      if (f.type != RmaType::kUnspecified && r.type != f.type) continue;
      if (f.overdue && !r.Overdue(now)) continue;
      out.push_back(r);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::Status InsertReceiptException(int64_t rma_id, ReceiptException* e) override {
    e->id = ++next_id;
    exceptions[rma_id].push_back(*e);
    return absl::OkStatus();
  }
  absl::Status InsertNotification(Notification* n) override {
    n->id = ++next_id;
    notifications.push_back(*n);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Notification>> ListNotifications(int64_t rma_id, int64_t after_id,
                                                              int limit) override {
    std::vector<Notification> out;
    for (const auto& n : notifications) {
      if (n.rma_id == rma_id && n.id > after_id) out.push_back(n);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<bool> MarkNotificationDelivered(int64_t id, absl::Time now) override {
    for (auto& n : notifications) {
      if (n.id == id && !n.deliver_time) {
        n.deliver_time = now;
        return true;
      }
    }
    return false;
  }
  absl::StatusOr<bool> SetReplacementSerial(const std::string& validation_number,
                                            const std::string& serial, absl::Time now) override {
    for (auto& [id, r] : rmas) {
      if (r.validation_number == validation_number && r.replacement_serial.empty()) {
        r.replacement_serial = serial;
        r.update_time = now;
        r.version++;
        return true;
      }
    }
    return false;
  }
  absl::StatusOr<std::vector<int64_t>> OverdueUncharged(absl::Time now, int limit) override {
    std::vector<int64_t> out;
    for (auto& [id, r] : rmas) {
      if (r.Overdue(now) && !r.charge_time) out.push_back(id);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<bool> ChargeIfDue(int64_t id, absl::Time now) override {
    auto it = rmas.find(id);
    if (it == rmas.end() || !it->second.Overdue(now) || it->second.charge_time) return false;
    it->second.charge_minor = it->second.list_price.amount_minor;
    it->second.charge_time = now;
    it->second.version++;
    return true;
  }
  absl::StatusOr<std::vector<ReturnLocation>> ListReturnLocations(const std::string& region_code,
                                                                  const std::string& theater,
                                                                  const std::string& after_code,
                                                                  int limit) override {
    std::vector<ReturnLocation> out;
    for (const auto& l : locations) {
      if (l.code <= after_code) continue;
      if (!theater.empty() && l.theater != theater) continue;
      if (!region_code.empty() && std::find(l.served_region_codes.begin(),
                                            l.served_region_codes.end(),
                                            region_code) == l.served_region_codes.end()) {
        continue;
      }
      out.push_back(l);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }
  absl::StatusOr<std::optional<ReturnLocation>> ReturnLocationFor(
      const std::string& region_code) override {
    for (const auto& l : locations) {
      for (const auto& c : l.served_region_codes) {
        if (c == region_code) return l;
      }
    }
    return std::nullopt;
  }
  absl::Status EnqueueAllocateSpare(const Rma& rma) override { return Event("allocate", rma); }
  absl::Status EnqueueSwapInstalledBase(const Rma& rma) override { return Event("swap", rma); }
  absl::Status EnqueueIntake(const Rma& rma) override { return Event("intake", rma); }
  absl::Status EnqueueNotification(const Notification& n) override {
    events.push_back(absl::StrCat("notify:", n.template_name));
    return absl::OkStatus();
  }

  // Handed on like an enqueued one ("notify:..."), and listed in published_now.
  absl::Status PublishNotificationNow(const Notification& n) override {
    events.push_back(absl::StrCat("notify:", n.template_name));
    published_now.push_back(n);
    return absl::OkStatus();
  }

  absl::Status PublishNotification(const NotificationEvent& event) override {
    published.push_back(event);
    return absl::OkStatus();
  }

  // Number of events of `prefix` ("allocate", "swap", "intake", "notify:...").
  int CountEvents(const std::string& prefix) const {
    int n = 0;
    for (const auto& e : events) n += e.rfind(prefix, 0) == 0;
    return n;
  }

  std::map<int64_t, Rma> rmas;
  // CreateRma keys kept with their RMA: (caller, request_id) -> answer.
  std::map<std::pair<std::string, std::string>, StoredAnswer> create_keys;
  std::vector<NotificationEvent> published;
  std::vector<Notification> published_now;
  std::map<int64_t, std::vector<ReceiptException>> exceptions;
  std::vector<Notification> notifications;
  std::vector<ReturnLocation> locations;
  std::vector<std::string> events;
  int64_t next_id = 0;

 private:
  Rma WithExceptions(const Rma& r) {
    Rma out = r;
    out.receipt_exceptions = exceptions[r.id];
    return out;
  }
  absl::Status Event(const std::string& kind, const Rma& rma) {
    events.push_back(absl::StrCat(kind, ":", rma.Label()));
    return absl::OkStatus();
  }
};

}  // namespace aftercare::rma

#endif  // AFTERCARE_RMA_SVC_FAKE_RMA_REPOSITORY_H_
