#include "common/db/connection_pool.h"

#include <mysql_driver.h>

#include "absl/strings/str_cat.h"
#include "common/db/errors.h"
#include "common/logging.h"

namespace aftercare::db {
namespace {

sql::mysql::MySQL_Driver* Driver() {
  // get_mysql_driver_instance() is not thread-safe on its first call.
  static sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

}  // namespace

sql::PreparedStatement& Connection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return *it->second;
  std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(sql));
  auto& ref = *stmt;
  statements_.emplace(sql, std::move(stmt));
  return ref;
}

void Connection::Execute(const std::string& sql) {
  if (!plain_) plain_.reset(conn_->createStatement());
  plain_->execute(sql);
  // Drain any result so the connection is ready for the next command.
  while (plain_->getMoreResults()) {
  }
}

int64_t Connection::LastInsertId() {
  std::unique_ptr<sql::ResultSet> rs(Prepare("SELECT LAST_INSERT_ID()").executeQuery());
  return rs->next() ? rs->getInt64(1) : 0;
}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(other.pool_), slot_(other.slot_), conn_(other.conn_) {
  other.pool_ = nullptr;
  other.conn_ = nullptr;
}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr) pool_->Release(slot_);
}

ConnectionPool::ConnectionPool(DbOptions options, std::shared_ptr<prometheus::Registry> registry)
    : options_(std::move(options)), registry_(std::move(registry)) {
  slots_.resize(options_.pool_size);
  busy_.assign(options_.pool_size, false);
  if (registry_) {
    auto& conns = prometheus::BuildGauge()
                      .Name("aftercare_db_pool_connections")
                      .Help("Database connections of the pool by state")
                      .Register(*registry_);
    in_use_gauge_ = &conns.Add({{"state", "in_use"}});
    open_gauge_ = &conns.Add({{"state", "open"}});
    conns.Add({{"state", "max"}}).Set(options_.pool_size);
    waiting_gauge_ = &prometheus::BuildGauge()
                          .Name("aftercare_db_pool_waiting")
                          .Help("Callers waiting for a pooled connection")
                          .Register(*registry_)
                          .Add({});
    wait_seconds_ = &prometheus::BuildHistogram()
                         .Name("aftercare_db_pool_wait_seconds")
                         .Help("Time spent waiting to check out a connection")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5});
    errors_ = &prometheus::BuildCounter()
                   .Name("aftercare_db_errors_total")
                   .Help("Database errors by kind")
                   .Register(*registry_);
  }
}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    DbOptions options, std::shared_ptr<prometheus::Registry> registry) {
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError("--db_pool_size must be at least 1");
  }
  if (options.database.empty()) {
    return absl::InvalidArgumentError("--mysql_database must be set");
  }
  Driver();
  return std::unique_ptr<ConnectionPool>(new ConnectionPool(std::move(options), std::move(registry)));
}

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::Open() {
  sql::ConnectOptionsMap props;
  if (!options_.socket.empty()) {
    props["hostName"] = sql::SQLString(absl::StrCat("unix://", options_.socket));
  } else {
    props["hostName"] = sql::SQLString(absl::StrCat("tcp://", options_.host, ":", options_.port));
  }
  props["userName"] = sql::SQLString(options_.user);
  props["password"] = sql::SQLString(options_.password);
  props["schema"] = sql::SQLString(options_.database);
  props["OPT_CONNECT_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.connect_timeout));
  props["OPT_READ_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.read_timeout));
  props["OPT_WRITE_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.read_timeout));
  props["OPT_RECONNECT"] = false;  // a silent reconnect would lose session state
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  try {
    std::unique_ptr<sql::Connection> raw(Driver()->connect(props));
    auto conn = std::make_unique<Connection>(std::move(raw));
    conn->Execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    conn->Execute(absl::StrCat("SET SESSION innodb_lock_wait_timeout = ",
                               std::max<int64_t>(1, absl::ToInt64Seconds(options_.lock_wait_timeout))));
    conn->Execute("SET SESSION time_zone = '+00:00'");
    conn->Execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'");
    return conn;
  } catch (const sql::SQLException& e) {
    CountError("connection");
    LogWarning("database connect failed",
               {{"mysql_error", e.getErrorCode()}, {"detail", e.what()},
                {"database", options_.database}});
    return absl::UnavailableError(
        absl::StrCat("database unavailable (error ", e.getErrorCode(), "), retry later"));
  }
}

absl::StatusOr<PooledConnection> ConnectionPool::Acquire() {
  const absl::Time start = absl::Now();
  int slot = -1;
  {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    UpdateGauges();
    auto has_free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_use_ < static_cast<int>(slots_.size());
    };
    bool got = mu_.AwaitWithTimeout(absl::Condition(&has_free), options_.acquire_timeout);
    --waiting_;
    if (!got) {
      UpdateGauges();
      CountError("pool_timeout");
      return absl::ResourceExhaustedError(
          absl::StrCat("no database connection free within ",
                       absl::FormatDuration(options_.acquire_timeout), ", retry later"));
    }
    // Prefer an open connection, so that the pool does not open more than it needs.
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
      if (!busy_[i] && slots_[i] != nullptr && !slots_[i]->broken()) {
        slot = i;
        break;
      }
    }
    if (slot < 0) {
      for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
        if (!busy_[i]) {
          slot = i;
          break;
        }
      }
    }
    busy_[slot] = true;
    ++in_use_;
    UpdateGauges();
  }
  if (wait_seconds_ != nullptr) wait_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - start));

  // The slot is ours: open or validate outside the lock.
  std::unique_ptr<Connection>& conn = slots_[slot];  // only the owner touches a busy slot
  if (conn != nullptr && (conn->broken() || absl::Now() - conn->last_used_ > absl::Seconds(30))) {
    bool valid = false;
    if (!conn->broken()) {
      try {
        valid = conn->raw().isValid();
      } catch (const sql::SQLException&) {
        valid = false;
      }
    }
    if (!valid) {
      conn.reset();  // drops its prepared statements too
      --open_count_;
    }
  }
  if (conn == nullptr) {
    auto opened = Open();
    if (!opened.ok()) {
      Release(slot);
      return opened.status();
    }
    conn = *std::move(opened);
    ++open_count_;
  }
  return PooledConnection(this, slot, conn.get());
}

void ConnectionPool::Release(int slot) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Connection>& conn = slots_[slot];
  if (conn != nullptr) {
    if (conn->broken()) {
      conn.reset();
      --open_count_;
    } else {
      conn->last_used_ = absl::Now();
    }
  }
  busy_[slot] = false;
  --in_use_;
  UpdateGauges();
}

void ConnectionPool::UpdateGauges() {
  if (in_use_gauge_ == nullptr) return;
  in_use_gauge_->Set(in_use_);
  waiting_gauge_->Set(waiting_);
  open_gauge_->Set(open_count_.load());
}

int ConnectionPool::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

void ConnectionPool::CountError(const char* kind) {
  if (errors_ != nullptr) errors_->Add({{"kind", kind}}).Increment();
}

absl::Status ConnectionPool::Ping() {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  try {
    std::unique_ptr<sql::ResultSet> rs((*conn)->Prepare("SELECT 1").executeQuery());
    if (!rs->next()) return absl::UnavailableError("database ping returned no row");
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e.getErrorCode())) (*conn)->MarkBroken();
    return absl::UnavailableError(absl::StrCat("database ping failed: ", e.getErrorCode()));
  }
}

absl::Status ConnectionPool::WaitUntilReachable(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last;
  do {
    last = Ping();
    if (last.ok()) return last;
    absl::SleepFor(absl::Milliseconds(250));
  } while (absl::Now() < deadline);
  return absl::UnavailableError(absl::StrCat("database not reachable within ",
                                             absl::FormatDuration(timeout), ": ", last.message()));
}

}  // namespace aftercare::db
