// Hands out numbers from a named sequence without making every writer queue
// on one counter row: each process reserves a block of `block_size` numbers
// in a short transaction of its own, then serves them from memory. Numbers
// are unique across processes and increasing within a process; a restart
// leaves a gap (the unused rest of its block). A `scope` starts a sequence
// afresh (e.g. one per day for admin case numbers).
//
//   IdAllocator case_numbers(&pool, "admin_case", /*block_size=*/20);
//   ASSIGN_OR_RETURN(int64_t seq, case_numbers.Next("2026-11-21"));
//
// Call Next() before opening the transaction that uses the number, so that
// a caller never holds two pooled connections.
#ifndef AFTERCARE_COMMON_DB_ID_ALLOCATOR_H_
#define AFTERCARE_COMMON_DB_ID_ALLOCATOR_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"
#include "common/sync.h"

namespace aftercare::db {

// Where a use case takes its numbers from: an IdAllocator in the service, a
// counter in a unit test.
class IdSource {
 public:
  virtual ~IdSource() = default;
  // The next number of the sequence `scope`.
  virtual absl::StatusOr<int64_t> Next(const std::string& scope) = 0;
};

class IdAllocator : public IdSource {
 public:
  IdAllocator(ConnectionPool* pool, std::string sequence_name, int block_size);

  absl::StatusOr<int64_t> Next(const std::string& scope) override;

 private:
  struct Block {
    int64_t next = 0;
    int64_t end = 0;  // exclusive
  };
  ConnectionPool* pool_;
  const std::string sequence_name_;
  const int block_size_;
  Mutex mu_;
  std::map<std::string, Block> blocks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_ID_ALLOCATOR_H_
