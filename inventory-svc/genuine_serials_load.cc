#include "inventory-svc/genuine_serials_load.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status.h"

namespace aftercare::inventory {

absl::Status GenuineSerialsLoad::Add(const Principal& /*caller*/,
                                     const v1::LoadGenuineSerialsRequest& message) {
  if (messages_++ == 0) {
    combined_.set_request_id(message.request_id());
  } else if (!message.request_id().empty() && message.request_id() != combined_.request_id()) {
    return InvalidField("request_id",
                        "must be the same in every message of the stream (or only in the first)");
  }
  if (static_cast<int64_t>(entries_.size()) + message.entries_size() > kMaxEntries) {
    return InvalidField("entries", absl::StrCat(": at most ", kMaxEntries,
                                                " serials per call; split the load into several calls"));
  }
  std::vector<GenuineSerialEntry> batch;
  batch.reserve(message.entries_size());
  for (const auto& e : message.entries()) batch.push_back({e.serial_number(), e.sku()});
  RETURN_IF_ERROR(domain_.ValidateGenuineSerials(batch, static_cast<int64_t>(entries_.size())));
  for (auto& e : batch) {
    auto* c = combined_.add_entries();
    c->set_serial_number(e.serial);
    c->set_sku(e.sku);
    entries_.push_back(std::move(e));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::LoadGenuineSerialsResponse> GenuineSerialsLoad::Finish(const Principal& caller) {
  return store_.WriteOnce<v1::LoadGenuineSerialsResponse>(
      caller, combined_, "LoadGenuineSerials", "load genuine serials",
      [&](InventoryRepository& repo) -> absl::StatusOr<v1::LoadGenuineSerialsResponse> {
        ASSIGN_OR_RETURN(LoadCounts counts, domain_.LoadGenuineSerials(entries_, repo));
        v1::LoadGenuineSerialsResponse r;
        r.set_received_count(counts.received);
        r.set_inserted_count(counts.inserted);
        r.set_updated_count(counts.updated);
        return r;
      });
}

}  // namespace aftercare::inventory
