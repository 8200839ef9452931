"""Deterministic single-neuron references from Brian2 (float64, exact
integration), for brainc's spike-for-spike tests. Prints one JSON object.

Case "lif_const": one LifRef neuron with a constant input.
Case "lif_driven": three driver LifRef neurons with constant inputs fire
regular trains at different rates; each drives a target LifRef neuron through
an Expon synapse with a COBA output. The target sees an irregular input train.

The equations are brainc's LifRef step (see brian2_peer.py): the synaptic
current is evaluated at the step's starting V and held; refractory = tau_ref + dt."""
import json
import sys

import numpy as np

import brian2 as b2
from brian2 import ms, mV

b2.prefs.codegen.target = "numpy"
b2.prefs.core.default_float_dtype = np.float64
DT, DURATION = 0.1, 1000.0
b2.defaultclock.dt = DT * ms

LIF = dict(V_rest=-60.0, V_th=-50.0, V_reset=-65.0, tau=20.0, tau_ref=2.0)
DRIVERS = [14.0, 17.0, 23.0]  # constant inputs of the three drivers (mV, R = 1)
TARGET = dict(input=8.0, v0=-60.0, w=0.15, tau_syn=5.0, E=0.0)


def group(n, inputs, v0, coba=False):
    eqs = """
    dv/dt = (V_rest - v + Isyn + I_ext) / tau : volt (unless refractory)
    I_ext : volt
    Isyn : volt
    """
    if coba:
        eqs += "dg/dt = -g / tau_syn : 1\n"
    ns = dict(V_rest=LIF["V_rest"] * mV, tau=LIF["tau"] * ms, V_th=LIF["V_th"] * mV, V_reset=LIF["V_reset"] * mV,
              tau_syn=TARGET["tau_syn"] * ms, E=TARGET["E"] * mV)
    g = b2.NeuronGroup(n, eqs, threshold="v >= V_th", reset="v = V_reset",
                       refractory=(LIF["tau_ref"] + DT) * ms, method="exact", namespace=ns)
    g.I_ext = np.asarray(inputs) * mV
    g.v = v0 * mV
    if coba:
        g.run_regularly("Isyn = g * (E - v)", when="before_groups")
    return g


def run(case):
    objs = []
    target = group(1, [TARGET["input"] if case == "lif_driven" else 12.0],
                   TARGET["v0"] if case == "lif_driven" else -58.0, coba=case == "lif_driven")
    objs.append(target)
    if case == "lif_driven":
        drivers = group(len(DRIVERS), DRIVERS, LIF["V_rest"])
        syn = b2.Synapses(drivers, target, on_pre="g += w", namespace=dict(w=TARGET["w"]))
        syn.connect()
        dmon = b2.SpikeMonitor(drivers)
        objs += [drivers, syn, dmon]
    smon = b2.SpikeMonitor(target)
    vmon = b2.StateMonitor(target, "v", record=0)
    net = b2.Network(objs, smon, vmon)
    net.run(DURATION * ms)
    out = dict(case=case, simulator="brian2", version=b2.__version__, dt_ms=DT, duration_ms=DURATION,
               lif=LIF, spikes_ms=[float(x) for x in smon.t / ms],
               # V after each step (brainc's traces record the state after the update).
               v_mV=[float(x) for x in np.asarray(vmon.v[0] / mV)[1:]] + [None])
    # Brian2's StateMonitor records V at the start of each step; drop the first
    # sample so index i is V after step i, and pad the last (unknown) one.
    if case == "lif_driven":
        out.update(drivers=DRIVERS, target=TARGET,
                   driver_spikes_ms=[float(x) for x in dmon.t / ms])
    else:
        out.update(input=12.0, v0=-58.0)
    return out


print(json.dumps(run(sys.argv[1])))
