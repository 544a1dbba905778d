// An in-memory LicensingRepository and LicensingStore for unit tests of the
// domain (licensing.h). Write() runs the body under one mutex and rolls the
// whole state back when the body fails, like a transaction; request_ids are
// remembered like common/idempotency.h does.
#ifndef AFTERCARE_LICENSING_SVC_FAKE_LICENSING_REPOSITORY_H_
#define AFTERCARE_LICENSING_SVC_FAKE_LICENSING_REPOSITORY_H_

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "common/db/sql_time.h"
#include "common/sync.h"
#include "licensing-svc/licensing_repository.h"

namespace aftercare::licensing {

class FakeLicensingRepository : public LicensingRepository {
 public:
  struct State {
    std::map<std::string, Entitlement> entitlements;
    std::vector<Renewal> renewals;
    std::map<std::string, License> licenses;
    std::map<std::string, RmaTransfer> transfers;
    std::vector<Notification> notifications;
    std::vector<NotificationEvent> published;
  };
  State state;

  absl::StatusOr<std::optional<Entitlement>> FindEntitlement(const std::string& id,
                                                             bool) override {
    auto it = state.entitlements.find(id);
    if (it == state.entitlements.end()) return std::optional<Entitlement>();
    return std::optional<Entitlement>(WithCount(it->second));
  }
  absl::StatusOr<std::optional<Entitlement>> FindEntitlementByCodeHash(const std::string& hash,
                                                                       bool) override {
    for (const auto& [id, e] : state.entitlements) {
      if (!hash.empty() && e.code_hash == hash) return std::optional<Entitlement>(WithCount(e));
    }
    return std::optional<Entitlement>();
  }
  absl::Status InsertEntitlement(const Entitlement& e) override {
    if (!state.entitlements.emplace(e.id, e).second) return absl::AlreadyExistsError(e.id);
    return absl::OkStatus();
  }
  absl::Status UpdateEntitlement(const Entitlement& e) override {
    auto it = state.entitlements.find(e.id);
    if (it == state.entitlements.end() || it->second.version != e.version - 1) {
      return absl::AbortedError("entitlement changed");
    }
    it->second = e;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Entitlement>> ListEntitlements(const std::string& account,
                                                            const std::optional<ListCursor>& after,
                                                            int limit) override {
    std::vector<Entitlement> rows;
    for (const auto& [id, e] : state.entitlements) {
      if (account.empty() || e.account_id == account) rows.push_back(WithCount(e));
    }
    return Page(std::move(rows), after, limit, [](const Entitlement& e) { return e.id; });
  }
  absl::Status InsertRenewal(const Renewal& r) override {
    state.renewals.push_back(r);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Renewal>> RenewalsOf(const std::string& id) override {
    std::vector<Renewal> out;
    for (const Renewal& r : state.renewals) {
      if (r.entitlement_id == id) out.push_back(r);
    }
    return out;
  }
  absl::StatusOr<std::optional<License>> FindLicense(const std::string& id, bool) override {
    auto it = state.licenses.find(id);
    if (it == state.licenses.end()) return std::optional<License>();
    return std::optional<License>(it->second);
  }
  absl::StatusOr<std::vector<License>> LicensesOfEntitlementOnDevice(
      const std::string& ent, const std::string& serial) override {
    return Oldest([&](const License& l) { return l.entitlement_id == ent && l.device_serial == serial; });
  }
  absl::StatusOr<std::vector<License>> ActiveLicensesOnDevice(const std::string& account,
                                                              const std::string& serial,
                                                              bool) override {
    return Oldest([&](const License& l) {
      return l.device_serial == serial && l.state == LicenseState::kActive &&
             (account.empty() || l.account_id == account);
    });
  }
  absl::Status InsertLicense(const License& l) override {
    if (!state.licenses.emplace(l.id, l).second) return absl::AlreadyExistsError(l.id);
    return absl::OkStatus();
  }
  absl::Status UpdateLicense(const License& l) override {
    auto it = state.licenses.find(l.id);
    if (it == state.licenses.end() || it->second.version != l.version - 1) {
      return absl::AbortedError("license changed");
    }
    it->second = l;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<License>> ListLicenses(const LicenseFilter& f,
                                                    const std::optional<ListCursor>& after,
                                                    int limit) override {
    std::vector<License> rows;
    for (const auto& [id, l] : state.licenses) {
      if (!f.account_id.empty() && l.account_id != f.account_id) continue;
      if (!f.device_serial.empty() && l.device_serial != f.device_serial) continue;
      if (!f.entitlement_id.empty() && l.entitlement_id != f.entitlement_id) continue;
      if (f.state != LicenseState::kUnspecified && l.state != f.state) continue;
      rows.push_back(l);
    }
    return Page(std::move(rows), after, limit, [](const License& l) { return l.id; });
  }
  absl::Status InsertTransfer(const RmaTransfer& t) override {
    if (!state.transfers.emplace(t.rma_number, t).second) {
      return absl::AlreadyExistsError(t.rma_number);
    }
    return absl::OkStatus();
  }
  absl::Status AddTransferItem(const std::string& rma, const TransferredLicense& item) override {
    state.transfers.at(rma).licenses.push_back(item);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<RmaTransfer>> FindTransfer(const std::string& rma) override {
    auto it = state.transfers.find(rma);
    if (it == state.transfers.end()) return std::optional<RmaTransfer>();
    return std::optional<RmaTransfer>(it->second);
  }
  absl::StatusOr<std::vector<RmaTransfer>> ListTransfers(const std::string& account,
                                                         const std::string& serial,
                                                         const std::optional<ListCursor>& after,
                                                         int limit) override {
    std::vector<RmaTransfer> rows;
    for (const auto& [n, t] : state.transfers) {
      if (!account.empty() && t.account_id != account) continue;
      if (!serial.empty() && t.from_serial != serial && t.to_serial != serial) continue;
      rows.push_back(t);
    }
    return Page(std::move(rows), after, limit, [](const RmaTransfer& t) { return t.rma_number; });
  }
  absl::Status InsertNotification(const Notification& n) override {
    state.notifications.push_back(n);
    return absl::OkStatus();
  }
  absl::Status PublishNotification(const NotificationEvent& event) override {
    state.published.push_back(event);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Notification>> ListNotifications(
      const std::string& account, const std::string& ent, const std::optional<ListCursor>& after,
      int limit) override {
    std::vector<Notification> rows;
    for (const Notification& n : state.notifications) {
      if (!account.empty() && n.account_id != account) continue;
      if (!ent.empty() && n.entitlement_id != ent) continue;
      rows.push_back(n);
    }
    return Page(std::move(rows), after, limit, [](const Notification& n) { return n.id; });
  }

 private:
  Entitlement WithCount(Entitlement e) const {
    e.active_devices = 0;
    for (const auto& [id, l] : state.licenses) {
      if (l.entitlement_id == e.id && l.state == LicenseState::kActive) ++e.active_devices;
    }
    return e;
  }
  template <typename Pred>
  std::vector<License> Oldest(Pred pred) const {
    std::vector<License> out;
    for (const auto& [id, l] : state.licenses) {
      if (pred(l)) out.push_back(l);
    }
    std::sort(out.begin(), out.end(), [](const License& a, const License& b) {
      return std::tie(a.create_time, a.id) < std::tie(b.create_time, b.id);
    });
    return out;
  }
  // Newest first by (create time, id), after the cursor, at most `limit`.
  template <typename T, typename IdFn>
  static std::vector<T> Page(std::vector<T> rows, const std::optional<ListCursor>& after,
                             int limit, IdFn id) {
    auto key = [&](const T& r) { return std::make_pair(db::ToMicros(r.create_time), id(r)); };
    std::sort(rows.begin(), rows.end(), [&](const T& a, const T& b) { return key(a) > key(b); });
    std::vector<T> out;
    for (const T& r : rows) {
      if (after && !(key(r) < std::make_pair(after->create_us, after->id))) continue;
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(r);
    }
    return out;
  }
};

class FakeLicensingStore : public LicensingStore {
 public:
  absl::StatusOr<std::string> Write(const IdempotencyKey& key,
                                    const google::protobuf::Message& request,
                                    absl::string_view, const WriteBody& body) override {
    aftercare::MutexLock lock(&mu_);
    const std::string request_bytes = request.SerializeAsString();
    auto stored = responses_.find({key.caller, key.request_id});
    if (!key.request_id.empty() && stored != responses_.end()) {
      if (stored->second.first != request_bytes) {
        return absl::InvalidArgumentError("request_id was already used for a different request");
      }
      return stored->second.second;
    }
    FakeLicensingRepository::State before = repo_.state;
    absl::StatusOr<std::string> out = body(repo_);
    if (!out.ok()) {
      repo_.state = std::move(before);
      return out;
    }
    if (!key.request_id.empty()) responses_[{key.caller, key.request_id}] = {request_bytes, *out};
    ++writes_;
    return out;
  }
  absl::Status Read(absl::string_view, const ReadBody& body) override {
    aftercare::MutexLock lock(&mu_);
    return body(repo_);
  }
  FakeLicensingRepository::State state() {
    aftercare::MutexLock lock(&mu_);
    return repo_.state;
  }
  int writes() {
    aftercare::MutexLock lock(&mu_);
    return writes_;
  }
  // The answer stored under (caller, request_id), as a retry would get it;
  // empty when there is none.
  std::string StoredResponse(const std::string& caller, const std::string& request_id) {
    aftercare::MutexLock lock(&mu_);
    auto it = responses_.find({caller, request_id});
    return it == responses_.end() ? std::string() : it->second.second;
  }

 private:
  aftercare::Mutex mu_;
  FakeLicensingRepository repo_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> responses_
      ABSL_GUARDED_BY(mu_);
  int writes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace aftercare::licensing

#endif  // AFTERCARE_LICENSING_SVC_FAKE_LICENSING_REPOSITORY_H_
