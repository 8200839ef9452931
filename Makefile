# brainc: the two commands a fresh machine needs are `make run` and `make test`;
# each installs what it needs (Go modules, the XLA CPU PJRT plugin).
GO      ?= go
BIN     := bin/brainc
OUT     ?= out
# brainc installs PJRT plugins itself (scripts/setup-pjrt.sh): never let GoMLX
# try GitHub at run time.
export GOMLX_NO_AUTO_INSTALL := 1

.PHONY: all setup build test run bench lint clean gpu-binaries

all: build

build:
	@$(GO) build -o $(BIN) ./cmd/brainc

setup: build
	@scripts/setup-pjrt.sh

test: setup lint
	$(GO) test ./...

run: setup
	$(BIN) run coba --out $(OUT)

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./bench/

lint:
	$(GO) vet ./...
	@fmt=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$fmt" ]; then echo "gofmt needed on:"; echo "$$fmt"; exit 1; fi

clean:
	rm -rf bin $(OUT)

# Binaries for scripts/gpu-smoke.sh on a GPU machine without Go.
gpu-binaries: build
	$(GO) test -c -o bin/pjrt.test ./pjrt
