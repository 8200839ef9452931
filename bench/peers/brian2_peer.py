"""Brian2 peer, runtime (Cython) or cpp_standalone mode.

COBA/CUBA (build_lif): the equations reproduce brainc's (and BrainPy's)
LifRef step exactly: the synaptic current is evaluated once per step at the
membrane potential the step starts from (a run_regularly before the state
update) and held while V is integrated exactly; spikes add to g after the
step, so the next step sees g·exp(−dt/τ) + w·spikes, as in brainc. brainc
holds V for the steps k with k·dt ≤ tau_ref after a spike; Brian2 holds steps
with k·dt < refractory, so refractory = tau_ref + dt.

COBAHH (build_cobahh): Brian2's own examples/COBAHH.py, unchanged but for the
two groups and the harness's connectivity."""
import os
import tempfile
import time

import numpy as np

from common import IN_E, IN_I, RULES, cobahh_init, emit, fixed_in_degree, initial_v, parse_args

a = parse_args(lambda p: p.add_argument("--mode", choices=["runtime", "cpp_standalone"], default="runtime"))
t_start = time.perf_counter()
import brian2 as b2  # noqa: E402
from brian2 import ms, mV  # noqa: E402

m = a.p
rng = np.random.default_rng(a.seed)
if a.mode == "cpp_standalone":
    build_dir = tempfile.mkdtemp(prefix="brian2-standalone-")
    b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = os.cpu_count() or 1
else:
    b2.prefs.codegen.target = "cython"
b2.defaultclock.dt = a.dt * ms


def build_lif():
    """COBA/CUBA: brainc's LifRef step, see the module docstring."""
    coba = m["output"] == "coba"
    if coba:
        eqs = """
        dv/dt = (V_rest - v + Isyn + I_ext) / tau : volt (unless refractory)
        Isyn : volt
        dge/dt = -ge / tau_e : 1
        dgi/dt = -gi / tau_i : 1
        """
        held = "Isyn = (ge * (E_e - v) + gi * (E_i - v))"
        on_e, on_i = "ge += w_e", "gi += w_i"
    else:
        eqs = """
        dv/dt = (V_rest - v + Isyn + I_ext) / tau : volt (unless refractory)
        Isyn : volt
        dge/dt = -ge / tau_e : volt
        dgi/dt = -gi / tau_i : volt
        """
        held = "Isyn = ge + gi"
        on_e, on_i = "ge += w_e * mV", "gi += w_i * mV"
    ns = dict(V_rest=m["V_rest"] * mV, tau=m["tau"] * ms, I_ext=m["input"] * mV, tau_e=m["tau_e"] * ms,
              tau_i=m["tau_i"] * ms, E_e=m.get("E_e", 0.0) * mV, E_i=m.get("E_i", 0.0) * mV,
              w_e=m["w_e"], w_i=m["w_i"], V_th=m["V_th"] * mV, V_reset=m["V_reset"] * mV)
    G = {}
    for pop, size in (("E", a.ne), ("I", a.ni)):
        g = b2.NeuronGroup(size, eqs, threshold="v >= V_th", reset="v = V_reset",
                           refractory=(m["tau_ref"] + a.dt) * ms, method="exact", namespace=ns, name=f"pop{pop}")
        g.v = initial_v(rng, size, m["v0"]) * mV
        g.run_regularly(held, when="before_groups", name=f"held{pop}")
        G[pop] = g
    S = []
    rule = RULES[a.rule]
    for pre, k, on in (("E", IN_E, on_e), ("I", IN_I, on_i)):
        for post in ("E", "I"):
            if pre == post == "E" and rule:  # the learning rule (common.RULES), after the transmission
                rns = dict(ns, **{k2: v * ms for k2, v in rule["params"].items()})
                s = b2.Synapses(G[pre], G[post], model=rule["model"], on_pre=on.replace("w_e", "w") + "\n" + rule["on_pre"],
                                on_post=rule["on_post"], method="exponential_euler", namespace=rns, name=f"{pre}2{post}")
            else:
                s = b2.Synapses(G[pre], G[post], on_pre=on, namespace=ns, name=f"{pre}2{post}")
            i, j = fixed_in_degree(rng, len(G[pre]), len(G[post]), k, pre == post)
            s.connect(i=i, j=j)
            if pre == post == "E" and rule:
                s.w = m["w_e"]
                if "DA" in rule["model"]:
                    s.DA = 0.5
            S.append(s)
    return G, S


def build_cobahh():
    """COBAHH as Brian2's examples/COBAHH.py (exponential_euler, threshold
    v > −20 mV, refractory 3 ms that only blocks new threshold crossings, no
    reset), in two groups E and I with the harness's fixed in-degree."""
    from brian2 import nS, pF
    eqs = """
    dv/dt = (g_L*(E_L-v) + ge*(E_e-v) + gi*(E_i-v) - g_Na*(m*m*m)*h*(v-E_Na) - g_K*(n*n*n*n)*(v-E_K))/C : volt
    dm/dt = alpha_m*(1-m) - beta_m*m : 1
    dn/dt = alpha_n*(1-n) - beta_n*n : 1
    dh/dt = alpha_h*(1-h) - beta_h*h : 1
    dge/dt = -ge/tau_e : siemens
    dgi/dt = -gi/tau_i : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+V_T)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v-V_T-40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV-v+V_T)/(18*mV))/ms : Hz
    beta_h = 4./(1+exp((40*mV-v+V_T)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+V_T)/(5*mV))/ms : Hz
    beta_n = .5*exp((10*mV-v+V_T)/(40*mV))/ms : Hz
    """
    ns = dict(C=m["C"] * pF, g_L=m["g_L"] * nS, E_L=m["E_L"] * mV, E_K=m["E_K"] * mV, E_Na=m["E_Na"] * mV,
              g_Na=m["g_Na"] * nS, g_K=m["g_K"] * nS, V_T=m["V_T"] * mV, V_th=m["V_th"] * mV,
              tau_e=m["tau_e"] * ms, tau_i=m["tau_i"] * ms, E_e=m["E_e"] * mV, E_i=m["E_i"] * mV,
              w_e=m["w_e"] * nS, w_i=m["w_i"] * nS)
    G = {}
    for pop, size in (("E", a.ne), ("I", a.ni)):
        g = b2.NeuronGroup(size, eqs, threshold="v > V_th", refractory=m["tau_ref"] * ms,
                           method="exponential_euler", namespace=ns, name=f"pop{pop}")
        v, ge, gi = cobahh_init(rng, size, m)
        g.v, g.ge, g.gi = v * mV, ge * nS, gi * nS  # m, h, n start at 0
        G[pop] = g
    S = []
    for pre, k, on in (("E", IN_E, "ge += w_e"), ("I", IN_I, "gi += w_i")):
        for post in ("E", "I"):
            s = b2.Synapses(G[pre], G[post], on_pre=on, namespace=ns, name=f"{pre}2{post}")
            i, j = fixed_in_degree(rng, len(G[pre]), len(G[post]), k, pre == post)
            s.connect(i=i, j=j)
            S.append(s)
    return G, S


G, S = build_cobahh() if a.model == "cobahh" else build_lif()
mon = {p: b2.SpikeMonitor(G[p], name=f"mon{p}") for p in G}
net = b2.Network(list(G.values()), S, list(mon.values()))
if a.mode == "cpp_standalone":
    net.run(a.duration * ms)
    b2.device.build(directory=build_dir, compile=True, run=True, debug=False)
    run_s = float(b2.device._last_run_time)
else:
    # The first step generates and compiles every code object; the rest only runs.
    net.run(a.dt * ms)
    t0 = time.perf_counter()
    net.run((a.duration - a.dt) * ms)
    run_s = time.perf_counter() - t0
wall = time.perf_counter() - t_start
spikes = {p: (np.asarray(mon[p].t / ms), np.asarray(mon[p].i)) for p in mon}
emit("brian2-" + a.mode.replace("_", "-"), b2.__version__, a, wall, run_s, spikes,
     extra=dict(mode=a.mode, threads=(os.cpu_count() if a.mode == "cpp_standalone" else 1)))
