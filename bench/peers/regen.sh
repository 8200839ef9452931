#!/usr/bin/env bash
# Regenerates the peer fixtures in tests/testdata/peers/ (Brian2 single-neuron
# references; Brian2 and BrainPy network statistics over several seeds).
# Needs the peer venv: `make bench-peers` creates it (or run `make .venv-peers/.installed`).
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-../../.venv-peers}
[ -x "$VENV/bin/python" ] || { echo "regen: no peer venv at $VENV; run 'make $(basename "$VENV")/.installed' from the repository root" >&2; exit 1; }
"$VENV/bin/python" fixtures.py "$@"  # "decision" regenerates only decision_spontaneous.json, "plasticity" only rstdp_brian2.json, triplet_brian2.json and rate_rules_brian2.json, "rates" only rate_models.json, "brain" only whole_brain_76.npz
