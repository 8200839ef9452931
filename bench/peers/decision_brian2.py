"""Brian2 peer for brainc's built-in `decision` network (Wang 2002,
models/decision.yaml), with the same parameters and the same dimensionless
form: tau dV/dt = -(V - V_L) - sum_k g_k (V - E_k), each conductance divided by
the leak, as brainc's LifRef with R = 1 and COBA/MgBlock outputs.

All recurrent connections are all-to-all with one weight per population pair,
so (as brainc's all_to_all kernel does) each is written through the sum of
presynaptic traces: every excitatory neuron keeps s_AMPA (+1 per spike, tau 2
ms) and the saturating NMDA pair (x +1 per spike, s_NMDA); every interneuron
keeps s_GABA. One summed-variable synapse per source population adds its
neurons' traces into a one-neuron pool, and every target reads the pools
through linked variables: w_XY * (S_X - own trace when X = Y). This is exactly
the all-to-all sum without self-connections, at O(N) per step instead of
O(N^2) for 4M explicit synapses. Background and stimulus are Poisson inputs
(800 x 3 Hz per neuron; mu0 (1 +- c) from 200 ms onto A and B).

Prints one JSON line: wall, build, run times, rates per population over the
run, over the last 500 ms and per 100 ms, and the winner."""
import json
import os
import tempfile
import time

t_start = time.perf_counter()
from decision_common import SIZES as sizes, kind, rates, weight, parse_args  # noqa: E402


def flags(p):
    p.add_argument("--mode", choices=["runtime", "cpp_standalone"], default="runtime")
    p.add_argument("--method", default="exponential_euler", help="Brian2 integration method (euler decays the 2 ms AMPA "
                   "conductance 2.5%% too fast per 0.1 ms step, which lowers the rates by ~13%%)")


a = parse_args(flags)

import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402
from brian2 import Hz, mV, ms  # noqa: E402

if a.mode == "cpp_standalone":
    build_dir = tempfile.mkdtemp(prefix="brian2-decision-")
    b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = os.cpu_count() or 1
else:
    b2.prefs.codegen.target = "cython"
b2.seed(a.seed)
b2.defaultclock.dt = 0.1 * ms

def conductances(dst):
    """Brian2 subexpressions for the recurrent conductances onto dst: the
    weighted pool sums, less the neuron's own trace for its own group."""
    out = []
    for t in ("ampa", "nmda"):
        terms = []
        for src in ("A", "B", "N"):
            own = f" - s_{t}" if src == dst else ""
            terms.append(f"{weight(t, src, dst)!r}*(S_{t}_{src}{own})")
        out.append(f"g_rec_{t} = " + " + ".join(terms) + " : 1")
    own = " - s_gaba" if dst == "I" else ""
    out.append(f"g_gaba = {weight('gaba', None, dst)!r}*(S_gaba_I{own}) : 1")
    return "\n".join(out) + "\n"


eqs_membrane = """
dV/dt = (V_L - V - (g_ext + g_rec_ampa)*V - g_rec_nmda*V/(1 + exp(-0.062*V/mV)/3.57) - g_gaba*(V - E_I)) / tau : volt (unless refractory)
dg_ext/dt = -g_ext / (2*ms) : 1
tau : second
"""
eqs_exc = """
ds_ampa/dt = -s_ampa / (2*ms) : 1
ds_nmda/dt = -s_nmda / (100*ms) + 0.5/ms * x * (1 - s_nmda) : 1
dx/dt = -x / (2*ms) : 1
"""
eqs_inh = """
ds_gaba/dt = -s_gaba / (5*ms) : 1
"""
links = "".join(f"S_{t}_{src} : 1 (linked)\n" for src in ("A", "B", "N") for t in ("ampa", "nmda")) + "S_gaba_I : 1 (linked)\n"
ns = dict(V_L=-70 * mV, E_I=-70 * mV)
groups = {}
for name, n in sizes.items():
    exc = name != "I"
    grp = b2.NeuronGroup(n, eqs_membrane + (eqs_exc if exc else eqs_inh) + links + conductances(name),
                         threshold="V > -50*mV",
                         reset="V = -55*mV\n" + ("s_ampa += 1\nx += 1" if exc else "s_gaba += 1"),
                         refractory=(2 if exc else 1) * ms, method=a.method, namespace=ns, name=f"pop_{name}")
    grp.tau = (20 if exc else 10) * ms
    grp.V = "-70*mV + rand()*20*mV"
    groups[name] = grp
objects = list(groups.values())
for src, traces in (("A", ("ampa", "nmda")), ("B", ("ampa", "nmda")), ("N", ("ampa", "nmda")), ("I", ("gaba",))):
    for t in traces:
        pool = b2.NeuronGroup(1, "S : 1", name=f"pool_{t}_{src}")
        syn = b2.Synapses(groups[src], pool, f"S_post = s_{t}_pre : 1 (summed)", name=f"sum_{t}_{src}")
        syn.connect()
        objects += [pool, syn]
        for grp in groups.values():
            setattr(grp, f"S_{t}_{src}", b2.linked_var(pool, "S", index=np.zeros(len(grp), dtype=int)))
for name, grp in groups.items():
    objects.append(b2.PoissonInput(grp, "g_ext", 800, 3 * Hz, weight=weight("ext", None, name)))
for name, sign in (("A", 1), ("B", -1)):
    rate = a.mu0 * (1 + sign * a.coherence)
    stim = b2.PoissonGroup(sizes[name], rates=f"{rate}*Hz*int(t >= 200*ms)", name=f"stim_{name}")
    syn = b2.Synapses(stim, groups[name], on_pre=f"g_ext_post += {weight('ext', None, name)!r}", name=f"stim_syn_{name}")
    syn.connect(j="i")
    objects += [stim, syn]
mons = {name: b2.SpikeMonitor(grp) for name, grp in groups.items()}
net = b2.Network(objects, list(mons.values()))
t_built = time.perf_counter()
net.run(a.duration * ms)
if a.mode == "cpp_standalone":
    b2.device.build(directory=build_dir, run=True, compile=True)
t_end = time.perf_counter()
run_s = t_end - t_built
build_s = t_built - t_start
if a.mode == "cpp_standalone":  # compile and run happen together: take Brian2's own run timing
    run_s = b2.device._last_run_time
    build_s = t_end - t_start - run_s
times = {name: np.asarray(mon.t / ms) for name, mon in mons.items()}
print(json.dumps(dict(simulator=f"brian2-{a.mode.replace('_', '-')}", version=b2.__version__, model="decision",
                      coherence=a.coherence, mu0=a.mu0, method=a.method, seed=a.seed, duration_ms=a.duration, wall_s=t_end - t_start,
                      build_s=build_s, run_s=run_s, **rates(times, a.duration))))
