"""BrainPy peer: brainc's COBA/CUBA with BrainPy's LifRef, Expon, COBA/CUBA
outputs, ProjAlignPostMg2 projections and EventCSRLinear connectivity (the
BrainPy examples' E/I network), run by DSRunner with JIT on."""
import time

import numpy as np

from common import IN_E, IN_I, Timer, emit, fixed_in_degree, initial_v, parse_args

a = parse_args(lambda p: p.add_argument("--segment", type=float, default=100.0,
                                        help="ms per DSRunner call (bounds monitor memory)"))
t_start = time.perf_counter()
import brainpy as bp  # noqa: E402
import brainpy.math as bm  # noqa: E402

bm.set_platform("cpu")
bm.set_dt(a.dt)
m = a.p
rng = np.random.default_rng(a.seed)


class EINet(bp.DynSysGroup):
    def __init__(self):
        super().__init__()
        pars = dict(V_rest=m["V_rest"], V_th=m["V_th"], V_reset=m["V_reset"], tau=m["tau"],
                    tau_ref=m["tau_ref"], method="exp_auto")
        self.E = bp.dyn.LifRef(a.ne, V_initializer=bm.asarray(initial_v(rng, a.ne, m["v0"])), **pars)
        self.I = bp.dyn.LifRef(a.ni, V_initializer=bm.asarray(initial_v(rng, a.ni, m["v0"])), **pars)

        def proj(pre, post, k, w, tau, E):
            i, j = fixed_in_degree(rng, pre.num, post.num, k, pre is post)
            conn = bp.conn.IJConn(i=i, j=j)(pre.size, post.size)
            out = bp.dyn.COBA.desc(E=E) if m["output"] == "coba" else bp.dyn.CUBA.desc()
            return bp.dyn.ProjAlignPostMg2(pre=pre, delay=None, comm=bp.dnn.EventCSRLinear(conn, w),
                                           syn=bp.dyn.Expon.desc(post.num, tau=tau), out=out, post=post)

        self.E2E = proj(self.E, self.E, IN_E, m["w_e"], m["tau_e"], m.get("E_e"))
        self.E2I = proj(self.E, self.I, IN_E, m["w_e"], m["tau_e"], m.get("E_e"))
        self.I2E = proj(self.I, self.E, IN_I, m["w_i"], m["tau_i"], m.get("E_i"))
        self.I2I = proj(self.I, self.I, IN_I, m["w_i"], m["tau_i"], m.get("E_i"))

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
