// Package tests holds brainc's integration tests: whole networks from spec to
// spikes on the XLA CPU backend. They are the slow tier: with go test -short
// (the fast tier) every test that needs the backend skips (see cpu), and
// make test runs them all.
package tests

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/results"
)

var (
	backendOnce sync.Once
	backend     *pjrt.Backend
	backendErr  error
)

// cpu opens the XLA CPU plugin once for all tests; a missing plugin fails.
// With -short the test skips: it simulates, and belongs to make test.
func cpu(t *testing.T) *pjrt.Backend {
	t.Helper()
	if testing.Short() {
		t.Skip("integration tier (simulates on the XLA backend): make test runs it, go test -short does not")
	}
	backendOnce.Do(func() { backend, backendErr = pjrt.Open(pjrt.Options{Backend: "cpu"}) })
	require.NoError(t, backendErr, "the XLA CPU plugin must be installed: run `make setup`")
	return backend
}

func parse(t *testing.T, spec string) *ir.Network {
	t.Helper()
	net, err := netspec.Parse([]byte(spec), "test.yaml")
	require.NoError(t, err)
	return net
}

// simulate lowers and runs a network for its duration.
func simulate(t *testing.T, net *ir.Network, lopts lower.Options, jopts jit.Options) (*results.Recorder, jit.Stats) {
	t.Helper()
	prog, err := lower.Build(net, lopts)
	require.NoError(t, err)
	rec, st, err := driver.Simulate(cpu(t), prog, int(net.Duration/net.Dt+0.5), driver.Options{Jit: jopts})
	require.NoError(t, err)
	return rec, st
}
