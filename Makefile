# brainc: the two commands a fresh machine needs are `make run` and `make test`;
# each installs what it needs (Go modules, the XLA CPU PJRT plugin).
GO      ?= go
BIN     := bin/brainc
OUT     ?= out
# brainc installs PJRT plugins itself (scripts/setup-pjrt.sh): never let GoMLX
# try GitHub at run time.
export GOMLX_NO_AUTO_INSTALL := 1

.PHONY: all setup build test run bench bench-peers bench-decision bench-plasticity lint clean gpu-binaries fuzz

all: build

build:
	@$(GO) build -o $(BIN) ./cmd/brainc

setup: build
	@scripts/setup-pjrt.sh

test: setup lint
	$(GO) test ./...

run: setup
	$(BIN) run coba --out $(OUT) --overwrite

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./bench/ ./bench/train/ ./bptt/

# Fuzz the spec reader, the lowering, the NPY/NPZ readers, checkpoint loading
# and the disk cache's entries, FUZZTIME each, one worker (make test runs their
# seed corpora only). FUZZTARGETS picks a subset by name (space-separated).
FUZZTIME ?= 1m
# A new input is minimised for at most FUZZMINIMIZE (Go's default, 60 s, stalls
# targets whose inputs are whole files, such as checkpoints, for a minute each).
FUZZMINIMIZE ?= 10s
FUZZ_TARGETS := FuzzParse:./netspec FuzzParseLower:./lower FuzzReadNPY:./npyio FuzzReadNPZ:./npyio FuzzParseNeuron:./eqs FuzzParseExprDeep:./eqs FuzzLoadCheckpoint:./results FuzzReadCacheEntry:./diskcache
fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  if [ -n "$(FUZZTARGETS)" ] && ! echo " $(FUZZTARGETS) " | grep -q " $${t%%:*} "; then continue; fi; \
	  echo "== $${t%%:*}"; \
	  $(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) -parallel 1 $${t#*:} || exit 1; \
	done

# Peer simulators (BrainPy, Brian2, NEST) in their own venv: never part of the
# Go build or of `make test`. Runs every simulator side by side on this machine
# and rewrites the table in docs/benchmarks.md (takes tens of minutes).
PEERS_VENV := .venv-peers
PEERS_ARGS ?=
$(PEERS_VENV)/.installed: bench/peers/requirements.txt
	python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install -q -r bench/peers/requirements.txt
	touch $@

bench-peers: setup $(PEERS_VENV)/.installed
	$(PEERS_VENV)/bin/python bench/peers/run_all.py $(PEERS_ARGS)

# The decision network (Wang 2002) in brainc, Brian2 cpp_standalone and BrainPy,
# seeds 1-3 (docs/benchmarks.md): brainc's summaries, then one JSON line per
# peer run (about 4 minutes in all).
bench-decision: setup $(PEERS_VENV)/.installed
	@for s in 1 2 3; do $(BIN) run decision --seed $$s --quiet --overwrite --out bench/peers/output/decision-$$s | head -1; done
	@for s in 1 2 3; do $(PEERS_VENV)/bin/python bench/peers/decision_brian2.py --mode cpp_standalone --seed $$s | tail -1; done
	@for s in 1 2 3; do $(PEERS_VENV)/bin/python bench/peers/decision_brainpy.py --seed $$s 2>/dev/null | tail -1; done

# What a learning rule with per-synapse state costs (docs/learning.md): COBA 4k
# with no rule, Brian2's STDP (traces per synapse) and reward-modulated STDP
# on E→E, in brainc and Brian2 cpp_standalone, 1 s each, one JSON line per run
# (about 3 minutes in all, mostly Brian2's C++ builds).
bench-plasticity: setup $(PEERS_VENV)/.installed
	@for r in none synapse-traces reward-modulated; do \
	  (cd bench/peers && ../../$(PEERS_VENV)/bin/python brainc_peer.py --duration 1000 --rule $$r | tail -1); \
	  (cd bench/peers && ../../$(PEERS_VENV)/bin/python brian2_peer.py --mode cpp_standalone --duration 1000 --rule $$r 2>/dev/null | tail -1); \
	done

lint:
	$(GO) vet ./...
	@fmt=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$fmt" ]; then echo "gofmt needed on:"; echo "$$fmt"; exit 1; fi

clean:
	rm -rf bin $(OUT)

# Binaries for scripts/gpu-smoke.sh on a GPU machine without Go.
gpu-binaries: build
	$(GO) test -c -o bin/pjrt.test ./pjrt
