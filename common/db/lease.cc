#include "common/db/lease.h"

#include <unistd.h>

#include <memory>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/db/errors.h"
#include "common/db/sql_time.h"

namespace aftercare::db {

const char kLeaseTableDdl[] =
    "CREATE TABLE IF NOT EXISTS aftercare_leases ("
    " name VARCHAR(128) NOT NULL,"
    " holder VARCHAR(255) NOT NULL,"
    " fence BIGINT NOT NULL,"
    " expires_at_us BIGINT NOT NULL,"
    " PRIMARY KEY (name)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

namespace {
std::string HostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return host;
}
}  // namespace

std::string LeaseHolderId(absl::string_view prefix) {
  absl::BitGen gen;
  return absl::StrFormat("%s@%s/%d/%08x", prefix, HostName(), static_cast<int>(getpid()),
                         absl::Uniform<uint32_t>(gen));
}

std::string InstanceHolderId(absl::string_view prefix, int port) {
  const std::string host = HostName();
  if (port == 0 || host.empty()) return LeaseHolderId(prefix);
  return absl::StrCat(prefix, "@", host, ":", port);
}

Lease::Lease(std::string name, std::string holder, absl::Duration ttl)
    : name_(std::move(name)), holder_(std::move(holder)), ttl_(ttl) {}

bool Lease::TryAcquire(Connection& conn) {
  const int64_t now = ToMicros(absl::Now());
  try {
    if (!row_ensured_) {
      auto& insert = conn.Prepare(
          "INSERT IGNORE INTO aftercare_leases (name, holder, fence, expires_at_us)"
          " VALUES (?, '', 0, 0)");
      insert.setString(1, name_);
      insert.executeUpdate();
      row_ensured_ = true;
    }
    // One statement, so one write set: the holder keeps its fence number, a
    // new holder takes the next one.
    auto& claim = conn.Prepare(
        "UPDATE aftercare_leases SET fence = IF(holder = ?, fence, fence + 1), holder = ?,"
        " expires_at_us = ? WHERE name = ? AND (holder = ? OR expires_at_us < ?)");
    claim.setString(1, holder_);
    claim.setString(2, holder_);
    claim.setInt64(3, now + absl::ToInt64Microseconds(ttl_));
    claim.setString(4, name_);
    claim.setString(5, holder_);
    claim.setInt64(6, now);
    if (claim.executeUpdate() != 1) {
      held_ = false;
      return false;
    }
    auto& read = conn.Prepare("SELECT fence FROM aftercare_leases WHERE name = ? AND holder = ?");
    read.setString(1, name_);
    read.setString(2, holder_);
    std::unique_ptr<sql::ResultSet> rs(read.executeQuery());
    held_ = rs->next();
    if (held_) fence_ = rs->getInt64(1);
    return held_;
  } catch (const sql::SQLException& e) {
    // Another replica claimed it at the same moment on another node (or
    // waited on the same row): not ours this time.
    if (e.getErrorCode() == kErrDeadlock || e.getErrorCode() == kErrLockWaitTimeout) {
      held_ = false;
      return false;
    }
    throw;
  }
}

bool Lease::Fence(Connection& conn) {
  if (!held_) return false;
  auto& renew = conn.Prepare(
      "UPDATE aftercare_leases SET expires_at_us = ? WHERE name = ? AND holder = ? AND fence = ?");
  renew.setInt64(1, ToMicros(absl::Now()) + absl::ToInt64Microseconds(ttl_));
  renew.setString(2, name_);
  renew.setString(3, holder_);
  renew.setInt64(4, fence_);
  held_ = renew.executeUpdate() == 1;
  return held_;
}

void Lease::Release(Connection& conn) {
  if (!held_) return;
  held_ = false;
  auto& release = conn.Prepare(
      "UPDATE aftercare_leases SET expires_at_us = 0 WHERE name = ? AND holder = ? AND fence = ?");
  release.setString(1, name_);
  release.setString(2, holder_);
  release.setInt64(3, fence_);
  release.executeUpdate();
}

}  // namespace aftercare::db
