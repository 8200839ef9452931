"""Shared definitions for the peer scripts: the models with brainc's exact
parameters, the connectivity rule, statistics as brainc computes them, and the
JSON line every script prints."""
import argparse
import json
import platform
import time

import numpy as np

# The built-in brainc models (models/coba.yaml, models/cuba.yaml); units ms, mV.
MODELS = {
    "coba": dict(V_rest=-60.0, V_th=-50.0, V_reset=-60.0, tau=20.0, tau_ref=5.0, input=20.0,
                 tau_e=5.0, tau_i=10.0, E_e=0.0, E_i=-80.0, w_e=0.6, w_i=6.7, output="coba",
                 v0=("normal", -55.0, 2.0)),
    "cuba": dict(V_rest=-49.0, V_th=-50.0, V_reset=-60.0, tau=20.0, tau_ref=5.0, input=0.0,
                 tau_e=5.0, tau_i=10.0, w_e=1.62, w_i=-9.0, output="cuba",
                 v0=("uniform", -60.0, -50.0)),
}

# Fixed in-degree 80 (the BrainPy paper's scaling runs): 64 excitatory and 16
# inhibitory inputs per neuron, the expected counts of p = 0.02 at 4,000 neurons.
IN_E, IN_I = 64, 16


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(MODELS), default="coba")
    p.add_argument("--n", type=int, default=4000, help="neurons (80%% E, 20%% I)")
    p.add_argument("--duration", type=float, default=5000.0, help="model time, ms")
    p.add_argument("--dt", type=float, default=0.1, help="ms")
    p.add_argument("--seed", type=int, default=42)
    if extra:
        extra(p)
    a = p.parse_args()
    a.ne = int(round(0.8 * a.n))
    a.ni = a.n - a.ne
    a.p = MODELS[a.model]
    return a


def initial_v(rng, n, v0):
    kind, a, b = v0
    if kind == "normal":
        return a + b * rng.standard_normal(n)
    return rng.uniform(a, b, n)


def fixed_in_degree(rng, npre, npost, k, same):
    """Pre and post index arrays: every post neuron gets k distinct pre
    neurons, never itself when pre and post are one population."""
    pre = np.empty(npost * k, dtype=np.int64)
    for j in range(npost):
        if same:
            c = rng.choice(npre - 1, size=k, replace=False)
            c[c >= j] += 1
        else:
            c = rng.choice(npre, size=k, replace=False)
        pre[j * k:(j + 1) * k] = c
    post = np.repeat(np.arange(npost), k)
    return pre, post


def pop_stats(times, idx, n, duration):
    """Mean rate (Hz) and mean CV of ISI over neurons with ≥ 3 spikes, the
    definitions of brainc's summary.json."""
    times = np.asarray(times, dtype=float)
    idx = np.asarray(idx, dtype=np.int64)
    rate = len(times) / n / (duration / 1000.0)
    order = np.lexsort((times, idx))
    times, idx = times[order], idx[order]
    cvs = []
    bounds = np.flatnonzero(np.diff(idx)) + 1
    for t in np.split(times, bounds):
        if len(t) >= 3:
            isi = np.diff(t)
            if isi.mean() > 0:
                cvs.append(isi.std() / isi.mean())
    return rate, (float(np.mean(cvs)) if cvs else None)


def emit(sim, version, a, wall_total, wall_run, spikes, extra=None):
    """Print one JSON line. spikes: {"E": (times, idx), "I": (times, idx)}."""
    sizes = {"E": a.ne, "I": a.ni}
    out = dict(simulator=sim, version=version, model=a.model, n=a.n, model_time_ms=a.duration,
               dt_ms=a.dt, seed=a.seed, wall_s=wall_total, run_s=wall_run,
               compile_s=wall_total - wall_run, host=platform.node(), rates={}, cv_isi={})
    for pop, (t, i) in spikes.items():
        r, cv = pop_stats(t, i, sizes[pop], a.duration)
        out["rates"][pop] = r
        out["cv_isi"][pop] = cv
    if extra:
        out.update(extra)
    print(json.dumps(out), flush=True)


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.s = time.perf_counter() - self.t0


def brainc_spec(a, monitors="monitors: {spikes: [E, I]}"):
    """The harness network as a brainc spec (YAML text)."""
    m = MODELS[a.model]
    kind, x, y = m["v0"]
    init = f"{kind}({x} mV, {y} mV)"
    params = (f"{{V_rest: {m['V_rest']} mV, V_th: {m['V_th']} mV, V_reset: {m['V_reset']} mV, "
              f"tau: {m['tau']} ms, tau_ref: {m['tau_ref']} ms}}")
    out_e = f"{{COBA: {{E: {m['E_e']} mV}}}}" if m["output"] == "coba" else "CUBA"
    out_i = f"{{COBA: {{E: {m['E_i']} mV}}}}" if m["output"] == "coba" else "CUBA"
    lines = [f"name: {a.model}-{a.n}", f"dt: {a.dt} ms", f"duration: {a.duration} ms", f"seed: {a.seed}",
             "populations:"]
    for pop, size in (("E", a.ne), ("I", a.ni)):
        lines.append(f"  {pop}: {{size: {size}, model: LifRef, params: {params}, init: {{V: {init}}}, "
                     f"input: {m['input']}}}")
    lines.append("projections:")
    for pre, k, w, tau, out in (("E", IN_E, m["w_e"], m["tau_e"], out_e), ("I", IN_I, m["w_i"], m["tau_i"], out_i)):
        for post in ("E", "I"):
            lines.append(f"  {pre}2{post}: {{pre: {pre}, post: {post}, conn: {{fixed_in_degree: {k}}}, "
                         f"weight: {w}, synapse: {{Expon: {{tau: {tau} ms}}}}, output: {out}}}")
    lines.append(monitors)
    return "\n".join(lines) + "\n"
