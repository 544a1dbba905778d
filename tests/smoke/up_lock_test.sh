#!/usr/bin/env bash
# A second scripts/up on a data folder in use is refused at once, says who
# holds the folder, and starts (and stops) nothing.
set -euo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$(mktemp -d /tmp/aftercare-uplock-XXXXXX)
holder=
cleanup() { [ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }

mkdir -p "$data/logs"
echo "pid 4242 (someone@elsewhere), started 2026-12-05T10:00:00Z" > "$data/up.owner"
flock "$data/up.lock" sleep 120 &
holder=$!
for _ in $(seq 1 50); do flock -n "$data/up.lock" true 2>/dev/null || break; sleep 0.1; done

set +e
out=$(AFTERCARE_DATA_DIR="$data" AFTERCARE_SKIP_BUILD=1 AFTERCARE_MYSQL_PORT=1 \
      timeout 60 "$src/scripts/up" 2>&1)
code=$?
set -e
[ "$code" = 1 ] || fail "scripts/up on a folder in use exited $code, not 1: $out"
grep -q "is in use by another scripts/up: pid 4242 (someone@elsewhere)" <<<"$out" \
  || fail "the refusal does not say who holds the folder: $out"
[ ! -e "$data/mariadb" ] || fail "scripts/up touched the MariaDB folder of the running one"
grep -q "pid 4242" "$data/up.owner" || fail "scripts/up overwrote the owner of the folder"
echo "ok: refused, owner named, nothing started"
