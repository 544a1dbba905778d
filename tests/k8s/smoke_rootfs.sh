#!/usr/bin/env bash
# Manual smoke test of the runtime image without a container engine (not run
# by ctest: it needs root, debootstrap and Debian's package mirror).
#
# Builds a Debian 12 minbase root file system (close to debian:12-slim),
# installs exactly k8s/runtime-packages.txt as k8s/Dockerfile does, copies the
# four binaries, then for each service, with the settings of its rendered dev
# ConfigMap, as user 10001 on a read-only root with a tmpfs /tmp (as the pods
# run): runs the init container's command (--migrate_only=true, must exit 0),
# starts the server, checks the health names the probes use ("readiness",
# "liveness", "") with `buf curl`, scrapes /metrics, sends SIGTERM (must exit
# 0 within shutdown_grace). The database is a throwaway MariaDB (scripts/db).
#
#   sudo tests/k8s/smoke_rootfs.sh [BUILD_DIR]      (ROOTFS=/path reuses a root fs)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
work=$(mktemp -d /tmp/aftercare-smoke-XXXXXX)
rootfs=${ROOTFS:-$work/rootfs}
db_port=${SMOKE_DB_PORT:-33998}
buf=$src/scripts/tooling/node_modules/.bin/buf

[ "$(id -u)" = 0 ] || { echo "smoke_rootfs: run as root (chroot, mounts)"; exit 2; }
command -v debootstrap >/dev/null || { echo "smoke_rootfs: apt-get install debootstrap"; exit 2; }
[ -x "$buf" ] || { echo "smoke_rootfs: scripts/install-deps first (buf)"; exit 2; }

cleanup() { "$src/scripts/db" stop "$work/db" >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
  echo "== debootstrap bookworm (minbase) into $rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log"
fi
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
grep -vE '^[[:space:]]*(#|$)' "$src/k8s/runtime-packages.txt" >"$rootfs/tmp/runtime-packages.txt"
echo "== installing k8s/runtime-packages.txt"
chroot "$rootfs" /bin/sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
  xargs -a /tmp/runtime-packages.txt apt-get install -y -qq --no-install-recommends' >"$work/apt.log" 2>&1
for svc in inventory-svc case-svc rma-svc licensing-svc; do
  install -m 0755 "$build/$svc/$svc" "$rootfs/usr/local/bin/$svc"
done

echo "== database"
"$src/scripts/db" start "$work/db" "$db_port" >/dev/null
"$src/scripts/db" setup "$work/db"
# The Secrets, mounted where the manifests mount them.
mkdir -p "$rootfs"/etc/aftercare/{db,jwt,page-tokens,service-token,license-signing}
cp "$work/db/aftercare.password" "$rootfs/etc/aftercare/db/password"
printf 'dev-only-hs256-secret-0123456789abcdef' >"$rootfs/etc/aftercare/jwt/hs256-secret"
printf 'smoke-page-token-secret' >"$rootfs/etc/aftercare/page-tokens/secret"
"$src/k8s/overlays/dev/secrets/generate.sh"
cp "$src/k8s/overlays/dev/secrets/dev-only-license-signing-key.pem" "$rootfs/etc/aftercare/license-signing/signing-key.pem"
chmod -R a+rX "$rootfs/etc/aftercare"

kubectl kustomize "$src/k8s/overlays/dev" >"$work/dev.yaml"
fails=0
for svc in inventory-svc case-svc rma-svc licensing-svc; do
  echo "== $svc"
  node -e '
    const Y = require(process.argv[1]); const fs = require("fs");
    const docs = Y.parseAllDocuments(fs.readFileSync(process.argv[2], "utf8")).map((d) => d.toJSON());
    // The ConfigMap the Deployment reads (generated: <svc>-config-<hash>).
    const dep = docs.find((d) => d.kind === "Deployment" && d.metadata.name === process.argv[3]);
    const name = dep.spec.template.spec.containers[0].envFrom.find((e) => e.configMapRef).configMapRef.name;
    const cm = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === name);
    for (const [k, v] of Object.entries(cm.data)) console.log(`export ${k}=${JSON.stringify(v)}`);
  ' "$src/scripts/tooling/node_modules/yaml" "$work/dev.yaml" "$svc" >"$work/$svc.env"
  cat >"$work/$svc.run" <<EOF
set -u
mount --bind "$rootfs" "$rootfs" && mount -o remount,ro,bind "$rootfs"
mount -t tmpfs -o size=64m tmpfs "$rootfs/tmp"
source "$work/$svc.env"
export AFTERCARE_MYSQL_HOST=127.0.0.1 AFTERCARE_MYSQL_PORT=$db_port AFTERCARE_MYSQL_USER=aftercare
run() { chroot --userspec=10001:10001 "$rootfs" /usr/local/bin/$svc "\$@"; }
if touch "$rootfs/usr/.w" 2>/dev/null; then echo "FAIL root fs is writable"; exit 1; fi
run --migrate_only=true >"$work/$svc.migrate.log" 2>&1 || { echo "FAIL init container (--migrate_only) exited \$?: \$(tail -1 $work/$svc.migrate.log)"; exit 1; }
echo "init container (--migrate_only): exit 0"
# Directly (not through the function): SIGTERM must reach the service itself.
chroot --userspec=10001:10001 "$rootfs" /usr/local/bin/$svc >"$work/$svc.log" 2>&1 &
pid=\$!
trap 'kill -KILL \$pid 2>/dev/null || true' EXIT
for i in \$(seq 1 50); do
  "$buf" curl --protocol grpc --http2-prior-knowledge -d '{"service":"liveness"}' \
    http://127.0.0.1:\$AFTERCARE_GRPC_PORT/grpc.health.v1.Health/Check >/dev/null 2>&1 && break
  sleep 0.2
done
bad=0
for name in readiness liveness ""; do
  out=\$("$buf" curl --protocol grpc --http2-prior-knowledge -d "{\"service\":\"\$name\"}" \
    http://127.0.0.1:\$AFTERCARE_GRPC_PORT/grpc.health.v1.Health/Check 2>&1 | tr -d ' \n')
  echo "health '\$name': \$out"
  [ "\$out" = '{"status":"SERVING"}' ] || bad=1
done
n=\$(curl -s http://127.0.0.1:\$AFTERCARE_METRICS_PORT/metrics | grep -c '^# TYPE' || true)
echo "metrics: \$n metric families"; [ "\$n" -gt 0 ] || bad=1
kill -TERM \$pid; wait \$pid; rc=\$?
echo "SIGTERM: exit \$rc"; [ \$rc = 0 ] || bad=1
[ \$bad = 0 ] || { echo "FAIL"; tail -5 "$work/$svc.log"; exit 1; }
EOF
  unshare -m bash "$work/$svc.run" || fails=$((fails + 1))
done
echo "smoke_rootfs: $((4 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
