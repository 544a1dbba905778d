// A bounded pool of MySQL connections (Connector/C++ 1.1) with exclusive
// checkout. Connections are opened lazily, checked with a ping when they have
// been idle, dropped after a connection error (and reopened on the next
// checkout, with an empty prepared-statement cache), optionally protected by
// TLS (DbTlsOptions), and counted in metrics:
//   aftercare_db_pool_connections{state="in_use"|"open"|"max"}
//   aftercare_db_pool_waiting, aftercare_db_pool_wait_seconds,
//   aftercare_db_errors_total{kind}  (SqlErrorKind in common/db/errors.h, and
//                                     pool_timeout; every kind exported from 0)
//   aftercare_db_failovers_total     (times the pool moved to another endpoint)
//
// Most code never acquires a connection directly: it calls RunTransaction or
// RunRead (common/db/transaction.h), which also map exceptions.
#ifndef AFTERCARE_COMMON_DB_CONNECTION_POOL_H_
#define AFTERCARE_COMMON_DB_CONNECTION_POOL_H_

#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/sync.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace aftercare::db {

// How connections use TLS (--mysql_tls_mode). Debian's Connector/C++ 1.1
// (on MariaDB Connector/C 3.3) ignores OPT_SSL_MODE, and unless it verifies
// the server's identity (sslVerify) it quietly stays in plaintext with a
// server that offers no TLS; so the pool maps the modes onto sslEnforce,
// sslCA, sslCert, sslKey and sslVerify itself and, in every TLS mode,
// refuses a connection on which the server reports no cipher.
enum class TlsMode {
  kDisabled,        // plaintext (the default)
  kRequired,        // encrypted; the certificate is checked only against
                    // ca_file when one is given
  kVerifyCa,        // encrypted; the certificate must chain to ca_file
  kVerifyIdentity,  // encrypted; chains to ca_file (or the system trust
                    // store) and names the host connected to
};

// Parses "disabled", "required", "verify_ca" or "verify_identity";
// INVALID_ARGUMENT naming --mysql_tls_mode otherwise.
absl::StatusOr<TlsMode> ParseTlsMode(absl::string_view text);
const char* TlsModeName(TlsMode mode);

// TLS settings of the pool (PEM files, read at every new connection, so a
// renewed certificate is picked up without a restart).
struct DbTlsOptions {
  TlsMode mode = TlsMode::kDisabled;
  std::string ca_file;    // CA bundle the server certificate must chain to
  std::string cert_file;  // client certificate, presented to the server
  std::string key_file;   // its private key
};

// Which metrics a pool exports: a second pool of the same process (the
// outbox dispatcher's) shares the error counter but must not overwrite the
// main pool's connection gauges.
enum class PoolMetrics { kAll, kErrorsOnly };

// One server of the database: a single MariaDB, or a node of a Galera cluster.
struct DbEndpoint {
  std::string host;
  int port = 3306;
};

// Parses --mysql_host: "host", or a comma-separated list "h1:3306,h2,h3:3307"
// (an entry without a port takes `default_port`; IPv6 as "[::1]:3306").
// INVALID_ARGUMENT naming --mysql_host for an empty entry, a bad port or a
// repeated entry.
absl::StatusOr<std::vector<DbEndpoint>> ParseDbEndpoints(absl::string_view hosts,
                                                         int default_port);

struct DbOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  // Failover list (several nodes of a Galera cluster); empty means just
  // {host, port}. New connections go to the endpoint the pool is on; when it
  // cannot be reached, or is a Galera node that is not synced with the
  // primary component, the pool moves on to the next (in order, wrapping)
  // and stays there. Existing connections leave a failed node as their
  // errors break them.
  std::vector<DbEndpoint> endpoints;
  std::string socket;  // when set, used instead of host/port
  std::string user = "aftercare";
  std::string password;
  std::string database;
  int pool_size = 8;
  absl::Duration acquire_timeout = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(3);
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration lock_wait_timeout = absl::Seconds(5);
  DbTlsOptions tls;
};

// How a checked-out connection commits its statements.
enum class CommitMode {
  // Every statement commits on its own: reads, DDL, and code that sends its
  // own START TRANSACTION (the outbox, leases).
  kAutocommit,
  // autocommit is off: the first statement opens a transaction that lasts
  // until the holder's COMMIT or ROLLBACK. RunTransaction's mode: it saves
  // the START TRANSACTION round trip of every write. A holder must end what
  // it opened (RunTransaction always does), or the next holder inherits it.
  kTransaction,
};

// One open connection and its prepared statements, cached by SQL text.
class Connection {
 public:
  explicit Connection(std::unique_ptr<sql::Connection> conn) : conn_(std::move(conn)) {}

  // Returns the cached statement for `sql`, preparing it on first use.
  // Throws sql::SQLException like every Connector/C++ call.
  sql::PreparedStatement& Prepare(const std::string& sql);
  // Runs a statement without parameters (transaction control, DDL).
  void Execute(const std::string& sql);
  // The AUTO_INCREMENT id of this connection's last INSERT (one round trip;
  // Connector/C++ does not expose the id the server sent with the OK packet).
  // Throws sql::SQLException.
  int64_t LastInsertId();
  sql::Connection& raw() { return *conn_; }

  void MarkBroken() { broken_ = true; }
  bool broken() const { return broken_; }
  CommitMode commit_mode() const { return mode_; }
  size_t cached_statements() const { return statements_.size(); }

 private:
  friend class ConnectionPool;
  std::unique_ptr<sql::Connection> conn_;
  absl::flat_hash_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::unique_ptr<sql::Statement> plain_;
  bool broken_ = false;
  CommitMode mode_ = CommitMode::kAutocommit;  // a new session has autocommit on
  absl::Time last_used_ = absl::Now();
};

class ConnectionPool;

// An exclusively held connection; returns itself to the pool when destroyed.
class PooledConnection {
 public:
  PooledConnection(ConnectionPool* pool, int slot, Connection* conn)
      : pool_(pool), slot_(slot), conn_(conn) {}
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  PooledConnection(const PooledConnection&) = delete;
  ~PooledConnection();

  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_; }

 private:
  ConnectionPool* pool_;
  int slot_;
  Connection* conn_;
};

class ConnectionPool {
 public:
  // Builds the pool; connects nothing yet, but checks the settings (TLS
  // files readable, PEM, key matching the certificate): INVALID_ARGUMENT
  // naming the flag. `registry` may be null.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(
      DbOptions options, std::shared_ptr<prometheus::Registry> registry,
      PoolMetrics metrics = PoolMetrics::kAll);
  ~ConnectionPool();

  // Checks out a connection in `mode`, opening it if needed. An idle
  // connection already in that mode is preferred: switching costs a round
  // trip (SET autocommit), so reads and transactions each find their own
  // connections and rarely switch. UNAVAILABLE when the database cannot be
  // reached or the TLS settings refuse the connection (the message says
  // why), RESOURCE_EXHAUSTED when none frees up in `acquire_timeout`.
  absl::StatusOr<PooledConnection> Acquire(CommitMode mode = CommitMode::kAutocommit);

  // Closes the connections nobody has checked out (after a connection
  // error: they most likely lead to the same dead server).
  void DropIdle();

  // Runs `SELECT 1` on a pooled connection: OK when the database answers.
  absl::Status Ping();

  // Waits until Ping() succeeds or `timeout` passes.
  absl::Status WaitUntilReachable(absl::Duration timeout);

  const DbOptions& options() const { return options_; }
  int size() const { return options_.pool_size; }
  int in_use() const;

  // Counts an error in aftercare_db_errors_total{kind} (one of kSqlErrorKinds).
  void CountError(const char* kind);

 private:
  friend class PooledConnection;
  ConnectionPool(DbOptions options, std::shared_ptr<prometheus::Registry> registry,
                 PoolMetrics metrics);
  absl::StatusOr<std::unique_ptr<Connection>> Open();
  absl::StatusOr<std::unique_ptr<Connection>> OpenOn(const DbEndpoint& endpoint);
  std::vector<DbEndpoint> endpoints_;
  std::atomic<int> current_endpoint_{0};
  prometheus::Counter* failovers_ = nullptr;
  void Release(int slot);
  void UpdateGauges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DbOptions options_;
  std::shared_ptr<prometheus::Registry> registry_;

  mutable Mutex mu_;
  std::vector<std::unique_ptr<Connection>> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> busy_ ABSL_GUARDED_BY(mu_);
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int> open_count_{0};

  prometheus::Gauge* in_use_gauge_ = nullptr;
  prometheus::Gauge* open_gauge_ = nullptr;
  prometheus::Gauge* waiting_gauge_ = nullptr;
  prometheus::Histogram* wait_seconds_ = nullptr;
  prometheus::Family<prometheus::Counter>* errors_ = nullptr;
};

}  // namespace aftercare::db

#endif  // AFTERCARE_COMMON_DB_CONNECTION_POOL_H_
