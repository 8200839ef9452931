"""brainc on the peer harness's networks: writes the spec (brainc's built-in
model with fixed in-degree 64 E + 16 I and N neurons: models/coba.yaml,
cuba.yaml or cobahh.yaml, see common.brainc_spec), runs `bin/brainc run`,
and reports its summary.json in the harness's JSON line."""
import json
import os
import subprocess
import sys
import tempfile
import time

from common import brainc_spec, parse_args

a = parse_args(lambda p: p.add_argument("--brainc", default=os.path.join(
    os.path.dirname(__file__), "..", "..", "bin", "brainc")))


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "spec.yaml")
    with open(path, "w") as f:
        f.write(brainc_spec(a))
    t0 = time.perf_counter()
    subprocess.run([a.brainc, "run", path, "--quiet", "--backend", "cpu", "--out", os.path.join(tmp, "out")],
                   check=True, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    wall = time.perf_counter() - t0
    with open(os.path.join(tmp, "out", "summary.json")) as f:
        s = json.load(f)
version = subprocess.run([a.brainc, "version"], capture_output=True, text=True).stdout.strip() or "dev"
out = dict(simulator="brainc", version=version, model=a.model, n=a.n, rule=a.rule, model_time_ms=a.duration, dt_ms=a.dt,
           seed=a.seed, wall_s=wall, run_s=s["run_s"], compile_s=s["compile_s"],
           setup_s=wall - s["run_s"] - s["compile_s"], backend=s["backend"], engine=s["engine"],
           rates={p: v["rate_hz"] for p, v in s["populations"].items()},
           cv_isi={p: v["cv_isi"] for p, v in s["populations"].items()})
print(json.dumps(out), flush=True)
