package jit

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/cpuops"
	"github.com/brainc/brainc/loop"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/signature"
)

// mixSpec has a propagation of every kind the loop may run before the
// step: a fan-out table (II), a delayed own table (EE), an STP-scaled one
// (EI) and procedural rows (IE); E and I are blocks of their own, so that
// with two devices every table splits by target.
const mixSpec = `
name: mix
dt: 0.1 ms
duration: 10 ms
populations:
  E: {size: 40, model: LifRef, params: {tau_ref: 2 ms}, init: {V: uniform(0 mV, 20 mV)}, input: {constant: 25}}
  I: {size: 10, model: ExpIF, input: {constant: 30}}
projections:
  EE: {pre: E, post: E, conn: {fixed_prob: 0.2}, weight: 0.6, synapse: Expon, output: CUBA, kernel: event, delay: uniform(0.2 ms, 3 ms)}
  EI: {pre: E, post: I, conn: {fixed_prob: 0.3}, weight: 0.3, synapse: Expon, output: CUBA, kernel: event, stp: {U: 0.2, tau_d: 150 ms, tau_f: 400 ms}}
  IE: {pre: I, post: E, conn: {fixed_prob: 0.3}, weight: -1, kernel: procedural, synapse: Expon, output: CUBA}
  II: {pre: I, post: I, conn: {fixed_prob: 0.3}, weight: -1, synapse: Expon, output: CUBA, kernel: event}
monitors: {spikes: [E, I], traces: {E.V: [0, 1]}}
`

// The looping module is laid out by the step's signature for every choice
// of operators, whole or split by target: the module's @main takes the
// carried values, the constants and n, and returns the carried values,
// the steps run and the records; the custom calls it names are those of
// the operations before the step and of the compaction, in that order
// (split) or compaction first (whole).
func TestLoopProgramLayout(t *testing.T) {
	b, err := pjrt.Open(pjrt.Options{Backend: "cpu"})
	require.NoError(t, err, "the XLA CPU plugin must be installed: run `make setup`")
	net, err := netspec.Parse([]byte(mixSpec), "mix.yaml")
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		devices int
		ops     Ops
		pre     int
		custom  []string
	}{
		{"scan", 1, OpsScan, 0, nil},
		{"top-k", 1, OpsTopK, 0, nil},
		{"custom", 1, OpsCustom, 2, []string{cpuops.CompactTarget, cpuops.CSRTarget, cpuops.CSRDelayedTarget}},
		{"split top-k", 2, OpsTopK, 4, nil},
		{"split custom", 2, OpsCustom, 4, []string{cpuops.CSRTarget, cpuops.CSRDelayedTarget, cpuops.CompactTarget}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := lower.Build(net, lower.Options{PadTo: tc.devices})
			require.NoError(t, err)
			lp, err := newLoopProgram(b, p, "mix_c16", 16, tc.ops)
			require.NoError(t, err)
			sig := lp.Signature
			assert.Equal(t, tc.ops.lowering(), sig.Lowering)
			assert.Len(t, sig.Pre, tc.pre)
			assert.Equal(t, tc.custom, lp.CustomCalls)
			assert.Equal(t, []int{sig.Width, sig.TraceWidth}, []int{lp.Width, lp.TraceWidth})
			main, err := loop.ParseSignature(lp.Text)
			require.NoError(t, err)
			require.Len(t, main.Args, sig.Carried+sig.Invariant()+1, "carried, constants, n")
			lo := sig.Loop()
			require.Len(t, main.Results, lo.Traces+1, "carried, steps, events, traces")
			assert.Equal(t, "tensor<i32>", main.Results[lo.Steps])
			assert.Equal(t, "tensor<4096x2xf32>", main.Results[lo.Traces])
			for i, v := range sig.Args[:sig.Carried+sig.Invariant()] {
				assert.Equal(t, tensorType(v), main.Args[i], "argument %d (%s)", i, v.Name)
			}
		})
	}
}

// Only the custom operators precompute a whole table: asked of another,
// the choice is refused, not traced.
func TestPrecomputeWholeTableNeedsCustomCalls(t *testing.T) {
	net, err := netspec.Parse([]byte(mixSpec), "mix.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, lower.Options{})
	require.NoError(t, err)
	sig, err := signature.ForLoop(p, 16, OpsCustom.lowering())
	require.NoError(t, err)
	require.NotEmpty(t, sig.Pre)
	_, _, err = precompute(nil, p, sig, sig.Pre[0], "x", OpsTopK, rowOffsets(p, 16))
	assert.EqualError(t, err, "jit: fan I: a whole table is precomputed by a custom call only")
}

// tensorType is a value's MLIR tensor type, as @main's signature spells it.
func tensorType(v signature.Value) string {
	s := "tensor<"
	for _, d := range v.Shape {
		s += strconv.Itoa(d) + "x"
	}
	names := map[string]string{"Float32": "f32", "Float64": "f64", "Int32": "i32", "Bool": "i1", "Uint8": "ui8"}
	return s + names[v.DType.String()] + ">"
}
