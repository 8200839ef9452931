package signature

import (
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/internal/testspecs"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
)

const spec = testspecs.Packed // A+B packed, one fan-out table for A2A and B2A

// delaySpec has a projection with per-synapse delays on its own event
// table (DelayedEvents) beside the fan-out table of spec.
const delaySpec = `
name: d
populations:
  A: {size: 300, model: LifRef}
  B: {size: 20, model: LifRef}
projections:
  A2A: {pre: A, post: A, conn: {fixed_prob: 0.1}, weight: 1, synapse: Expon, output: CUBA, kernel: event}
  A2B: {pre: A, post: B, conn: {fixed_prob: 0.5}, weight: 1, synapse: Expon, output: CUBA, kernel: event, delay: uniform(0.2 ms, 3 ms)}
monitors: {spikes: [B], traces: {A.V: [0, 5]}}
`

// quietSpec compacts no block: no projection, no spike monitor.
const quietSpec = `
name: n
populations:
  A: {size: 20, model: LifRef}
monitors: {traces: {A.V: [0, 1]}}
`

func buildSpec(t *testing.T, src string, opts lower.Options) *lower.Program {
	t.Helper()
	net, err := netspec.Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	p, err := lower.Build(net, opts)
	require.NoError(t, err)
	return p
}

// roles lists the roles of vs, one letter each: s state, e events, c
// constant, p precomputed, S stop, k key, E recorded events, T traces.
func roles(vs []Value) string {
	var sb strings.Builder
	for _, v := range vs {
		sb.WriteByte("secpSkET"[v.Role])
	}
	return sb.String()
}

// The signature lays the step out once: the state, the events row, the
// constants, then the operations before the step; the results and the
// loop's outputs follow from it, for every lowering.
func TestSignatureLayout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      string
		opts     lower.Options
		lowering Lowering
		// pre names the operations before the step; results the roles of
		// the results after the carried ones.
		pre     []string
		results string
		loop    LoopOutputs
	}{
		{"composed", spec, lower.Options{}, Lowering{}, nil, "SE", LoopOutputs{Steps: -1, Events: 1, Traces: -1}},
		{"top-k", spec, lower.Options{}, Lowering{Keys: true}, nil, "Sk", LoopOutputs{Steps: -1, Events: 1, Traces: -1}},
		{"custom", spec, lower.Options{}, Lowering{Keys: true, ByteKeys: true, Precompute: true}, []string{"fan A+B"}, "Sk", LoopOutputs{Steps: -1, Events: 1, Traces: -1}},
		{"split", spec, lower.Options{PadTo: 2}, Lowering{Keys: true}, []string{"fan A+B"}, "Sk", LoopOutputs{Steps: -1, Events: 1, Traces: -1}},
		{"delays custom", delaySpec, lower.Options{}, Lowering{Keys: true, ByteKeys: true, Precompute: true}, []string{"fan A+B", "delayed A2B"}, "SkT", LoopOutputs{Steps: -1, Events: 1, Traces: 2}},
		{"delays composed", delaySpec, lower.Options{}, Lowering{}, nil, "SET", LoopOutputs{Steps: -1, Events: 1, Traces: 2}},
		{"delays split", delaySpec, lower.Options{PadTo: 2}, Lowering{}, []string{"fan A+B"}, "SET", LoopOutputs{Steps: -1, Events: 1, Traces: 2}},
		{"no events", quietSpec, lower.Options{}, Lowering{Keys: true, ByteKeys: true, Precompute: true}, nil, "ST", LoopOutputs{Steps: -1, Events: -1, Traces: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildSpec(t, tc.src, tc.opts)
			sig, err := ForLoop(p, 64, tc.lowering)
			require.NoError(t, err)
			ns, nc := len(p.State), len(p.Consts)
			row := min(1, len(p.CompactBlocks()))
			want := strings.Repeat("s", ns) + strings.Repeat("e", row) + strings.Repeat("c", nc) + strings.Repeat("p", len(tc.pre))
			assert.Equal(t, want, roles(sig.Args))
			assert.Equal(t, ns+row, sig.Carried)
			assert.Equal(t, sig.Carried, sig.Consts)
			assert.Equal(t, nc, sig.Invariant())
			if row == 1 {
				assert.Equal(t, ns, sig.Row)
				assert.Equal(t, sig.Args[ns], sig.Results[ns], "the row is carried")
			} else {
				assert.Equal(t, -1, sig.Row)
				assert.False(t, sig.Lowering.Keys, "nothing to compact: no keys")
			}
			assert.Equal(t, sig.Args[:sig.Carried], sig.Results[:sig.Carried])
			assert.Equal(t, tc.results, roles(sig.Results[sig.Carried:]))
			assert.Equal(t, sig.Carried, sig.Stop)
			var names []string
			for j, op := range sig.Pre {
				names = append(names, op.Name)
				assert.Equal(t, sig.Consts+nc+j, op.Result)
				assert.Equal(t, op.Name, sig.Args[op.Result].Name)
				assert.Len(t, op.Inputs, len(op.Args))
				for i, a := range op.Args {
					v := sig.Args[a]
					dims := append([]int(nil), v.Shape...)
					if op.Split[i] >= 0 {
						dims[op.Split[i]] /= op.Devices
					}
					assert.Equal(t, dims, op.Inputs[i].Dimensions, "%s argument %d (%s)", op.Name, i, v.Name)
				}
			}
			assert.Equal(t, tc.pre, names)
			lo := tc.loop
			lo.Steps = sig.Carried
			if lo.Events > 0 {
				lo.Events += sig.Carried
			}
			if lo.Traces > 0 {
				lo.Traces += sig.Carried
			}
			assert.Equal(t, lo, sig.Loop())
		})
	}
}

// The operations before the step read the arrays they name, and give
// results of the shapes the step consumes: a whole fan-out table's input
// per target slot, a split one's per device, a delay line's ring buffer.
func TestSignaturePrecomputedShapes(t *testing.T) {
	p := buildSpec(t, delaySpec, lower.Options{})
	sig, err := ForLoop(p, 32, Lowering{Keys: true, ByteKeys: true, Precompute: true})
	require.NoError(t, err)
	require.Len(t, sig.Pre, 2)
	b := p.Blocks[0]
	fan, del := sig.Pre[0], sig.Pre[1]
	assert.Equal(t, []int{b.Fan.Slots}, sig.Args[fan.Result].Shape)
	assert.Equal(t, []string{"events", b.Fan.Ptr.Name, b.Fan.Targets.Name, b.Fan.Weight.Name},
		[]string{sig.Args[fan.Args[0]].Name, sig.Args[fan.Args[1]].Name, sig.Args[fan.Args[2]].Name, sig.Args[fan.Args[3]].Name})
	buf := del.Proj.Delay.Buf
	assert.Equal(t, buf.Shape, sig.Args[del.Result].Shape)
	assert.Equal(t, "step", sig.Args[del.Args[1]].Name)
	assert.Equal(t, buf.Name, sig.Args[del.Args[6]].Name)

	split := buildSpec(t, delaySpec, lower.Options{PadTo: 2})
	sig, err = ForLoop(split, 32, Lowering{})
	require.NoError(t, err)
	sb := split.Blocks[0]
	require.NotNil(t, sb.Split)
	assert.Equal(t, []int{2, sb.Split.Cols}, sig.Args[sig.Pre[0].Result].Shape)
	assert.Equal(t, dtypes.Float32, sig.Args[sig.Pre[0].Result].DType)
	require.Len(t, sig.Pre, 1, "B does not fill its block: A2B's delayed table stays whole, in the step")
	assert.False(t, split.SplitCovers())
}

// Check names what is missing or mismatched instead of failing while the
// step is traced.
func TestSignatureCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(*Step)
		want  string
	}{
		{"split table without its operation", func(s *Step) { s.Pre = nil }, `no operation before the step gives "fan A+B"`},
		{"renamed state", func(s *Step) { s.Args[1].Name = "X" }, "argument 1 is state X Float32[320], the program's state 1 is A+B.V Float32[320]"},
		{"operation reads a precomputed input", func(s *Step) { s.Pre[0].Args[0] = s.Pre[0].Result }, "fan A+B reads argument"},
		{"split axes missing", func(s *Step) { s.Pre[0].Split = nil }, "fan A+B: 4 arguments, 0 split axes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildSpec(t, spec, lower.Options{PadTo: 2})
			sig, err := ForLoop(p, 64, Lowering{})
			require.NoError(t, err)
			tc.spoil(sig)
			err = sig.Check()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	p := buildSpec(t, spec, lower.Options{})
	_, err := ForLoop(p, 0, Lowering{})
	assert.ErrorContains(t, err, "event capacity must be ≥ 1, got 0")
}

// The chunk engine's layout: the state and the constants in; the state,
// then K rows of events and of traces out.
func TestChunkSignature(t *testing.T) {
	p := buildSpec(t, delaySpec, lower.Options{})
	sig, err := ForChunk(p, 5, 32)
	require.NoError(t, err)
	ns, nc := len(p.State), len(p.Consts)
	assert.Equal(t, strings.Repeat("s", ns)+strings.Repeat("c", nc), roles(sig.Args))
	assert.Equal(t, strings.Repeat("s", ns)+"ET", roles(sig.Results))
	assert.Equal(t, []int{-1, -1, ns, ns, ns}, []int{sig.Row, sig.Stop, sig.Carried, sig.Consts, sig.State()})
	ev, tr := sig.Records()
	assert.Equal(t, []int{ns, ns + 1}, []int{ev, tr})
	assert.Equal(t, []int{5, sig.Width}, sig.Results[ev].Shape)
	assert.Equal(t, []int{5, 2}, sig.Results[tr].Shape)
	_, err = ForChunk(p, 0, 32)
	assert.EqualError(t, err, "lower: chunk signature: steps per chunk and event capacity must be ≥ 1, got 0 and 32")

	quiet := buildSpec(t, quietSpec, lower.Options{})
	sig, err = ForChunk(quiet, 3, 16)
	require.NoError(t, err)
	ev, tr = sig.Records()
	assert.Equal(t, []int{-1, len(quiet.State)}, []int{ev, tr}, "nothing compacted: no events")

	step, err := ForLoop(p, 32, Lowering{})
	require.NoError(t, err)
	ev, tr = step.Records()
	assert.Equal(t, []int{ns + 2, ns + 3}, []int{ev, tr}, "the loop step records its row after stop")
	keyed, err := ForLoop(p, 32, Lowering{Keys: true})
	require.NoError(t, err)
	ev, _ = keyed.Records()
	assert.Equal(t, -1, ev, "with keys the loop builds the events")
}
