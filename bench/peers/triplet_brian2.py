"""Triplet STDP (Pfister & Gerstner 2006, all-to-all interactions, the
visual-cortex parameters of their Table 4) in Brian2 under the pairing
protocol: n pairs of a presynaptic and a postsynaptic spike, Δt apart, at
a repetition frequency ρ. One synapse per (ρ, Δt), one-to-one, traces per
synapse (event-driven) as Brian2 writes the rule. Writes JSON: the spike
trains, the parameters and each synapse's final weight, the reference for
brainc (tests/synapse_state_test.go), which writes the same rule with
traces per neuron."""
import argparse
import json

import numpy as np
import brian2 as b2
from brian2 import ms

PARAMS = dict(tau_plus=16.8, tau_minus=33.7, tau_x=101.0, tau_y=125.0,
              A2p=5e-10, A3p=6.2e-3, A2m=7e-3, A3m=2.3e-4, w0=0.5, wmax=1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=15)
    a = ap.parse_args()
    rhos = [1.0, 5.0, 10.0, 20.0, 40.0, 50.0]  # Hz
    dts = [-10.0, 10.0]  # ms, post - pre
    pre_i, pre_s, post_i, post_s, cases = [], [], [], [], []
    for k, (rho, d) in enumerate((r, d) for r in rhos for d in dts):
        cases.append(dict(rho_hz=rho, dt_ms=d))
        for n in range(a.pairs):
            t_pre = 50.0 + n * 1000.0 / rho  # ms
            pre_i.append(k)
            pre_s.append(int(round(t_pre * 10)))
            post_i.append(k)
            post_s.append(int(round((t_pre + d) * 10)))
    duration = max(pre_s + post_s) / 10 + 50
    p = PARAMS
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * ms
    n = len(cases)
    pre = b2.SpikeGeneratorGroup(n, pre_i, np.array(pre_s) * 0.1 * ms)
    post = b2.SpikeGeneratorGroup(n, post_i, np.array(post_s) * 0.1 * ms)
    ns = dict(tau_plus=p["tau_plus"] * ms, tau_minus=p["tau_minus"] * ms, tau_x=p["tau_x"] * ms,
              tau_y=p["tau_y"] * ms, A2p=p["A2p"], A3p=p["A3p"], A2m=p["A2m"], A3m=p["A3m"], wmax=p["wmax"])
    syn = b2.Synapses(pre, post, model="""
        w : 1
        dr1/dt = -r1/tau_plus : 1 (event-driven)
        dr2/dt = -r2/tau_x : 1 (event-driven)
        do1/dt = -o1/tau_minus : 1 (event-driven)
        do2/dt = -o2/tau_y : 1 (event-driven)
        """, on_pre="""
        w = clip(w - o1*(A2m + A3m*r2), 0, wmax)
        r1 += 1
        r2 += 1
        """, on_post="""
        w = clip(w + r1*(A2p + A3p*o2), 0, wmax)
        o1 += 1
        o2 += 1
        """, namespace=ns)
    syn.connect(j="i")
    syn.w = p["w0"]
    net = b2.Network(pre, post, syn)
    net.run(duration * ms)
    for k, c in enumerate(cases):
        c["w"] = float(syn.w[k])
    out = dict(simulator="brian2", version=b2.__version__, duration_ms=duration, dt_ms=0.1, pairs=a.pairs,
               params=p, cases=cases, pre_i=pre_i, pre_step=pre_s, post_i=post_i, post_step=post_s)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
