// An in-memory CaseRepository for unit tests of the domain (cases.h): no
// transactions, no SQL; lists are filtered and ordered like the MySQL
// implementation; outbox events are recorded so tests can look at them.
#ifndef AFTERCARE_CASE_SVC_FAKE_CASE_REPOSITORY_H_
#define AFTERCARE_CASE_SVC_FAKE_CASE_REPOSITORY_H_

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "case-svc/case_repository.h"

namespace aftercare::cases {

class FakeCaseRepository : public CaseRepository {
 public:
  struct Outboxed {
    std::string type, case_id, serial, detail;
  };

  std::map<std::string, Case> cases;
  std::map<std::string, TradeIn> trade_ins;
  std::vector<CaseEvent> events;
  // CreateCase's keys kept on the cases: (caller, request_id) -> answer.
  std::map<std::pair<std::string, std::string>, StoredAnswer> create_keys;
  std::vector<Outboxed> outbox;
  std::map<int64_t, std::pair<Attachment, std::string>> attachments;
  std::vector<TechnicalCaseNote> technical_notes;
  // Every PublishNotification, in order (a repeated key is recorded too).
  std::vector<NotificationEvent> notifications;

  absl::Status PublishNotification(const NotificationEvent& event) override {
    notifications.push_back(event);
    return absl::OkStatus();
  }
  absl::Status InsertCase(const Case& c, const CaseCreateKey* create) override {
    if (cases.count(c.id)) return absl::AlreadyExistsError("case " + c.id);
    if (create != nullptr && create->key != nullptr) {
      const auto k = std::make_pair(create->key->caller, create->key->request_id);
      if (create_keys.count(k)) return absl::AbortedError(idempotency_internal::kRowKeyTaken);
      create_keys[k] = StoredAnswer{create->key->request_hash, create->answer(c)};
    }
    cases.emplace(c.id, c);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<StoredAnswer>> FindCreateAnswer(const RowKey& key) override {
    auto it = create_keys.find(std::make_pair(key.caller, key.request_id));
    if (it == create_keys.end()) return std::optional<StoredAnswer>();
    return std::optional<StoredAnswer>(it->second);
  }
  absl::StatusOr<std::optional<Case>> FindCase(const std::string& id, bool) override {
    auto it = cases.find(id);
    if (it == cases.end()) return std::optional<Case>();
    return std::optional<Case>(it->second);
  }
  absl::Status UpdateCase(const Case& c, int64_t expected_version) override {
    auto it = cases.find(c.id);
    if (it == cases.end() || it->second.version != expected_version) {
      return absl::AbortedError("case changed concurrently");
    }
    it->second = c;
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Case>> ListCases(const CaseFilter& f,
                                              const std::optional<PageCursor>& after,
                                              int limit) override {
    std::vector<Case> all;
    for (const auto& [id, c] : cases) {
      if (f.status != CaseStatus::kUnspecified && c.status != f.status) continue;
      if (f.priority != Priority::kUnspecified && c.priority != f.priority) continue;
      if (f.request_type != RequestType::kUnspecified && c.request_type != f.request_type) continue;
      if (!f.account_id.empty() && c.account_id != f.account_id) continue;
      if (!f.owner.empty() && c.owner != f.owner) continue;
      if (f.breaching_only && !IsBreaching(c, f.now)) continue;
      if (f.scoped &&
          std::find(f.accounts.begin(), f.accounts.end(), c.account_id) == f.accounts.end()) {
        continue;
      }
      all.push_back(c);
    }
    std::sort(all.begin(), all.end(), [](const Case& a, const Case& b) {
      return std::tie(b.create_time, b.id) < std::tie(a.create_time, a.id);
    });
    std::vector<Case> out;
    for (const Case& c : all) {
      if (after) {
        int64_t us = 0;
        absl::SimpleAtoi(after->keys[0], &us);
        const int64_t mine = absl::ToUnixMicros(c.create_time);
        if (!(mine < us || (mine == us && c.id < after->keys[1]))) continue;
      }
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(c);
    }
    return out;
  }
  absl::Status AppendEvent(const CaseEvent& e) override {
    events.push_back(e);
    events.back().id = static_cast<int64_t>(events.size());
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<CaseEvent>> ListEvents(const std::string& case_id, int64_t after_id,
                                                    bool include_internal, int limit) override {
    std::vector<CaseEvent> out;
    for (const CaseEvent& e : events) {
      if (e.case_id != case_id || e.id <= after_id || (e.internal && !include_internal)) continue;
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(e);
    }
    return out;
  }
  absl::Status EnqueueProductLookup(const std::string& case_id) override {
    outbox.push_back({"lookup", case_id, "", ""});
    return absl::OkStatus();
  }
  absl::Status EnqueueReinstatement(const std::string& case_id, const std::string& serial,
                                    const std::string& ref) override {
    outbox.push_back({"reinstate", case_id, serial, ref});
    return absl::OkStatus();
  }
  absl::Status EnqueueTradeInIntake(const std::string& case_id, const std::string& serial,
                                    const std::string& sku) override {
    outbox.push_back({"intake", case_id, serial, sku});
    return absl::OkStatus();
  }
  absl::Status InsertTradeIn(const TradeIn& t) override {
    if (!trade_ins.emplace(t.id, t).second) return absl::AlreadyExistsError("trade-in " + t.id);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<TradeIn>> FindTradeIn(const std::string& id, bool) override {
    auto it = trade_ins.find(id);
    if (it == trade_ins.end()) return std::optional<TradeIn>();
    return std::optional<TradeIn>(it->second);
  }
  absl::Status UpdateTradeIn(const TradeIn& t, int64_t expected_version) override {
    auto it = trade_ins.find(t.id);
    if (it == trade_ins.end() || it->second.version != expected_version) {
      return absl::AbortedError("trade-in changed concurrently");
    }
    it->second = t;
    return absl::OkStatus();
  }
  // As MysqlCaseRepository: the filters, the scope, newest first, after the cursor.
  absl::StatusOr<std::vector<TradeIn>> ListTradeIns(const TradeInFilter& f,
                                                    const std::optional<PageCursor>& after,
                                                    int limit) override {
    std::vector<TradeIn> all;
    for (const auto& [id, t] : trade_ins) {
      if (f.status != TradeInStatus::kUnspecified && t.status != f.status) continue;
      if (!f.account_id.empty() && t.account_id != f.account_id) continue;
      if (f.scoped &&
          std::find(f.accounts.begin(), f.accounts.end(), t.account_id) == f.accounts.end()) {
        continue;
      }
      all.push_back(t);
    }
    std::sort(all.begin(), all.end(), [](const TradeIn& a, const TradeIn& b) {
      return std::tie(b.create_time, b.id) < std::tie(a.create_time, a.id);
    });
    std::vector<TradeIn> out;
    for (const TradeIn& t : all) {
      if (after) {
        int64_t us = 0;
        absl::SimpleAtoi(after->keys[0], &us);
        const int64_t mine = absl::ToUnixMicros(t.create_time);
        if (!(mine < us || (mine == us && t.id < after->keys[1]))) continue;
      }
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(t);
    }
    return out;
  }
  absl::StatusOr<std::vector<std::string>> OverdueTradeIns(absl::Time now, int limit) override {
    std::vector<std::string> out;
    for (const auto& [id, t] : trade_ins) {
      if (t.status == TradeInStatus::kOpen && t.due_time < now) out.push_back(id);
    }
    return out;
  }
  absl::Status InsertAttachment(Attachment* a, const std::string& content) override {
    a->id = static_cast<int64_t>(attachments.size()) + 1;
    a->sha256 = "fake";
    attachments[a->id] = {*a, content};
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Attachment>> ListAttachments(const std::string& case_id) override {
    std::vector<Attachment> out;
    for (const auto& [id, a] : attachments) {
      if (a.first.case_id == case_id) out.push_back(a.first);
    }
    return out;
  }
  absl::StatusOr<std::optional<Attachment>> FindAttachment(int64_t id) override {
    auto it = attachments.find(id);
    if (it == attachments.end()) return std::optional<Attachment>();
    return std::optional<Attachment>(it->second.first);
  }
  absl::StatusOr<int32_t> LatestAttachmentVersion(const std::string& case_id,
                                                  AttachmentKind kind) override {
    int32_t v = 0;
    for (const auto& [id, a] : attachments) {
      if (a.first.case_id == case_id && a.first.kind == kind) v = std::max(v, a.first.version);
    }
    return v;
  }
  absl::Status InsertTechnicalCaseNote(TechnicalCaseNote* n) override {
    for (const TechnicalCaseNote& t : technical_notes) {
      if (t.technical_case_id == n->technical_case_id && t.note_id == n->note_id) {
        return absl::AlreadyExistsError("technical case note " + n->note_id);
      }
    }
    n->id = static_cast<int64_t>(technical_notes.size()) + 1;
    technical_notes.push_back(*n);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<TechnicalCaseNote>> FindTechnicalCaseNote(
      const std::string& technical_case_id, const std::string& note_id) override {
    for (const TechnicalCaseNote& t : technical_notes) {
      if (t.technical_case_id == technical_case_id && t.note_id == note_id) {
        return std::optional<TechnicalCaseNote>(t);
      }
    }
    return std::optional<TechnicalCaseNote>();
  }
  absl::StatusOr<std::vector<TechnicalCaseNote>> ListTechnicalCaseNotes(
      const TechnicalCaseNoteFilter& f, int64_t after_id, int limit) override {
    std::vector<TechnicalCaseNote> out;
    for (const TechnicalCaseNote& t : technical_notes) {  // in id order
      if (t.technical_case_id != f.technical_case_id || t.id <= after_id) continue;
      if (f.scoped &&
          std::find(f.accounts.begin(), f.accounts.end(), t.account_id) == f.accounts.end()) {
        continue;
      }
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(t);
    }
    return out;
  }
};

}  // namespace aftercare::cases

#endif  // AFTERCARE_CASE_SVC_FAKE_CASE_REPOSITORY_H_
