"""Reward-modulated STDP with an eligibility trace per synapse (Izhikevich
2007's rule, written as Brian2 writes it) in Brian2, on fixed spike trains:
the reference for brainc's per-synapse plasticity state
(tests/synapse_state_test.go). Writes JSON: the spike trains, the
parameters and every synapse's final w, c, Apre and Apost.

Presynaptic and postsynaptic spikes are given (SpikeGeneratorGroup), so
the comparison is the learning rule's alone. The neuromodulator DA is a
one-neuron group relaxing to d0 (dd/dt = (d0 - d)/tau_d); the synapses
read its value at each step's start (a network_operation at 'start')."""
import argparse
import json

import numpy as np
import brian2 as b2
from brian2 import ms

from common import spike_trains

PARAMS = dict(tau_c=200.0, tau_w=100.0, taupre=20.0, taupost=20.0, dApre=0.1, dApost=-0.12,
              cmax=1.0, wmax=1.0, d0=1.0, tau_d=300.0, w0=0.5)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=2000.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    n_pre, n_post = 20, 10
    pre_i, pre_s = spike_trains(rng, [15.0] * n_pre, a.duration, 1.0)
    post_i, post_s = spike_trains(rng, [10.0] * n_post, a.duration, 4.0)
    p = PARAMS
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * ms
    pre = b2.SpikeGeneratorGroup(n_pre, pre_i, np.array(pre_s) * 0.1 * ms)
    post = b2.SpikeGeneratorGroup(n_post, post_i, np.array(post_s) * 0.1 * ms)
    ns = dict(tau_c=p["tau_c"] * ms, tau_w=p["tau_w"] * ms, taupre=p["taupre"] * ms, taupost=p["taupost"] * ms,
              dApre=p["dApre"], dApost=p["dApost"], cmax=p["cmax"], wmax=p["wmax"], d0=p["d0"], tau_d=p["tau_d"] * ms)
    da = b2.NeuronGroup(1, "dd/dt = (d0 - d)/tau_d : 1", method="exact", namespace=ns)
    syn = b2.Synapses(pre, post, model="""
        dc/dt = -c/tau_c : 1 (clock-driven)
        dw/dt = c*DA/tau_w : 1 (clock-driven)
        dApre/dt = -Apre/taupre : 1 (event-driven)
        dApost/dt = -Apost/taupost : 1 (event-driven)
        DA : 1 (shared)
        """, on_pre="""
        Apre += dApre
        c = clip(c + Apost, -cmax, cmax)
        w = clip(w, 0, wmax)
        """, on_post="""
        Apost += dApost
        c = clip(c + Apre, -cmax, cmax)
        """, method="exponential_euler", namespace=ns)
    syn.connect()
    syn.w = p["w0"]

    @b2.network_operation(when="start")
    def read_da():
        syn.DA = da.d[0]

    net = b2.Network(pre, post, da, syn, read_da)
    net.run(a.duration * ms)
    out = dict(simulator="brian2", version=b2.__version__, duration_ms=a.duration, seed=a.seed, dt_ms=0.1,
               n_pre=n_pre, n_post=n_post, params=p, pre_i=pre_i, pre_step=pre_s, post_i=post_i, post_step=post_s,
               syn_i=[int(x) for x in syn.i[:]], syn_j=[int(x) for x in syn.j[:]],
               w=[float(x) for x in syn.w[:]], c=[float(x) for x in syn.c[:]],
               Apre=[float(x) for x in syn.Apre[:]], Apost=[float(x) for x in syn.Apost[:]],
               d_end=float(da.d[0]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
