package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
)

// The catalogue's nonlinear neurons run from a spec: uncoupled neurons
// under a constant input all fire their first spike in the step the
// single-neuron reference test (dynamics.TestNonlinearNeuronsAgainstReference)
// finds, with every integrator the spec accepts.
func TestSpecNeuronModels(t *testing.T) {
	tests := []struct {
		model, params, integrator string
		input                     float64
		firstMS                   float64 // the reference's first spike, within one dt
	}{
		{"ExpIF", "{}", "exp_euler", 10, 13.122},
		{"AdEx", "{}", "exp_euler", 20, 7.174},
		{"QIF", "{}", "exp_euler", 20, 14.402},
		{"Izhikevich", "{}", "rk4", 10, 3.127},
		{"HH", "{}", "rk4", 10, 2.157},
		{"TraubHH", "{}", "rk4", 1, 5.226},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			spec := fmt.Sprintf(`
name: %s
dt: 0.02 ms
duration: 20 ms
populations:
  P: {size: 4, model: %s, params: %s, input: %g, integrator: %s}
monitors: {spikes: [P]}
`, tc.model, tc.model, tc.params, tc.input, tc.integrator)
			rec, _ := simulate(t, parse(t, spec), lower.Options{}, jit.Options{K: 5})
			s := rec.Spikes[0]
			first := map[int32]float64{}
			for i, idx := range s.Indices {
				if _, ok := first[idx]; !ok {
					first[idx] = s.Times[i]
				}
			}
			require.Len(t, first, 4, "every neuron fires")
			for idx, tm := range first {
				// Recorded times are step starts; the reference's are the ends of steps.
				assert.InDelta(t, tc.firstMS, tm+0.02, 0.02+1e-9, "neuron %d", idx)
			}
		})
	}
}
