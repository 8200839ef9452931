"""BrainPy peer: brainc's COBA/CUBA with BrainPy's LifRef, Expon, COBA/CUBA
outputs, ProjAlignPostMg2 projections and EventCSRLinear connectivity (the
BrainPy examples' E/I network), run by DSRunner with JIT on. COBAHH uses the
same projections with TraubHH below (a bp.dyn.HHLTC with Traub–Miles rates)."""
import time

import numpy as np

from common import IN_E, IN_I, Timer, cobahh_init, emit, fixed_in_degree, initial_v, parse_args

a = parse_args(lambda p: p.add_argument("--segment", type=float, default=100.0,
                                        help="ms per DSRunner call (bounds monitor memory)"))
t_start = time.perf_counter()
import brainpy as bp  # noqa: E402
import brainpy.math as bm  # noqa: E402
from brainpy import share  # noqa: E402

bm.set_platform("cpu")
bm.set_dt(a.dt)
m = a.p
rng = np.random.default_rng(a.seed)


class TraubHH(bp.dyn.HHLTC):
    """Traub–Miles HH of Brian2's COBAHH example in BrainPy's HHLTC: V, m, h, n
    integrated jointly by exp_euler from the step's starting state, with the
    synaptic currents summed inside dV, so exp_euler's linear coefficient for
    V includes g_e + g_i, as in Brian2's exponential_euler. Units pF, nS, mV,
    ms (nS·mV = pA, pA/pF = mV/ms). A spike is V > V_th outside tau_ref (at
    least tau_ref/dt steps after the last one, Brian2's rule); no reset."""

    def __init__(self, size, V_T, tau_ref, **kw):
        super().__init__(size, method="exp_euler", m_initializer=bp.init.ZeroInit(),
                         h_initializer=bp.init.ZeroInit(), n_initializer=bp.init.ZeroInit(), **kw)
        self.V_T = V_T
        self.tau_ref = tau_ref
        self.t_last_spike = bm.Variable(bm.full(self.varshape, -1e7))

    m_alpha = lambda self, V: 0.32 * 4. / bm.exprel((13. - V + self.V_T) / 4.)
    m_beta = lambda self, V: 0.28 * 5. / bm.exprel((V - self.V_T - 40.) / 5.)
    h_alpha = lambda self, V: 0.128 * bm.exp((17. - V + self.V_T) / 18.)
    h_beta = lambda self, V: 4. / (1. + bm.exp((40. - V + self.V_T) / 5.))
    n_alpha = lambda self, V: 0.032 * 5. / bm.exprel((15. - V + self.V_T) / 5.)
    n_beta = lambda self, V: 0.5 * bm.exp((10. - V + self.V_T) / 40.)

    def update(self, x=None):
        t, dt = share.load("t"), share.load("dt")
        V, m_, h, n = self.integral(self.V.value, self.m.value, self.h.value, self.n.value, t,
                                    0. if x is None else x, dt)
        ready = (t - self.t_last_spike.value) > self.tau_ref - 0.5 * dt
        spike = bm.logical_and(V > self.V_th, ready)
        self.t_last_spike.value = bm.where(spike, t, self.t_last_spike.value)
        self.spike.value = spike
        self.V.value, self.m.value, self.h.value, self.n.value = V, m_, h, n
        return spike


def proj(pre, post, k, w, tau, E):
    i, j = fixed_in_degree(rng, pre.num, post.num, k, pre is post)
    conn = bp.conn.IJConn(i=i, j=j)(pre.size, post.size)
    out = bp.dyn.COBA.desc(E=E) if m["output"] == "coba" else bp.dyn.CUBA.desc()
    return bp.dyn.ProjAlignPostMg2(pre=pre, delay=None, comm=bp.dnn.EventCSRLinear(conn, w),
                                   syn=bp.dyn.Expon.desc(post.num, tau=tau), out=out, post=post)


class EINet(bp.DynSysGroup):
    def __init__(self):
        super().__init__()
        if a.model == "cobahh":
            pars = dict(ENa=m["E_Na"], gNa=m["g_Na"], EK=m["E_K"], gK=m["g_K"], EL=m["E_L"], gL=m["g_L"],
                        V_th=m["V_th"], C=m["C"], V_T=m["V_T"], tau_ref=m["tau_ref"])
            init = {pop: cobahh_init(rng, size, m) for pop, size in (("E", a.ne), ("I", a.ni))}
            self.E = TraubHH(a.ne, V_initializer=bm.asarray(init["E"][0]), **pars)
            self.I = TraubHH(a.ni, V_initializer=bm.asarray(init["I"][0]), **pars)
        else:
            pars = dict(V_rest=m["V_rest"], V_th=m["V_th"], V_reset=m["V_reset"], tau=m["tau"],
                        tau_ref=m["tau_ref"], method="exp_auto")
            self.E = bp.dyn.LifRef(a.ne, V_initializer=bm.asarray(initial_v(rng, a.ne, m["v0"])), **pars)
            self.I = bp.dyn.LifRef(a.ni, V_initializer=bm.asarray(initial_v(rng, a.ni, m["v0"])), **pars)
        self.E2E = proj(self.E, self.E, IN_E, m["w_e"], m["tau_e"], m.get("E_e"))
        self.E2I = proj(self.E, self.I, IN_E, m["w_e"], m["tau_e"], m.get("E_e"))
        self.I2E = proj(self.I, self.E, IN_I, m["w_i"], m["tau_i"], m.get("E_i"))
        self.I2I = proj(self.I, self.I, IN_I, m["w_i"], m["tau_i"], m.get("E_i"))
        if a.model == "cobahh":  # initial conductances (nS) of each target's Expon
            for p, post in ((self.E2E, "E"), (self.E2I, "I")):
                p.syn.g.value = bm.asarray(init[post][1], dtype=p.syn.g.dtype)
            for p, post in ((self.I2E, "E"), (self.I2I, "I")):
                p.syn.g.value = bm.asarray(init[post][2], dtype=p.syn.g.dtype)

    def update(self, inp):
        self.E2E()
        self.E2I()
        self.I2E()
        self.I2I()
        self.E(inp)
        self.I(inp)


net = EINet()
runner = bp.DSRunner(net, monitors={"E": net.E.spike, "I": net.I.spike}, jit=True, progress_bar=False)
spikes = {"E": ([], []), "I": ([], [])}
seg_times = []
done = 0.0
while done < a.duration - 1e-9:
    seg = min(a.segment, a.duration - done)
    with Timer() as tm:
        runner.run(inputs=np.full(int(round(seg / a.dt)), m["input"], dtype=np.float32))
        mon = {k: np.asarray(runner.mon[k]) for k in ("E", "I")}
    seg_times.append(tm.s)
    steps0 = int(round(done / a.dt))
    for k in ("E", "I"):
        s, i = np.nonzero(mon[k])
        spikes[k][0].append((steps0 + s) * a.dt)
        spikes[k][1].append(i)
    done += seg
wall = time.perf_counter() - t_start
# The first call compiles; the others only run. Compile ≈ first − median(rest).
rest = seg_times[1:] or seg_times
compile_s = max(0.0, seg_times[0] - float(np.median(rest)))
run_s = sum(seg_times) - compile_s
emit("brainpy", bp.__version__, a, wall, run_s,
     {k: (np.concatenate(v[0]), np.concatenate(v[1])) for k, v in spikes.items()},
     extra=dict(jax=__import__("jax").__version__, mode="DSRunner jit, event CSR"))
