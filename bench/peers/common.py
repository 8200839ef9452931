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
    # Brette et al. 2007 benchmark 3 as in Brian2's examples/COBAHH.py and brainc's
    # models/cobahh.yaml (TraubHH): physical units here (pF, nS, mV, ms); brainc
    # stores conductances per unit capacitance (nS / C → 1/ms, see brainc_spec).
    # Initial ge ~ N(40, 15) nS, gi ~ N(200, 120) nS; m, h, n start at 0; no
    # external input; a spike is V > V_th outside tau_ref, with no reset.
    "cobahh": dict(C=200.0, g_L=10.0, E_L=-60.0, E_K=-90.0, E_Na=50.0, g_Na=20000.0, g_K=6000.0, V_T=-63.0,
                   V_th=-20.0, tau_ref=3.0, input=0.0, tau_e=5.0, tau_i=10.0, E_e=0.0, E_i=-80.0, w_e=6.0,
                   w_i=67.0, output="coba", v0=("normal", -65.0, 5.0), ge0=(40.0, 15.0), gi0=(200.0, 120.0)),
}

# Learning rules on the E→E synapses (--rule), to measure what a rule with
# per-synapse state costs (docs/learning.md): Brian2's Synapses model and
# statements, and the same rule as brainc's plasticity section. The learning
# rates are tiny, so that the network fires as without the rule. The
# reward-modulated rule reads a neuromodulator DA = 0.5: a shared constant in
# Brian2, a one-neuron population that stays at 0.5 in brainc.
RULES = {
    "none": None,
    "synapse-traces": dict(
        model="""w : 1
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)""",
        on_pre="""Apre += 0.000001
        w = clip(w + Apost, 0, 1.2)""",
        on_post="""Apost -= 0.0000012
        w = clip(w + Apre, 0, 1.2)""",
        params=dict(taupre=20.0, taupost=20.0)),
    "reward-modulated": dict(
        model="""dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = c*DA/tau_w : 1 (clock-driven)
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)
        DA : 1 (shared, constant)""",
        on_pre="""Apre += 0.000001
        c = clip(c + Apost, -1, 1)
        w = clip(w, 0, 1.2)""",
        on_post="""Apost -= 0.0000012
        c = clip(c + Apre, -1, 1)""",
        params=dict(tau_c=1000.0, tau_w=1000.0, taupre=20.0, taupost=20.0)),
}


def brainc_rule(name):
    """A RULES entry as the YAML lines of a brainc plasticity section."""
    r = RULES[name]
    eqs = [ln.strip() for ln in r["model"].splitlines() if not ln.strip().startswith("w :")]
    eqs = [ln.replace(" (shared, constant)", "") for ln in eqs]
    lines = ["    plasticity:", "      equations: |"] + [f"        {ln}" for ln in eqs]
    for key in ("on_pre", "on_post"):
        lines += [f"      {key}: |"] + [f"        {ln.strip()}" for ln in r[key].splitlines()]
    lines.append("      params: {" + ", ".join(f"{k}: {v} ms" for k, v in r["params"].items()) + "}")
    if "DA" in r["model"]:
        lines.append("      modulators: {DA: Dopamine.d}")
    return lines


# Fixed in-degree 80 (the BrainPy paper's scaling runs): 64 excitatory and 16
# inhibitory inputs per neuron, the expected counts of p = 0.02 at 4,000 neurons.
IN_E, IN_I = 64, 16


def parse_args(extra=None, models=None):
    """models: the MODELS keys this script supports (default: all)."""
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(models or MODELS), default="coba")
    p.add_argument("--n", type=int, default=4000, help="neurons (80%% E, 20%% I)")
    p.add_argument("--duration", type=float, default=5000.0, help="model time, ms")
    p.add_argument("--dt", type=float, default=0.1, help="ms")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--rule", choices=sorted(RULES), default="none", help="learning rule on E→E (coba, cuba)")
    if extra:
        extra(p)
    a = p.parse_args()
    a.ne = int(round(0.8 * a.n))
    a.ni = a.n - a.ne
    a.p = MODELS[a.model]
    return a


def spike_trains(rng, rates, duration, dead_time):
    """Poisson trains on the 0.1 ms grid, one per rate (Hz), with a dead
    time (ms), in (5 ms, duration - 5 ms): (indices, steps) sorted by step,
    then index."""
    idx, steps = [], []
    for i, r in enumerate(rates):
        t = 5.0
        while True:
            t += dead_time + rng.exponential(1000.0 / r)
            if t >= duration - 5:
                break
            idx.append(i)
            steps.append(int(round(t * 10)))
    order = np.lexsort((idx, steps))
    return [int(idx[k]) for k in order], [int(steps[k]) for k in order]


def initial_v(rng, n, v0):
    kind, a, b = v0
    if kind == "normal":
        return a + b * rng.standard_normal(n)
    return rng.uniform(a, b, n)


def cobahh_init(rng, size, m):
    """Initial v (mV), ge and gi (nS) of one COBAHH population, drawn in this
    order, as Brian2's example: v = E_L + (randn·5 − 5) mV,
    ge = (randn·1.5 + 4)·10 nS, gi = (randn·12 + 20)·10 nS."""
    v = initial_v(rng, size, m["v0"])
    ge = m["ge0"][0] + m["ge0"][1] * rng.standard_normal(size)
    gi = m["gi0"][0] + m["gi0"][1] * rng.standard_normal(size)
    return v, ge, gi


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
    out = dict(simulator=sim, version=version, model=a.model, n=a.n, rule=getattr(a, "rule", "none"), model_time_ms=a.duration,
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
    if a.model == "cobahh":
        return brainc_spec_cobahh(a, monitors)
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
    rule = getattr(a, "rule", "none")
    if RULES[rule] and "DA" in RULES[rule]["model"]:
        lines.append('  Dopamine: {size: 1, model: {equations: "dd/dt = (0.5 - d)/(200*ms) : 1"}, init: {d: 0.5}}')
    lines.append("projections:")
    for pre, k, w, tau, out in (("E", IN_E, m["w_e"], m["tau_e"], out_e), ("I", IN_I, m["w_i"], m["tau_i"], out_i)):
        for post in ("E", "I"):
            if pre == post == "E" and RULES[rule]:
                lines += [f"  {pre}2{post}:", f"    pre: {pre}", f"    post: {post}", f"    conn: {{fixed_in_degree: {k}}}",
                          f"    weight: {w}", f"    synapse: {{Expon: {{tau: {tau} ms}}}}", f"    output: {out}"]
                lines += brainc_rule(rule)
                continue
            lines.append(f"  {pre}2{post}: {{pre: {pre}, post: {post}, conn: {{fixed_in_degree: {k}}}, "
                         f"weight: {w}, synapse: {{Expon: {{tau: {tau} ms}}}}, output: {out}}}")
    lines.append(monitors)
    return "\n".join(lines) + "\n"


def brainc_spec_cobahh(a, monitors):
    """COBAHH as a brainc spec: models/cobahh.yaml (TraubHH, exp_euler, Expon +
    COBA, initial g per projection) with the harness's size and fixed in-degree
    64 E + 16 I. Conductances are divided by C (nS / pF = 1/ms)."""
    m = MODELS["cobahh"]
    c = m["C"]
    kind, x, y = m["v0"]
    params = (f"{{E_Na: {m['E_Na']} mV, E_K: {m['E_K']} mV, E_L: {m['E_L']} mV, g_Na: {m['g_Na'] / c:g}, "
              f"g_K: {m['g_K'] / c:g}, g_L: {m['g_L'] / c:g}, V_T: {m['V_T']} mV, V_th: {m['V_th']} mV, "
              f"tau_ref: {m['tau_ref']} ms}}")
    lines = [f"name: {a.model}-{a.n}", f"dt: {a.dt} ms", f"duration: {a.duration} ms", f"seed: {a.seed}",
             "populations:"]
    for pop, size in (("E", a.ne), ("I", a.ni)):
        lines.append(f"  {pop}: {{size: {size}, model: TraubHH, params: {params}, "
                     f"init: {{V: {kind}({x} mV, {y} mV)}}, integrator: exp_euler}}")
    lines.append("projections:")
    for pre, k, w, tau, e, g0 in (("E", IN_E, m["w_e"], m["tau_e"], m["E_e"], m["ge0"]),
                                  ("I", IN_I, m["w_i"], m["tau_i"], m["E_i"], m["gi0"])):
        for post in ("E", "I"):
            lines.append(f"  {pre}2{post}: {{pre: {pre}, post: {post}, conn: {{fixed_in_degree: {k}}}, "
                         f"weight: {w / c:g}, synapse: {{Expon: {{tau: {tau} ms}}}}, output: {{COBA: {{E: {e} mV}}}}, "
                         f"init: {{g: normal({g0[0] / c:g}, {g0[1] / c:g})}}}}")
    lines.append(monitors)
    return "\n".join(lines) + "\n"
