"""BrainPy peer for brainc's built-in `decision` network (Wang 2002,
models/decision.yaml; the Brian2 twin is decision_brian2.py), written with
BrainPy's own building blocks: LifRef neurons (R = 1, conductances divided by
the leak, as in brainc), ProjAlignPostMg2 + Expon + COBA for AMPA and GABA_A,
ProjAlignPreMg2 + NMDA + MgBlock for NMDA, bp.dnn.AllToAll without
self-connections for every recurrent projection, bp.dyn.PoissonInput for the
800 x 3 Hz background, and a Poisson stimulus mu0 (1 +- c) added to the AMPA
conductance of A and B from 200 ms. Run by DSRunner with JIT.

Prints one JSON line: wall, compile and run times, rates over the run and
over the last 500 ms, and the winner."""
import json
import time

t_start = time.perf_counter()
from decision_common import SIZES as sizes, rates, weight, parse_args  # noqa: E402

a = parse_args(lambda p: p.add_argument("--segment", type=float, default=100.0, help="ms per DSRunner call"))

import numpy as np  # noqa: E402
import brainpy as bp  # noqa: E402
import brainpy.math as bm  # noqa: E402
from brainpy import share  # noqa: E402

bm.set_platform("cpu")
bm.set_dt(0.1)
bm.random.seed(a.seed)
rng = np.random.default_rng(a.seed)

class Decision(bp.DynSysGroup):
    def __init__(self):
        super().__init__()
        self.pops = {}
        for name, n in sizes.items():
            exc = name != "I"
            pop = bp.dyn.LifRef(n, V_rest=-70., V_reset=-55., V_th=-50., R=1., tau=20. if exc else 10.,
                                tau_ref=2. if exc else 1., method="exp_auto",
                                V_initializer=bm.asarray(rng.uniform(-70., -50., n)))
            self.pops[name] = pop
            setattr(self, name, pop)
        self.projs = []
        self.ampa = {}
        for src in ("A", "B", "N"):
            for dst in ("A", "B", "N", "I"):
                pre, post = self.pops[src], self.pops[dst]
                ampa = bp.dyn.ProjAlignPostMg2(
                    pre=pre, delay=None,
                    comm=bp.dnn.AllToAll(pre.num, post.num, weight("ampa", src, dst), include_self=src != dst),
                    syn=bp.dyn.Expon.desc(post.num, tau=2.), out=bp.dyn.COBA.desc(E=0.), post=post)
                nmda = bp.dyn.ProjAlignPreMg2(
                    pre=pre, syn=bp.dyn.NMDA.desc(pre.num, a=0.5, tau_decay=100., tau_rise=2.), delay=None,
                    comm=bp.dnn.AllToAll(pre.num, post.num, weight("nmda", src, dst), include_self=src != dst),
                    out=bp.dyn.MgBlock(E=0., cc_Mg=1.), post=post)
                self.projs += [ampa, nmda]
                self.ampa[dst] = ampa  # projections onto dst share one Expon: its g takes the Poisson input
        for dst in ("A", "B", "N", "I"):
            pre, post = self.pops["I"], self.pops[dst]
            self.projs.append(bp.dyn.ProjAlignPostMg2(
                pre=pre, delay=None,
                comm=bp.dnn.AllToAll(pre.num, post.num, weight("gaba", None, dst), include_self=dst != "I"),
                syn=bp.dyn.Expon.desc(post.num, tau=5.), out=bp.dyn.COBA.desc(E=-70.), post=post))
        for i, pr in enumerate(self.projs):
            setattr(self, f"proj{i}", pr)
        self.bg = {}
        for dst in ("A", "B", "N", "I"):
            self.bg[dst] = bp.dyn.PoissonInput(self.ampa[dst].refs["syn"].g, 800, 3., weight("ext", None, dst))
            setattr(self, f"bg_{dst}", self.bg[dst])
        self.stim_rate = {"A": a.mu0 * (1 + a.coherence), "B": a.mu0 * (1 - a.coherence)}

    def update(self):
        t, dt = share.load("t"), share.load("dt")
        for pr in self.projs:
            pr()
        for bgi in self.bg.values():
            bgi()
        on = t >= 200.
        for name, rate in (self.stim_rate.items() if a.mu0 > 0 else ()):
            counts = bm.random.poisson(rate * dt / 1000., sizes[name])
            syn_g = self.ampa[name].refs["syn"].g
            syn_g.value += bm.where(on, counts * weight("ext", None, name), 0.)
        for pop in self.pops.values():
            pop()
        return {name: pop.spike.value for name, pop in self.pops.items()}


net = Decision()
runner = bp.DSRunner(net, monitors={name: pop.spike for name, pop in net.pops.items()}, jit=True, progress_bar=False)
times = {name: [] for name in sizes}
seg_times = []
done = 0.0
while done < a.duration - 1e-9:
    seg = min(a.segment, a.duration - done)
    t0 = time.perf_counter()
    runner.run(seg)
    mon = {k: np.asarray(runner.mon[k]) for k in sizes}
    seg_times.append(time.perf_counter() - t0)
    steps0 = int(round(done / 0.1))
    for k in sizes:
        s, _ = np.nonzero(mon[k])
        times[k].append((steps0 + s) * 0.1)
    done += seg
wall = time.perf_counter() - t_start
rest = seg_times[1:] or seg_times
compile_s = max(0.0, seg_times[0] - float(np.median(rest)))
run_s = sum(seg_times) - compile_s
print(json.dumps(dict(simulator="brainpy", version=bp.__version__, model="decision", coherence=a.coherence,
                      mu0=a.mu0, seed=a.seed, duration_ms=a.duration, wall_s=wall, compile_s=compile_s,
                      run_s=run_s, **rates({k: np.concatenate(v) for k, v in times.items()}, a.duration))))
