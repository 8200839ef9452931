"""The plain C loop (bench/cloop/lif.c) on the peer harness's networks: built
with `cc -O2` (the build time is its compile_s), run once, reported in the
harness's JSON line. It is the yardstick of brainc's CPU step, not a peer
simulator: same equations, single-threaded, no SIMD intrinsics."""
import json
import os
import subprocess
import tempfile
import time

from common import parse_args

a = parse_args(models=["coba", "cuba"])
src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cloop", "lif.c")
with tempfile.TemporaryDirectory() as tmp:
    exe = os.path.join(tmp, "lif")
    t0 = time.perf_counter()
    subprocess.run(["cc", "-O2", "-o", exe, src, "-lm"], check=True)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = subprocess.run([exe, a.model, str(a.n), str(a.duration), str(a.seed)], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t0 + build
out = json.loads(p.stdout.strip().splitlines()[-1])
out.update(seed=a.seed, wall_s=wall, compile_s=build, cv_isi={"E": None, "I": None}, host="vm", threads=1)
print(json.dumps(out), flush=True)
