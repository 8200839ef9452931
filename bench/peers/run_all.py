"""The peer harness: runs brainc and every peer simulator on COBA and CUBA (and,
when asked, COBAHH) at each size, several repetitions, on this machine, in this
one run; writes bench/results/<host>-<date>.json and the side-by-side tables in
docs/benchmarks.md: COBA/CUBA between the peers:begin/end markers, COBAHH
between peers-cobahh:begin/end. A block is rewritten only when one of its
models was run.

COBAHH is not in the default set (its HH neurons make a 40k, 5 s run long);
run it with e.g. `run_all.py --models cobahh --sizes 4000 --duration 1000`
(`make bench-peers PEERS_ARGS="--models cobahh --sizes 4000 --duration 1000"`)."""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIMS = {
    "brainc": ["brainc_peer.py"],
    "brainpy": ["brainpy_peer.py"],
    "brian2-runtime": ["brian2_peer.py", "--mode", "runtime"],
    "brian2-cpp-standalone": ["brian2_peer.py", "--mode", "cpp_standalone"],
    "nest": ["nest_peer.py"],
    "c-loop": ["cloop_peer.py"],
}
MODELS = ("coba", "cuba", "cobahh")  # common.MODELS
# Simulators with no script for a model are skipped for it.
UNSUPPORTED = {"nest": {"cobahh"}, "c-loop": {"cobahh"}}
# Doc blocks: marker name → the models whose rows it holds.
BLOCKS = {"peers": ("coba", "cuba"), "peers-cobahh": ("cobahh",)}


def run_one(sim, model, n, duration, seed, timeout):
    cmd = [sys.executable, os.path.join(HERE, SIMS[sim][0]), *SIMS[sim][1:], "--model", model, "--n", str(n),
           "--duration", str(duration), "--seed", str(seed)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=HERE)
    except subprocess.TimeoutExpired:
        return {"simulator": sim, "model": model, "n": n, "error": f"timed out after {timeout} s"}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"simulator": sim, "model": model, "n": n,
                "error": f"exit {p.returncode}: " + (p.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def summarise(runs):
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return {"error": runs[0]["error"]}
    med = statistics.median
    return dict(version=ok[0]["version"], reps=len(ok),
                wall_min=min(r["wall_s"] for r in ok), wall_med=med(r["wall_s"] for r in ok),
                run_min=min(r["run_s"] for r in ok), run_med=med(r["run_s"] for r in ok),
                compile_med=med(r["compile_s"] for r in ok),
                rate_E=med(r["rates"]["E"] for r in ok), rate_I=med(r["rates"]["I"] for r in ok),
                cv_E=med(r["cv_isi"]["E"] or 0 for r in ok))


def table(summary, sims, sizes, models, duration):
    lines = [f"Model time {duration / 1000:g} s per run; times in seconds (min / median over the repetitions); "
             "\"run\" excludes compile/build, \"wall\" is the whole process. Ratio = brainc ÷ peer (below 1: brainc faster).",
             "",
             "| model | N | simulator | version | wall min / med | run min / med | compile/build | E Hz | I Hz | CV E | brainc÷peer wall | brainc÷peer run |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for model in models:
        for n in sizes:
            b = summary.get(f"{model}/{n}/brainc", {})
            for sim in sims:
                s = summary.get(f"{model}/{n}/{sim}")
                if s is None:
                    continue
                if "error" in s:
                    lines.append(f"| {model} | {n} | {sim} | — | {s['error']} | | | | | | | |")
                    continue
                rw = rr = ""
                if sim != "brainc" and "error" not in b and b:
                    rw = f"{b['wall_med'] / s['wall_med']:.2f}"
                    rr = f"{b['run_med'] / s['run_med']:.2f}"
                lines.append(f"| {model} | {n} | {sim} | {s['version']} | {s['wall_min']:.2f} / {s['wall_med']:.2f} | "
                             f"{s['run_min']:.2f} / {s['run_med']:.2f} | {s['compile_med']:.2f} | {s['rate_E']:.2f} | "
                             f"{s['rate_I']:.2f} | {s['cv_E']:.2f} | {rw} | {rr} |")
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="coba,cuba", help="comma-separated, of " + ", ".join(MODELS))
    p.add_argument("--sizes", default="4000,40000")
    p.add_argument("--sims", default=",".join(SIMS))
    p.add_argument("--duration", type=float, default=5000.0)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--timeout", type=int, default=1800)
    p.add_argument("--out", default=None)
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    a = p.parse_args()
    models, sizes, sims = a.models.split(","), [int(x) for x in a.sizes.split(",")], a.sims.split(",")
    for x, known, what in ((models, MODELS, "model"), (sims, SIMS, "simulator")):
        bad = [y for y in x if y not in known]
        if bad:
            p.error(f"unknown {what} {', '.join(bad)} (known: {', '.join(known)})")
    date = datetime.date.today().isoformat()
    # Runs beyond COBA/CUBA get their own file, so they never overwrite the default run's.
    tag = "" if set(models) <= set(BLOCKS["peers"]) else "-" + "-".join(models)
    out = a.out or os.path.join(ROOT, "bench", "results", f"{platform.node()}-{date}{tag}.json")
    runs, summary = [], {}
    for model in models:
        for n in sizes:
            for sim in sims:
                if model in UNSUPPORTED.get(sim, ()):
                    continue
                rs = []
                for rep in range(a.reps):
                    r = run_one(sim, model, n, a.duration, a.seed, a.timeout)
                    r["rep"] = rep
                    rs.append(r)
                    print(json.dumps(r), flush=True)
                    if "error" in r:
                        break
                runs.extend(rs)
                summary[f"{model}/{n}/{sim}"] = summarise(rs)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    meta = dict(host=platform.node(), date=date, cpus=os.cpu_count(), python=platform.python_version(),
                machine=platform.machine(), duration_ms=a.duration, reps=a.reps, seed=a.seed)
    with open(out, "w") as f:
        json.dump(dict(meta=meta, summary=summary, runs=runs), f, indent=1)
    doc = ""
    if os.path.exists(a.doc):
        with open(a.doc) as f:
            doc = f.read()
    texts = []
    for name, block_models in BLOCKS.items():
        ms = [x for x in models if x in block_models]
        if not ms:
            continue
        text = table(summary, sims, sizes, ms, a.duration)
        texts.append(text)
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        block = f"{begin}\nMeasured {date} on `{meta['host']}` ({meta['cpus']} CPUs) by `make bench-peers`; raw runs in " \
                f"`{os.path.relpath(out, ROOT)}`.\n\n{text}\n{end}"
        if begin in doc:
            doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
        else:
            title = "Side by side with the peers" + (f" ({', '.join(ms).upper()})" if name != "peers" else "")
            doc += f"\n## {title}\n\n" + block + "\n"
    with open(a.doc, "w") as f:
        f.write(doc)
    print("\n\n".join(texts))


if __name__ == "__main__":
    main()
