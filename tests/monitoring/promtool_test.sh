#!/usr/bin/env bash
# Unit tests of the alerting rules: extracts the rule groups of
# k8s/monitoring/prometheusrule.yaml (the only copy) into a plain rules file,
# checks it (`promtool check rules`), requires every alert to be tested both
# firing and silent, and runs `promtool test rules` on tests/monitoring/*.test.yaml.
set -euo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v promtool >/dev/null || { echo "FAIL promtool is not installed (Debian package prometheus; scripts/install-deps)"; exit 1; }
command -v node >/dev/null || { echo "FAIL node is not installed (scripts/install-deps)"; exit 1; }
[ -f "$src/scripts/tooling/node_modules/yaml/package.json" ] || "$src/scripts/tooling/install"
tmp=$(mktemp -d /tmp/aftercare-promtool-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp "$src"/tests/monitoring/*.test.yaml "$tmp/"
node "$src/tests/monitoring/extract_rules.mjs" --source-dir "$src" --out "$tmp/rules.yaml" "$tmp"/*.test.yaml
promtool check rules "$tmp/rules.yaml"
cd "$tmp"
promtool test rules ./*.test.yaml
