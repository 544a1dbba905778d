// A bounded map from the exact text of a credential whose signature checked
// out (a bearer token, a license key) to what it says, so that the next call
// with the same text skips the parse and the public-key operation. The
// checks that depend on the call (time, device, audience) still run on every
// call; only what the signature proves is remembered.
//
//   VerifiedCache<Claims> cache(4096);
//   if (std::shared_ptr<const Claims> hit = cache.Find(text)) return Check(*hit, now);
//   Claims claims = …verify the signature…;
//   cache.Insert(text, std::make_shared<const Claims>(claims));
//
// Sharded by the text's hash so that concurrent calls rarely meet on one
// lock. Only verified credentials go in (callers must not insert failures),
// so a caller cannot fill it with garbage; a full shard drops its entries
// and starts again, which bounds memory without bookkeeping per hit.
#ifndef AFTERCARE_COMMON_VERIFIED_CACHE_H_
#define AFTERCARE_COMMON_VERIFIED_CACHE_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "common/sync.h"

namespace aftercare {

template <typename V>
class VerifiedCache {
 public:
  // At most `capacity` entries (rounded to the shards); at least one per shard.
  explicit VerifiedCache(int capacity)
      : per_shard_(static_cast<size_t>(std::max(1, capacity / kShards))) {}

  VerifiedCache(const VerifiedCache&) = delete;
  VerifiedCache& operator=(const VerifiedCache&) = delete;

  // The entry for `text`, or null.
  std::shared_ptr<const V> Find(absl::string_view text) const {
    const Shard& shard = For(text);
    MutexLock lock(&shard.mu);
    auto it = shard.entries.find(text);
    if (it == shard.entries.end()) return nullptr;
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second;
  }

  void Insert(absl::string_view text, std::shared_ptr<const V> value) {
    InsertIf(text, std::move(value), [] { return true; });
  }

  // Inserts only if `still_valid()` holds, evaluated under the shard's lock:
  // a writer that changes what "verified" means (new keys) and then calls
  // Clear() cannot have an entry verified the old way put back after it.
  template <typename Pred>
  bool InsertIf(absl::string_view text, std::shared_ptr<const V> value, Pred still_valid) {
    Shard& shard = For(text);
    MutexLock lock(&shard.mu);
    if (!still_valid()) return false;
    if (shard.entries.size() >= per_shard_ && !shard.entries.contains(text)) shard.entries.clear();
    shard.entries.insert_or_assign(std::string(text), std::move(value));
    return true;
  }

  void Erase(absl::string_view text) {
    Shard& shard = For(text);
    MutexLock lock(&shard.mu);
    shard.entries.erase(text);
  }

  void Clear() {
    for (Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      shard.entries.clear();
    }
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      n += shard.entries.size();
    }
    return n;
  }
  // Calls of Find that found an entry.
  int64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kShards = 16;
  struct Shard {
    mutable Mutex mu;
    absl::flat_hash_map<std::string, std::shared_ptr<const V>> entries ABSL_GUARDED_BY(mu);
  };
  Shard& For(absl::string_view text) { return shards_[absl::HashOf(text) % kShards]; }
  const Shard& For(absl::string_view text) const { return shards_[absl::HashOf(text) % kShards]; }

  const size_t per_shard_;
  Shard shards_[kShards];
  mutable std::atomic<int64_t> hits_{0};
};

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_VERIFIED_CACHE_H_
