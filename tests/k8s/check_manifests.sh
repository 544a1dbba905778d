#!/usr/bin/env bash
# Renders every kustomize overlay of k8s/ with `kubectl kustomize` and
# validates the result (tests/k8s/validate_manifests.mjs): Kubernetes API
# schemas, the suite's rules, the Dockerfile, and, given a build directory,
# the binaries' defaults and flags against the manifests. Then breaks the
# rendered objects one way at a time (--self-test) to prove every check
# fires. Last, changes configuration values in a copy of k8s/ and renders
# again (tests/k8s/check_config_rollout.mjs): exactly the Deployments that
# read a changed value get a new pod template, so they roll. Exits non-zero
# with a FAIL line per problem.
#
#   tests/k8s/check_manifests.sh [BUILD_DIR]     (default: $AFTERCARE_BUILD_DIR)
set -euo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${1:-${AFTERCARE_BUILD_DIR:-}}

fail() { echo "FAIL $*"; exit 1; }
command -v kubectl >/dev/null || fail "kubectl is not installed: it renders the kustomize overlays (kubectl kustomize)"
command -v node >/dev/null || fail "node is not installed (scripts/install-deps installs it)"
# The dev overlay's license signing key is generated, never committed.
"$src/k8s/overlays/dev/secrets/generate.sh" || fail "cannot generate the dev license signing key (openssl)"

# The validator's npm packages (scripts/tooling/package.json). Installed by
# scripts/install-deps; installed here too when an older checkout's tooling
# lacks them.
tooling=$src/scripts/tooling
need_ci=0
for m in kubernetes-models @kubernetes-models/prometheus-operator yaml; do
  [ -f "$tooling/node_modules/$m/package.json" ] || need_ci=1
done
if [ "$need_ci" = 1 ]; then
  echo "check_manifests: installing the npm tooling (npm ci in scripts/tooling)"
  "$tooling/install" || fail "npm ci in scripts/tooling failed: the schema validator cannot run"
fi

tmp=$(mktemp -d /tmp/aftercare-k8s-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
status=0

if ! kubectl kustomize "$src/k8s/base" >"$tmp/base.yaml" 2>"$tmp/base.err"; then
  echo "FAIL kubectl kustomize k8s/base: $(cat "$tmp/base.err")"
  status=1
fi
overlay_args=()
for dir in "$src"/k8s/overlays/*/; do
  name=$(basename "$dir")
  if kubectl kustomize "$dir" >"$tmp/$name.yaml" 2>"$tmp/$name.err"; then
    echo "rendered k8s/overlays/$name: $(grep -c '^kind:' "$tmp/$name.yaml") objects"
    overlay_args+=(--overlay "$name=$tmp/$name.yaml")
  else
    echo "FAIL kubectl kustomize k8s/overlays/$name: $(cat "$tmp/$name.err")"
    status=1
  fi
done

build_args=()
[ -n "$build" ] && build_args=(--build-dir "$build")
node "$src/tests/k8s/validate_manifests.mjs" --source-dir "$src" "${build_args[@]}" \
  "${overlay_args[@]}" --self-test || status=1
node "$src/tests/k8s/check_config_rollout.mjs" --source-dir "$src" || status=1
exit $status
