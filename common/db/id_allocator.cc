#include "common/db/id_allocator.h"

#include "common/db/transaction.h"

namespace aftercare::db {

IdAllocator::IdAllocator(ConnectionPool* pool, std::string sequence_name, int block_size)
    : pool_(pool), sequence_name_(std::move(sequence_name)), block_size_(std::max(1, block_size)) {}

absl::StatusOr<int64_t> IdAllocator::Next(const std::string& scope) {
  MutexLock lock(&mu_);
  Block& block = blocks_[scope];
  if (block.next < block.end) return block.next++;

  absl::StatusOr<int64_t> start = RunTransaction<int64_t>(
      *pool_, "allocate id block", [&](Connection& conn) -> absl::StatusOr<int64_t> {
        auto& ensure = conn.Prepare(
            "INSERT IGNORE INTO id_blocks (sequence_name, scope, next_value) VALUES (?, ?, 1)");
        ensure.setString(1, sequence_name_);
        ensure.setString(2, scope);
        ensure.executeUpdate();
        auto& read = conn.Prepare(
            "SELECT next_value FROM id_blocks WHERE sequence_name = ? AND scope = ? FOR UPDATE");
        read.setString(1, sequence_name_);
        read.setString(2, scope);
        std::unique_ptr<sql::ResultSet> rs(read.executeQuery());
        if (!rs->next()) return absl::InternalError("id block row vanished");
        const int64_t first = rs->getInt64(1);
        rs.reset();
        auto& bump = conn.Prepare(
            "UPDATE id_blocks SET next_value = next_value + ? WHERE sequence_name = ? AND scope = ?");
        bump.setInt(1, block_size_);
        bump.setString(2, sequence_name_);
        bump.setString(3, scope);
        bump.executeUpdate();
        return first;
      });
  if (!start.ok()) return start.status();
  block.next = *start;
  block.end = *start + block_size_;
  // Forget old scopes (yesterday's day) so the map stays small.
  while (blocks_.size() > 4) {
    auto oldest = blocks_.begin();
    if (oldest->first == scope) ++oldest;
    blocks_.erase(oldest);
  }
  return block.next++;
}

}  // namespace aftercare::db
