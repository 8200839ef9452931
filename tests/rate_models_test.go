package tests

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

// rateModelsFixture is tests/testdata/peers/rate_models.json, written by
// bench/peers/rate_models.py (regen.sh rates).
type rateModelsFixture struct {
	ThresholdLinear struct {
		Version string      `json:"version"`
		Inputs  []float64   `json:"inputs"`
		E       [][]float64 `json:"e"` // [step][unit], after each step
	} `json:"threshold_linear"`
	JansenRit struct {
		Version string      `json:"version"`
		Every   int         `json:"every"`
		Y       [][]float64 `json:"y"` // [every k-th step][y0…y5]
	} `json:"jansen_rit"`
}

func loadRateModels(t *testing.T) rateModelsFixture {
	t.Helper()
	data, err := os.ReadFile("testdata/peers/rate_models.json")
	require.NoError(t, err)
	var f rateModelsFixture
	require.NoError(t, json.Unmarshal(data, &f))
	require.Len(t, f.ThresholdLinear.E, 600)
	require.Len(t, f.JansenRit.Y, 200)
	return f
}

// ThresholdLinear is BrainPy's ThresholdLinearModel unit (forward Euler,
// the same τ and β): one unit driven above threshold follows BrainPy's
// rates to float64 rounding, one driven below stays at 0.
func TestThresholdLinearMatchesBrainPy(t *testing.T) {
	cpu(t)
	f := loadRateModels(t).ThresholdLinear
	spec := `
name: tl
dt: 0.1 ms
duration: 60 ms
populations:
  P: {size: 1, model: ThresholdLinear, params: {tau: 20 ms, beta: 0.066}, input: 100, integrator: euler}
  N: {size: 1, model: ThresholdLinear, params: {tau: 20 ms, beta: 0.066}, input: -50, integrator: euler}
monitors: {traces: {P.r: [0], N.r: [0]}}
`
	require.Equal(t, []float64{100, -50}, f.Inputs)
	rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{})
	p, n := rec.Traces[0].Values, rec.Traces[1].Values
	require.Len(t, p, 600)
	for k := range 600 {
		assert.InDelta(t, f.E[k][0], p[k], 1e-12, "step %d (BrainPy %s)", k, f.Version)
		assert.Equal(t, 0.0, n[k], "below threshold, step %d", k)
	}
	// Forward Euler of τ dr/dt = −r + β·I: r_k = β·I·(1 − (1 − dt/τ)^k).
	assert.InDelta(t, 0.066*100*(1-math.Pow(1-0.1/20, 600)), p[599], 1e-12)
}

// JansenRit is The Virtual Brain's JansenRit (its defaults: v0 = 5.52 mV,
// p = 220 Hz) integrated by Heun's method (brainc's rk2, TVB's
// HeunDeterministic) from the same state: the six variables agree with
// TVB's over 200 ms, every 10th step.
func TestJansenRitMatchesTVB(t *testing.T) {
	cpu(t)
	f := loadRateModels(t).JansenRit
	spec := `
name: jr
dt: 0.1 ms
duration: 200 ms
populations:
  J: {size: 1, model: JansenRit, integrator: rk2, init: {y0: 0.1 mV, y1: 10 mV, y2: 5 mV}}
monitors: {traces: {J.y0: [0], J.y1: [0], J.y2: [0], J.y3: [0], J.y4: [0], J.y5: [0]}}
`
	rec, _ := simulate(t, parse(t, spec), lower.Options{DType: dtypes.Float64}, jit.Options{})
	require.Len(t, rec.Traces, 6)
	worst := 0.0
	for k, want := range f.Y {
		step := (k+1)*f.Every - 1
		for v := range 6 {
			got := rec.Traces[v].Values[step]
			scale := math.Max(math.Abs(want[v]), 1)
			worst = math.Max(worst, math.Abs(got-want[v])/scale)
			require.InDelta(t, want[v], got, 1e-9*scale, "y%d after step %d (%s)", v, step+1, f.Version)
		}
	}
	t.Logf("largest difference from TVB, relative to max(|y|, 1): %.2g", worst)
}
