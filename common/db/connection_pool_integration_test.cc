#include "common/db/connection_pool.h"

#include <atomic>
#include <thread>

#include "common/db/transaction.h"
#include "common/testing/metrics.h"
#include "common/testing/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/test_database.h"

namespace aftercare::db {
namespace {

using ::aftercare::testing::AdminExecute;
using ::aftercare::testing::MetricValue;
using ::aftercare::testing::PrivateMariaDb;
using ::aftercare::testing::StatusIs;
using ::aftercare::testing::TestDatabase;

absl::StatusOr<int64_t> SelectOne(ConnectionPool& pool) {
  return RunRead<int64_t>(pool, "select one", [](Connection& c) -> absl::StatusOr<int64_t> {
    std::unique_ptr<sql::ResultSet> rs(c.Prepare("SELECT 1").executeQuery());
    rs->next();
    return rs->getInt64(1);
  });
}

TEST(ConnectionPoolTest, ChecksOutExclusivelyAndTimesOutWhenExhausted) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  DbOptions options = db->Options(2);
  options.acquire_timeout = absl::Milliseconds(200);
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, nullptr));
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection a, pool->Acquire());
    ASSERT_OK_AND_ASSIGN(PooledConnection b, pool->Acquire());
    EXPECT_NE(&*a, &*b);
    EXPECT_EQ(pool->in_use(), 2);
    EXPECT_THAT(pool->Acquire(), StatusIs(absl::StatusCode::kResourceExhausted));
  }
  EXPECT_EQ(pool->in_use(), 0);
  EXPECT_OK(pool->Acquire());
}

TEST(ConnectionPoolTest, ReusesPreparedStatementsPerConnection) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  for (int i = 0; i < 5; ++i) ASSERT_OK(SelectOne(*pool));
  ASSERT_OK_AND_ASSIGN(PooledConnection c, pool->Acquire());
  EXPECT_EQ(c->cached_statements(), 1u);
}

TEST(ConnectionPoolTest, ManyThreadsShareASmallPool) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(3), nullptr));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) ok += SelectOne(*pool).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 240);
}

TEST(ConnectionPoolTest, UnreachableDatabaseIsUnavailable) {
  DbOptions options;
  options.host = "127.0.0.1";
  options.port = aftercare::testing::PickFreePort();  // nothing listens there
  options.database = "nothing";
  options.connect_timeout = absl::Seconds(1);
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, nullptr));
  EXPECT_THAT(SelectOne(*pool), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(pool->Ping(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(ConnectionPoolTest, RecoversAfterTheServerRestarts) {
  ASSERT_OK_AND_ASSIGN(auto mariadb, PrivateMariaDb::Start());
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::CreateOn(mariadb->address()));
  DbOptions options = db->Options(2);
  options.connect_timeout = absl::Seconds(1);
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, nullptr));
  ASSERT_OK(SelectOne(*pool));
  ASSERT_OK(SelectOne(*pool));

  ASSERT_OK(mariadb->Stop());
  // While it is down, callers get UNAVAILABLE (retry later), never a crash or a hang.
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(SelectOne(*pool), StatusIs(absl::StatusCode::kUnavailable));
  }
  ASSERT_OK(mariadb->Restart());
  // Pooled connections died with the server: they are dropped and reopened.
  absl::Status s;
  for (int i = 0; i < 50; ++i) {
    s = SelectOne(*pool).status();
    if (s.ok()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_OK(s);
  EXPECT_OK(SelectOne(*pool));
  EXPECT_OK(SelectOne(*pool));
  db.reset();
}

// --mysql_host with several endpoints (a Galera cluster's nodes): new
// connections go to the first that answers, and stay there.
TEST(ConnectionPoolTest, FailsOverToTheNextEndpointAndStaysThere) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  DbOptions options = db->Options(2);
  options.connect_timeout = absl::Seconds(1);
  const int dead_port = aftercare::testing::PickFreePort();  // nothing listens there
  options.endpoints = {DbEndpoint{"127.0.0.1", dead_port}, DbEndpoint{options.host, options.port}};
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, registry));
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_failovers_total"), 0);
  {
    // Two connections open: the first fails over, the second goes straight
    // to the endpoint in use.
    ASSERT_OK_AND_ASSIGN(PooledConnection a, pool->Acquire());
    ASSERT_OK_AND_ASSIGN(PooledConnection b, pool->Acquire());
  }
  EXPECT_OK(SelectOne(*pool));
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_failovers_total"), 1);
}

TEST(ConnectionPoolTest, MovesToAnotherNodeWhenItsNodeStops) {
  ASSERT_OK_AND_ASSIGN(auto first, PrivateMariaDb::Start());
  ASSERT_OK_AND_ASSIGN(auto second, PrivateMariaDb::Start());
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::CreateOn(first->address()));
  ASSERT_OK(AdminExecute(second->address(), "CREATE DATABASE " + db->name()));
  ASSERT_OK(AdminExecute(second->address(), "CREATE TABLE " + db->name() +
                                                ".node (name VARCHAR(10)) ENGINE=InnoDB"));
  ASSERT_OK(AdminExecute(second->address(), "INSERT INTO " + db->name() + ".node VALUES ('second')"));
  ASSERT_OK(db->Execute("CREATE TABLE node (name VARCHAR(10)) ENGINE=InnoDB"));
  ASSERT_OK(db->Execute("INSERT INTO node VALUES ('first')"));
  DbOptions options = db->Options(2);
  options.connect_timeout = absl::Seconds(1);
  options.endpoints = {DbEndpoint{first->address().host, first->address().port},
                       DbEndpoint{second->address().host, second->address().port}};
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(options, nullptr));
  auto node = [&]() {
    return RunRead<std::string>(*pool, "node", [](Connection& c) -> absl::StatusOr<std::string> {
      std::unique_ptr<sql::ResultSet> rs(c.Prepare("SELECT name FROM node").executeQuery());
      rs->next();
      return std::string(rs->getString(1));
    });
  };
  {
    absl::StatusOr<std::string> before = node();
    ASSERT_OK(before);
    EXPECT_EQ(*before, "first");
  }
  ASSERT_OK(first->Stop());
  // The call on the dead connection fails (UNAVAILABLE, retry later); the
  // readiness ping and every call after it are on the second node.
  EXPECT_OK(pool->Ping());
  absl::StatusOr<std::string> after = node();
  for (int i = 0; i < 5 && !after.ok(); ++i) after = node();
  ASSERT_OK(after);
  EXPECT_EQ(*after, "second");
  db.reset();
}

// A connection lost before COMMIT (its database node died) wrote nothing:
// the transaction runs again on a new connection instead of failing the call.
TEST(TransactionTest, AConnectionLostBeforeCommitIsRetriedOnANewOne) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK(db->Execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(2), nullptr));
  int attempts = 0;
  absl::Status s = RunTransactionStatus(*pool, "insert", [&](Connection& c) -> absl::Status {
    ++attempts;
    auto& insert = c.Prepare("INSERT INTO t VALUES (?)");
    insert.setInt(1, attempts);
    insert.executeUpdate();
    if (attempts == 1) {
      std::unique_ptr<sql::ResultSet> rs(c.Prepare("SELECT CONNECTION_ID()").executeQuery());
      rs->next();
      EXPECT_OK(db->Execute("KILL CONNECTION " + std::to_string(rs->getInt64(1))));
      std::unique_ptr<sql::ResultSet>(c.Prepare("SELECT 1").executeQuery());  // throws: gone
    }
    return absl::OkStatus();
  });
  EXPECT_OK(s);
  EXPECT_EQ(attempts, 2);
  // The first attempt's row went with its session.
  EXPECT_EQ(*db->QueryValue("SELECT GROUP_CONCAT(id) FROM t"), "2");
}

TEST(TransactionTest, CommitsOnSuccessAndRollsBackOnError) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK(db->Execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(2), nullptr));
  auto insert = [&](int id, bool fail) {
    return RunTransactionStatus(*pool, "insert", [&](Connection& c) -> absl::Status {
      auto& s = c.Prepare("INSERT INTO t (id) VALUES (?)");
      s.setInt(1, id);
      s.executeUpdate();
      return fail ? absl::FailedPreconditionError("no") : absl::OkStatus();
    });
  };
  EXPECT_OK(insert(1, false));
  EXPECT_THAT(insert(2, true), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(insert(1, false), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM t"), "1");
}

// A transaction's connection has autocommit off, so RunTransaction sends no
// START TRANSACTION (the server's Com_begin of the session does not move),
// and still commits; reads and plain checkouts get autocommit on, so a
// statement outside RunTransaction commits by itself.
TEST(TransactionTest, ATransactionNeedsNoStartTransactionAndOtherCheckoutsAutocommit) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK(db->Execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), nullptr));
  auto value = [](Connection& c, const std::string& sql) {
    std::unique_ptr<sql::ResultSet> rs(c.Prepare(sql).executeQuery());
    rs->next();
    return std::string(rs->getString(1));
  };
  const std::string begins =
      "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
      " WHERE VARIABLE_NAME = 'COM_BEGIN'";
  std::vector<std::string> seen;
  for (int id = 1; id <= 2; ++id) {
    ASSERT_OK(RunTransactionStatus(*pool, "insert", [&](Connection& c) -> absl::Status {
      EXPECT_EQ(value(c, "SELECT @@autocommit"), "0");
      seen.push_back(value(c, begins));
      auto& insert = c.Prepare("INSERT INTO t (id) VALUES (?)");
      insert.setInt(1, id);
      insert.executeUpdate();
      return absl::OkStatus();
    }));
    // Committed: another session sees it.
    EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM t"), std::to_string(id));
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], seen[1]);  // the second transaction sent no START TRANSACTION

  // The same (only) connection, back in autocommit for a read...
  ASSERT_OK_AND_ASSIGN(std::string mode,
                       RunRead<std::string>(*pool, "mode", [&](Connection& c) {
                         return absl::StatusOr<std::string>(value(c, "SELECT @@autocommit"));
                       }));
  EXPECT_EQ(mode, "1");
  // ... and for a plain checkout whose write commits by itself.
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection c, pool->Acquire());
    EXPECT_EQ(c->commit_mode(), CommitMode::kAutocommit);
    c->Execute("INSERT INTO t (id) VALUES (3)");
  }
  EXPECT_EQ(*db->QueryValue("SELECT COUNT(*) FROM t"), "3");
}

// Switching a connection's mode costs a round trip: an idle connection
// already in the mode asked for is handed out first.
TEST(ConnectionPoolTest, PrefersAnIdleConnectionAlreadyInTheModeAskedFor) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(2), nullptr));
  Connection* for_transactions = nullptr;
  Connection* for_reads = nullptr;
  {
    // The transaction's connection takes the first slot.
    ASSERT_OK_AND_ASSIGN(PooledConnection t, pool->Acquire(CommitMode::kTransaction));
    ASSERT_OK_AND_ASSIGN(PooledConnection r, pool->Acquire(CommitMode::kAutocommit));
    for_transactions = &*t;
    for_reads = &*r;
  }
  for (int i = 0; i < 3; ++i) {
    {
      ASSERT_OK_AND_ASSIGN(PooledConnection r, pool->Acquire());
      EXPECT_EQ(&*r, for_reads);
      EXPECT_EQ(r->commit_mode(), CommitMode::kAutocommit);
    }
    ASSERT_OK_AND_ASSIGN(PooledConnection t, pool->Acquire(CommitMode::kTransaction));
    EXPECT_EQ(&*t, for_transactions);
    EXPECT_EQ(t->commit_mode(), CommitMode::kTransaction);
  }
}

TEST(TransactionTest, RetriesADeadlockUntilBothTransactionsCommit) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  ASSERT_OK(db->Execute("CREATE TABLE acct (id INT PRIMARY KEY, n INT) ENGINE=InnoDB"));
  ASSERT_OK(db->Execute("INSERT INTO acct VALUES (1, 0), (2, 0)"));
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(2), nullptr));
  std::atomic<int> attempts{0};
  std::atomic<int> arrived{0};
  auto transfer = [&](int first, int second) {
    return RunTransactionStatus(*pool, "transfer", [&](Connection& c) -> absl::Status {
      int attempt = ++attempts;
      auto& up = c.Prepare("UPDATE acct SET n = n + 1 WHERE id = ?");
      up.setInt(1, first);
      up.executeUpdate();
      if (attempt <= 2) {  // first attempts: wait for the other to hold its row
        ++arrived;
        for (int i = 0; i < 200 && arrived.load() < 2; ++i) absl::SleepFor(absl::Milliseconds(5));
      }
      up.setInt(1, second);
      up.executeUpdate();
      return absl::OkStatus();
    });
  };
  absl::Status a, b;
  std::thread ta([&] { a = transfer(1, 2); });
  std::thread tb([&] { b = transfer(2, 1); });
  ta.join();
  tb.join();
  EXPECT_OK(a);
  EXPECT_OK(b);
  EXPECT_GE(attempts.load(), 3);  // one of them ran again after the deadlock
  EXPECT_EQ(*db->QueryValue("SELECT SUM(n) FROM acct"), "4");
}

// Every SQL error is counted by class where it becomes a status; every
// class is exported at 0 before the first error.
TEST(DbErrorMetricsTest, AMissingTableCountsAsSchemaAndEveryKindIsExportedFromTheStart) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto pool, ConnectionPool::Create(db->Options(1), registry));
  for (const char* kind : kSqlErrorKinds) {
    EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", kind}}), 0) << kind;
  }
  auto missing = RunRead<int64_t>(*pool, "read a missing table",
                                  [](Connection& c) -> absl::StatusOr<int64_t> {
                                    std::unique_ptr<sql::ResultSet>(
                                        c.Prepare("SELECT id FROM no_such_table").executeQuery());
                                    return 0;
                                  });
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", "schema"}}), 1);
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", "other"}}), 0);

  ASSERT_OK(db->Execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  auto insert = [&] {
    return RunTransactionStatus(*pool, "insert", [](Connection& c) -> absl::Status {
      c.Prepare("INSERT INTO t (id) VALUES (1)").executeUpdate();
      return absl::OkStatus();
    });
  };
  ASSERT_OK(insert());
  EXPECT_THAT(insert(), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", "duplicate"}}), 1);
}

// The outbox dispatcher's own pool shares the counter, not the gauges.
TEST(DbErrorMetricsTest, ASecondPoolSharesTheErrorCounterButNotTheGauges) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create());
  auto registry = std::make_shared<prometheus::Registry>();
  ASSERT_OK_AND_ASSIGN(auto main_pool, ConnectionPool::Create(db->Options(4), registry));
  ASSERT_OK_AND_ASSIGN(auto second,
                       ConnectionPool::Create(db->Options(1), registry, PoolMetrics::kErrorsOnly));
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_pool_connections", {{"state", "max"}}), 4);
  auto missing = RunRead<int64_t>(*second, "read a missing table",
                                  [](Connection& c) -> absl::StatusOr<int64_t> {
                                    std::unique_ptr<sql::ResultSet>(
                                        c.Prepare("SELECT x FROM no_such_table").executeQuery());
                                    return 0;
                                  });
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(MetricValue(*registry, "aftercare_db_errors_total", {{"kind", "schema"}}), 1);
}

}  // namespace
}  // namespace aftercare::db
