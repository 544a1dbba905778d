#!/usr/bin/env bash
# scripts/tooling/install uses the tracked package-lock.json as it is:
# (1) with the lock in step with package.json it installs the locked tree
#     (buf runs) and leaves the lock byte for byte unchanged;
# (2) with a package.json the lock does not cover it fails with a message
#     and still leaves the lock unchanged (an `npm install` fallback would
#     rewrite it on a fresh clone).
set -euo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d /tmp/aftercare-npm-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL $*"; exit 1; }

mkdir "$tmp/ok" "$tmp/stale"
cp "$src/scripts/tooling/package.json" "$src/scripts/tooling/package-lock.json" "$tmp/ok/"
"$src/scripts/tooling/install" "$tmp/ok" || fail "install with the tracked lock failed"
cmp -s "$src/scripts/tooling/package-lock.json" "$tmp/ok/package-lock.json" \
  || fail "the install rewrote package-lock.json"
"$tmp/ok/node_modules/.bin/buf" --version >/dev/null || fail "buf from the locked tree does not run"
echo "ok: locked install, lock unchanged"

cp "$src/scripts/tooling/package-lock.json" "$tmp/stale/"
node -e '
  const p = require(process.argv[1]);
  p.dependencies["left-pad"] = "1.3.0";
  require("fs").writeFileSync(process.argv[2], JSON.stringify(p, null, 2));
' "$src/scripts/tooling/package.json" "$tmp/stale/package.json"
if "$src/scripts/tooling/install" "$tmp/stale" 2>"$tmp/err"; then
  fail "install succeeded with a package.json the lock does not cover"
fi
grep -q "npm ci failed" "$tmp/err" || fail "no clear message: $(cat "$tmp/err")"
cmp -s "$src/scripts/tooling/package-lock.json" "$tmp/stale/package-lock.json" \
  || fail "a failed install rewrote package-lock.json"
echo "ok: stale lock refused, lock unchanged"
