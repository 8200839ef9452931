"""Shared definitions of the decision-network peers (decision_brian2.py,
decision_brainpy.py): the parameters of brainc's models/decision.yaml
(Wang 2002), the command line, and the rates every script reports."""
import argparse

import numpy as np

F, W_PLUS = 0.15, 1.7
W_MINUS = 1 - F * (W_PLUS - 1) / (1 - F)
SIZES = dict(A=240, B=240, N=1120, I=400)
LEAK = dict(E=25.0, I=20.0)  # nS
# Conductances (nS) onto E and I targets; weights are these over the target's leak.
G = dict(E=dict(ext=2.1, ampa=0.05, nmda=0.165, gaba=1.3), I=dict(ext=1.62, ampa=0.04, nmda=0.13, gaba=1.0))


def kind(pop):
    """The cell type of a population: "I" for the interneurons, else "E"."""
    return "I" if pop == "I" else "E"


def w(src, dst):
    """Structure factor: w+ within a selective group, w- from the other
    selective group and from N onto A and B, else 1."""
    if dst in ("I", "N"):
        return 1.0
    return W_PLUS if src == dst else W_MINUS


def weight(channel, src, dst):
    """The dimensionless weight of a projection: structure factor times the
    channel's conductance over the target's leak (src None: no structure)."""
    k = kind(dst)
    return (1.0 if src is None else w(src, dst)) * G[k][channel] / LEAK[k]


def parse_args(extra=None):
    """The shared flags, plus the script's own (extra(parser))."""
    p = argparse.ArgumentParser()
    p.add_argument("--duration", type=float, default=2000.0, help="model time, ms")
    p.add_argument("--coherence", type=float, default=0.256)
    p.add_argument("--mu0", type=float, default=40.0, help="stimulus rate at zero coherence, Hz (0: none)")
    p.add_argument("--seed", type=int, default=1)
    if extra:
        extra(p)
    return p.parse_args()


def rates(times, duration):
    """Per population (times: name -> spike times in ms): the mean rate over
    the run, over its last 500 ms, and per 100 ms bin, in Hz; and the winner."""
    out = dict(rates={}, late_rates={}, rates_per_100ms={})
    for name, size in SIZES.items():
        t = np.asarray(times[name])
        out["rates"][name] = len(t) / size / (duration / 1000)
        out["late_rates"][name] = float((t >= duration - 500).sum()) / size / 0.5
        counts, _ = np.histogram(t, bins=np.arange(0, duration + 1, 100))
        out["rates_per_100ms"][name] = [round(c / size / 0.1, 1) for c in counts]
    out["winner"] = "A" if out["late_rates"]["A"] > out["late_rates"]["B"] else "B"
    return out
