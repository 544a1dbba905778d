#include "common/call_context.h"

#include <array>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sync.h"

namespace aftercare {
namespace {

// Calls are registered in shards to keep the lock short and uncontended.
struct Shard {
  Mutex mu;
  absl::flat_hash_map<const grpc::ServerContextBase*, CallInfo*> calls ABSL_GUARDED_BY(mu);
};
constexpr size_t kShards = 16;

std::array<Shard, kShards>& Shards() {
  static auto* shards = new std::array<Shard, kShards>();
  return *shards;
}

Shard& ShardFor(const grpc::ServerContextBase* context) {
  return Shards()[(reinterpret_cast<uintptr_t>(context) >> 4) % kShards];
}

std::string RandomHex(int bytes) {
  thread_local absl::BitGen gen;
  std::string out;
  out.reserve(bytes * 2);
  for (int i = 0; i < bytes; ++i) {
    absl::StrAppendFormat(&out, "%02x", absl::Uniform<unsigned>(gen, 0, 256));
  }
  return out;
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(absl::string_view s) { return s.find_first_not_of('0') == absl::string_view::npos; }

}  // namespace

std::optional<TraceContext> TraceContext::Parse(absl::string_view h) {
  // 00-<32 hex>-<16 hex>-<2 hex>
  if (h.size() < 55 || h.substr(0, 3) != "00-" || h[35] != '-' || h[52] != '-') return std::nullopt;
  absl::string_view trace = h.substr(3, 32), span = h.substr(36, 16), flags = h.substr(53, 2);
  if (!IsLowerHex(trace) || !IsLowerHex(span) || !IsLowerHex(flags) || AllZero(trace) ||
      AllZero(span)) {
    return std::nullopt;
  }
  TraceContext t;
  t.trace_id = std::string(trace);
  t.span_id = std::string(span);
  t.flags = static_cast<uint8_t>(std::stoi(std::string(flags), nullptr, 16));
  return t;
}

TraceContext TraceContext::NewSpan(const std::optional<TraceContext>& parent) {
  TraceContext t;
  if (parent.has_value()) {
    t.trace_id = parent->trace_id;
    t.parent_id = parent->span_id;
    t.flags = parent->flags;
  } else {
    t.trace_id = RandomHex(16);
    t.flags = 1;
  }
  t.span_id = RandomHex(8);
  return t;
}

std::string TraceContext::Header() const {
  return absl::StrFormat("00-%s-%s-%02x", trace_id, span_id, flags);
}

std::string NewRequestId() { return RandomHex(16); }

const CallInfo* CurrentCall(const grpc::ServerContextBase* context) {
  Shard& shard = ShardFor(context);
  MutexLock lock(&shard.mu);
  auto it = shard.calls.find(context);
  return it == shard.calls.end() ? nullptr : it->second;
}

namespace call_context_internal {

void Register(const grpc::ServerContextBase* context, CallInfo* info) {
  Shard& shard = ShardFor(context);
  MutexLock lock(&shard.mu);
  shard.calls[context] = info;
}

void Unregister(const grpc::ServerContextBase* context) {
  Shard& shard = ShardFor(context);
  MutexLock lock(&shard.mu);
  shard.calls.erase(context);
}

}  // namespace call_context_internal
}  // namespace aftercare
