#!/usr/bin/env bash
# Checks that the runtime image cannot miss a shared library: every library
# each service binary loads (ldd, transitively) must come from a Debian
# package that k8s/runtime-packages.txt lists (and k8s/Dockerfile installs).
#
#   tests/k8s/check_runtime_libs.sh BINARY...
#   tests/k8s/check_runtime_libs.sh            (the four services under $AFTERCARE_BUILD_DIR)
set -uo pipefail
src=${AFTERCARE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
list=$src/k8s/runtime-packages.txt

bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  build=${AFTERCARE_BUILD_DIR:-$src/build}
  for svc in inventory-svc case-svc rma-svc licensing-svc; do bins+=("$build/$svc/$svc"); done
fi
command -v ldd >/dev/null || { echo "FAIL ldd is not installed"; exit 1; }
command -v dpkg >/dev/null || { echo "FAIL dpkg is not installed: this check runs on Debian"; exit 1; }
[ -f "$list" ] || { echo "FAIL $list does not exist"; exit 1; }
mapfile -t wanted < <(grep -vE '^[[:space:]]*(#|$)' "$list" | sed 's/[[:space:]]*$//')

# The package that owns a file, tolerating merged /usr (/lib -> /usr/lib).
owner() {
  local f=$1 out
  for candidate in "$f" "$(readlink -f "$f")" "/usr$f"; do
    out=$(dpkg -S "$candidate" 2>/dev/null | head -1) || true
    if [ -n "$out" ]; then
      out=${out%%: /*}           # "pkg:arch: /path" -> "pkg:arch"
      out=${out%%,*}             # diverted: first owner
      echo "${out%%:*}"          # drop ":arch"
      return 0
    fi
  done
  return 1
}
listed() { local p; for p in "${wanted[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

fails=0
unread=0
checked=0
declare -A used=()
for bin in "${bins[@]}"; do
  if [ ! -x "$bin" ]; then
    echo "FAIL $bin does not exist or is not executable (build the services first)"
    fails=$((fails + 1)); unread=1; continue
  fi
  out=$(ldd "$bin" 2>&1) || { echo "FAIL ldd $bin: $out"; fails=$((fails + 1)); unread=1; continue; }
  if grep -q "not found" <<<"$out"; then
    echo "FAIL $bin: libraries not found on this machine: $(grep 'not found' <<<"$out" | awk '{print $1}' | xargs)"
    fails=$((fails + 1))
  fi
  # "libx.so => /path (0x...)" and the loader "/lib64/ld-linux-x86-64.so.2 (0x...)".
  while read -r lib; do
    [ -n "$lib" ] || continue
    checked=$((checked + 1))
    if ! pkg=$(owner "$lib"); then
      echo "FAIL $(basename "$bin") needs $lib, which no Debian package provides: the runtime image cannot get it from k8s/runtime-packages.txt"
      fails=$((fails + 1)); continue
    fi
    used[$pkg]=1
    if ! listed "$pkg"; then
      echo "FAIL $(basename "$bin") needs $lib from Debian package $pkg, which k8s/runtime-packages.txt does not list (the image would miss it)"
      fails=$((fails + 1))
    fi
  done < <(awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]+ \(0x/{print $1}' <<<"$out" | sort -u)
done

for p in "${wanted[@]}"; do
  [ "$unread" = 0 ] || break
  case "$p" in tzdata|ca-certificates) continue ;; esac  # data, not libraries
  [ -n "${used[$p]:-}" ] || echo "note: k8s/runtime-packages.txt lists $p, which no binary loads (remove it if nothing needs it)"
done
if [ "$fails" -gt 0 ]; then
  echo "runtime libraries: $fails problem(s) in ${#bins[@]} binaries"
  exit 1
fi
echo "runtime libraries: ${#bins[@]} binaries, $checked library references, all from the packages of k8s/runtime-packages.txt"
