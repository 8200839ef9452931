package tests

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
	"github.com/brainc/brainc/plan"
)

// Explicit synapses with per-synapse weights, read from an .npz, give the
// same spikes through the event (CSR, per-synapse weights) and dense kernels,
// while sharing the E population's table with a homogeneous projection.
func TestConnectivityFromFile(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	var pre, post []int64
	var w []float64
	for k := 0; k < 30000; k++ {
		pre = append(pre, int64(r.IntN(400)))
		post = append(post, int64(r.IntN(400)))
		w = append(w, 0.5+r.Float64())
	}
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "e2e.npz"), []string{"pre", "post", "weight"},
		[]npyio.Array{{Shape: []int{len(pre)}, Data: pre}, {Shape: []int{len(post)}, Data: post}, {Shape: []int{len(w)}, Data: w}}))
	spec := strings.Replace(smallCOBA, "E2E: {pre: E, post: E, conn: {fixed_prob: 0.16}, weight: 0.6,",
		"E2E: {pre: E, post: E, conn: {file: e2e.npz}, weight: 0.6,", 1)
	path := filepath.Join(dir, "net.yaml")
	require.NoError(t, os.WriteFile(path, []byte(spec), 0o644))
	load := func() *ir.Network {
		net, err := netspec.ParseFile(path)
		require.NoError(t, err)
		return net
	}
	event, _ := simulate(t, load(), lower.Options{Kernel: plan.KernelEvent}, jit.Options{K: 5})
	dense, _ := simulate(t, load(), lower.Options{Kernel: plan.KernelDense}, jit.Options{K: 5})
	require.Greater(t, totalSpikes(event), 400)
	assert.Equal(t, spikeTrains(dense), spikeTrains(event))
	prog, err := lower.Build(load(), lower.Options{})
	require.NoError(t, err)
	assert.Equal(t, 30000, prog.Projs[0].Matrix.NumSynapses())
	assert.True(t, prog.Pops[0].Block.Fan.PerSynapse)

	// Errors name the file and the entry.
	post[7] = 400
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "e2e.npz"), []string{"pre", "post"},
		[]npyio.Array{{Shape: []int{len(pre)}, Data: pre}, {Shape: []int{len(post)}, Data: post}}))
	_, err = lower.Build(load(), lower.Options{})
	assert.EqualError(t, err, filepath.Join(dir, "net.yaml")+":12: projections.E2E: post[7] is 400, outside the post population [0, 400)")
	require.NoError(t, os.Remove(filepath.Join(dir, "e2e.npz")))
	_, err = netspec.ParseFile(path) // the file is read when the spec is loaded
	require.Error(t, err)
	assert.Contains(t, err.Error(), "net.yaml:12: projections.E2E: ")
	assert.Contains(t, err.Error(), "e2e.npz")
}
