package fingerprint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// fpSpec reads its per-neuron thresholds and its synapses from files.
const fpSpec = `
name: fp
dt: 0.1 ms
duration: 10 ms
seed: 3
populations:
  E: {size: 5, model: LifRef, params: {V_rest: -60 mV, V_th: {file: vth.npy}, V_reset: -60 mV, tau: 20 ms, tau_ref: 2 ms}, input: 8}
projections:
  EE: {pre: E, post: E, conn: {file: conn.npz}, weight: 1, synapse: {Expon: {tau: 5 ms}}, output: CUBA}
monitors: {spikes: [E]}
`

// fpProgram lowers fpSpec with the given thresholds and synapse
// weights in its files.
func fpProgram(t *testing.T, vth, w []float64) *lower.Program {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fp.yaml"), []byte(fpSpec), 0o644))
	f, err := os.Create(filepath.Join(dir, "vth.npy"))
	require.NoError(t, err)
	require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{5}, Data: vth}))
	require.NoError(t, f.Close())
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "conn.npz"), []string{"pre", "post", "weight"}, []npyio.Array{
		{Shape: []int{3}, Data: []int32{0, 1, 2}}, {Shape: []int{3}, Data: []int32{1, 2, 3}}, {Shape: []int{3}, Data: w}}))
	net, err := netspec.ParseFile(filepath.Join(dir, "fp.yaml"))
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	return p
}

// The values read from files are in the fingerprint (not the files'
// names): another threshold or synapse weight in them differs, the same
// values in another directory do not.
func TestFingerprintHoldsFileValues(t *testing.T) {
	vth := []float64{-50, -50, -51, -50, -50}
	w := []float64{0.5, 0.5, 0.5}
	base := Of(fpProgram(t, vth, w))
	assert.Empty(t, Of(fpProgram(t, vth, w)).Differences(base), "the same files elsewhere")
	assert.Equal(t, []string{"values of param:E.V_th"}, Of(fpProgram(t, []float64{-50, -50, -52, -50, -50}, w)).Differences(base))
	assert.Equal(t, []string{"projections.EE synapse weights"}, Of(fpProgram(t, vth, []float64{0.5, 5, 0.5})).Differences(base))
}

// A fingerprint is the same whatever the padding for a device count, and
// the same for a network built twice.
func TestFingerprintIsDeviceIndependent(t *testing.T) {
	net, err := models.Load("coba")
	require.NoError(t, err)
	one, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	for _, devices := range []int{2, 3, 7} {
		padded, err := lower.Build(net, lower.Options{PadTo: devices})
		require.NoError(t, err)
		assert.Empty(t, Of(padded).Differences(Of(one)), "%d devices", devices)
	}
	again, err := models.Load("coba")
	require.NoError(t, err)
	again.Seed++
	other, err := lower.Build(again, lower.Options{})
	require.NoError(t, err)
	diff := Of(other).Differences(Of(one))
	assert.Contains(t, diff, "seed")
	assert.Contains(t, strings.Join(diff, ","), "connectivity table")
}

// Spike times read from a file are in the fingerprint; the duration (a
// resumed run may go on further) is not.
func TestFingerprintHoldsSpikeTimes(t *testing.T) {
	build := func(times []float64, duration string) Parts {
		t.Helper()
		dir := t.TempDir()
		spec := "name: st\ndt: 0.1 ms\nduration: " + duration + "\npopulations:\n  S: {size: 2, model: SpikeTimes, spikes: {file: s.npz}}\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "st.yaml"), []byte(spec), 0o644))
		require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "s.npz"), []string{"times", "indices"}, []npyio.Array{
			{Shape: []int{2}, Data: times}, {Shape: []int{2}, Data: []int32{0, 1}}}))
		net, err := netspec.ParseFile(filepath.Join(dir, "st.yaml"))
		require.NoError(t, err)
		p, err := lower.Build(net, lower.Options{})
		require.NoError(t, err)
		return Of(p)
	}
	base := build([]float64{1, 2}, "10 ms")
	assert.Empty(t, build([]float64{1, 2}, "20 ms").Differences(base))
	assert.Equal(t, []string{"populations.S spike times"}, build([]float64{1, 3}, "10 ms").Differences(base))
}
