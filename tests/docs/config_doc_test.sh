#!/usr/bin/env bash
# Every flag of every service binary is documented: the common ones in
# docs/CONFIGURATION.md, a service's own in docs/<svc>-svc.md.
set -euo pipefail
root=${AFTERCARE_SOURCE_DIR:?}
build=${AFTERCARE_BUILD_DIR:?}
missing=0
for svc in inventory case rma licensing; do
  for flag in $("$build/$svc-svc/$svc-svc" --help | sed -n 's/^  --\([a-z0-9_]*\).*/\1/p'); do
    docs=("$root/docs/CONFIGURATION.md")
    [ -f "$root/docs/$svc-svc.md" ] && docs+=("$root/docs/$svc-svc.md")
    if ! grep -qF -- "\`--$flag\`" "${docs[@]}"; then
      echo "neither docs/CONFIGURATION.md nor docs/$svc-svc.md documents --$flag of $svc-svc"
      missing=1
    fi
  done
done
[ $missing = 0 ] && echo "1 passed, 0 failed"
exit $missing

