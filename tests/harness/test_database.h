// Databases for integration tests. By default they are created on the
// MariaDB that scripts/test started (AFTERCARE_TEST_MYSQL_HOST, _PORT, _USER,
// _PASSWORD); when those are not set, the first test of the process starts a
// private server with scripts/db in a temporary folder. Every TestDatabase
// has a fresh, uniquely named database that is dropped at the end.
//
//   ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
//   ASSERT_OK_AND_ASSIGN(auto pool, db::ConnectionPool::Create(db->Options(), nullptr));
#ifndef AFTERCARE_TESTS_HARNESS_TEST_DATABASE_H_
#define AFTERCARE_TESTS_HARNESS_TEST_DATABASE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/db/connection_pool.h"

namespace aftercare::testing {

struct ServerAddress {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
};

// The shared test server (started on first use when not given).
absl::StatusOr<ServerAddress> SharedTestServer();

// Runs one admin statement on `server`.
absl::Status AdminExecute(const ServerAddress& server, const std::string& sql);

class TestDatabase {
 public:
  // Creates a fresh database on the shared server (or on `server`).
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  static absl::StatusOr<std::unique_ptr<TestDatabase>> CreateOn(const ServerAddress& server);
  ~TestDatabase();

  const std::string& name() const { return name_; }
  const ServerAddress& server() const { return server_; }
  db::DbOptions Options(int pool_size = 4) const;
  // Runs one statement in this database as the admin user.
  absl::Status Execute(const std::string& sql);
  // Runs a single-value query (e.g. "SELECT COUNT(*) FROM units") in this database.
  absl::StatusOr<std::string> QueryValue(const std::string& sql);
  // The server's general log is one for all databases: a test that turns it
  // on to count its statements first takes this turn (a named lock, held
  // while the returned connection lives), so that tests in other processes
  // do not turn it off (or change log_output) in the middle of its window.
  absl::StatusOr<std::unique_ptr<sql::Connection>> TakeGeneralLogTurn();
  // Counts a call's statements: runs `call` with the server's general log on
  // (holding the log's turn, log_output restored after) and returns the
  // statements of the transaction in which one of this database's
  // connections sent the first statement matching the SQL LIKE pattern
  // `marker` (e.g. "INSERT INTO idempotency_keys%"), as TransactionAround
  // cuts it. NOT_FOUND when no statement matched or no COMMIT followed.
  absl::StatusOr<std::vector<std::string>> TransactionWriting(const std::string& marker,
                                                              const std::function<void()>& call);
  // Sends the test's own queries to another server holding this database
  // (another node of a Galera cluster, when the first was killed).
  void MoveTo(const ServerAddress& server) { server_ = server; }

 private:
  TestDatabase(ServerAddress server, std::string name)
      : server_(std::move(server)), name_(std::move(name)) {}
  ServerAddress server_;
  std::string name_;
};

// A MariaDB server of the test's own, which the test may stop, kill and
// start again (fault tests). Uses scripts/db with a temporary folder;
// `server_options` go to mariadbd (e.g. {"--ssl-cert=/tmp/x/server.crt"}).
class PrivateMariaDb {
 public:
  static absl::StatusOr<std::unique_ptr<PrivateMariaDb>> Start(
      std::vector<std::string> server_options = {});
  ~PrivateMariaDb();
  const ServerAddress& address() const { return address_; }
  absl::Status Stop();
  absl::Status Restart();  // start again on the same folder, port and options
  absl::Status Kill();     // kill -9
  // Runs SQL as root over the unix socket (which works even when the
  // server refuses plaintext TCP: require_secure_transport).
  absl::Status SocketExecute(const std::string& sql);

 private:
  PrivateMariaDb(std::string dir, ServerAddress address, std::vector<std::string> server_options)
      : dir_(std::move(dir)), address_(std::move(address)), server_options_(std::move(server_options)) {}
  absl::Status RunStart();
  std::string dir_;
  ServerAddress address_;
  std::vector<std::string> server_options_;
};

// A local 3-node MariaDB Galera cluster (`scripts/db cluster-start`) in a
// temporary folder, on free ports; stopped and removed when destroyed.
class GaleraCluster {
 public:
  static absl::StatusOr<std::unique_ptr<GaleraCluster>> Start();
  ~GaleraCluster();
  const ServerAddress& node(int n) const { return nodes_.at(n - 1); }  // n = 1..3
  // The --mysql_host list of the three nodes, node 1 first.
  std::string Hosts() const;
  absl::Status Kill(int n);     // kill -9 node n
  absl::Status Restart(int n);  // start node n again; returns once it is Synced
  // wsrep_local_state_comment of node n ("Synced", ...), an error when down.
  absl::StatusOr<std::string> State(int n) const;

 private:
  GaleraCluster(std::string dir, std::vector<ServerAddress> nodes)
      : dir_(std::move(dir)), nodes_(std::move(nodes)) {}
  std::string dir_;
  std::vector<ServerAddress> nodes_;
};

// Returns a TCP port that was free a moment ago on 127.0.0.1.
int PickFreePort();
// Runs `scripts/db <args>`; OK when it exits 0.
absl::Status RunDbScript(const std::string& args);
// `text` quoted for /bin/sh.
std::string ShellQuote(const std::string& text);

// The statements of the transaction that holds `lines[at]`, in one
// connection's general log (its Query and Execute arguments in order): from
// the statement after the connection's previous COMMIT, ROLLBACK or
// SET autocommit=0 — RunTransaction sends no START TRANSACTION
// (common/db/transaction.h) — to the COMMIT that ends it, both included.
// Empty when no COMMIT follows.
std::vector<std::string> TransactionAround(const std::vector<std::string>& lines, size_t at);

}  // namespace aftercare::testing

#endif  // AFTERCARE_TESTS_HARNESS_TEST_DATABASE_H_
