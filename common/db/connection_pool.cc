#include "common/db/connection_pool.h"

#include <mysql_driver.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/db/errors.h"
#include "common/errors.h"
#include "common/logging.h"
#include "common/status.h"

namespace aftercare::db {
namespace {

// Connector/C's CR_SSL_CONNECTION_ERROR: the TLS handshake or the
// certificate checks failed.
constexpr int kTlsConnectionError = 2026;

sql::mysql::MySQL_Driver* Driver() {
  // get_mysql_driver_instance() is not thread-safe on its first call.
  static sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
  return driver;
}

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// Refuses to prompt for a passphrase (Connector/C++ 1.1 cannot pass one).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return -1; }

// The content of the file named by --<flag>, or INVALID_ARGUMENT naming it.
absl::StatusOr<std::string> ReadTlsFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The certificates of a PEM text, in order.
std::vector<X509Ptr> PemCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (bio != nullptr) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (cert == nullptr) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();
  return certs;
}

// Checks the TLS settings the way a connection would use them, so that a
// mistake stops the service at start with the flag's name instead of
// failing every connection later.
absl::Status CheckTlsOptions(const DbOptions& options) {
  const DbTlsOptions& tls = options.tls;
  if (tls.mode == TlsMode::kDisabled) {
    for (const auto& [flag, value] : {std::pair{"mysql_tls_ca_file", &tls.ca_file},
                                      std::pair{"mysql_tls_cert_file", &tls.cert_file},
                                      std::pair{"mysql_tls_key_file", &tls.key_file}}) {
      if (!value->empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", flag, " is set but --mysql_tls_mode is disabled: set --mysql_tls_mode to "
            "required, verify_ca or verify_identity (or unset --", flag, ")"));
      }
    }
    return absl::OkStatus();
  }
  if (!options.socket.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--mysql_tls_mode=", TlsModeName(tls.mode),
        " needs a TCP connection: unset --mysql_socket and set --mysql_host and --mysql_port"));
  }
  if (tls.mode == TlsMode::kVerifyCa && tls.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--mysql_tls_mode=verify_ca needs --mysql_tls_ca_file (the CA the server certificate "
        "must chain to)");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        tls.key_file.empty()
            ? "--mysql_tls_cert_file needs --mysql_tls_key_file (the client certificate's key)"
            : "--mysql_tls_key_file needs --mysql_tls_cert_file (the client certificate)");
  }
  if (!tls.ca_file.empty()) {
    ASSIGN_OR_RETURN(std::string pem, ReadTlsFile("mysql_tls_ca_file", tls.ca_file));
    if (PemCertificates(pem).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--mysql_tls_ca_file: ", tls.ca_file,
          " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"));
    }
  }
  if (!tls.cert_file.empty()) {
    ASSIGN_OR_RETURN(std::string cert_pem, ReadTlsFile("mysql_tls_cert_file", tls.cert_file));
    std::vector<X509Ptr> chain = PemCertificates(cert_pem);
    if (chain.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--mysql_tls_cert_file: ", tls.cert_file,
          " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"));
    }
    ASSIGN_OR_RETURN(std::string key_pem, ReadTlsFile("mysql_tls_key_file", tls.key_file));
    std::unique_ptr<BIO, BioFree> bio(
        BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    EvpPkeyPtr key(bio == nullptr
                       ? nullptr
                       : PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    const bool matches = key != nullptr && X509_check_private_key(chain.front().get(), key.get()) == 1;
    ERR_clear_error();
    if (key == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--mysql_tls_key_file: ", tls.key_file,
          " is not an unencrypted PEM private key (a passphrase cannot be given)"));
    }
    if (!matches) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mysql_tls_key_file: ", tls.key_file, " is not the private key of ",
                       "--mysql_tls_cert_file ", tls.cert_file));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TlsMode> ParseTlsMode(absl::string_view text) {
  for (TlsMode mode : {TlsMode::kDisabled, TlsMode::kRequired, TlsMode::kVerifyCa,
                       TlsMode::kVerifyIdentity}) {
    if (text == TlsModeName(mode)) return mode;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--mysql_tls_mode must be disabled, required, verify_ca or verify_identity, "
                   "not \"", text, "\""));
}

const char* TlsModeName(TlsMode mode) {
  switch (mode) {
    case TlsMode::kDisabled:
      return "disabled";
    case TlsMode::kRequired:
      return "required";
    case TlsMode::kVerifyCa:
      return "verify_ca";
    case TlsMode::kVerifyIdentity:
      return "verify_identity";
  }
  return "disabled";
}

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

ConnectionPool::ConnectionPool(DbOptions options, std::shared_ptr<prometheus::Registry> registry,
                               PoolMetrics metrics)
    : options_(std::move(options)), registry_(std::move(registry)) {
  slots_.resize(options_.pool_size);
  busy_.assign(options_.pool_size, false);
  endpoints_ = options_.endpoints;
  if (endpoints_.empty()) endpoints_.push_back(DbEndpoint{options_.host, options_.port});
  if (registry_) {
    // A labelled counter appears in a scrape only once its child exists:
    // every kind is created at 0 so that rate() and alerts see it from the start.
    errors_ = &prometheus::BuildCounter()
                   .Name("aftercare_db_errors_total")
                   .Help("Database errors by kind")
                   .Register(*registry_);
    for (const char* kind : kSqlErrorKinds) errors_->Add({{"kind", kind}});
    failovers_ = &prometheus::BuildCounter()
                      .Name("aftercare_db_failovers_total")
                      .Help("Times a pool moved its new connections to another --mysql_host "
                            "endpoint (the one in use stopped answering or left the cluster)")
                      .Register(*registry_)
                      .Add({});
  }
  if (registry_ && metrics == PoolMetrics::kAll) {
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
  }
}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    DbOptions options, std::shared_ptr<prometheus::Registry> registry, PoolMetrics metrics) {
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError("--db_pool_size must be at least 1");
  }
  if (options.database.empty()) {
    return absl::InvalidArgumentError("--mysql_database must be set");
  }
  RETURN_IF_ERROR(CheckTlsOptions(options));
  Driver();
  return std::unique_ptr<ConnectionPool>(
      new ConnectionPool(std::move(options), std::move(registry), metrics));
}

absl::StatusOr<std::vector<DbEndpoint>> ParseDbEndpoints(absl::string_view hosts,
                                                         int default_port) {
  std::vector<DbEndpoint> out;
  for (absl::string_view entry : absl::StrSplit(hosts, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--mysql_host has an empty entry in \"", hosts, "\": give host[:port],host[:port],..."));
    }
    DbEndpoint ep;
    ep.port = default_port;
    absl::string_view port_text;
    if (entry.front() == '[') {  // [IPv6]:port
      const size_t close = entry.find(']');
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("--mysql_host entry \"", entry, "\" has no closing ']'"));
      }
      ep.host = std::string(entry.substr(1, close - 1));
      absl::string_view rest = entry.substr(close + 1);
      if (!rest.empty()) {
        if (rest.front() != ':') {
          return absl::InvalidArgumentError(
              absl::StrCat("--mysql_host entry \"", entry, "\": expected ':port' after ']'"));
        }
        port_text = rest.substr(1);
      }
    } else {
      const size_t colon = entry.rfind(':');
      if (colon != absl::string_view::npos && entry.find(':') == colon) {
        ep.host = std::string(entry.substr(0, colon));
        port_text = entry.substr(colon + 1);
      } else {
        ep.host = std::string(entry);  // a bare name (or an IPv6 address without a port)
      }
    }
    if (ep.host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--mysql_host entry \"", entry, "\" has no host"));
    }
    if (!port_text.empty() || (entry.back() == ':')) {
      int port = 0;
      if (!absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--mysql_host entry \"", entry, "\": the port must be a number from 1 to 65535"));
      }
      ep.port = port;
    }
    for (const DbEndpoint& seen : out) {
      if (seen.host == ep.host && seen.port == ep.port) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--mysql_host names ", ep.host, ":", ep.port, " twice"));
      }
    }
    out.push_back(std::move(ep));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::Open() {
  if (!options_.socket.empty()) return OpenOn(DbEndpoint{});
  const int n = static_cast<int>(endpoints_.size());
  const int start = current_endpoint_.load();
  absl::Status last;
  for (int i = 0; i < n; ++i) {
    const int index = (start + i) % n;
    auto conn = OpenOn(endpoints_[index]);
    if (conn.ok()) {
      int expected = start;
      if (index != start && current_endpoint_.compare_exchange_strong(expected, index)) {
        if (failovers_ != nullptr) failovers_->Increment();
        LogWarning("database failover", {{"from", absl::StrCat(endpoints_[start].host, ":",
                                                               endpoints_[start].port)},
                                         {"to", absl::StrCat(endpoints_[index].host, ":",
                                                             endpoints_[index].port)},
                                         {"database", options_.database}});
      }
      return conn;
    }
    last = conn.status();
  }
  return last;
}

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::OpenOn(const DbEndpoint& endpoint) {
  sql::ConnectOptionsMap props;
  if (!options_.socket.empty()) {
    props["hostName"] = sql::SQLString(absl::StrCat("unix://", options_.socket));
  } else {
    props["hostName"] = sql::SQLString(absl::StrCat("tcp://", endpoint.host, ":", endpoint.port));
  }
  props["userName"] = sql::SQLString(options_.user);
  props["password"] = sql::SQLString(options_.password);
  props["schema"] = sql::SQLString(options_.database);
  props["OPT_CONNECT_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.connect_timeout));
  props["OPT_READ_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.read_timeout));
  props["OPT_WRITE_TIMEOUT"] = static_cast<int>(absl::ToInt64Seconds(options_.read_timeout));
  props["OPT_RECONNECT"] = false;  // a silent reconnect would lose session state
  props["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  const DbTlsOptions& tls = options_.tls;
  if (tls.mode != TlsMode::kDisabled) {
    // OPT_SSL_MODE is a no-op in this Connector/C++ build: sslEnforce makes
    // it ask for TLS, sslCA makes it check the chain, sslVerify the chain
    // and the host name (and only then does the library itself refuse a
    // server without TLS; the cipher check below covers the other modes).
    props["sslEnforce"] = true;
    if (!tls.ca_file.empty()) props["sslCA"] = sql::SQLString(tls.ca_file);
    if (!tls.cert_file.empty()) {
      props["sslCert"] = sql::SQLString(tls.cert_file);
      props["sslKey"] = sql::SQLString(tls.key_file);
    }
    if (tls.mode == TlsMode::kVerifyIdentity) props["sslVerify"] = true;
  }
  try {
    std::unique_ptr<sql::Connection> raw(Driver()->connect(props));
    auto conn = std::make_unique<Connection>(std::move(raw));
    if (tls.mode != TlsMode::kDisabled) {
      std::unique_ptr<sql::Statement> stmt(conn->raw().createStatement());
      std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'"));
      if (!rs->next() || std::string(rs->getString(2)).empty()) {
        CountError("tls");
        LogWarning("database connection refused: the server did not negotiate TLS",
                   {{"mysql_tls_mode", TlsModeName(tls.mode)}, {"database", options_.database}});
        return absl::UnavailableError(absl::StrCat(
            "database unavailable: the server did not negotiate TLS, which --mysql_tls_mode=",
            TlsModeName(tls.mode), " requires (plaintext connection refused)"));
      }
    }
    {
      // A Galera node serves only while it is synced with the primary
      // component: a joiner, a donor (its tables locked by the state
      // transfer) or a node cut off from the others is skipped for the next
      // endpoint. A server without Galera has wsrep_on = 0.
      std::unique_ptr<sql::Statement> stmt(conn->raw().createStatement());
      std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(
          "SELECT @@wsrep_on, (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
          " WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT')"));
      if (rs->next() && rs->getInt(1) != 0) {
        const std::string state = rs->isNull(2) ? "" : std::string(rs->getString(2));
        if (state != "Synced") {
          CountError("connection");
          LogWarning("database node not synced: trying the next endpoint",
                     {{"endpoint", absl::StrCat(endpoint.host, ":", endpoint.port)},
                      {"wsrep_local_state", state}, {"database", options_.database}});
          return DatabaseUnavailable(absl::UnavailableError(absl::StrCat(
              "database unavailable: the Galera node ", endpoint.host, ":", endpoint.port,
              " is ", state.empty() ? "not ready" : state, ", not Synced")));
        }
      }
    }
    conn->Execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    conn->Execute(absl::StrCat("SET SESSION innodb_lock_wait_timeout = ",
                               std::max<int64_t>(1, absl::ToInt64Seconds(options_.lock_wait_timeout))));
    conn->Execute("SET SESSION time_zone = '+00:00'");
    conn->Execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'");
    return conn;
  } catch (const sql::SQLException& e) {
    const bool tls_error = e.getErrorCode() == kTlsConnectionError;
    CountError(tls_error ? "tls" : "connection");
    LogWarning("database connect failed",
               {{"mysql_error", e.getErrorCode()}, {"detail", e.what()},
                {"mysql_tls_mode", TlsModeName(tls.mode)}, {"database", options_.database}});
    if (tls_error) {
      // The library's reason (certificate not trusted, wrong host, no TLS
      // on the server) is what the operator needs; it holds no secret.
      return DatabaseUnavailable(absl::UnavailableError(
          absl::StrCat("database unavailable: TLS with the server failed (--mysql_tls_mode=",
                       TlsModeName(tls.mode), "): ", e.what())));
    }
    return DatabaseUnavailable(absl::UnavailableError(
        absl::StrCat("database unavailable (error ", e.getErrorCode(), "), retry later")));
  }
}

absl::StatusOr<PooledConnection> ConnectionPool::Acquire(CommitMode mode) {
  const absl::Time start = absl::Now();
  int slot = -1;
  {
    MutexLock lock(&mu_);
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
      // Every connection stayed busy for acquire_timeout: a retry sooner
      // would most likely meet the same pool.
      return WithRetryDelay(
          WithReason(absl::ResourceExhaustedError(
                         absl::StrCat("no database connection free within ",
                                      absl::FormatDuration(options_.acquire_timeout),
                                      ", retry later")),
                     kReasonDatabaseBusy),
          options_.acquire_timeout);
    }
    // Prefer an open connection in `mode`, then any open one, so that the
    // pool neither opens nor switches more than it needs.
    for (int i = 0; i < static_cast<int>(slots_.size()); ++i) {
      if (!busy_[i] && slots_[i] != nullptr && !slots_[i]->broken()) {
        if (slots_[i]->mode_ == mode) {
          slot = i;
          break;
        }
        if (slot < 0) slot = i;
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
  // A connection whose mode cannot be set is dropped, and a new one is
  // opened in its place once.
  for (int attempt = 0;; ++attempt) {
    if (conn == nullptr) {
      auto opened = Open();
      if (!opened.ok()) {
        Release(slot);
        return opened.status();
      }
      conn = *std::move(opened);
      ++open_count_;
    }
    if (conn->mode_ == mode) break;
    try {
      conn->raw().setAutoCommit(mode == CommitMode::kAutocommit);
      conn->mode_ = mode;
      break;
    } catch (const sql::SQLException& e) {
      CountError(SqlErrorKind(e.getErrorCode()));
      conn.reset();
      --open_count_;
      if (attempt == 1) {
        Release(slot);
        return DatabaseUnavailable(absl::UnavailableError(absl::StrCat(
            "database unavailable (error ", e.getErrorCode(), "), retry later")));
      }
    }
  }
  return PooledConnection(this, slot, conn.get());
}

void ConnectionPool::Release(int slot) {
  MutexLock lock(&mu_);
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

void ConnectionPool::DropIdle() {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    MutexLock lock(&mu_);
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (!busy_[i] && slots_[i] != nullptr) {
        dropped.push_back(std::move(slots_[i]));
        --open_count_;
      }
    }
    UpdateGauges();
  }
  // Closed outside the lock.
}

void ConnectionPool::UpdateGauges() {
  if (in_use_gauge_ == nullptr) return;
  in_use_gauge_->Set(in_use_);
  waiting_gauge_->Set(waiting_);
  open_gauge_->Set(open_count_.load());
}

int ConnectionPool::in_use() const {
  MutexLock lock(&mu_);
  return in_use_;
}

void ConnectionPool::CountError(const char* kind) {
  if (errors_ != nullptr) errors_->Add({{"kind", kind}}).Increment();
}

absl::Status ConnectionPool::Ping() {
  // A second try on a fresh connection when the first one's server went
  // away: it reconnects (to the next endpoint if need be), so readiness
  // follows the database node the pool can use, not a dead connection.
  absl::Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    try {
      std::unique_ptr<sql::ResultSet> rs((*conn)->Prepare("SELECT 1").executeQuery());
      if (!rs->next()) return absl::UnavailableError("database ping returned no row");
      return absl::OkStatus();
    } catch (const sql::SQLException& e) {
      CountError(SqlErrorKind(e.getErrorCode()));
      last = absl::UnavailableError(absl::StrCat("database ping failed: ", e.getErrorCode()));
      if (!IsConnectionError(e.getErrorCode())) return last;
      (*conn)->MarkBroken();
    }
  }
  return last;
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
