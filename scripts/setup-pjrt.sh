#!/usr/bin/env bash
# Installs the XLA CPU PJRT plugin where go-xla looks for it
# (~/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so, or $BRAINC_PJRT_DIR), then
# proves it loads with `brainc devices --backend cpu`. Idempotent: quiet when
# the plugin is already there and loads.
#
# Route 1: go-xla's own installer (downloads from GitHub).
# Route 2 (GitHub unreachable, as on CI): the pinned PyPI wheel below, fetched
# with `pip download` and checked against its sha256. See docs/backends.md for
# why this wheel was chosen.
set -euo pipefail

BRAINC=${BRAINC:-bin/brainc}
DEST=${BRAINC_PJRT_DIR:-$HOME/.local/lib/go-xla}
PLUGIN="$DEST/pjrt_c_api_cpu_plugin.so"
WHEEL_PKG=lammps-jax-pjrt-cpu
WHEEL_VERSION=0.11.2
WHEEL_FILE=lammps_jax_pjrt_cpu-0.11.2-py3-none-manylinux_2_27_x86_64.whl
WHEEL_SHA256=1319390d948b39f69f7dade496b7c385149d9ca6097a6b62114da113216d9ad1
WHEEL_MEMBER=lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so

check() { PJRT_PLUGIN_LIBRARY_PATH="$DEST" "$BRAINC" devices --backend cpu >/tmp/brainc-devices.$$ 2>&1; }

if [ -f "$PLUGIN" ] && check; then
  rm -f /tmp/brainc-devices.$$
  exit 0
fi

echo "setup: installing the XLA CPU PJRT plugin into $DEST"
mkdir -p "$DEST"
if [ -z "${BRAINC_PJRT_DIR:-}" ] && "$BRAINC" setup --timeout 60s 2>/dev/null && [ -f "$PLUGIN" ] && check; then
  echo "setup: installed by go-xla's installer"
else
  echo "setup: go-xla's installer could not fetch the plugin (GitHub unreachable?); using the PyPI wheel $WHEEL_PKG==$WHEEL_VERSION"
  command -v python3 >/dev/null || { echo "setup: python3 with pip is needed to fetch the plugin wheel" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "$WHEEL_PKG==$WHEEL_VERSION"
  whl="$tmp/$WHEEL_FILE"
  [ -f "$whl" ] || { echo "setup: pip did not produce $WHEEL_FILE (got: $(ls "$tmp"))" >&2; exit 1; }
  got=$(sha256sum "$whl" | cut -d' ' -f1)
  if [ "$got" != "$WHEEL_SHA256" ]; then
    echo "setup: $WHEEL_FILE has sha256 $got, expected $WHEEL_SHA256" >&2
    exit 1
  fi
  python3 - "$whl" "$WHEEL_MEMBER" "$PLUGIN.tmp" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  mv "$PLUGIN.tmp" "$PLUGIN"
fi

if ! check; then
  echo "setup: FAILED: the CPU PJRT plugin at $PLUGIN does not load:" >&2
  cat /tmp/brainc-devices.$$ >&2
  rm -f /tmp/brainc-devices.$$
  exit 1
fi
cat /tmp/brainc-devices.$$
rm -f /tmp/brainc-devices.$$
