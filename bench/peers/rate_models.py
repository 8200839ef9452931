"""Reference trajectories of brainc's rate and neural-mass models from the
tools that define them, for tests/rate_models_test.go (through fixtures.py
"rates" / regen.sh rates):

- ThresholdLinear: BrainPy's ThresholdLinearModel (its E unit: tau_e, beta_e,
  forward Euler), driven by a constant input, one above threshold and one
  below (the rate stays 0).
- JansenRit: The Virtual Brain's JansenRit model (its defaults; mu = 0.22 per
  ms, p = 220 Hz), one uncoupled node, integrated by TVB's HeunDeterministic
  scheme from a given state (kept every 10th step).

Times are in ms, dt = 0.1 ms. Prints one JSON object."""
import json

import numpy as np

DT = 0.1
EVERY = 10  # JansenRit: the state after every 10th step


def threshold_linear():
    import brainpy as bp
    import brainpy.math as bm
    bm.set_dt(DT)
    bm.enable_x64()
    steps, inputs = 600, [100.0, -50.0]
    m = bp.dyn.ThresholdLinearModel(2, tau_e=20.0, beta_e=0.066)
    runner = bp.DSRunner(m, monitors=["e"], inputs=(m.Ie, bm.asarray(inputs), "fix", "="), progress_bar=False)
    runner.run(steps * DT)
    return dict(version=bp.__version__, tau_ms=20.0, beta=0.066, inputs=inputs, dt_ms=DT,
                e=np.asarray(runner.mon["e"]).tolist())


def jansen_rit():
    import importlib.metadata
    from tvb.simulator.integrators import HeunDeterministic
    from tvb.simulator.models import JansenRit
    m = JansenRit()
    m.configure()
    y0 = np.array([0.1, 10.0, 5.0, 0.0, 0.0, 0.0])
    x = y0.reshape(6, 1, 1).copy()
    coupling = np.zeros((len(m.cvar), 1, 1))
    heun = HeunDeterministic(dt=DT)
    heun.configure()
    out = []
    for k in range(2000):
        x = heun.scheme(x, m.dfun, coupling, 0.0, 0.0)
        if (k + 1) % EVERY == 0:
            out.append(x[:, 0, 0].tolist())
    params = {k: float(getattr(m, k)[0]) for k in ("A", "B", "a", "b", "J", "nu_max", "r", "v0", "mu")}
    return dict(version="tvb-library " + importlib.metadata.version("tvb-library"), params=params, dt_ms=DT, y_start=y0.tolist(),
                every=EVERY, y=out)


if __name__ == "__main__":
    print(json.dumps(dict(threshold_linear=threshold_linear(), jansen_rit=jansen_rit())))
