#include "tests/harness/test_database.h"

#include <arpa/inet.h>
#include <mysql_driver.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/harness/source_dir.h"

namespace aftercare::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::unique_ptr<sql::Connection> AdminConnect(const ServerAddress& s, const std::string& schema) {
  sql::ConnectOptionsMap props;
  props["hostName"] = sql::SQLString(absl::StrCat("tcp://", s.host, ":", s.port));
  props["userName"] = sql::SQLString(s.user);
  props["password"] = sql::SQLString(s.password);
  if (!schema.empty()) props["schema"] = sql::SQLString(schema);
  props["OPT_CONNECT_TIMEOUT"] = 5;
  return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(props));
}

// The private server started when the environment names none; stopped at exit.
struct OwnedServer {
  std::unique_ptr<PrivateMariaDb> db;
};

}  // namespace

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

absl::Status RunDbScript(const std::string& args) {
  std::string cmd = absl::StrCat(SourceDir(), "/scripts/db ", args, " >/dev/null");
  int rc = std::system(cmd.c_str());
  if (rc != 0) return absl::InternalError(absl::StrCat("scripts/db ", args, " failed (", rc, ")"));
  return absl::OkStatus();
}

absl::StatusOr<ServerAddress> SharedTestServer() {
  static std::mutex mu;
  static OwnedServer* owned = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  std::string host = Env("AFTERCARE_TEST_MYSQL_HOST");
  if (!host.empty()) {
    ServerAddress s;
    s.host = host;
    if (!absl::SimpleAtoi(Env("AFTERCARE_TEST_MYSQL_PORT"), &s.port)) s.port = 3306;
    s.user = Env("AFTERCARE_TEST_MYSQL_USER");
    if (s.user.empty()) s.user = "root";
    s.password = Env("AFTERCARE_TEST_MYSQL_PASSWORD");
    return s;
  }
  if (owned == nullptr) {
    auto started = PrivateMariaDb::Start();
    if (!started.ok()) return started.status();
    owned = new OwnedServer{*std::move(started)};
    std::atexit([] { owned->db.reset(); });
  }
  return owned->db->address();
}

absl::Status AdminExecute(const ServerAddress& server, const std::string& sql) {
  try {
    auto conn = AdminConnect(server, "");
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    stmt->execute(sql);
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat("admin SQL failed: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  auto server = SharedTestServer();
  if (!server.ok()) return server.status();
  return CreateOn(*server);
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::CreateOn(const ServerAddress& server) {
  absl::BitGen gen;
  std::string name = absl::StrCat("t_", getpid(), "_", absl::Uniform<uint32_t>(gen));
  absl::Status s = AdminExecute(
      server, absl::StrCat("CREATE DATABASE `", name, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  if (!s.ok()) return s;
  return std::unique_ptr<TestDatabase>(new TestDatabase(server, name));
}

TestDatabase::~TestDatabase() {
  (void)AdminExecute(server_, absl::StrCat("DROP DATABASE IF EXISTS `", name_, "`"));
}

db::DbOptions TestDatabase::Options(int pool_size) const {
  db::DbOptions o;
  o.host = server_.host;
  o.port = server_.port;
  o.user = server_.user;
  o.password = server_.password;
  o.database = name_;
  o.pool_size = pool_size;
  o.connect_timeout = absl::Seconds(2);
  o.read_timeout = absl::Seconds(10);
  return o;
}

absl::Status TestDatabase::Execute(const std::string& sql) {
  try {
    auto conn = AdminConnect(server_, name_);
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    stmt->execute(sql);
    return absl::OkStatus();
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat("SQL failed: ", e.what()));
  }
}

absl::StatusOr<std::unique_ptr<sql::Connection>> TestDatabase::TakeGeneralLogTurn() {
  try {
    auto conn = AdminConnect(server_, name_);
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    std::unique_ptr<sql::ResultSet> rs(
        stmt->executeQuery("SELECT GET_LOCK('aftercare_test_general_log', 300)"));
    if (!rs->next() || rs->getInt(1) != 1) {
      return absl::DeadlineExceededError("the general log's turn was not granted in 300 s");
    }
    return conn;
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat("SQL failed: ", e.what()));
  }
}

absl::StatusOr<std::vector<std::string>> TestDatabase::TransactionWriting(
    const std::string& marker, const std::function<void()>& call) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> turn = TakeGeneralLogTurn();
  if (!turn.ok()) return turn.status();
  absl::StatusOr<std::string> output = QueryValue("SELECT @@GLOBAL.log_output");
  if (!output.ok()) return output.status();
  absl::StatusOr<std::string> since = QueryValue("SELECT NOW(6)");
  if (!since.ok()) return since.status();
  absl::Status on = Execute("SET GLOBAL log_output = 'TABLE'");
  if (on.ok()) on = Execute("SET GLOBAL general_log = 1");
  if (on.ok()) call();
  absl::Status off = Execute("SET GLOBAL general_log = 0");
  absl::Status restored = Execute(absl::StrCat("SET GLOBAL log_output = '", *output, "'"));
  for (const absl::Status& s : {on, off, restored}) {
    if (!s.ok()) return s;
  }

  // The connections to this database (the services' pools keep theirs
  // open), and the one of them that sent the marker.
  absl::StatusOr<std::string> threads = QueryValue(absl::StrCat(
      "SELECT GROUP_CONCAT(ID) FROM information_schema.PROCESSLIST WHERE DB = '", name_, "'"));
  if (!threads.ok()) return threads.status();
  const std::string quoted = absl::StrReplaceAll(marker, {{"\\", "\\\\"}, {"'", "\\'"}});
  const std::string recent = absl::StrCat("event_time >= '", *since, "' AND thread_id IN (",
                                          *threads, ") AND command_type IN ('Query', 'Execute')");
  absl::StatusOr<std::string> thread = QueryValue(absl::StrCat(
      "SELECT thread_id FROM mysql.general_log WHERE ", recent, " AND argument LIKE '", quoted,
      "' LIMIT 1"));
  if (!thread.ok()) {
    return absl::NotFoundError(absl::StrCat("no statement like '", marker, "' was logged"));
  }
  // The thread's statements in the order logged (a CSV table keeps it), the
  // ones that match the marker flagged with a leading '*'.
  absl::StatusOr<std::string> log = QueryValue(absl::StrCat(
      "SELECT GROUP_CONCAT(CONCAT(IF(argument LIKE '", quoted, "', '*', ' '),"
      " REPLACE(CONVERT(LEFT(argument, 2000) USING utf8mb4), '\\n', ' ')) SEPARATOR '\\n')"
      " FROM mysql.general_log WHERE ", recent, " AND thread_id = ", *thread));
  if (!log.ok()) return log.status();
  std::vector<std::string> lines = absl::StrSplit(*log, '\n');
  size_t at = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (at == lines.size() && absl::StartsWith(lines[i], "*")) at = i;
    lines[i].erase(0, 1);
  }
  std::vector<std::string> txn = TransactionAround(lines, at);
  if (txn.empty()) {
    return absl::NotFoundError(absl::StrCat("no COMMIT after the statement like '", marker,
                                            "':\n", absl::StrJoin(lines, "\n")));
  }
  return txn;
}

absl::StatusOr<std::string> TestDatabase::QueryValue(const std::string& sql) {
  try {
    auto conn = AdminConnect(server_, name_);
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    std::unique_ptr<sql::ResultSet> rs(stmt->executeQuery(sql));
    if (!rs->next()) return absl::NotFoundError("query returned no row");
    if (rs->isNull(1)) return std::string("NULL");
    return std::string(rs->getString(1));
  } catch (const sql::SQLException& e) {
    return absl::InternalError(absl::StrCat("SQL failed: ", e.what()));
  }
}

std::string ShellQuote(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

absl::StatusOr<std::unique_ptr<PrivateMariaDb>> PrivateMariaDb::Start(
    std::vector<std::string> server_options) {
  char tmpl[] = "/tmp/aftercare-mariadb-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  ServerAddress address{"127.0.0.1", PickFreePort(), "root", ""};
  std::unique_ptr<PrivateMariaDb> db(new PrivateMariaDb(tmpl, address, std::move(server_options)));
  absl::Status s = db->RunStart();
  if (!s.ok()) return s;
  return db;
}

absl::Status PrivateMariaDb::RunStart() {
  std::string args = absl::StrCat("start ", dir_, " ", address_.port);
  for (const std::string& option : server_options_) absl::StrAppend(&args, " ", ShellQuote(option));
  return RunDbScript(args);
}

absl::Status PrivateMariaDb::SocketExecute(const std::string& sql) {
  return RunDbScript(absl::StrCat("sql ", dir_, " ", ShellQuote(sql)));
}

PrivateMariaDb::~PrivateMariaDb() {
  (void)Stop();
  std::string cmd = absl::StrCat("rm -rf '", dir_, "'");
  (void)std::system(cmd.c_str());
}

namespace {
bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return free;
}
}  // namespace

absl::StatusOr<std::unique_ptr<GaleraCluster>> GaleraCluster::Start() {
  char tmpl[] = "/tmp/aftercare-galera-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return absl::InternalError("mkdtemp failed");
  // scripts/db uses BASEPORT+0..2 (SQL), +10.., +20.., +30.. (Galera).
  absl::BitGen gen;
  int base = 0;
  for (int attempt = 0; attempt < 50 && base == 0; ++attempt) {
    const int candidate = absl::Uniform<int>(gen, 20000, 40000);
    bool all_free = true;
    for (int offset : {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32}) {
      all_free = all_free && PortFree(candidate + offset);
    }
    if (all_free) base = candidate;
  }
  if (base == 0) return absl::UnavailableError("no free port range for a Galera cluster");
  std::vector<ServerAddress> nodes;
  for (int n = 0; n < 3; ++n) nodes.push_back(ServerAddress{"127.0.0.1", base + n, "root", ""});
  std::unique_ptr<GaleraCluster> cluster(new GaleraCluster(tmpl, std::move(nodes)));
  absl::Status s = RunDbScript(absl::StrCat("cluster-start ", cluster->dir_, " ", base));
  if (!s.ok()) return s;
  return cluster;
}

GaleraCluster::~GaleraCluster() {
  (void)RunDbScript(absl::StrCat("cluster-stop ", dir_));
  std::string cmd = absl::StrCat("rm -rf '", dir_, "'");
  (void)std::system(cmd.c_str());
}

std::string GaleraCluster::Hosts() const {
  std::vector<std::string> hosts;
  for (const ServerAddress& n : nodes_) hosts.push_back(absl::StrCat(n.host, ":", n.port));
  return absl::StrJoin(hosts, ",");
}

absl::Status GaleraCluster::Kill(int n) {
  return RunDbScript(absl::StrCat("node-kill ", dir_, " ", n));
}

absl::Status GaleraCluster::Restart(int n) {
  return RunDbScript(absl::StrCat("node-start ", dir_, " ", n));
}

absl::StatusOr<std::string> GaleraCluster::State(int n) const {
  try {
    auto conn = AdminConnect(node(n), "");
    std::unique_ptr<sql::Statement> stmt(conn->createStatement());
    std::unique_ptr<sql::ResultSet> rs(
        stmt->executeQuery("SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'"));
    if (!rs->next()) return absl::NotFoundError("no wsrep_local_state_comment: not a Galera node");
    return std::string(rs->getString(2));
  } catch (const sql::SQLException& e) {
    return absl::UnavailableError(absl::StrCat("node ", n, ": ", e.what()));
  }
}

absl::Status PrivateMariaDb::Stop() { return RunDbScript(absl::StrCat("stop ", dir_)); }
absl::Status PrivateMariaDb::Kill() { return RunDbScript(absl::StrCat("kill ", dir_)); }
absl::Status PrivateMariaDb::Restart() { return RunStart(); }

std::vector<std::string> TransactionAround(const std::vector<std::string>& lines, size_t at) {
  auto is = [&](size_t i, absl::string_view what) {
    return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(lines[i]), what);
  };
  if (at >= lines.size()) return {};
  size_t begin = at;
  while (begin > 0 && !is(begin - 1, "COMMIT") && !is(begin - 1, "ROLLBACK") &&
         !is(begin - 1, "SET autocommit=0")) {
    --begin;
  }
  size_t end = at;
  while (end < lines.size() && !is(end, "COMMIT")) ++end;
  if (end == lines.size()) return {};
  return std::vector<std::string>(lines.begin() + begin, lines.begin() + end + 1);
}

}  // namespace aftercare::testing
