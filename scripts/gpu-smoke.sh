#!/usr/bin/env bash
# GPU smoke test, for a machine with an NVIDIA GPU and JAX's CUDA plugin
# (pip install "jax[cuda12]") but no Go toolchain. Build the binaries first
# on any Linux/amd64 machine:
#
#   make gpu-binaries          # bin/brainc and bin/pjrt.test
#
# then, on the GPU machine, from the repository root:
#
#   scripts/gpu-smoke.sh       # prints devices, runs a graph and COBA on CUDA
#
# It finds JAX's plugin (jax_plugins/xla_cuda12|13) by itself; set
# BRAINC_BACKEND=/abs/path/xla_cuda_plugin.so to pick another.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOMLX_NO_AUTO_INSTALL=1
OUT=${OUT:-/tmp/brainc-gpu}
mkdir -p "$OUT"

echo "== nvidia-smi"
nvidia-smi -L || true
echo "== brainc devices"
bin/brainc devices
echo "== brainc devices --backend cuda"
bin/brainc devices --backend cuda
echo "== a small graph on CUDA (pjrt package test, CUDA backend)"
BRAINC_TEST_BACKEND=cuda bin/pjrt.test -test.run 'TestBackendRunsAGraph' -test.v
# Each run is bounded: the chunk engine's compile time grows with the
# unrolled steps K; the loop engine's does not.
status=0
echo "== COBA 4k, 1 s, on CUDA, loop engine"
timeout "${RUN_TIMEOUT:-150}" bin/brainc run coba --backend cuda --quiet --out "$OUT/coba-loop" || { echo "(loop failed or timed out: $?)"; status=1; }
for k in 1 10; do
  echo "== COBA 4k, 1 s, on CUDA, chunk engine, K=$k"
  timeout "${RUN_TIMEOUT:-150}" bin/brainc run coba --backend cuda --engine chunk --k "$k" --quiet --out "$OUT/coba-k$k" || { echo "(K=$k failed or timed out: $?)"; status=1; }
done
echo "== CUBA 4k, 1 s, on CUDA, loop engine"
timeout "${RUN_TIMEOUT:-150}" bin/brainc run cuba --backend cuda --quiet --out "$OUT/cuba-loop" || status=1
exit $status
