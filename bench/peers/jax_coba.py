"""Pure-JAX reference of the peer harness's E/I network (COBA by default).

The network is the one brainc_peer.py gives brainc and brainpy_peer.py gives
BrainPy (common.MODELS, common.IN_E/IN_I): N LifRef neurons, 80 % E and 20 % I,
fixed in-degree 64 E + 16 I per neuron without self-connections, Expon
synapses kept per postsynaptic neuron (one conductance per synapse type),
COBA outputs. Each step of dt, in BrainPy's and brainc's order:

  1. synapses: g ← g + dt·φ(−dt/τ_s)·(−g/τ_s) + w·(presynaptic spikes of the
     previous step arriving at this neuron), with φ(x) = expm1(x)/x — the
     exponential-Euler step, exact for the linear decay;
  2. neurons: I = input + g_e·(E_e − V) + g_i·(E_i − V), evaluated at the V
     the step starts from and held; V ← V + dt·φ(−dt/τ)·(−(V − V_rest) + I)/τ;
     a neuron whose last spike is at most tau_ref ago (in steps: ≤
     floor(tau_ref/dt)) keeps its V; V ≥ V_th spikes and resets to V_reset.

Two ways to deliver the spikes (``--variant``), same network, same numbers:

  dense  every step, scatter-add spike[pre] over the whole synapse list
         (jax.ops.segment_sum over all 80·N synapses);
  event  exact event-driven delivery: the step's spiking neurons are compacted
         into a fixed capacity C (jnp.nonzero(size=C, fill_value=N)), their
         fan-out rows are gathered from a pre-major ELL table [N+1, Dmax]
         (padding and row N hold an out-of-range target the scatter drops),
         and scatter-added. The scan
         returns every step's spike count; a run where any step had more than
         C spikes dropped some, so it is thrown away and the whole simulation
         re-run with a larger capacity (at least double) until none overflows.

Both variants sum spike *counts* per target and multiply by the (uniform)
weight afterwards: sums of 0/1 are exact in float32 in any order, so the two
variants produce bit-identical conductances and therefore identical spikes.

Connectivity and initial V come from one numpy Generator seeded by --seed
(V0 of E, V0 of I, then E2E, E2I, I2E, I2I, the order brainpy_peer.py uses),
built with vectorised numpy (no Python loop over neurons), so 4M neurons
(320M synapses) is practical. It is not the same draw as brainc's or
BrainPy's generator: compare statistics (rates), not spike trains.

Timings: compile_s is jit(...).lower(...).compile() of the final program;
run_s the median over --reps calls of the compiled simulation (device
arrays in place, block_until_ready); wall_s runs from process start (imports
included) to the end of the first complete, non-overflowing run, so it holds
the connectivity build, the transfer, every compile and any overflowed runs.

Prints one JSON line (the harness's fields: simulator, version, model, n,
wall_s, run_s, compile_s, rates, cv_isi (null: spike times are not kept), ...
plus this script's own) and writes it to --json if given. Example:

  .venv-peers/bin/python bench/peers/jax_coba.py --variant event --n 4000 --duration 200
"""
import hashlib
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import IN_E, IN_I, initial_v, parse_args  # noqa: E402

T_START = time.perf_counter()


def extra_args(p):
    """The arguments this script adds to common.parse_args."""
    p.description = "Pure-JAX reference of the peer harness's COBA/CUBA network (dense or event-driven)."
    p.add_argument("--variant", choices=("dense", "event"), default="event",
                   help="spike delivery: dense scatter over all synapses, or event-driven with a capacity")
    p.add_argument("--reps", type=int, default=3, help="timed runs of the compiled simulation (median reported)")
    p.add_argument("--json", metavar="OUT", default=None, help="also write the result JSON to this file")
    p.add_argument("--platform", choices=("cpu", "gpu"), default=None,
                   help="force a JAX platform (gpu means CUDA); default: let JAX pick")
    p.add_argument("--capacity", type=int, default=0,
                   help="event variant: initial spikes-per-step capacity C (0: about 4%% of N, at least 64)")
    p.add_argument("--unroll", type=int, default=1, help="lax.scan unroll factor")


def log(*msg):
    """Progress on stderr; stdout carries only the JSON line."""
    print(*msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- connectivity

def fixed_in_degree_rows(rng, npre, npost, k, same):
    """[npost, k] int32: row j holds k distinct presynaptic indices drawn
    uniformly from range(npre), never j itself when `same` (pre and post are
    one population). Vectorised: draw k per row with replacement, then
    redraw only the duplicated entries until no row has any. Every step is
    invariant under relabelling the candidates, so each row is a uniform
    k-subset. Rows come out sorted."""
    m = npre - 1 if same else npre
    if k > m:
        raise ValueError(f"in-degree {k} needs at least {k} candidates, have {m}")
    c = rng.integers(0, m, size=(npost, k), dtype=np.int32)
    c.sort(axis=1)
    bad = np.flatnonzero((c[:, 1:] == c[:, :-1]).any(axis=1))
    while bad.size:
        sub = c[bad]
        dup = np.zeros(sub.shape, dtype=bool)
        dup[:, 1:] = sub[:, 1:] == sub[:, :-1]
        sub[dup] = rng.integers(0, m, size=int(dup.sum()), dtype=np.int32)
        sub.sort(axis=1)
        c[bad] = sub
        bad = bad[(sub[:, 1:] == sub[:, :-1]).any(axis=1)]
    if same:
        # Candidates are 0..npre-2; shift those at or above j past j (order kept).
        c += c >= np.arange(npost, dtype=np.int32)[:, None]
    return c


def build_network(a):
    """Initial V and the synapse list of the whole network, neurons numbered
    E first (0..NE-1) then I (NE..N-1).

    Returns (v0 float32 [N], pre int32 [S], tgt int32 [S]) with S = 80·N. tgt
    is the postsynaptic neuron j for an excitatory synapse and N + j for an
    inhibitory one, so one scatter into 2N slots fills both conductances.
    The list is all E synapses (post-major), then all I synapses: tgt is
    sorted."""
    n, ne, ni, m = a.n, a.ne, a.ni, a.p
    rng = np.random.default_rng(a.seed)
    v0 = np.concatenate([initial_v(rng, ne, m["v0"]), initial_v(rng, ni, m["v0"])]).astype(np.float32)
    e2e = fixed_in_degree_rows(rng, ne, ne, IN_E, True)
    e2i = fixed_in_degree_rows(rng, ne, ni, IN_E, False)
    i2e = fixed_in_degree_rows(rng, ni, ne, IN_I, False) + np.int32(ne)
    i2i = fixed_in_degree_rows(rng, ni, ni, IN_I, True) + np.int32(ne)
    pre = np.concatenate([e2e.ravel(), e2i.ravel(), i2e.ravel(), i2i.ravel()])
    del e2e, e2i, i2e, i2i
    post = np.arange(n, dtype=np.int32)
    tgt = np.concatenate([np.repeat(post, IN_E), np.repeat(post + np.int32(n), IN_I)])
    return v0, pre, tgt


def ell_table(pre, tgt, n):
    """Pre-major ELL fan-out table [N+1, Dmax] int32: row p lists the targets
    (tgt numbering) of neuron p's synapses; padding, and all of row N (the
    fill index of the compaction), hold 2N, one past the last target, which
    the scatter drops."""
    # Sort (pre, tgt) pairs packed in one int64 (pre in the high half): a
    # plain value sort, several times faster than argsort on large arrays.
    key = pre.astype(np.int64)
    key <<= 32
    key |= tgt
    key.sort()
    halves = key.view(np.int32).reshape(-1, 2)  # little-endian: [:, 0] = tgt, [:, 1] = pre
    if np.little_endian is False:
        halves = halves[:, ::-1]
    counts = np.bincount(halves[:, 1], minlength=n)
    dmax = int(counts.max())
    table = np.full((n + 1, dmax), 2 * n, dtype=np.int32)
    # Row p's first counts[p] slots, in row-major order, are exactly the
    # sorted pairs with pre = p.
    table[:n][np.arange(dmax, dtype=np.int32)[None, :] < counts[:, None]] = halves[:, 0]
    return table


# ------------------------------------------------------------------ simulation

def make_simulation(a, steps, variant, capacity):
    """The jitted simulation: (v0, connectivity...) → per-step spike counts
    [steps, 2] (E, I), int32. dense takes (v0, pre, tgt); event takes
    (v0, table) and compacts into `capacity` slots."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    m, n, ne, dt = a.p, a.n, a.ne, a.dt
    f32 = np.float32

    def phi(x):
        """(exp(x) − 1)/x: the exponential-Euler factor for decay rate x/dt."""
        return f32(np.expm1(f32(x)) / f32(x))

    h_v = f32(dt) * phi(-dt / m["tau"])
    h_e = f32(dt) * phi(-dt / m["tau_e"])
    h_i = f32(dt) * phi(-dt / m["tau_i"])
    ref_steps = int(np.floor(m["tau_ref"] / dt + 1e-9))
    coba = m["output"] == "coba"

    def run(v0, *conn):
        if variant == "dense":
            pre, tgt = conn

            def arrivals(spike):
                return jax.ops.segment_sum(spike.astype(jnp.float32)[pre], tgt, num_segments=2 * n,
                                           indices_are_sorted=True)
        else:
            (table,) = conn

            def arrivals(spike):
                idx = jnp.nonzero(spike, size=capacity, fill_value=n)[0]
                targets = table[idx].reshape(-1)
                # Padding points past the end (2N) and is dropped, not added
                # to a dump slot: on a GPU, every padded entry adding into one
                # address would serialise on its atomic.
                return jnp.zeros(2 * n, jnp.float32).at[targets].add(1.0, mode="drop")

        def step(carry, _):
            v, ge, gi, last, spike, t = carry
            # 1. synapses, driven by the previous step's spikes.
            cnt = arrivals(spike)
            ge = ge + h_e * (-ge / f32(m["tau_e"])) + f32(m["w_e"]) * cnt[:n]
            gi = gi + h_i * (-gi / f32(m["tau_i"])) + f32(m["w_i"]) * cnt[n:]
            # 2. neurons: current at the starting V, held over the step.
            if coba:
                cur = f32(m["input"]) + ge * (f32(m["E_e"]) - v) + gi * (f32(m["E_i"]) - v)
            else:
                cur = f32(m["input"]) + ge + gi
            vn = v + h_v * ((-(v - f32(m["V_rest"])) + cur) / f32(m["tau"]))
            vn = jnp.where(t - last <= ref_steps, v, vn)
            fired = vn >= f32(m["V_th"])
            vn = jnp.where(fired, f32(m["V_reset"]), vn)
            last = jnp.where(fired, t, last)
            counts = jnp.stack([fired[:ne].sum(dtype=jnp.int32), fired[ne:].sum(dtype=jnp.int32)])
            return (vn, ge, gi, last, fired, t + 1), counts

        zeros = jnp.zeros(n, jnp.float32)
        init = (v0, zeros, zeros, jnp.full(n, -(1 << 30), jnp.int32), jnp.zeros(n, bool), jnp.int32(0))
        _, counts = lax.scan(step, init, None, length=steps, unroll=a.unroll)
        return counts

    return jax.jit(run)


def device_memory(dev):
    """The device's allocator statistics (GPU), or None where JAX has none (CPU)."""
    try:
        s = dev.memory_stats()
    except Exception:  # noqa: BLE001 — not every backend implements it
        return None
    if not s:
        return None
    keep = ("bytes_in_use", "peak_bytes_in_use", "bytes_limit", "largest_alloc_size")
    return {k: int(s[k]) for k in keep if k in s}


def main():
    a = parse_args(extra_args, models=("coba", "cuba"))
    import jax

    if a.platform:
        jax.config.update("jax_platforms", "cuda" if a.platform == "gpu" else "cpu")
    try:
        devices = jax.devices()
    except (RuntimeError, AssertionError) as e:  # JAX asserts when a forced platform has no device
        sys.exit(f"jax_coba.py: JAX {jax.__version__} has no {a.platform or 'default'} backend here "
                 f"({type(e).__name__}: {e}); for --platform gpu install jax[cuda12] and check nvidia-smi")
    dev = devices[0]
    log(f"jax {jax.__version__}, devices: {devices}")

    steps = int(round(a.duration / a.dt))
    t0 = time.perf_counter()
    v0, pre, tgt = build_network(a)
    synapses = int(pre.size)
    if a.variant == "dense":
        host_conn = (pre, tgt)
        dmax = None
    else:
        table = ell_table(pre, tgt, a.n)
        dmax = int(table.shape[1])
        del pre, tgt
        host_conn = (table,)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    args = [jax.device_put(x, dev) for x in (v0, *host_conn)]
    jax.block_until_ready(args)
    del host_conn
    transfer_s = time.perf_counter() - t0
    log(f"network: {a.n} neurons, {synapses} synapses, built in {build_s:.2f} s, on device in {transfer_s:.2f} s"
        + (f", fan-out table {a.n + 1}×{dmax}" if dmax else ""))

    capacity = None
    if a.variant == "event":
        capacity = min(a.n, a.capacity or max(64, -(-a.n * 4 // 100)))
    history, compile_total, probe_s = [], 0.0, 0.0
    while True:
        t0 = time.perf_counter()
        compiled = make_simulation(a, steps, a.variant, capacity).lower(*args).compile()
        compile_s = time.perf_counter() - t0
        compile_total += compile_s
        t0 = time.perf_counter()
        counts = np.asarray(jax.block_until_ready(compiled(*args)))
        first_run_s = time.perf_counter() - t0
        max_step = int(counts.sum(axis=1).max())
        history.append(dict(capacity=capacity, compile_s=compile_s, run_s=first_run_s, max_step_spikes=max_step))
        if a.variant == "dense" or max_step <= capacity:
            break
        probe_s += first_run_s
        new = min(a.n, max(2 * capacity, 1 << (max_step - 1).bit_length()))
        log(f"capacity {capacity} overflowed (a step had {max_step} spikes): re-running with {new}")
        capacity = new
    wall_s = time.perf_counter() - T_START  # process start to the end of the first complete run

    run_times = [first_run_s]
    for _ in range(max(0, a.reps - 1)):
        t0 = time.perf_counter()
        again = np.asarray(jax.block_until_ready(compiled(*args)))
        run_times.append(time.perf_counter() - t0)
        if not np.array_equal(again, counts):
            raise RuntimeError("a repeated run gave different spike counts")
    run_s = statistics.median(run_times)

    total = counts.astype(np.int64).sum(axis=0)
    spikes = dict(E=int(total[0]), I=int(total[1]), total=int(total.sum()))
    secs = a.duration / 1000.0
    fanout = synapses / a.n  # mean out-degree: every spike is this many synaptic events on average
    syn_events = spikes["total"] * fanout
    reruns = len(history) - 1
    out = dict(
        simulator=f"jax-{a.variant}", version=jax.__version__, model=a.model, n=a.n, model_time_ms=a.duration,
        dt_ms=a.dt, seed=a.seed, wall_s=wall_s, run_s=run_s, compile_s=compile_s, host=platform.node(),
        rates=dict(E=spikes["E"] / a.ne / secs, I=spikes["I"] / a.ni / secs), cv_isi=dict(E=None, I=None),
        variant=a.variant, platform=dev.platform, devices=[str(d) for d in devices],
        device_kind=getattr(dev, "device_kind", None), steps=steps, steps_per_s=steps / run_s,
        run_s_reps=run_times, compile_s_total=compile_total, build_s=build_s, transfer_s=transfer_s,
        overflow_probe_run_s=probe_s, synapses=synapses, fanout_mean=fanout, spikes=spikes,
        syn_events=syn_events, syn_events_per_s=syn_events / run_s, max_step_spikes=max_step,
        capacity=capacity, capacity_fill=(max_step / capacity if capacity else None), dmax=dmax,
        reruns=reruns, capacity_history=history, unroll=a.unroll, device_memory=device_memory(dev),
        spike_counts_per_step_sha=hashlib.sha1(counts.tobytes()).hexdigest())
    if reruns:
        log(f"event capacity: {reruns} re-run(s) after overflow; final capacity {capacity}, max {max_step} spikes/step")
    log(f"{a.variant}: compile {compile_s:.2f} s, run {run_s:.3f} s ({steps / run_s:.0f} steps/s), "
        f"rates E {out['rates']['E']:.2f} Hz I {out['rates']['I']:.2f} Hz, {spikes['total']} spikes")
    line = json.dumps(out)
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            f.write(line + "\n")
    print(line, flush=True)


if __name__ == "__main__":
    main()
