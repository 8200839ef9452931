package tests

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/npyio"
)

// wholeBrainSpec is TVB's Generic2dOscillator (its defaults) written as
// equations, one per region, coupled through a connectome: Linear coupling
// a·Σ_j w_ij·V_j(t − τ_ij) is a rate projection carrying V through a Delta
// synapse and CUBA output, weight a, delays from the tract lengths at the
// connectome's speed.
const wholeBrainSpec = `
name: brain
dt: 0.1 ms
duration: 200 ms
populations:
  R:
    size: %d
    model:
      equations: |
        dV/dt = d*tau*(alpha*W - f*V**3 + e*V**2 + g*V + gamma*I)/ms : 1
        dW/dt = d*(a + b*V + c*V**2 - beta*W)/(tau*ms) : 1
      params: {d: 0.02, tau: 1, alpha: 1, f: 1, e: 3, g: 0, gamma: 1, a: -2, b: -10, c: 0, beta: 1}
    integrator: rk2
    init: {V: {file: v0.npy}, W: {file: w0.npy}}
projections:
  LR:
    pre: R
    post: R
    conn: {connectome: {file: connectome.npz, speed: %g mm/ms}}
    weight: %g
    synapse: Delta
    output: CUBA
    carries: V
monitors: {traces: {R.V: all}}
`

// A whole-brain network of 76 regions (a connectome drawn by
// bench/peers/whole_brain.py: 30 % of pairs coupled, tract lengths 10-150
// mm) follows The Virtual Brain's run of the same model, coupling and
// delays (up to 492 steps) under Heun's method: every region's V agrees at
// every 10th step of 200 ms (tests/testdata/peers/whole_brain_76.npz,
// bench/peers/regen.sh brain). TVB's own 76-region connectivity (tvb-data,
// GPL-3, not copied here) is compared by whole_brain.py --tvb-data.
func TestWholeBrainMatchesTVB(t *testing.T) {
	cpu(t)
	ref, err := npyio.ReadNPZMap("testdata/peers/whole_brain_76.npz")
	require.NoError(t, err)
	floats := func(name string) []float64 {
		v, err := npyio.Float64s(ref[name])
		require.NoError(t, err, name)
		return v
	}
	n := ref["weights"].Shape[0]
	dir := t.TempDir()
	require.NoError(t, npyio.WriteNPZ(filepath.Join(dir, "connectome.npz"), []string{"weights", "tract_lengths"},
		[]npyio.Array{{Shape: []int{n, n}, Data: floats("weights")}, {Shape: []int{n, n}, Data: floats("tract_lengths")}}))
	for _, name := range []string{"v0", "w0"} {
		f, err := os.Create(filepath.Join(dir, name+".npy"))
		require.NoError(t, err)
		require.NoError(t, npyio.WriteNPY(f, npyio.Array{Shape: []int{n}, Data: floats(name)}))
		require.NoError(t, f.Close())
	}
	spec := fmt.Sprintf(wholeBrainSpec, n, floats("speed")[0], floats("coupling_a")[0])
	require.NoError(t, os.WriteFile(filepath.Join(dir, "brain.yaml"), []byte(spec), 0o644))
	net, err := netspec.ParseFile(filepath.Join(dir, "brain.yaml"))
	require.NoError(t, err)
	rec, _ := simulate(t, net, lower.Options{DType: dtypes.Float64}, jit.Options{})
	got := rec.Traces[0].Values // [steps][n]
	want, every := floats("v"), int(floats("every")[0])
	rows := len(want) / n
	require.Equal(t, 2000, len(got)/n)
	worst := 0.0
	for k := range rows {
		step := (k+1)*every - 1
		for i := range n {
			d := math.Abs(got[step*n+i] - want[k*n+i])
			worst = math.Max(worst, d)
			require.InDelta(t, want[k*n+i], got[step*n+i], 1e-8, "region %d after step %d", i, step+1)
		}
	}
	t.Logf("largest difference from TVB over %d regions × %d samples: %.2g", n, rows, worst)
	assert.Greater(t, rows, 100)
}
