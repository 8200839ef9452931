package artifact

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/signature"
)

const spec = `
name: two-pops
populations:
  A: {size: 300, model: LifRef}
  B: {size: 20, model: LifRef}
projections:
  A2B: {pre: A, post: B, conn: {fixed_prob: 0.5}, weight: 1, synapse: Expon, output: CUBA}
  B2A: {pre: B, post: A, conn: {fixed_in_degree: 2}, weight: 1, synapse: Expon, output: CUBA}
monitors: {spikes: [A], traces: {A.V: [1, 2], B.V: [0]}}
`

func program(t *testing.T) *lower.Program {
	net, err := netspec.Parse([]byte(spec), "t.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	return p
}

func TestCompileOptionErrors(t *testing.T) {
	p := program(t)
	for _, tc := range []struct {
		opts Options
		msg  string
	}{
		{Options{Steps: 0, Capacities: []int{16}}, "artifact: run length must be ≥ 1 step, got 0"},
		{Options{Steps: 10}, "artifact: no event capacity to compile for"},
	} {
		_, err := Compile(nil, p, tc.opts)
		assert.EqualError(t, err, tc.msg)
	}
}

// The manifest entry lists inputs and outputs in the order the program takes
// and returns them, with the events and traces layouts.
func TestDescribe(t *testing.T) {
	p := program(t)
	sig, err := signature.ForLoop(p, 16, signature.Lowering{Keys: true})
	require.NoError(t, err)
	d := describe(p, "two_pops_c16", &jit.LoopProgram{Capacity: 16, Width: 17, TraceWidth: 3, Rows: 4096, Signature: sig})
	var in, out []string
	for _, a := range d.Inputs {
		in = append(in, a.Role+":"+a.Name)
	}
	for _, a := range d.Outputs {
		out = append(out, a.Role+":"+a.Name)
	}
	// A and B share model and parameters: one block, one synaptic state.
	state := []string{"state:step", "state:A+B.V", "state:A+B.last_spike", "state:A+B.spike", "state:B2A+A2B.g"}
	// A2B has 3000 synapses (dense: weight, pre, post); B2A has 600 (dense).
	row := "row:two_pops_c16.events_row"
	assert.Equal(t, append(append(slices.Clone(state), row), "const:A2B.weight", "const:A2B.pre", "const:A2B.post",
		"const:B2A.weight", "const:B2A.pre", "const:B2A.post", "n:n"), in)
	assert.Equal(t, append(append(slices.Clone(state), row), "steps:steps", "events:events", "traces:traces"), out)
	assert.Equal(t, []EventField{{Block: "A+B", CountColumn: 0, Capacity: 16, Size: 320,
		Populations: []BlockPopulation{{Name: "A", Offset: 0, Size: 300}, {Name: "B", Offset: 300, Size: 20}}}}, d.Events)
	assert.Equal(t, []TraceField{{Population: "A", Var: "V", Indices: []int{1, 2}, Column: 0},
		{Population: "B", Var: "V", Indices: []int{0}, Column: 2}}, d.Traces)
	assert.Equal(t, []int{4096, 17}, d.Outputs[len(d.Outputs)-2].Shape)
	assert.Equal(t, []int{4096, 3}, d.Outputs[len(d.Outputs)-1].Shape)
	assert.Equal(t, "synapse list of A2B (presynaptic indices)", d.Inputs[len(state)+2].Holds)
	assert.Equal(t, "two_pops", sanitize("two-pops"))
}
