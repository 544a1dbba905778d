#!/usr/bin/env bash
# The local 3-node MariaDB Galera cluster of `scripts/db cluster-*` (issue 18):
# it starts from nothing on free ports with three Synced nodes; a row written
# on node1 is read on node3; node2 killed -9 misses a write made on node3,
# rejoins with `node-start` by incremental state transfer (IST, not a full
# copy) and then has that row; two transactions updating the same row on two
# nodes: one commits, the other fails at COMMIT with the certification
# conflict MariaDB reports as a deadlock (1213), and every node keeps the
# winner's value. Everything it started is stopped on exit.
set -euo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
db="$src/scripts/db"
dir=$(mktemp -d /tmp/aftercare-galera-XXXXXX)
sessions=()
cleanup() {
  local p
  for p in "${sessions[@]}"; do kill "$p" 2>/dev/null || true; done
  "$db" cluster-stop "$dir" >/dev/null 2>&1 || true
  # a node that would not stop cleanly must not outlive the test
  for n in 1 2 3; do "$db" node-kill "$dir" "$n" >/dev/null 2>&1 || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
  echo "FAIL: $*"
  "$db" cluster-status "$dir" || true
  exit 1
}

# BASEPORT: its SQL (+0..2), gcomm (+10..12), IST (+20..22) and SST (+30..32)
# ports all free.
base=$(python3 -c '
import random, socket
for _ in range(200):
    b = random.randrange(20000, 32000)
    socks = []
    try:
        for off in (0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32):
            s = socket.socket(); socks.append(s); s.bind(("127.0.0.1", b + off))
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(b); break
')
[ -n "$base" ] || fail "no free block of ports"

# sql N 'SQL': as root on node N, reads causal (they see every write the
# cluster committed before they started).
sql() { "$db" sql "$dir/node$1" "SET SESSION wsrep_sync_wait=1; $2"; }
expect_synced_3() {
  local out
  out=$("$db" cluster-status "$dir") || fail "cluster-status is not 0 ($1): $out"
  [ "$(grep -c ': Synced 3 Primary$' <<<"$out")" = 3 ] || fail "not 3 nodes Synced ($1): $out"
}

start=$(date +%s)
"$db" cluster-start "$dir" "$base" || fail "cluster-start"
echo "cluster of 3 up in $(( $(date +%s) - start )) s (base port $base)"
expect_synced_3 "after cluster-start"
"$db" cluster-start "$dir" "$base" || fail "cluster-start on a running cluster is not 0"
for n in 1 2 3; do
  [ "$(sql "$n" "SELECT @@port")" = $((base + n - 1)) ] || fail "node$n does not listen on $((base + n - 1))"
  "$db" status "$dir/node$n" || fail "scripts/db status $dir/node$n"
done

# A write on one node is read on another.
sql 1 "CREATE DATABASE galera_check; CREATE TABLE galera_check.t (id INT PRIMARY KEY, v INT NOT NULL);
       INSERT INTO galera_check.t VALUES (1, 100)"
[ "$(sql 3 "SELECT v FROM galera_check.t WHERE id = 1")" = 100 ] || fail "node3 does not see node1's row"

# kill -9 node2, write on node3 while it is down, bring it back.
"$db" node-kill "$dir" 2
"$db" status "$dir/node2" && fail "node2 still answers after node-kill"
sql 3 "INSERT INTO galera_check.t VALUES (2, 200)"
log_lines=$(wc -l < "$dir/node2/error.log")
start=$(date +%s)
"$db" node-start "$dir" 2 || fail "node-start 2"
echo "node2 rejoined in $(( $(date +%s) - start )) s"
expect_synced_3 "after node2 rejoined"
[ "$(sql 2 "SELECT v FROM galera_check.t WHERE id = 2")" = 200 ] \
  || fail "node2 lacks the row written while it was down"
tail -n +"$((log_lines + 1))" "$dir/node2/error.log" | grep -q "mariabackup IST completed on joiner" \
  || fail "node2 did not rejoin by IST (a full SST, or no state transfer logged)"

# Two sessions update the same row on node1 and node3; both have updated
# before either commits. The first COMMIT wins; the other is a certification
# conflict, error 1213 at its COMMIT; no node keeps the loser's write.
session() {  # session NAME NODE: a mariadb client reading statements from NAME.in
  mkfifo "$dir/$1.in"
  mariadb --no-defaults --protocol=socket --socket="$dir/node$2/mysqld.sock" -uroot -N --unbuffered \
    <"$dir/$1.in" >"$dir/$1.out" 2>"$dir/$1.err" 3>&- 4>&- &  # not holding the other session's pipe open
  sessions+=($!)
}
alive() { [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
wait_for() {  # wait_for FILE TEXT PID: until FILE holds TEXT (1 when the client exited first)
  while ! grep -q "$2" "$1"; do
    alive "$3" || { grep -q "$2" "$1"; return; }
    sleep 0.05
  done
}
session a 1
exec 3>"$dir/a.in"
session b 3
exec 4>"$dir/b.in"
echo "BEGIN; UPDATE galera_check.t SET v = v + 1 WHERE id = 1; SELECT 'a-updated';" >&3
wait_for "$dir/a.out" a-updated "${sessions[0]}" || fail "session a: $(cat "$dir/a.err")"
echo "BEGIN; UPDATE galera_check.t SET v = v + 10 WHERE id = 1; SELECT 'b-updated';" >&4
wait_for "$dir/b.out" b-updated "${sessions[1]}" || fail "session b: $(cat "$dir/b.err")"
echo "COMMIT; SELECT 'a-committed';" >&3
exec 3>&-
a_rc=0; wait "${sessions[0]}" || a_rc=$?
echo "COMMIT; SELECT 'b-committed';" >&4
exec 4>&-
b_rc=0; wait "${sessions[1]}" || b_rc=$?
sessions=()
a_ok=0; grep -q a-committed "$dir/a.out" && a_ok=1
b_ok=0; grep -q b-committed "$dir/b.out" && b_ok=1
[ $((a_ok + b_ok)) = 1 ] \
  || fail "not exactly one commit succeeded (a: rc $a_rc $(cat "$dir/a.err"); b: rc $b_rc $(cat "$dir/b.err"))"
if [ $a_ok = 1 ]; then loser=b; want=101; else loser=a; want=110; fi
grep -q "ERROR 1213" "$dir/$loser.err" || fail "the losing commit did not fail with 1213: $(cat "$dir/$loser.err")"
echo "conflict: session $loser failed: $(grep ERROR "$dir/$loser.err")"
for n in 1 2 3; do
  [ "$(sql "$n" "SELECT v FROM galera_check.t WHERE id = 1")" = "$want" ] \
    || fail "node$n does not hold the winner's value $want"
done

"$db" cluster-stop "$dir" || fail "cluster-stop"
for n in 1 2 3; do
  "$db" status "$dir/node$n" && fail "node$n still answers after cluster-stop"
done
echo "ok: 3 nodes synced, replication, kill -9 and IST rejoin, certification conflict 1213, clean stop"
