"""NEST peer on brainc's COBA/CUBA. brainc's dimensionless LIF maps onto NEST's
conductance-based iaf_cond_exp (COBA) and current-based iaf_psc_exp (CUBA)
with C_m = 200 pF and g_L = C_m/tau: a brainc conductance g (in units of g_L)
is g·g_L nS, a brainc current x (in mV, R = 1) is x·g_L pA. NEST integrates
iaf_cond_exp with an adaptive RKF45 solver and iaf_psc_exp exactly, delivers
spikes after one dt (the minimum delay, as brainc), and holds V for t_ref after
a spike; t_ref = tau_ref + dt matches brainc's count of held steps."""
import os
import time

import numpy as np

from common import IN_E, IN_I, emit, initial_v, parse_args

a = parse_args(lambda p: p.add_argument("--threads", type=int, default=os.cpu_count() or 1), models=("coba", "cuba"))
t_start = time.perf_counter()
import nest  # noqa: E402

m = a.p
rng = np.random.default_rng(a.seed)
nest.verbosity = nest.VerbosityLevel.ERROR
nest.ResetKernel()
nest.SetKernelStatus({"resolution": a.dt, "local_num_threads": a.threads, "rng_seed": a.seed + 1,
                      "print_time": False})
C_m = 200.0
g_L = C_m / m["tau"]
common = dict(C_m=C_m, g_L=g_L, E_L=m["V_rest"], V_th=m["V_th"], V_reset=m["V_reset"],
              t_ref=m["tau_ref"] + a.dt, I_e=m["input"] * g_L, tau_syn_ex=m["tau_e"], tau_syn_in=m["tau_i"])
if m["output"] == "coba":
    model = "iaf_cond_exp"
    common.update(E_ex=m["E_e"], E_in=m["E_i"])
    w_e, w_i = m["w_e"] * g_L, -m["w_i"] * g_L  # nS; NEST wants inhibitory weights negative
else:
    model = "iaf_psc_exp"
    common["tau_m"] = m["tau"]
    del common["g_L"]
    w_e, w_i = m["w_e"] * g_L, m["w_i"] * g_L  # pA
pops = {}
for pop, size in (("E", a.ne), ("I", a.ni)):
    pops[pop] = nest.Create(model, size, params=common)
    pops[pop].V_m = initial_v(rng, size, m["v0"])
for pre, k, w in (("E", IN_E, w_e), ("I", IN_I, w_i)):
    for post in ("E", "I"):
        nest.Connect(pops[pre], pops[post], {"rule": "fixed_indegree", "indegree": k, "allow_autapses": False},
                     {"synapse_model": "static_synapse", "weight": w, "delay": a.dt})
rec = {p: nest.Create("spike_recorder") for p in pops}
for p in pops:
    nest.Connect(pops[p], rec[p])
t0 = time.perf_counter()
nest.Simulate(a.duration)
run_s = time.perf_counter() - t0
wall = time.perf_counter() - t_start
spikes = {}
for p in pops:
    ev = rec[p].get("events")
    first = pops[p][0].global_id
    # NEST stamps a spike at the end of the step that produced it; brainc and
    # the others at its start.
    spikes[p] = (np.asarray(ev["times"]) - a.dt, np.asarray(ev["senders"]) - first)
emit("nest", nest.__version__, a, wall, run_s, spikes,
     extra=dict(neuron_model=model, threads=a.threads))
