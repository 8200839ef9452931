#!/usr/bin/env bash
# GPU benchmark, for a machine with an NVIDIA GPU and JAX with its CUDA plugin
# (pip install "jax[cuda12]") but no Go toolchain. Build the binaries first on
# any Linux/amd64 machine and carry bin/ along:
#
#   make gpu-binaries          # bin/brainc and bin/pjrt.test
#
# then, on the GPU machine, from anywhere:
#
#   bench/gpu.sh               # writes $OUT/gpu-bench.json (OUT defaults to ./out/gpu)
#
# Steps, each under `timeout`, and all of them within BUDGET_S (300 s) in total:
#   1. the backend smoke tests (the checks of scripts/gpu-smoke.sh: brainc
#      devices, the pjrt package's graph test, COBA 4k on CUDA with the loop
#      engine and with the chunk engine at K=10;
#      GPU_SMOKE=full runs scripts/gpu-smoke.sh itself instead), then the
#      model library's operators (delays, STP, STDP, the decision network);
#   2. brainc's scaling benchmark: bin/brainc bench scale --sizes $SIZES
#      (loop engine), and the chunk engine it replaced at the first size;
#      then the first two sizes split across 1..DEVICES GPUs (--devices:
#      DEVICES defaults to the GPUs nvidia-smi lists; on a one-GPU machine
#      that is the single-GPU figure only, and the report says so);
#   3. the pure-JAX reference, bench/peers/jax_coba.py --variant event and
#      --variant dense, at each size;
#   4. one JSON merging it all: GPU name, brainc runs, JAX runs, per-size
#      ratios brainc ÷ JAX (wall and run) and µs per step; every step's
#      status (ok, error, timeout, skipped when the budget ran out) with the
#      tail of its log.
# A failing step is recorded and the script goes on; it exits 1 when any step
# failed, after writing the JSON.
#
# Settings (environment): OUT, SIZES (4000,40000,400000), DURATION_MS (1000),
# BACKEND (brainc's, cuda), JAX_PLATFORM (jax_coba.py's, gpu), BUDGET_S (300),
# SMOKE_DURATION ("1 s"), GPU_SMOKE (quick|full), the per-step caps
# BRAINC_CAP_S (100), JAX_CAP_SMALL_S (40), JAX_CAP_LARGE_S (80), PYTHON (a python with jax;
# default: the first of python3, /opt/*/.venv/bin/python, ... that imports it,
# preferring one with JAX's CUDA plugin). BACKEND=cpu JAX_PLATFORM=cpu and
# small SIZES give a CPU rehearsal of the whole script.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOMLX_NO_AUTO_INSTALL=1

OUT=${OUT:-./out/gpu}
SIZES=${SIZES:-4000,40000,400000}
DURATION_MS=${DURATION_MS:-1000}
BACKEND=${BACKEND:-cuda}
JAX_PLATFORM=${JAX_PLATFORM:-gpu}
BUDGET_S=${BUDGET_S:-300}
SMOKE_DURATION=${SMOKE_DURATION:-1 s}
GPU_SMOKE=${GPU_SMOKE:-quick}
BRAINC_CAP_S=${BRAINC_CAP_S:-100}       # brainc bench scale, all sizes together
JAX_CAP_SMALL_S=${JAX_CAP_SMALL_S:-40}  # one jax_coba.py run at n <= 100k (3 reps)
JAX_CAP_LARGE_S=${JAX_CAP_LARGE_S:-80}  # one jax_coba.py run above (1 rep)
RESERVE_S=15 # kept back for the kill grace of the last step and the merge
KILL_GRACE=5 # timeout -k: SIGKILL this long after SIGTERM

mkdir -p "$OUT/logs" "$OUT/jax" "$OUT/smoke"
OUT=$(cd "$OUT" && pwd)
STEPS="$OUT/steps.tsv" # one line per step: name, status, rc, seconds, limit, log, command
: >"$STEPS"
rm -f "$OUT/brainc-scale.json" "$OUT"/jax/*.json "$OUT/gpu-bench.json"
T0=$SECONDS
failed=0

# left: seconds of the budget still usable by steps.
left() { echo $((BUDGET_S - RESERVE_S - (SECONDS - T0))); }

# record NAME STATUS RC SECONDS LIMIT LOG COMMAND...
record() {
  local name=$1 status=$2 rc=$3 secs=$4 limit=$5 log=$6
  shift 6
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "$secs" "$limit" "$log" "$*" >>"$STEPS"
}

# run_step NAME CAP_S COMMAND...: runs COMMAND under timeout, for at most
# CAP_S seconds and never past the budget; its output goes to logs/NAME.log.
# Never fails: the outcome is recorded in steps.tsv.
run_step() {
  local name=$1 cap=$2
  shift 2
  local log="$OUT/logs/$name.log" limit rc=0 t1 status
  limit=$(($(left) - KILL_GRACE))
  ((cap < limit)) && limit=$cap
  if ((limit < 5)); then
    echo "== $name: skipped, the ${BUDGET_S} s budget is spent"
    record "$name" skipped "" 0 0 "$log" "$@"
    failed=1
    return 0
  fi
  echo "== $name (limit ${limit} s): $*"
  t1=$SECONDS
  timeout -k "$KILL_GRACE" "$limit" "$@" >"$log" 2>&1 || rc=$?
  case $rc in
  0) status=ok ;;
  124 | 137) status=timeout ;;
  *) status=error ;;
  esac
  [[ $status == ok ]] || failed=1
  tail -n 4 "$log" | cut -c1-200 | sed "s/^/   | /"
  echo "   -> $status (rc $rc, $((SECONDS - t1)) s)"
  record "$name" "$status" "$rc" $((SECONDS - t1)) "$limit" "$log" "$@"
}

# find_python: the first python that imports jax, preferring one that also
# has JAX's CUDA plugin; prints "PATH<TAB>JAX_VERSION<TAB>PLUGIN_PATH".
find_python() {
  local c p info first=""
  local probe='import importlib.util, jax
def spec(m):
    try:
        return importlib.util.find_spec(m)
    except ImportError:  # no jax_plugins package at all
        return None
s = [spec(m) for m in ("jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12")]
s = [x.submodule_search_locations[0] for x in s if x]
print(jax.__version__ + "\t" + (s[0] + "/xla_cuda_plugin.so" if s else ""))'
  for c in ${PYTHON:-} python3 python /opt/*/.venv/bin/python /opt/*/venv/bin/python /opt/*/bin/python3 \
    /opt/conda/bin/python "$HOME"/.venv/bin/python "$HOME"/venv/bin/python ./.venv*/bin/python \
    /usr/local/bin/python3 /usr/bin/python3; do
    if [[ $c == */* ]]; then p=$c; else p=$(command -v "$c" 2>/dev/null) || continue; fi
    [[ -x $p ]] || continue
    ((SECONDS - T0 < 60)) || break
    info=$(timeout 30 "$p" -c "$probe" 2>/dev/null) || continue
    if [[ $info == *$'\t'?* ]]; then
      printf '%s\t%s\n' "$p" "$info"
      return 0
    fi
    [[ -n $first ]] || first=$(printf '%s\t%s' "$p" "$info")
  done
  [[ -n $first ]] && printf '%s\n' "$first" && return 0
  return 1
}

echo "== GPU"
run_step nvidia-smi 15 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader

echo "== python with jax"
PY="" JAX_VERSION="" JAX_CUDA_PLUGIN=""
if found=$(find_python); then
  IFS=$'\t' read -r PY JAX_VERSION JAX_CUDA_PLUGIN <<<"$found"
  [[ $PY == */* ]] && PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"
  echo "   using $PY (jax $JAX_VERSION; CUDA plugin: ${JAX_CUDA_PLUGIN:-none})"
  # brainc looks for JAX's CUDA plugin in the site-packages of `python3` on
  # PATH and of $VIRTUAL_ENV: make this python that one.
  pybin=$(dirname "$PY")
  [[ -f $pybin/../pyvenv.cfg ]] && export VIRTUAL_ENV=$(cd "$pybin/.." && pwd)
  [[ -x $pybin/python3 ]] && export PATH="$pybin:$PATH"
else
  echo "   no python with jax found (tried \$PYTHON, python3, /opt/*/.venv/bin/python, ...)"
  failed=1
fi

echo "== smoke tests ($GPU_SMOKE)"
if [[ $GPU_SMOKE == full ]]; then
  run_step gpu-smoke 150 env OUT="$OUT/smoke" RUN_TIMEOUT=40 scripts/gpu-smoke.sh
else
  run_step brainc-devices 20 bin/brainc devices
  run_step brainc-devices-backend 20 bin/brainc devices --backend "$BACKEND"
  run_step pjrt-graph 30 env BRAINC_TEST_BACKEND="$BACKEND" bin/pjrt.test -test.run '^TestBackendRunsAGraph$' -test.v
  run_step smoke-coba-loop 45 bin/brainc run coba --backend "$BACKEND" --quiet \
    --duration "$SMOKE_DURATION" --out "$OUT/smoke/coba-loop"
  run_step smoke-coba-k10 45 bin/brainc run coba --backend "$BACKEND" --engine chunk --k 10 --quiet \
    --duration "$SMOKE_DURATION" --out "$OUT/smoke/coba-k10"
fi
# The model library's operators on the backend: kinetic NMDA states, the
# all-to-all and Poisson kernels (the decision network), per-synapse delay
# lines, event-driven STP and STDP.
cat >"$OUT/smoke/library.yaml" <<'YAML'
seed: 3
duration: 200 ms
populations:
  P: {size: 400, model: Poisson, params: {rate: 30 Hz}}
  N: {size: 100, model: LifRef, params: {V_th: 10, tau: 10 ms}}
projections:
  PN: {pre: P, post: N, conn: {fixed_prob: 0.2}, weight: 3, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       delay: uniform(0.5 ms, 3 ms), stp: {U: 0.3}, kernel: event}
  NN: {pre: N, post: N, conn: {fixed_prob: 0.1}, weight: 0.3, synapse: {Expon: {tau: 5 ms}}, output: CUBA,
       stdp: {A_plus: 0.01, A_minus: 0.012}, kernel: event}
YAML
run_step smoke-library 45 bin/brainc run "$OUT/smoke/library.yaml" --backend "$BACKEND" --quiet --out "$OUT/smoke/library"
run_step smoke-decision 60 bin/brainc run decision --backend "$BACKEND" --duration 300ms --quiet --out "$OUT/smoke/decision"

echo "== brainc bench scale"
run_step brainc-scale "$BRAINC_CAP_S" bin/brainc bench scale --backend "$BACKEND" --sizes "$SIZES" \
  --duration "$DURATION_MS ms" --json "$OUT/brainc-scale.json"
run_step brainc-scale-chunk 90 bin/brainc bench scale --backend "$BACKEND" --sizes "${SIZES%%,*}" --engine chunk \
  --duration "$DURATION_MS ms" --json "$OUT/brainc-scale-chunk.json"
gpus_n=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
DEVICES=${DEVICES:-$((gpus_n > 0 ? gpus_n : 1))}
device_counts=$(seq -s, 1 "$DEVICES")
IFS=, read -r -a first_sizes <<<"$SIZES"
run_step brainc-scale-devices 90 bin/brainc bench scale --backend "$BACKEND" --sizes "${first_sizes[0]},${first_sizes[1]:-${first_sizes[0]}}" \
  --devices "$device_counts" --duration "$DURATION_MS ms" --json "$OUT/brainc-scale-devices.json"
export DEVICES

echo "== JAX reference"
IFS=, read -r -a sizes <<<"$SIZES"
for n in "${sizes[@]}"; do
  for variant in event dense; do
    if [[ -z $PY ]]; then
      record "jax-$variant-$n" error "" 0 0 "" "no python with jax"
      continue
    fi
    if ((n <= 100000)); then cap=$JAX_CAP_SMALL_S reps=3; else cap=$JAX_CAP_LARGE_S reps=1; fi
    run_step "jax-$variant-$n" "$cap" "$PY" bench/peers/jax_coba.py --variant "$variant" --n "$n" \
      --duration "$DURATION_MS" --reps "$reps" --platform "$JAX_PLATFORM" --json "$OUT/jax/$variant-$n.json"
  done
done

echo "== merge"
export OUT SIZES DURATION_MS BACKEND JAX_PLATFORM BUDGET_S PY JAX_VERSION JAX_CUDA_PLUGIN
export ELAPSED_S=$((SECONDS - T0))
merge_py=${PY:-python3}
# The merge uses only the standard library; any python3 does.
if ! timeout 30 "$merge_py" - <<'PYEOF'; then
"""Merges the step records, nvidia-smi's answer, brainc's scale report and
the JAX runs into $OUT/gpu-bench.json, and prints a per-size table."""
import datetime
import glob
import json
import os
import platform

out = os.environ["OUT"]
dur_ms = float(os.environ["DURATION_MS"])


def lines(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def excerpt(path, head=8, tail=12):
    """A failed step's log: its first and last lines (the error is often at
    the top, followed by long search lists)."""
    ls = lines(path)
    if len(ls) <= head + tail:
        return ls
    return ls[:head] + [f"... ({len(ls) - head - tail} lines) ..."] + ls[-tail:]


steps = []
with open(os.path.join(out, "steps.tsv")) as f:
    for line in f:
        name, status, rc, secs, limit, log, cmd = line.rstrip("\n").split("\t", 6)
        s = dict(name=name, status=status, rc=int(rc) if rc else None, seconds=int(secs),
                 limit_s=int(limit), log=os.path.relpath(log, out) if log else None, command=cmd)
        if status != "ok" and log:
            s["log_excerpt"] = excerpt(log)
        steps.append(s)
by_name = {s["name"]: s for s in steps}

gpus = []
if by_name.get("nvidia-smi", {}).get("status") == "ok":
    for line in lines(os.path.join(out, "logs", "nvidia-smi.log")):
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3:
            gpus.append(dict(name=parts[0], memory=parts[1], driver=parts[2]))

smoke = {}
for path in glob.glob(os.path.join(out, "smoke", "*", "summary.json")):
    with open(path) as f:
        smoke[os.path.basename(os.path.dirname(path))] = json.load(f)

brainc, brainc_runs = None, {}
try:
    with open(os.path.join(out, "brainc-scale.json")) as f:
        brainc = json.load(f)
    runs = brainc.get("runs", []) if isinstance(brainc, dict) else brainc
    brainc_runs = {int(r["n"]): r for r in runs if isinstance(r, dict) and "n" in r and not r.get("error")}
except (OSError, ValueError) as e:
    s = by_name.get("brainc-scale", {})
    brainc = dict(error=f"no report ({s.get('status', 'not run')}): {e}", log_excerpt=s.get("log_excerpt", []))

brainc_chunk = None  # the chunk engine (the path the loop replaced), first size
try:
    with open(os.path.join(out, "brainc-scale-chunk.json")) as f:
        brainc_chunk = json.load(f)
except (OSError, ValueError) as e:
    brainc_chunk = dict(error=f"no report: {e}")

brainc_devices = None  # the first sizes split across 1..DEVICES devices
try:
    with open(os.path.join(out, "brainc-scale-devices.json")) as f:
        brainc_devices = json.load(f)
except (OSError, ValueError) as e:
    brainc_devices = dict(error=f"no report: {e}")
if os.environ.get("DEVICES") == "1" and isinstance(brainc_devices, dict):
    brainc_devices["note"] = "one device only: multi-GPU was not run (the machine has one GPU)"

jax_runs = []
for path in sorted(glob.glob(os.path.join(out, "jax", "*.json"))):
    with open(path) as f:
        jax_runs.append(json.loads(f.read().splitlines()[-1]))
jax_by = {(r["variant"], int(r["n"])): r for r in jax_runs}


def ratio(a, b):
    return a / b if a is not None and b else None


steps_n = round(dur_ms / 0.1)
compare = []
for n in [int(x) for x in os.environ["SIZES"].split(",")]:
    b = brainc_runs.get(n)
    row = dict(n=n)
    if b:
        b_steps = b.get("steps") or steps_n
        row.update(brainc_wall_s=b.get("wall_s"), brainc_compile_s=b.get("compile_s"), brainc_run_s=b.get("run_s"),
                   brainc_us_per_step=b.get("us_per_step") or (b["run_s"] / b_steps * 1e6 if b.get("run_s") else None),
                   brainc_syn_events_per_s=b.get("syn_events_per_s"))
    for v in ("event", "dense"):
        j = jax_by.get((v, n))
        if not j:
            row[f"jax_{v}"] = by_name.get(f"jax-{v}-{n}", {}).get("status", "not run")
            continue
        row.update({f"jax_{v}_wall_s": j["wall_s"], f"jax_{v}_compile_s": j["compile_s"],
                    f"jax_{v}_run_s": j["run_s"], f"jax_{v}_us_per_step": j["run_s"] / j["steps"] * 1e6,
                    f"jax_{v}_syn_events_per_s": j["syn_events_per_s"],
                    f"jax_{v}_rates_hz": j["rates"]})
        if b:
            row[f"brainc_wall_over_jax_{v}_wall"] = ratio(b.get("wall_s"), j["wall_s"])
            row[f"brainc_run_over_jax_{v}_run"] = ratio(b.get("run_s"), j["run_s"])
    ev, de = jax_by.get(("event", n)), jax_by.get(("dense", n))
    if ev and de:
        row["jax_event_dense_same_spikes"] = ev["spike_counts_per_step_sha"] == de["spike_counts_per_step_sha"]
    compare.append(row)

report = dict(
    meta=dict(date=datetime.datetime.now().isoformat(timespec="seconds"), host=platform.node(), gpus=gpus,
              sizes=os.environ["SIZES"], duration_ms=dur_ms, brainc_backend=os.environ["BACKEND"],
              jax_platform=os.environ["JAX_PLATFORM"], python=os.environ.get("PY") or None,
              jax=os.environ.get("JAX_VERSION") or None, jax_cuda_plugin=os.environ.get("JAX_CUDA_PLUGIN") or None,
              budget_s=int(os.environ["BUDGET_S"]), elapsed_s=int(os.environ["ELAPSED_S"]),
              all_ok=all(s["status"] == "ok" for s in steps)),
    notes=["wall_s: brainc's is its report's; jax_coba.py's runs from process start (python imports "
           "included) to the end of its first complete run (connectivity build, transfer, compile, "
           "overflow re-runs); run_s: brainc's run phase, jax's median compiled-simulation call",
           "ratios are brainc / jax: below 1, brainc is faster"],
    steps=steps, smoke=smoke, brainc=brainc, brainc_chunk=brainc_chunk, brainc_devices=brainc_devices,
    jax=jax_runs, compare=compare)
path = os.path.join(out, "gpu-bench.json")
with open(path, "w") as f:
    json.dump(report, f, indent=1)
print(f"wrote {path}")
fmt = lambda x: "—" if x is None else f"{x:.3g}"  # noqa: E731
print(f"{'n':>9} {'brainc µs/step':>15} {'brainc compile':>15} {'jax ev µs/step':>15} {'jax ev compile':>15} "
      f"{'jax dn µs/step':>15} {'wall b/ev':>9} {'wall b/dn':>9} {'run b/ev':>9} {'run b/dn':>9}")
for r in compare:
    print(f"{r['n']:>9} {fmt(r.get('brainc_us_per_step')):>15} {fmt(r.get('brainc_compile_s')):>15} "
          f"{fmt(r.get('jax_event_us_per_step')):>15} {fmt(r.get('jax_event_compile_s')):>15} "
          f"{fmt(r.get('jax_dense_us_per_step')):>15} {fmt(r.get('brainc_wall_over_jax_event_wall')):>9} "
          f"{fmt(r.get('brainc_wall_over_jax_dense_wall')):>9} {fmt(r.get('brainc_run_over_jax_event_run')):>9} "
          f"{fmt(r.get('brainc_run_over_jax_dense_run')):>9}")
for r in (brainc_chunk or {}).get("runs", []):
    if r.get("run_s"):
        print(f"chunk engine (K={r.get('k')}) at {r['n']}: {1e6 * r['run_s'] / r['steps']:.3g} µs/step, "
              f"compile {r.get('compile_s', 0):.3g} s")
PYEOF
  echo "merge failed; the raw results are under $OUT"
  printf '{"error": "merge failed", "out": "%s"}\n' "$OUT" >"$OUT/gpu-bench.json"
  failed=1
fi
echo "== done in $((SECONDS - T0)) s; steps: $(cut -f1,2 "$STEPS" | tr '\t\n' ': ')"
exit $failed
