"""A whole-brain network in The Virtual Brain and in brainc, for
tests/whole_brain_test.go (through fixtures.py "brain" / regen.sh brain): one
Generic2dOscillator per region (TVB's defaults), Linear coupling of V through
the weights with delays from the tract lengths at 3 mm/ms, HeunDeterministic
at dt = 0.1 ms, from a drawn state with a history of zeros before it.

  whole_brain.py OUT.npz
      a 76-region connectome drawn here (seed 7: 30 % of pairs coupled,
      log-normal weights, tract lengths 10-150 mm) run 200 ms in TVB; writes the
      connectome, the initial state (v0, w0), the coupling strength, the speed
      and V every 10th step [200, 76]: tests/testdata/peers/whole_brain_76.npz.
  whole_brain.py --tvb-data BRAINC MS
      TVB's own 76-region connectivity (tvb-data's connectivity_76.zip, GPL-3,
      so it is read here and never copied into the repository) run MS of model
      time in TVB and in brainc (the binary BRAINC, same spec as the test):
      prints the largest difference of V and both run times.

Prints one JSON line."""
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

DT, STEPS, EVERY, SPEED, A = 0.1, 2000, 10, 3.0, 0.0066

SPEC = """name: brain
dt: 0.1 ms
duration: {ms} ms
precision: float64
populations:
  R:
    size: {n}
    model:
      equations: |
        dV/dt = d*tau*(alpha*W - f*V**3 + e*V**2 + g*V + gamma*I)/ms : 1
        dW/dt = d*(a + b*V + c*V**2 - beta*W)/(tau*ms) : 1
      params: {{d: 0.02, tau: 1, alpha: 1, f: 1, e: 3, g: 0, gamma: 1, a: -2, b: -10, c: 0, beta: 1}}
    integrator: rk2
    init: {{V: {{file: v0.npy}}, W: {{file: w0.npy}}}}
projections:
  LR:
    pre: R
    post: R
    conn: {{connectome: {{file: connectome.npz, speed: {speed} mm/ms}}}}
    weight: {a}
    synapse: Delta
    output: CUBA
    carries: V
monitors: {{traces: {{R.V: all}}}}
"""


def drawn_connectome(n=76, seed=7):
    rng = np.random.default_rng(seed)
    w = np.where(rng.random((n, n)) < 0.3, rng.lognormal(0.0, 1.0, (n, n)), 0.0)
    np.fill_diagonal(w, 0.0)
    lengths = rng.uniform(10.0, 150.0, (n, n))
    lengths = (lengths + lengths.T) / 2
    np.fill_diagonal(lengths, 0.0)
    return w, lengths


def arrays_connectivity(weights, lengths):
    from tvb.datatypes import connectivity
    n = len(weights)
    return connectivity.Connectivity(weights=weights, tract_lengths=lengths, centres=np.zeros((n, 3)),
                                     region_labels=np.array([f"r{i}" for i in range(n)]))


def tvb_run(conn, v0, w0, steps):
    from tvb.simulator import coupling, integrators, models, monitors, simulator
    n = len(v0)
    conn.speed = np.array([SPEED])
    conn.configure()
    sim = simulator.Simulator(model=models.Generic2dOscillator(), connectivity=conn,
                              coupling=coupling.Linear(a=np.array([A])),
                              integrator=integrators.HeunDeterministic(dt=DT), monitors=(monitors.Raw(),),
                              simulation_length=steps * DT)
    sim.configure()
    hist = np.zeros((sim.connectivity.horizon, 2, n, 1))
    hist[-1, 0, :, 0], hist[-1, 1, :, 0] = v0, w0
    sim.initial_conditions = hist
    sim.configure()
    t0 = time.perf_counter()
    (t, y), = sim.run()
    return y[:, 0, :, 0], time.perf_counter() - t0, int(conn.idelays.max())


def fixture(out):
    w, lengths = drawn_connectome()
    rng = np.random.default_rng(8)
    v0, w0 = rng.uniform(-2, 2, len(w)), rng.uniform(-2, 2, len(w))
    v, wall, most = tvb_run(arrays_connectivity(w, lengths), v0, w0, STEPS)
    np.savez(out, weights=w, tract_lengths=lengths, v0=v0, w0=w0, coupling_a=np.array(A), speed=np.array(SPEED),
             dt=np.array(DT), every=np.array(EVERY), v=v[EVERY - 1::EVERY])
    print(json.dumps(dict(simulator="tvb", version=importlib.metadata.version("tvb-library"), regions=len(w),
                          steps=STEPS, wall_s=wall, max_delay_steps=most)))


def with_tvb_data(brainc, ms):
    import tvb_data
    from tvb.datatypes import connectivity
    conn = connectivity.Connectivity.from_file(os.path.join(os.path.dirname(tvb_data.__file__), "connectivity",
                                                            "connectivity_76.zip"))
    n, steps = conn.weights.shape[0], int(round(ms / DT))
    rng = np.random.default_rng(8)
    v0, w0 = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    v, tvb_wall, most = tvb_run(conn, v0, w0, steps)
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(os.path.join(tmp, "connectome.npz"), weights=conn.weights, tract_lengths=conn.tract_lengths)
        np.save(os.path.join(tmp, "v0.npy"), v0)
        np.save(os.path.join(tmp, "w0.npy"), w0)
        with open(os.path.join(tmp, "brain.yaml"), "w") as f:
            f.write(SPEC.format(ms=ms, n=n, speed=SPEED, a=A))
        subprocess.run([brainc, "run", os.path.join(tmp, "brain.yaml"), "--quiet", "--out", os.path.join(tmp, "out")],
                       check=True, stdout=subprocess.DEVNULL)
        got = np.load(os.path.join(tmp, "out", "traces.npz"))["R.V"]
        with open(os.path.join(tmp, "out", "summary.json")) as f:
            s = json.load(f)
    print(json.dumps(dict(connectome="tvb-data " + importlib.metadata.version("tvb-data") + " connectivity_76", regions=n,
                          steps=steps, max_delay_steps=most, max_abs_diff_v=float(np.max(np.abs(got - v))),
                          tvb_wall_s=tvb_wall, brainc_run_s=s["run_s"], brainc_compile_s=s["compile_s"])))


if __name__ == "__main__":
    if sys.argv[1] == "--tvb-data":
        with_tvb_data(sys.argv[2], float(sys.argv[3]))
    else:
        fixture(sys.argv[1])
