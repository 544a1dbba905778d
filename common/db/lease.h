// A named lease held in a table row: who leads a background loop (the outbox
// dispatcher) or may run migrations. Claimed and renewed by one conditional
// UPDATE, so it holds on a multi-primary MariaDB Galera cluster as on one
// server: two replicas that claim an expired lease on two nodes both update
// the row, and certification lets one commit and fails the other (a
// deadlock, 1213), where a named lock (GET_LOCK) would be granted to both
// because it is node-local.
//
//   Lease lease("outbox.rma", LeaseHolderId("rma-svc"), absl::Seconds(10));
//   if (lease.TryAcquire(conn)) {           // claims or renews (autocommit)
//     conn.Execute("START TRANSACTION");
//     if (!lease.Fence(conn)) { ...lost... } // same transaction as the work
//     ...
//     conn.Execute("COMMIT");               // fails if a takeover committed first
//   }
//
// Each successful claim by a new holder increments the row's `fence`
// number. A lease expires `ttl` after its last renewal by the holder's wall
// clock; replicas' clocks must agree to well within the ttl (NTP).
#ifndef AFTERCARE_COMMON_DB_LEASE_H_
#define AFTERCARE_COMMON_DB_LEASE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/db/connection_pool.h"

namespace aftercare::db {

// The table of leases; created by ApplyMigrations before anything else.
extern const char kLeaseTableDdl[];

// An identity for this process: `prefix`, the host name and a random part.
// A process that restarts gets a new one, so it waits for its predecessor's
// lease to expire unless the holder id is stable (see OutboxOptions::holder).
std::string LeaseHolderId(absl::string_view prefix);

// The holder id of a server process: `prefix@host:port`, the same after a
// restart of this instance (pod name, or host and fixed port), so that a
// restarted replica takes its own lease back at once instead of waiting for
// it to expire. With port 0 (picked at random) or no host name, a
// LeaseHolderId(prefix).
std::string InstanceHolderId(absl::string_view prefix, int port);

class Lease {
 public:
  Lease(std::string name, std::string holder, absl::Duration ttl);

  // Claims the lease when it is free or expired, or renews it when this
  // holder has it; true when this holder has it afterwards. A certification
  // conflict with another claimer counts as not claimed. Throws
  // sql::SQLException on other errors.
  bool TryAcquire(Connection& conn);

  // Renews the lease inside the caller's transaction, only if this holder
  // still has it with the same fence number; false when it was lost. The
  // write makes a concurrent takeover (on any node) conflict with the
  // caller's transaction. Throws sql::SQLException.
  bool Fence(Connection& conn);

  // Gives the lease up (expires it now) if this holder has it. Throws.
  void Release(Connection& conn);

  const std::string& name() const { return name_; }
  const std::string& holder() const { return holder_; }
  int64_t fence() const { return fence_; }  // 0 until claimed
  bool held() const { return held_; }

 private:
  const std::string name_;
  const std::string holder_;
  const absl::Duration ttl_;
  int64_t fence_ = 0;
  bool held_ = false;
  bool row_ensured_ = false;
};

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_LEASE_H_
